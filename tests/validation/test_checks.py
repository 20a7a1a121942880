"""The frictionless checks and plugin (validation/koreanap_validation/checks.py)."""
import csv
import json
from pathlib import Path

import frictionless
import pytest
from frictionless import Checklist, Resource, Schema, system

from koreanap_validation import checks

CHECKLIST_YAML = Path(checks.__file__).parent / "checklists" / "koreanap.yaml"

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "reg_date", "type": "string", "koreanap:domain": "date"},
        {"name": "open_yn", "type": "string", "koreanap:domain": "yn"},
        {"name": "sido", "type": "string", "koreanap:domain": "code",
         "koreanap:codelist": "region-bjd-2018"},
        {"name": "visitors", "type": "integer", "koreanap:domain": "count"},
        {"name": "rate", "type": "number", "koreanap:domain": "rate"},
        {"name": "lat", "type": "number", "koreanap:domain": "latitude"},
        {"name": "lon", "type": "number", "koreanap:domain": "longitude"},
        {"name": "zip", "type": "string", "koreanap:domain": "postcode"},
        {"name": "office_tel", "type": "string", "koreanap:domain": "phone"},
        {"name": "memo", "type": "string"},
    ]
}
HEADER = [f["name"] for f in SCHEMA["fields"]]
GOOD_ROW = ["1", "2019-03-01", "Y", "11", "120", "12.5", "37.5665", "126.978",
            "03154", "02-2100-1234", "마스킹된 연락처 010-****-5678"]


def write_csv(folder, rows, name="data.csv"):
    """Write a UTF-8 CSV with HEADER and ``rows``; return its file name."""
    with open(folder / name, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return name


def validate(tmp_path, monkeypatch, rows, checklist=None):
    monkeypatch.chdir(tmp_path)
    name = write_csv(tmp_path, rows)
    checklist = checklist or Checklist(
        checks=[checks.ValueDomainCheck(), checks.PersonalDataCheck()]
    )
    return frictionless.validate(
        name, schema=Schema.from_descriptor(SCHEMA), checklist=checklist
    )


def with_cell(field, value):
    row = list(GOOD_ROW)
    row[HEADER.index(field)] = value
    return row


def test_good_row_passes_both_checks(tmp_path, monkeypatch):
    """A row whose values fit their domains and holds only masked data is valid."""
    report = validate(tmp_path, monkeypatch, [GOOD_ROW])
    assert report.valid, report.flatten(["type", "message"])


@pytest.mark.parametrize("field,value,expects", [
    ("reg_date", "2019-02-29", "real calendar date"),
    ("open_yn", "예", '"Y" or "N"'),
    ("sido", "51", "region-bjd-2018"),
    ("visitors", "-5", "non-negative"),
    ("rate", "120", "0 to 100"),
    ("lat", "40.1", "33.0-38.7"),
    ("lon", "120.0", "124.5-131.9"),
    ("zip", "110-800", "five-digit"),
    ("office_tel", "123", "(9)99-(9)999-9999"),
])
def test_domain_violation_names_row_field_value_and_expectation(
        tmp_path, monkeypatch, field, value, expects):
    """Each domain rule fails its bad value with row, field, value and what the domain expects."""
    report = validate(tmp_path, monkeypatch, [GOOD_ROW, with_cell(field, value)])
    errors = report.tasks[0].errors
    assert [e.type for e in errors] == ["koreanap-value-domain"]
    error = errors[0]
    assert (error.row_number, error.field_name, error.cell) == (3, field, value)
    assert expects in error.message and value in error.message


@pytest.mark.parametrize("raw,masked", [
    ("711231-1234564", "7112**-*******"),
    ("010-9876-5432", "010-****-5432"),
    ("+82-10-9876-5432", "+82-10-****-5432"),
    ("hong.gildong@example.com", "h***@example.com"),
])
def test_personal_data_is_reported_masked_only(tmp_path, monkeypatch, raw, masked):
    """Unmasked personal data in a text cell is an error whose report never holds the raw value."""
    report = validate(tmp_path, monkeypatch, [with_cell("memo", f"담당자 {raw} 참고")])
    errors = report.tasks[0].errors
    assert [e.type for e in errors] == ["koreanap-personal-data"]
    assert masked in errors[0].message
    assert raw not in json.dumps(report.to_descriptor(), ensure_ascii=False)


def test_organisation_phone_field_is_exempt_from_phone_detection(tmp_path, monkeypatch):
    """A field with the phone domain may hold a phone number; the same number in free text fails."""
    ok = validate(tmp_path, monkeypatch, [with_cell("office_tel", "010-1234-5678")])
    assert ok.valid
    bad = validate(tmp_path, monkeypatch, [with_cell("memo", "010-1234-5678")])
    assert bad.flatten(["type"]) == [["koreanap-personal-data"]]


def test_domain_error_masks_personal_data_in_other_cells(tmp_path, monkeypatch):
    """A domain error's copy of the row masks an RRN sitting in another column."""
    row = with_cell("open_yn", "X")
    row[HEADER.index("memo")] = "711231-1234564"
    report = validate(tmp_path, monkeypatch, [row],
                      checklist=Checklist(checks=[checks.ValueDomainCheck()]))
    assert report.flatten(["type"]) == [["koreanap-value-domain"]]
    assert "711231-1234564" not in json.dumps(report.to_descriptor())


def test_checklist_from_yaml_descriptor_selects_our_checks(tmp_path, monkeypatch):
    """The shipped YAML checklist names our check types and frictionless resolves them."""
    checklist = Checklist.from_descriptor(str(CHECKLIST_YAML))
    assert checklist.check_types == ["koreanap-value-domain", "koreanap-personal-data",
                                     "koreanap-number", "koreanap-region-coordinates"]
    report = validate(tmp_path, monkeypatch,
                      [with_cell("open_yn", "X"), with_cell("memo", "a@b.co")],
                      checklist=checklist)
    assert sorted(t for [t] in report.flatten(["type"])) == [
        "koreanap-personal-data", "koreanap-value-domain"]


def test_checklist_json_with_options_for_one_field(tmp_path, monkeypatch):
    """A JSON checklist can apply one domain to one field, with options in camelCase."""
    (tmp_path / "checklist.json").write_text(json.dumps({"checks": [
        {"type": "koreanap-value-domain", "fieldName": "id", "domain": "year"},
        {"type": "koreanap-personal-data", "kinds": ["email"]},
    ]}))
    checklist = Checklist.from_descriptor(str(tmp_path / "checklist.json"))
    report = validate(tmp_path, monkeypatch,
                      [with_cell("memo", "010-1234-5678 x@example.org")],
                      checklist=checklist)
    types = sorted(t for [t] in report.flatten(["type"]))
    # id "1" is not a year; the phone is ignored because only e-mails were asked for
    assert types == ["koreanap-personal-data", "koreanap-value-domain"]
    assert "010-1234-5678" not in json.dumps(report.to_descriptor())


def test_unknown_domain_is_a_setup_error_and_other_fields_still_checked(tmp_path, monkeypatch):
    """An unknown domain or code list is reported; well-declared fields are still checked."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text("a,b,c\n1,2,X\n")
    schema = Schema.from_descriptor({"fields": [
        {"name": "a", "type": "string", "koreanap:domain": "colour"},
        {"name": "b", "type": "string", "koreanap:domain": "code",
         "koreanap:codelist": "nowhere"},
        {"name": "c", "type": "string", "koreanap:domain": "yn"},
    ]})
    report = Resource("t.csv", schema=schema).validate(
        checklist=Checklist(checks=[checks.ValueDomainCheck()]))
    found = report.flatten(["type", "message"])
    messages = [m for [t, m] in found if t == "koreanap-domain-setup"]
    assert any("colour" in m for m in messages) and any("nowhere" in m for m in messages)
    assert [t for [t, _] in found if t == "koreanap-value-domain"] == ["koreanap-value-domain"]


def test_plugin_resolves_check_and_error_types():
    """frictionless' system finds our check and error classes by their kebab-case types."""
    assert system.select_check_class("koreanap-value-domain") is checks.ValueDomainCheck
    assert system.select_check_class("koreanap-personal-data") is checks.PersonalDataCheck
    assert system.select_error_class("koreanap-personal-data") is checks.PersonalDataError
    checks.register()  # idempotent
    assert system.select_check_class("koreanap-value-domain") is checks.ValueDomainCheck
