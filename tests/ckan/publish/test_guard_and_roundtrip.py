"""A dataset with an invalid resource stays private; download -> validate -> re-publish."""
import io

import pytest
from ckan.logic import ValidationError
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from .conftest import PACKAGES, work_off_queue

pytestmark = pytest.mark.usefixtures("clean_publish", "with_request_context",
                                      "with_test_worker")


def _break_commitments(sysadmin):
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    resource = next(r for r in dataset["resources"] if r["datapackage_name"] == "commitments")
    text = (PACKAGES / "ogp-nap4-commitments" / "data" / "commitments.csv").read_text("utf-8")
    broken = text.replace("nap4-01,1,", "nap4-01,one,", 1).encode("utf-8")
    context = {"user": sysadmin["name"]}
    call_action("package_patch", context=context, id=dataset["id"], private=True)
    call_action("resource_patch", context=context, id=resource["id"],
                upload=FileStorage(io.BytesIO(broken), filename="commitments.csv"))
    call_action("koreanap_package_validate", context=context, id=dataset["id"])
    work_off_queue()
    return dataset


def test_dataset_with_an_invalid_resource_cannot_be_made_public(sysadmin, publish):
    """Making a dataset public while a resource is invalid is refused, naming the resource."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = _break_commitments(sysadmin)
    with pytest.raises(ValidationError) as raised:
        call_action("package_patch", context={"user": sysadmin["name"]}, id=dataset["id"],
                    private=False)
    assert "Commitments" in str(raised.value.error_dict["private"])
    assert call_action("package_show", id=dataset["id"])["private"] is True


def test_removing_the_invalid_resource_lets_the_dataset_be_public(sysadmin, publish):
    """A deleted invalid resource no longer counts: the dataset may then be made public."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = _break_commitments(sysadmin)
    broken = next(r for r in call_action("package_show", id=dataset["id"])["resources"]
                  if r["datapackage_name"] == "commitments")
    call_action("resource_delete", context={"user": sysadmin["name"]}, id=broken["id"])
    call_action("package_patch", context={"user": sysadmin["name"]}, id=dataset["id"],
                private=False)
    state = call_action("koreanap_dataset_validation_show", id=dataset["id"])
    assert state["status"] == "valid"


@pytest.mark.ckan_config("ckanext.koreanap.public_requires_valid", False)
def test_public_guard_can_be_switched_off(sysadmin, publish):
    """With ckanext.koreanap.public_requires_valid = false the dataset may be made public."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = _break_commitments(sysadmin)
    call_action("package_patch", context={"user": sysadmin["name"]}, id=dataset["id"],
                private=False)
    assert call_action("package_show", id=dataset["id"])["private"] is False


def test_download_validate_republish_round_trip(sysadmin, publish, app, tmp_path):
    """The downloaded zip validates and publishing it again changes nothing."""
    from koreanap_validation.engine import validate_package

    publish(PACKAGES / "cultural-heritage-3d", sysadmin["name"])
    response = app.get("/dataset/cultural-heritage-3d/datapackage.zip", status=200)
    archive = tmp_path / "cultural-heritage-3d.zip"
    archive.write_bytes(response.data)
    from koreanap_validation.inputs import open_input

    with open_input(str(archive)) as prepared:
        report = validate_package(prepared.descriptor, basepath=prepared.basepath)
    assert report["valid"], report["errors"][:3]
    _, lines = publish(archive, sysadmin["name"])
    assert all(line.endswith(": unchanged") for line in lines), lines


def test_datapackage_json_lists_resources_with_download_urls(sysadmin, publish, app):
    """datapackage.json from the catalogue has each resource's schema and download URL."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    descriptor = app.get("/dataset/ogp-nap4-commitments/datapackage.json", status=200).json
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["commitments", "milestones"]
    first = descriptor["resources"][0]
    assert first["path"].startswith("http") and first["path"].endswith("/commitments.csv")
    assert first["schema"]["fields"][0]["name"] == "commitment_id"
    assert descriptor["koreanap:contactPoint"]["path"] == "report-error"


def test_pages_show_status_score_and_report(sysadmin, publish, app):
    """Dataset, resource and report pages show the validation status and the score."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    page = app.get("/dataset/ogp-nap4-commitments", status=200).body
    assert 'data-status="valid"' in page
    assert "/405" in page
    resource = dataset["resources"][0]
    page = app.get("/dataset/ogp-nap4-commitments/resource/" + resource["id"], status=200).body
    assert 'data-status="valid"' in page
    page = app.get("/dataset/ogp-nap4-commitments/validation", status=200).body
    assert "resource-" + resource["id"] in page


def test_the_pages_show_actions_answer_whoever_may_see_the_dataset(sysadmin, publish):
    """The show actions the dataset pages call (statuses, reports, 3D facts, links) answer
    an anonymous visitor on a public dataset and refuse one on a private dataset."""
    from ckan.logic import NotAuthorized

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    anonymous = {"user": "", "ignore_auth": False}
    state = call_action("koreanap_dataset_status_show", anonymous, id=dataset["name"])
    assert state["status"] == "valid" and state["score"]["band"]
    assert set(state["resources"]) == {r["id"] for r in dataset["resources"]}
    report = call_action("koreanap_dataset_report_show", anonymous, id=dataset["id"])
    assert report["status"] == "valid" and report["score"]["detail"]
    assert all("report" in row for row in report["resources"].values())
    call_action("package_patch", context={"user": sysadmin["name"]}, id=dataset["id"],
                private=True)
    for action in ("koreanap_dataset_status_show", "koreanap_dataset_report_show",
                   "koreanap_dataset_assets_show", "koreanap_link_check_show"):
        with pytest.raises(NotAuthorized):
            call_action(action, dict(anonymous), id=dataset["id"])
        call_action(action, {"user": sysadmin["name"], "ignore_auth": False},
                    id=dataset["id"])


def test_facets_include_commitment_and_validation_status(sysadmin, publish):
    """Search facets count datasets by commitment, OGP value and validation status."""
    publish(PACKAGES / "food-contaminants", sysadmin["name"])
    found = call_action("package_search", q="*:*", facet="true", **{
        "facet.field": '["commitment", "validation_status", "ogp_values", "license_id"]'})
    facets = found["search_facets"]
    assert {i["name"] for i in facets["commitment"]["items"]} == {"KR0043"}
    assert {i["name"] for i in facets["validation_status"]["items"]} == {"valid"}
    assert {i["name"] for i in facets["license_id"]["items"]} == {"CC-BY-4.0"}
    assert facets["ogp_values"]["items"], "OGP values come from the commitment"
