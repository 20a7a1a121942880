"""Contaminant survey rules (validation/koreanap_validation/contaminants.py)."""
import csv
import shutil
from pathlib import Path

import frictionless
import pytest
from frictionless import Checklist, Package, Schema

from koreanap_validation import (
    checks,  # noqa: F401  (registers the plugin)
    contaminants,
)

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "datapackages" / "food-contaminants"
FIXTURE = Path(__file__).parent / "fixtures" / "rules" / "contaminants"
OURS = {E.type for E in contaminants.ERRORS}


def found(report):
    """(type, row, field) of our errors in a frictionless report."""
    return [(e.type, getattr(e, "row_number", None), getattr(e, "field_name", None))
            for task in report.tasks for e in task.errors if e.type in OURS]


def validate_package(folder, **kwargs):
    """Validate each resource of a package with the checks package_checks picks."""
    package = Package(str(folder / "datapackage.json"))
    picked = contaminants.package_checks(package)
    reports = {}
    for name, chosen in picked.items():
        reports[name] = package.get_resource(name).validate(
            checklist=Checklist(checks=chosen), **kwargs)
    return reports


def fixture_with(tmp_path, file, row_index, changes):
    """Copy the fixture package and change cells of one data row of ``file``."""
    folder = tmp_path / "pkg"
    shutil.copytree(FIXTURE, folder)
    path = folder / file
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for column, value in changes.items():
        rows[row_index + 1][header.index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def test_real_package_passes():
    """The real food-contaminants package (all 60,000 survey rows) passes every contaminant rule."""
    reports = validate_package(REAL)
    assert set(reports) == {"substances", "survey_results"}
    assert reports["survey_results"].tasks[0].stats["rows"] == 60000
    for name, report in reports.items():
        assert found(report) == [], (name, [e.message for e in report.flatten(["message"])][:5])


def test_fixture_passes():
    """The small fixture package passes (it has Y, N, maximum and not-detected limits)."""
    reports = validate_package(FIXTURE)
    assert set(reports) == {"substances", "survey_results"}
    for report in reports.values():
        assert report.valid, report.flatten(["message"])


FAILING = [
    # id, file, data row (0-based), changes, (error type, field)
    ("lod-above-loq", "survey_results.csv", 0, {"lod": "0.5", "loq": "0.3"},
     ("koreanap-contaminant-lod-loq", "lod")),
    ("detected-below-lod", "survey_results.csv", 0, {"value": "0.05"},
     ("koreanap-contaminant-detection", "value")),
    ("detected-without-value", "survey_results.csv", 0, {"value": ""},
     ("koreanap-contaminant-detection", "value")),
    ("not-detected-zero", "survey_results.csv", 2, {"value": "0"},
     ("koreanap-contaminant-detection", "value")),
    ("not-detected-with-value", "survey_results.csv", 2, {"value": "0.001"},
     ("koreanap-contaminant-detection", "value")),
    ("wrong-unit", "survey_results.csv", 2, {"unit": "µg/kg"},
     ("koreanap-contaminant-unit", "unit")),
    ("exceedance-flipped-to-n", "survey_results.csv", 1, {"exceeds_ml": "N"},
     ("koreanap-contaminant-exceedance", "exceeds_ml")),
    ("exceedance-flipped-to-y", "survey_results.csv", 0, {"exceeds_ml": "Y"},
     ("koreanap-contaminant-exceedance", "exceeds_ml")),
    ("not-detected-limit-flipped", "survey_results.csv", 4, {"exceeds_ml": "N"},
     ("koreanap-contaminant-exceedance", "exceeds_ml")),
    ("flag-without-limit", "survey_results.csv", 2, {"exceeds_ml": "N"},
     ("koreanap-contaminant-exceedance", "exceeds_ml")),
    ("limit-of-other-substance", "survey_results.csv", 0, {"maximum_level_id": "ML002"},
     ("koreanap-contaminant-exceedance", "maximum_level_id")),
    ("limit-id-missing", "survey_results.csv", 0, {"maximum_level_id": ""},
     ("koreanap-contaminant-exceedance", "maximum_level_id")),
    ("cas-check-digit", "substances.csv", 1, {"cas_numbers": "1162-65-9"},
     ("koreanap-cas-number", "cas_numbers")),
    ("cas-check-digit-in-list", "substances.csv", 0,
     {"cas_numbers": "1162-65-8;7220-81-6;1165-39-5;7241-98-7"},
     ("koreanap-cas-number", "cas_numbers")),
    ("cas-malformed", "substances.csv", 2, {"cas_numbers": "7439921"},
     ("koreanap-cas-number", "cas_numbers")),
]


@pytest.mark.parametrize("file,row_index,changes,expected",
                         [case[1:] for case in FAILING], ids=[case[0] for case in FAILING])
def test_failing_fixture(tmp_path, file, row_index, changes, expected):
    """One broken cell gives exactly one error of the rule's type, at its row and field."""
    folder = fixture_with(tmp_path, file, row_index, changes)
    reports = validate_package(folder)
    errors = [e for report in reports.values() for e in found(report)]
    assert errors == [(expected[0], row_index + 2, expected[1])]


def test_zero_message_says_empty_not_zero(tmp_path):
    """A not-detected 0 is reported with the words "not detected must be empty, not 0"."""
    folder = fixture_with(tmp_path, "survey_results.csv", 2, {"value": "0"})
    report = validate_package(folder)["survey_results"]
    messages = [e.message for e in report.tasks[0].errors]
    assert any("not detected must be empty, not 0" in m for m in messages), messages


def test_lookups_as_options_without_package(tmp_path, monkeypatch):
    """Given look-up tables as options, the check works on a lone CSV (no package)."""
    folder = fixture_with(tmp_path, "survey_results.csv", 1, {"exceeds_ml": "N"})
    monkeypatch.chdir(folder)
    package = Package(str(FIXTURE / "datapackage.json"))
    units, levels = contaminants.load_lookups(package)
    check = contaminants.ContaminantResultsCheck(substance_units=units, maximum_levels=levels)
    schema = Schema.from_descriptor(package.get_resource("survey_results").schema.to_descriptor())
    report = frictionless.validate("survey_results.csv", schema=schema,
                                  checklist=Checklist(checks=[check]))
    assert found(report) == [("koreanap-contaminant-exceedance", 3, "exceeds_ml")]


def test_without_lookups_reports_setup(tmp_path, monkeypatch):
    """A lone CSV without look-ups gets one set-up error; the row rules still run."""
    folder = fixture_with(tmp_path, "survey_results.csv", 0, {"lod": "0.5"})
    monkeypatch.chdir(folder)
    report = frictionless.validate(
        "survey_results.csv",
        checklist=Checklist.from_descriptor({"checks": [{"type": "koreanap-contaminant-results"}]}))
    errors = found(report)
    assert ("koreanap-contaminant-lod-loq", 2, "lod") in errors
    assert [e for e in errors if e[0] == "koreanap-contaminant-setup"] == [
        ("koreanap-contaminant-setup", None, None)] * 2


def test_checklist_descriptor_with_column_options(tmp_path):
    """The checks are selectable by type in a checklist, with column-name options."""
    folder = fixture_with(tmp_path, "survey_results.csv", 0, {"lod": "0.5"})
    package = Package(str(folder / "datapackage.json"))
    checklist = Checklist.from_descriptor({"checks": [
        {"type": "koreanap-contaminant-results", "lodField": "loq", "loqField": "lod"},
    ]})
    report = package.get_resource("survey_results").validate(checklist=checklist)
    # lod and loq swapped by option: every row but the broken one now fails
    assert found(report) == [("koreanap-contaminant-lod-loq", row, "loq") for row in (3, 4, 5, 6)]


def test_cas_problem():
    """cas_problem accepts real CAS numbers and names the expected check digit."""
    assert contaminants.cas_problem("7440-43-9") is None
    assert contaminants.cas_problem("50-00-0") is None
    assert "expected 9" in contaminants.cas_problem("7440-43-8")
    assert "not of the form" in contaminants.cas_problem("1-00-0")
