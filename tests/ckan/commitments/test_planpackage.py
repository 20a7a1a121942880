"""One place finds the plan's data package (issue 17 item 3): the configured folder, else
KOREANAP_COMMITMENTS_PACKAGE, else the source tree's; a missing or broken package is
PlanUnavailable with the reason, and the command's mapping then knows no commitment."""
import json
import shutil

import pytest

from koreanap_client import datapackage, planpackage


@pytest.fixture
def copy(tmp_path):
    """A copy of the plan's package with commitment KR0043 renamed KR9943."""
    target = tmp_path / "plan"
    shutil.copytree(planpackage.SOURCE_TREE, target)
    table = target / "data" / "commitments.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("KR0043", "KR9943"),
                     encoding="utf-8")
    return target


def test_the_source_tree_is_the_default(monkeypatch):
    monkeypatch.delenv(planpackage.ENV_VAR, raising=False)
    assert planpackage.folder() == planpackage.SOURCE_TREE
    assert datapackage.commitment("KR0043")["lead_agency"] == "Ministry of Food and Drug Safety"
    assert len(planpackage.table("milestones")) > len(planpackage.table("commitments")) > 4


def test_the_environment_and_the_option_name_another_package(monkeypatch, copy):
    """The image sets the environment variable; the catalogue's option wins over it; a
    datapackage.json path names its folder; a changed table is read again."""
    monkeypatch.setenv(planpackage.ENV_VAR, str(copy))
    assert planpackage.folder() == copy
    assert datapackage.commitment("KR9943") and not datapackage.commitment("KR0043")
    assert datapackage.commitment("KR0043", str(planpackage.SOURCE_TREE / "datapackage.json"))
    table = copy / "data" / "commitments.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("KR9943", "KR9944"),
                     encoding="utf-8")
    assert datapackage.commitment("KR9944")


def test_a_missing_or_broken_package_is_unavailable_with_the_reason(monkeypatch, copy, tmp_path):
    monkeypatch.setenv(planpackage.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(planpackage.PlanUnavailable, match="nowhere"):
        planpackage.table("commitments")
    assert datapackage.commitments() == ()
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "commitments":
            resource["path"] = "../../etc/passwd"
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(planpackage.PlanUnavailable, match="outside"):
        planpackage.table("commitments", copy)
    with pytest.raises(planpackage.PlanUnavailable, match='no "budget" table'):
        planpackage.table("budget", copy)
