"""Faults of real-world Korean data that the validator got wrong (issue 14):
each is found by both engines (default and frictionless) with the same findings."""
import json
from pathlib import Path

import pytest

from koreanap_validation.engine import validate_package


def write_package(folder: Path, text: str, fields: list, **schema) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.csv").write_bytes(text.encode("utf-8"))
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "p", "resources": [{"name": "t", "path": "t.csv", "format": "csv",
                                    "schema": {"fields": fields, **schema}}]}),
        encoding="utf-8")
    return folder


def findings(folder: Path) -> list[tuple]:
    """The errors as (rule, row, field, message), the same from both engines."""
    reports = {engine: validate_package(folder, engine=engine)
               for engine in ("auto", "frictionless")}
    assert [r["engine"] for r in reports["auto"]["resources"]] == ["fast"]
    found = {engine: [(e["rule"], e["row"], e["field"], e["message"])
                      for e in report["errors"]]
             for engine, report in reports.items()}
    assert found["auto"] == found["frictionless"]
    return found["auto"]


def rules_at(found: list[tuple]) -> list[tuple]:
    return [(rule, row, field) for rule, row, field, _message in found]


# -- crashes and wrong answers ----------------------------------------------

@pytest.mark.parametrize("domain", ["rate", "amount", "count", "latitude"])
def test_non_finite_numbers_in_a_numeric_domain_are_errors(tmp_path, domain):
    """NaN, nan, Infinity and -inf in a number field with a numeric domain: one error each."""
    folder = write_package(tmp_path / "p", "id,v\n1,NaN\n2,nan\n3,Infinity\n4,-inf\n5,\n", [
        {"name": "id", "type": "integer"},
        {"name": "v", "type": "number", "koreanap:domain": domain}])
    found = findings(folder)
    assert rules_at(found) == [("koreanap-value-domain", row, "v") for row in (2, 3, 4, 5)]
    assert all("NaN and Infinity are not values" in message for *_, message in found)


def test_non_finite_numbers_without_a_domain_are_errors(tmp_path):
    """A plain number field holding NaN or Infinity is reported as koreanap-number."""
    folder = write_package(tmp_path / "p", "id,v\n1,1.5\n2,NaN\n3,INF\n4,-Infinity\n", [
        {"name": "id", "type": "integer"}, {"name": "v", "type": "number"}])
    assert rules_at(findings(folder)) == [("koreanap-number", row, "v") for row in (3, 4, 5)]


def test_a_non_finite_number_failing_a_constraint_is_reported_once(tmp_path):
    """NaN against a minimum is frictionless' constraint error, not a second one of ours;
    Infinity passes the minimum and is ours."""
    folder = write_package(tmp_path / "p", "id,v\n1,NaN\n2,Infinity\n", [
        {"name": "id", "type": "integer"},
        {"name": "v", "type": "number", "constraints": {"minimum": 0}}])
    assert rules_at(findings(folder)) == [("constraint-error", 2, "v"),
                                          ("koreanap-number", 3, "v")]


KEYED = [{"name": "id", "type": "integer", "constraints": {"unique": True}},
         {"name": "name", "type": "string"}]


def test_keys_whose_hashes_collide_are_not_duplicates(tmp_path):
    """-1 and -2 (equal Python hashes) are distinct unique and primary keys; -1 again is not."""
    folder = write_package(tmp_path / "p", "id,name\n-1,a\n-2,b\n7,c\n-1,d\n", KEYED,
                           primaryKey=["id"])
    found = findings(folder)
    assert rules_at(found) == [("unique-error", 5, "id"), ("primary-key", 5, None)]
    assert all(message.endswith("the same as in the row at position 2")
               for *_, message in found)


def test_every_hash_colliding_still_finds_exactly_the_duplicates(tmp_path, monkeypatch):
    """With all value hashes forced equal, the exact comparison gives frictionless' answer."""
    import numpy as np

    from koreanap_validation import fast

    monkeypatch.setattr(fast, "_value_hashes",
                        lambda values: np.full(len(values), 12345, dtype=np.uint64))
    text = "id,name\n1,a\n2,b\n01,c\n3,b\nx,d\n2,b\n,e\nNaN,f\n"
    folder = write_package(tmp_path / "p", text, [
        {"name": "id", "type": "number", "constraints": {"unique": True}},
        {"name": "name", "type": "string"}], primaryKey=["id", "name"])
    assert rules_at(findings(folder)) == [
        ("unique-error", 4, "id"),  # 01 is 1
        ("type-error", 6, "id"),
        ("unique-error", 7, "id"), ("primary-key", 7, None),
        ("koreanap-number", 9, "id")]


SURVEY = Path(__file__).resolve().parents[2] / "datapackages" / "food-contaminants"


def small_survey(folder: Path, rows: int = 120) -> Path:
    """The food-contaminants package with the first ``rows`` survey results only."""
    import shutil

    shutil.copytree(SURVEY, folder)
    path = folder / "data" / "survey_results.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:rows + 1]), encoding="utf-8")
    return folder


def edit_survey(folder: Path, changes: dict[int, dict]) -> None:
    """Change cells of survey rows (row numbers as reported: the header is row 1)."""
    import csv

    path = folder / "data" / "survey_results.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    for row_number, cells in changes.items():
        table[row_number - 2].update(cells)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def survey_row(folder: Path, **wanted) -> int:
    """The row number of the first survey row whose cells are as ``wanted``."""
    import csv

    with (folder / "data" / "survey_results.csv").open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            if all(row[k] == v for k, v in wanted.items()):
                return number
    raise LookupError(wanted)


def survey_findings(folder: Path) -> list[tuple]:
    reports = {engine: validate_package(folder, engine=engine, limit_errors=10_000)
               for engine in ("auto", "frictionless")}
    found = {engine: [(e["rule"], e["row"], e["field"], e["message"])
                      for e in report["errors"] if e["resource"] == "survey_results"]
             for engine, report in reports.items()}
    assert found["auto"] == found["frictionless"]
    return found["auto"]


def test_a_negative_value_is_reported_once_as_below_the_minimum(tmp_path):
    """A detected -3.5 is one minimum error, not also "below the LOD" or a domain error."""
    folder = small_survey(tmp_path / "fc")
    row = survey_row(folder, detected="Y")
    edit_survey(folder, {row: {"value": "-3.5"}})
    found = survey_findings(folder)
    assert rules_at(found) == [("constraint-error", row, "value")]
    assert 'constraint "minimum" is "0"' in found[0][3]


def test_an_infinite_lod_is_one_domain_error(tmp_path):
    """LOD Infinity is a domain error at lod, not also "LOD above LOQ"."""
    folder = small_survey(tmp_path / "fc")
    row = survey_row(folder, detected="N")
    edit_survey(folder, {row: {"lod": "Infinity"}})
    assert rules_at(survey_findings(folder)) == [("koreanap-value-domain", row, "lod")]


def test_a_detected_nan_without_a_minimum_is_one_number_error(tmp_path):
    """A detected NaN (no minimum, no domain) is koreanap-number only, not "needs a value"."""
    import shutil

    folder = tmp_path / "fx"
    shutil.copytree(Path(__file__).parent / "fixtures" / "rules" / "contaminants", folder)
    path = folder / "survey_results.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].split(",")
    assert cells[3] == "Y"
    cells[4] = "NaN"
    lines[1] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    reports = [validate_package(folder, engine=engine) for engine in ("auto", "frictionless")]
    found = [[(e["rule"], e["row"], e["field"]) for e in r["errors"]] for r in reports]
    assert found[0] == found[1] == [("koreanap-number", 2, "value")]


# -- personal data, both ways -----------------------------------------------

TEXT = [{"name": "id", "type": "integer"}, {"name": "memo", "type": "string"}]


def test_barcodes_and_corporate_numbers_are_not_resident_registration_numbers(tmp_path):
    """Korean EAN-13 barcodes (880…) and corporate registration numbers pass: no error, no note."""
    cells = ["8805102734646", "8808304011980", "바코드 8804205552669",
             "110111-4907486", "법인 110111-4286012", "법인등록번호: 110111-4669721"]
    text = "id,memo\n" + "".join(f"{i},{cell}\n" for i, cell in enumerate(cells, start=1))
    folder = write_package(tmp_path / "p", text, TEXT)
    assert findings(folder) == []
    report = validate_package(folder)
    assert report["valid"] and report["notes"] == []


def test_a_wrong_check_digit_is_a_possible_rrn_note_on_both_engines(tmp_path):
    """An RRN-shaped number failing its check digit is a masked note, not an error or nothing."""
    folder = write_package(tmp_path / "p", "id,memo\n1,주민 711231-1234567\n2,ok\n", TEXT)
    reports = [validate_package(folder, engine=e) for e in ("auto", "frictionless")]
    for report in reports:
        assert report["valid"], report["errors"]
        (note,) = report["notes"]
        assert (note["rule"], note["row"], note["field"]) == (
            "koreanap-personal-data-possible", 2, "memo")
        assert "possible resident registration number 7112**-*******" in note["message"]
        assert "1234567" not in json.dumps(report)
    assert reports[0]["notes"] == reports[1]["notes"]


@pytest.mark.parametrize("cell,kind", [
    ("kim@우리기관.kr", "e-mail address"),
    ("담당 홍길동@example.kr", "e-mail address"),
    ("ｋｉｍ＠example.org", "e-mail address"),
    ("７１１２３１－１２３４５６４", "resident registration number"),
    ("주민번호 ７１１２３１１２３４５６４", "resident registration number"),
    ("외국인 750101-5000009", "resident registration number"),
])
def test_korean_e_mails_and_full_width_numbers_are_found(tmp_path, cell, kind):
    """E-mail with Korean local part or domain, full-width RRNs, foreigners' numbers: errors."""
    folder = write_package(tmp_path / "p", f"id,memo\n1,{cell}\n", TEXT)
    (found,) = findings(folder)
    assert found[:3] == ("koreanap-personal-data", 2, "memo")
    assert kind in found[3]


def test_phones_and_rrns_in_integer_columns_are_found(tmp_path):
    """A phone column typed integer (leading 0 lost) and a 12-digit RRN are found and masked."""
    fields = [{"name": "id", "type": "integer"},
              {"name": "phone", "type": "integer"},
              {"name": "code", "type": "integer"},
              {"name": "budget", "type": "integer"}]
    text = ("id,phone,code,budget\n"
            "1,1012345678,7112311234564,1012345678\n"
            "2,212345678,501013234566,1012345678\n")
    folder = write_package(tmp_path / "p", text, fields)
    found = findings(folder)
    assert rules_at(found) == [
        ("koreanap-personal-data", 2, "phone"), ("koreanap-personal-data", 2, "code"),
        ("koreanap-personal-data", 3, "phone"), ("koreanap-personal-data", 3, "code")]
    shown = json.dumps(validate_package(folder), ensure_ascii=False)
    assert "010****5678" in shown and "0501*********" in shown
    for raw in ("1012345678", "12345678", "7112311234564", "501013234566"):
        assert raw not in shown


# -- text that Korean tools produce -----------------------------------------

def test_full_width_digits_in_numbers_are_reported_with_the_ascii_fix(tmp_path):
    """４.２ and ２０１８ parse in frictionless but not in pyarrow or the DataStore: reported."""
    fields = [{"name": "id", "type": "integer"},
              {"name": "value", "type": "number", "koreanap:domain": "amount"},
              {"name": "year", "type": "integer"},
              {"name": "label_year", "type": "string", "koreanap:domain": "year"}]
    folder = write_package(tmp_path / "p", "id,value,year,label_year\n"
                           "1,４.２,２０１８,２０１８\n2,4.2,2018,2018\n", fields)
    assert rules_at(findings(folder)) == [("koreanap-value-domain", 2, "label_year"),
                                          ("koreanap-number", 2, "value"),
                                          ("koreanap-number", 2, "year")]
    report = validate_package(folder)
    assert [(e["value"], e.get("fix")) for e in report["errors"]] == [
        ("２０１８", None), ("４.２", "4.2"), ("２０１８", "2018")]
    assert 'write "2018"' in report["errors"][0]["message"]


def test_a_header_with_spaces_around_it_is_reported(tmp_path):
    """A label "value " passes frictionless (it strips labels) but names a DataStore column."""
    folder = write_package(tmp_path / "p", "id,value \n1,2\n", [
        {"name": "id", "type": "integer"}, {"name": "value", "type": "number"}])
    (found,) = findings(folder)
    assert found[:3] == ("koreanap-header", 1, "value")
    assert '"value "' in found[3]


@pytest.mark.parametrize("cell,hint", [
    ("-", "missingValues"), ("N/A", "missingValues"), ("해당없음", "missingValues"),
    ("없음", "missingValues"), ("불검출", "missingValues"), ("ND", "missingValues"),
    ("<0.01", '"detected" flag to N'), ("0.01 미만", '"detected" flag to N'),
])
def test_missing_value_tokens_say_how_to_express_them(tmp_path, cell, hint):
    """A missing-value token in a number field is a type error naming missingValues/detected."""
    folder = write_package(tmp_path / "p", f"id,value\n1,{cell}\n", [
        {"name": "id", "type": "integer"}, {"name": "value", "type": "number"}])
    (found,) = findings(folder)
    assert found[:3] == ("type-error", 2, "value")
    assert hint in found[3]


def test_micro_sign_variants_are_one_unit_and_a_pinned_spelling_names_the_code_point(tmp_path):
    """µ (U+00B5), μ (U+03BC), ㎍ and ug are one unit to the unit rule; the schema's enum
    pins U+00B5, so the others are one constraint error each naming the code point."""
    import csv

    folder = small_survey(tmp_path / "fc")
    with (folder / "data" / "survey_results.csv").open(encoding="utf-8", newline="") as fh:
        micro = [n for n, r in enumerate(csv.DictReader(fh), start=2)
                 if r["unit"] == "\u00b5g/kg"][:3]
    edits = dict(zip(micro, ({"unit": "\u03bcg/kg"}, {"unit": "\u338d/kg"},
                             {"unit": "ug/kg"}), strict=True))
    edit_survey(folder, edits)
    found = survey_findings(folder)
    bad = [f for f in found if f[0] != "constraint-error" or f[2] != "unit"]
    assert bad == []  # no koreanap-contaminant-unit: the same unit as the substance's
    rows = [f[1] for f in found]
    assert rows == sorted(edits)
    messages = [f[3] for f in found]
    assert "U+03BC GREEK SMALL LETTER MU" in messages[0]
    assert "U+338D SQUARE MU G" in messages[1]
    assert "U+0075 LATIN SMALL LETTER U" in messages[2]
    assert all('write it as "\u00b5g/kg"' in m for m in messages)


@pytest.mark.parametrize("unit", ["\u03bcg/kg", "\u338d/kg", "ug/kg"])
def test_unit_rule_accepts_micro_sign_variants(tmp_path, unit):
    """Without an enum pinning a spelling, μg/kg, ㎍/kg and ug/kg match a µg/kg substance."""
    import shutil

    folder = tmp_path / "fx"
    shutil.copytree(Path(__file__).parent / "fixtures" / "rules" / "contaminants", folder)
    path = folder / "survey_results.csv"
    text = path.read_text(encoding="utf-8")
    assert "\u00b5g/kg" in text
    path.write_text(text.replace("\u00b5g/kg", unit), encoding="utf-8")
    for engine in ("auto", "frictionless"):
        assert validate_package(folder, engine=engine)["errors"] == []
