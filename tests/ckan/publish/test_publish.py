"""Publishing a data package: create, re-run unchanged, updates, removals, DataStore."""
import json

import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


def test_first_publish_creates_everything_and_second_changes_nothing(sysadmin, publish):
    """A first publish creates org, dataset and resources; the same package again is unchanged."""
    result, lines = publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    assert "organization mois: created" in lines
    assert "dataset ogp-nap4-commitments: created" in lines
    assert "resource commitments: created" in lines
    assert "resource milestones: created" in lines
    assert result.validation["status"] == "valid"
    again, lines = publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    assert lines == ["organization mois: unchanged", "dataset ogp-nap4-commitments: unchanged",
                     "resource commitments: unchanged", "resource milestones: unchanged"]
    assert not again.changed


def test_tables_are_in_the_datastore_with_schema_types(sysadmin, publish):
    """Each table is loaded into the DataStore with its Table Schema's types."""
    result, _ = publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    commitments = next(r for r in dataset["resources"]
                       if r["datapackage_name"] == "commitments")
    found = call_action("datastore_search", resource_id=commitments["id"], limit=1,
                        include_total=True)
    assert found["total"] == 13
    types = {f["id"]: f["type"] for f in found["fields"]}
    assert types["plan_order"] == "int8"
    assert types["start_date"] == "date"
    assert types["title"] == "text"
    assert commitments["datastore_active"] is True
    # _full_text is filled by the bulk load as the DataStore's trigger would.
    found = call_action("datastore_search", resource_id=commitments["id"], q="Partnership")
    assert found["total"] >= 1
    assert all("Partnership" in " ".join(map(str, r.values())) for r in found["records"])


def test_dataset_fields_come_from_the_package(sysadmin, publish):
    """Bilingual titles, commitment, licence, contact and keywords are mapped to the schema."""
    publish(PACKAGES / "food-contaminants", sysadmin["name"])
    dataset = call_action("package_show", id="food-contaminants")
    assert dataset["title"] == "식품 중 유해물질 오염도(19종, 예시 자료)"
    assert dataset["title_en"].startswith("Harmful substances in foods")
    assert dataset["commitment"] == "KR0043"
    assert dataset["lead_division"] == "Residues and Contaminants Standard Division"
    assert dataset["license_id"] == "CC-BY-4.0"
    assert not dataset.get("contact_email")  # the contact is the error-report page
    assert dataset["update_cycle"] == "ANNUAL"
    assert dataset["organization"]["name"] == "mfds"
    tags = {t["name"] for t in dataset["tags"]}
    assert {"식품", "food", "기준 규격"} <= tags
    state = call_action("koreanap_dataset_validation_show", id="food-contaminants")
    assert state["status"] == "valid"
    assert state["score"]["max"] == 405 and state["score"]["total"] > 0


def test_changed_file_replaces_only_that_resource(sysadmin, publish, package_copy):
    """Changing one CSV replaces that resource only; the others stay unchanged."""
    folder = package_copy("ogp-nap4-commitments")
    publish(folder, sysadmin["name"])
    before = {r["datapackage_name"]: r for r in call_action(
        "package_show", id="ogp-nap4-commitments")["resources"]}
    csv = folder / "data" / "milestones.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines[:-1]), encoding="utf-8")  # drop the last milestone
    _, printed = publish(folder, sysadmin["name"])
    assert "resource milestones: replaced" in printed
    assert "resource commitments: unchanged" in printed
    after = {r["datapackage_name"]: r for r in call_action(
        "package_show", id="ogp-nap4-commitments")["resources"]}
    assert after["commitments"]["id"] == before["commitments"]["id"]
    assert after["milestones"]["hash"] != before["milestones"]["hash"]
    found = call_action("datastore_search", resource_id=after["milestones"]["id"], limit=0)
    assert found["total"] == len(lines) - 2


def test_removed_resource_is_removed(sysadmin, publish, package_copy):
    """A resource no longer in the package is removed from the dataset."""
    folder = package_copy("ogp-nap4-commitments")
    publish(folder, sysadmin["name"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "milestones"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    _, printed = publish(folder, sysadmin["name"])
    assert "resource milestones: removed" in printed
    names = [r["datapackage_name"] for r in call_action(
        "package_show", id="ogp-nap4-commitments")["resources"]]
    assert names == ["commitments"]


def test_changed_metadata_updates_the_dataset(sysadmin, publish, package_copy):
    """A changed title updates the dataset and names the field; resources stay unchanged."""
    folder = package_copy("ogp-nap4-commitments")
    publish(folder, sysadmin["name"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title_en"] = "The plan's commitments"
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    _, printed = publish(folder, sysadmin["name"])
    assert "dataset ogp-nap4-commitments: updated (title_en)" in printed
    assert call_action("package_show", id="ogp-nap4-commitments")["title_en"] == \
        "The plan's commitments"


def test_dry_run_changes_nothing(sysadmin, publish):
    """--dry-run lists what would be created and creates nothing."""
    _, printed = publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"], dry_run=True)
    assert "organization mois: would be created" in printed
    assert "resource commitments: would be created" in printed
    assert call_action("package_search", q="*:*")["count"] == 0
    from ckan.logic import NotFound

    with pytest.raises(NotFound):
        call_action("organization_show", id="mois")
