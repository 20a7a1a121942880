"""``koreanap validate`` reports a Table Schema field without a title (its Korean column
name) as a metadata warning, with either engine, and the packages have none."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from koreanap_client.console import main

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datapackages" / "ogp-nap4-commitments"
ENGINES = (["--engine", "auto"], ["--engine", "frictionless"])


def _validate(path, *args):
    result = CliRunner().invoke(main, ["validate", str(path), *args])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _untitled(report):
    return [r for r in report["metadata"]["results"] if r["constraint"] == "field-title"]


def _without_title(tmp_path, resource, field):
    """A copy of the commitments package whose ``resource.field`` has lost its title."""
    folder = tmp_path / "package"
    shutil.copytree(PACKAGE, folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if res["name"] == resource:
            for f in res["schema"]["fields"]:
                if f["name"] == field:
                    del f["title"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    return folder


@pytest.mark.parametrize("engine", ENGINES, ids=["auto", "frictionless"])
def test_field_without_title_is_a_metadata_warning(tmp_path, engine):
    """One untitled field gives exactly one warning naming resource and field; the
    package stays valid (exit 0), since a missing title is not a data error."""
    folder = _without_title(tmp_path, "milestones", "activity")
    result = _validate(folder, "--format", "json", *engine)
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["valid"]
    found = _untitled(report)
    assert [(r["severity"], r["focus"]) for r in found] == [("Warning", "milestones.activity")]
    assert "'activity'" in found[0]["message"] and "'milestones'" in found[0]["message"]


@pytest.mark.parametrize("engine", ENGINES, ids=["auto", "frictionless"])
def test_text_report_lists_the_untitled_field(tmp_path, engine):
    """The text report's metadata section shows the warning line."""
    folder = _without_title(tmp_path, "commitments", "lead_agency")
    result = _validate(folder, *engine)
    assert result.exit_code == 0, result.stdout
    assert ("Warning: resources[commitments].schema.fields[lead_agency].title: field "
            "'lead_agency' of resource 'commitments' has no title") in result.stdout


def test_strict_metadata_does_not_turn_the_warning_into_an_error(tmp_path):
    """--metadata strict fails only on SHACL violations; a missing title stays a warning."""
    folder = _without_title(tmp_path, "milestones", "sequence")
    report = json.loads(_validate(folder, "--format", "json", "--metadata", "strict").stdout)
    assert not [e for e in report["errors"] if "has no title" in e["message"]]
    assert len(_untitled(report)) == 1


@pytest.mark.parametrize("name", ["cultural-heritage-3d", "food-contaminants",
                                  "ogp-nap4-commitments", "priority-datasets"])
def test_the_four_packages_have_no_untitled_field(name):
    """Every column of the published packages has a title, so none is warned about."""
    report = json.loads(_validate(REPO / "datapackages" / name, "--format", "json").stdout)
    assert _untitled(report) == []
