"""Rules from error reports (validation/koreanap_validation/rules.py): the vocabulary, the
check on both validation paths, the report's rule keys, and ``koreanap validate`` on a zip."""
import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from frictionless import Checklist, Package, Resource, Schema, system
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koreanap_client.console import main
from koreanap_validation import checks, rules  # noqa: F401  (checks registers the plugin)
from koreanap_validation.engine import validate_package

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "datapackages" / "food-contaminants"

FIELDS = [{"name": "id", "type": "integer"}, {"name": "unit", "type": "string"},
          {"name": "value", "type": "number"}, {"name": "detected", "type": "string"},
          {"name": "code", "type": "string"}, {"name": "note", "type": "string"}]
# Row numbers as in the file (header = 1) on the right.
ROWS = """id,unit,value,detected,code,note
1,mg/kg,5,Y,2018,12
2,ug/kg,,N,2019,
3,mg/kg,120,Y,2019,7.5
4,,,N,2020,x1
5,mg/kg,3,N,20x8,200
2,μg/kg,-1,Y,2020,
7,mg/kg,abc,Y,2021,-3
"""
# row 2: breaks nothing
# row 3: unit not allowed; N with an empty note
# row 4: value above 100
# row 5: unit empty (required); note "x1" is no number
# row 6: code breaks the pattern; N with a value; note above 100
# row 7: id repeats row 3; value below 0; Y with a unit other than mg/kg
# row 8: value "abc" fails its type (no rule reports it again); note below 0
REPORT = "ER-2026-0001"
RULE_RULES = (rules.RULE_ERROR, "constraint-error", "unique-error")


def write_package(folder: Path, package_rules, text: str = ROWS, fields=FIELDS) -> Path:
    """A one-table package (data/t.csv, resource "t") with ``koreanap:rules``."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "t.csv").write_text(text, encoding="utf-8")
    descriptor = {"name": "rules-test", "resources": [
        {"name": "t", "path": "data/t.csv", "format": "csv", "encoding": "utf-8",
         "schema": {"fields": fields}}]}
    if package_rules is not None:
        descriptor[rules.RULES_PROPERTY] = package_rules
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    return folder


def rule(rule_id, kind, **keys):
    return {"id": rule_id, "resource": "t", "kind": kind, **keys}


def by_rule(report, rule_id):
    """(row, field) of the report's errors linked to one rule."""
    return [(e["row"], e["field"]) for e in report["errors"] if e.get("rule_id") == rule_id]


def linked(report):
    """Every error a rule caused, without the cell (the fast path leaves a unique
    error's value empty)."""
    return [{k: v for k, v in e.items() if k != "value"} for e in report["errors"]
            if "rule_id" in e]


def both(folder):
    """The report of each engine; the auto one must have taken the fast path."""
    auto = validate_package(folder, engine="auto")
    slow = validate_package(folder, engine="frictionless")
    assert auto["resources"][0]["engine"] == "fast"
    assert slow["resources"][0]["engine"] == "frictionless"
    return auto, slow


CASES = [
    # id, rule, (error type, [(row, field)])
    ("allowed-values", rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"]),
     (rules.RULE_ERROR, [(3, "unit")])),
    ("pattern", rule("R1", "pattern", field="code", pattern="[0-9]{4}"),
     (rules.RULE_ERROR, [(6, "code")])),
    ("range-number", rule("R1", "range", field="value", minimum=0, maximum=100),
     (rules.RULE_ERROR, [(4, "value"), (7, "value")])),
    ("range-string", rule("R1", "range", field="note", minimum=0, maximum=100),
     (rules.RULE_ERROR, [(5, "note"), (6, "note"), (8, "note")])),
    ("range-minimum-only", rule("R1", "range", field="note", minimum=10),
     (rules.RULE_ERROR, [(4, "note"), (5, "note"), (8, "note")])),
    ("required", rule("R1", "required", field="unit"), ("constraint-error", [(5, "unit")])),
    ("unique", rule("R1", "unique", field="id"), ("unique-error", [(7, "id")])),
    ("if-equals-then-empty", rule("R1", "row_condition", **{
        "if": {"field": "detected", "equals": "N"}, "then": {"field": "value", "is": "empty"}}),
     (rules.RULE_ERROR, [(6, "value")])),
    ("if-in-then-not-empty", rule("R1", "row_condition", **{
        "if": {"field": "detected", "in": ["N", "X"]},
        "then": {"field": "note", "is": "not_empty"}}),
     (rules.RULE_ERROR, [(3, "note")])),
    ("if-then-values", rule("R1", "row_condition", **{
        "if": {"field": "detected", "equals": "Y"},
        "then": {"field": "unit", "values": ["mg/kg"]}}),
     (rules.RULE_ERROR, [(7, "unit")])),
]


@pytest.mark.parametrize("the_rule, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_finds_exactly_its_rows_on_both_engines(tmp_path, the_rule, expected):
    """Each kind reports exactly the rows that break it, at its field, and both engines agree."""
    auto, slow = both(write_package(tmp_path, [the_rule]))
    error_type, rows = expected
    for report in (auto, slow):
        assert by_rule(report, "R1") == rows, report["errors"]
        assert {e["rule"] for e in report["errors"] if e.get("rule_id")} == {error_type}
        # the cell that failed its type is frictionless' alone
        assert [(e["rule"], e["row"]) for e in report["errors"] if e["field"] == "value"
                and "rule_id" not in e] == [("type-error", 8)]
    assert linked(auto) == linked(slow)


def test_all_rules_at_once_same_errors_on_both_engines(tmp_path):
    """With every case's rule in one package, both engines give the same linked errors."""
    package_rules = [dict(c[1], id=f"R{n}") for n, c in enumerate(CASES, start=1)]
    auto, slow = both(write_package(tmp_path, package_rules))
    assert linked(auto) == linked(slow)
    assert sorted(by_rule(auto, "R1") + by_rule(auto, "R3")) == [
        (3, "unit"), (4, "value"), (7, "value")]
    assert len(linked(auto)) == sum(len(c[2][1]) for c in CASES)


def test_rule_id_report_and_message(tmp_path):
    """A rule's errors carry rule_id and report, and the message ends with the rule and report."""
    package_rules = [
        rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"], report=REPORT,
             report_url=f"https://example.org/error-report/{REPORT}", title="Units"),
        rule("R2", "required", field="unit"),
        rule("R3", "unique", field="id", report="ER-2026-0002")]
    for report in both(write_package(tmp_path, package_rules)):
        errors = {e["rule_id"]: e for e in report["errors"] if "rule_id" in e}
        assert errors["R1"]["report"] == REPORT
        assert errors["R1"]["message"] == (
            'Row 3, field "unit": unit "ug/kg" is not one of "mg/kg", "μg/kg" '
            f"(rule R1, from error report {REPORT})")
        assert errors["R1"]["value"] == "ug/kg"
        assert errors["R2"]["report"] is None
        assert errors["R2"]["rule"] == "constraint-error"
        assert errors["R2"]["message"].endswith('constraint "required" is "True" (rule R2)')
        assert errors["R3"]["rule"] == "unique-error"
        assert errors["R3"]["message"].endswith("(rule R3, from error report ER-2026-0002)")
        others = [e for e in report["errors"] if e["rule"] == "type-error"]
        assert len(others) == 1
        assert set(others[0]) == {"rule", "resource", "row", "field", "message", "value"}
        assert "(rule" not in others[0]["message"]


def test_constraints_the_schema_had_already_are_linked(tmp_path):
    """A required field of the schema itself (as the catalogue's export writes it) is linked."""
    fields = [dict(f, constraints={"required": True}) if f["name"] == "unit" else f
              for f in FIELDS]
    folder = write_package(tmp_path, [rule("R1", "required", field="unit", report=REPORT)],
                           fields=fields)
    for report in both(folder):
        assert by_rule(report, "R1") == [(5, "unit")]
        assert [e["rule"] for e in report["errors"] if e["row"] == 5] == ["constraint-error"]


EXPORTED = [c for c in CASES if c[0] in ("allowed-values", "pattern", "range-number")]


@pytest.mark.parametrize("the_rule, expected", [c[1:] for c in EXPORTED],
                         ids=[c[0] for c in EXPORTED])
def test_rules_exported_as_schema_constraints_are_checked_once_and_linked(tmp_path, the_rule,
                                                                          expected):
    """A rule the export also wrote as its field's enum/pattern/minimum/maximum is checked by
    Table Schema alone: the same rows as the rule check finds, one constraint error each,
    linked to the rule, on both engines."""
    field = next(f for f in FIELDS if f["name"] == the_rule["field"])
    constraints = rules.schema_constraints(the_rule, field["type"])
    assert constraints and set(constraints) <= {"enum", "pattern", "minimum", "maximum"}
    fields = [dict(f, constraints=constraints) if f is field else f for f in FIELDS]
    auto, slow = both(write_package(tmp_path, [dict(the_rule, report=REPORT)], fields=fields))
    for report in (auto, slow):
        assert by_rule(report, "R1") == expected[1], report["errors"]
        mine = [e for e in report["errors"] if e.get("rule_id") == "R1"]
        assert {e["rule"] for e in mine} == {"constraint-error"}
        assert all(e["report"] == REPORT and REPORT in e["message"] for e in mine)
    assert linked(auto) == linked(slow)


def test_an_exported_pattern_matches_the_whole_cell():
    """A pattern with an alternation still means the whole cell once written into the
    schema (frictionless puts ^ and $ around a pattern)."""
    the_rule = rule("R1", "pattern", field="code", pattern="2018|2019")
    (constraints,) = [rules.schema_constraints(the_rule, "string")]
    schema = Schema.from_descriptor({"fields": [{"name": "code", "type": "string",
                                                 "constraints": constraints}]})
    resource = Resource(data=[["code"], ["2018"], ["20190"], ["x2018"]], schema=schema)
    found = [e.row_number for e in resource.validate().tasks[0].errors]
    assert found == [3, 4]
    assert [n for n, _ in rules.breaking_rows(the_rule, [{"code": v} for v in
                                                       ("2018", "20190", "x2018")])] == [3, 4]
    assert rules.schema_constraints(the_rule, "integer") is None
    assert rules.schema_constraints(rule("R2", "range", field="id", minimum=0.5), "integer") \
        is None


def test_cells_that_failed_a_constraint_are_not_reported_again(tmp_path):
    """A value that failed its schema's own minimum is frictionless' error, not also the rule's."""
    fields = [dict(f, constraints={"minimum": 0}) if f["name"] == "value" else f
              for f in FIELDS]
    folder = write_package(tmp_path, [rule("R1", "range", field="value", minimum=0,
                                           maximum=100)], fields=fields)
    for report in both(folder):
        assert by_rule(report, "R1") == [(4, "value")]
        assert [(e["rule"], "rule_id" in e) for e in report["errors"] if e["row"] == 7] == [
            ("constraint-error", False)]


def test_constraint_errors_without_a_rule_are_unchanged(tmp_path):
    """A required error on a field no rule names gets no rule keys."""
    fields = [dict(f, constraints={"required": True}) if f["name"] == "note" else f
              for f in FIELDS]
    folder = write_package(tmp_path, [rule("R1", "required", field="unit")], fields=fields)
    report = validate_package(folder, engine="frictionless")
    notes = [e for e in report["errors"] if e["field"] == "note"]
    assert [e["row"] for e in notes] == [3, 7]
    assert all("rule_id" not in e and "(rule" not in e["message"] for e in notes)


def test_dropped_field_is_one_setup_error_and_other_rules_apply(tmp_path):
    """A rule whose field was dropped is one setup error naming it; the other rules still run."""
    package_rules = [
        rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"], report=REPORT),
        rule("R2", "pattern", field="lab_code", pattern="L[0-9]+", report="ER-2026-0009"),
        rule("R3", "unique", field="gone")]
    for report in both(write_package(tmp_path, package_rules)):
        setup = [e for e in report["errors"] if e["rule"] == rules.SETUP_ERROR]
        assert [(e["rule_id"], e["report"], e["resource"]) for e in setup] == [
            ("R2", "ER-2026-0009", "t"), ("R3", None, "t")]
        assert "rule R2" in setup[0]["message"] and '"lab_code"' in setup[0]["message"]
        assert '"gone"' in setup[1]["message"]
        assert by_rule(report, "R1") == [(3, "unit")]


def test_malformed_rules_are_reported_and_well_formed_ones_still_apply(tmp_path):
    """Malformed rules are setup errors (at their resource or the package); good ones run."""
    package_rules = [
        rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"]),
        rule("R2", "bogus", field="unit"),
        {"id": "R3", "resource": "nowhere", "kind": "required", "field": "unit"},
        "not a rule",
        rule("R1", "required", field="unit"),
        rule("R5", "range", field="value", minimum=5, maximum=1)]
    for report in both(write_package(tmp_path, package_rules)):
        setup = [(e["resource"], e["rule_id"]) for e in report["errors"]
                 if e["rule"] == rules.SETUP_ERROR]
        assert sorted(setup, key=str) == sorted(
            [("t", "R2"), (None, "R3"), (None, None), ("t", "R1"), ("t", "R5")], key=str)
        # the first R1 applies, the second is malformed (a repeated id)
        assert by_rule(report, "R1") == [(None, None), (3, "unit")]
        assert not any(e["rule"] == "constraint-error" for e in report["errors"])
        messages = " | ".join(e["message"] for e in report["errors"])
        assert 'unknown kind "bogus"' in messages
        assert "rule at position 4" in messages
        assert 'the id "R1" is also the id of the rule at position 1' in messages
        assert '"minimum" 5 is above "maximum" 1' in messages
        assert report["errors"][0]["resource"] is None  # package errors first


# Patterns whose matching time grows exponentially with a cell that does not match.
SLOW_PATTERNS = ["(a+)+", "(a*)*", r"(\d+)*x", r"(\w+\s?)+", "(?:a|a)+", "(?:a|a?)+",
                 "(?:[a-z]+[0-9]?)+", "(?:.*,)*x", "x|(?:(b+)+)"]
# Everyday patterns, nested ones among them, whose turns are kept apart.
FAST_PATTERNS = ["[0-9]{4}", "L[0-9]+", "2018|2019", "(?:mg|kg)+", r"^[A-Z]{2}-\d+$",
                 "(ab?)*", "(a|b)*", "(a|ab)*", "(?:[0-9]{3}-)+[0-9]+", r"(?:(\d+)-)+",
                 "[가-힣]+(?: [가-힣]+)*", r"(?:\d+(?:\.\d+)?,)*\d+", "(?:[^,]*,)*x",
                 r"(?:\w+\.)+com", "(?:ab|cd){2,5}"]


@pytest.mark.parametrize("pattern", SLOW_PATTERNS)
def test_patterns_that_can_take_exponential_time_are_refused(pattern):
    """A pattern a backtracking engine could spend exponential time on (a repeated
    repetition, a repeated alternation whose branches begin alike) is malformed."""
    problems = rules.rule_problems([rule("R1", "pattern", field="code", pattern=pattern)])
    assert len(problems) == 1
    assert "rule R1" in problems[0] and "exponential time" in problems[0]


@pytest.mark.parametrize("pattern", FAST_PATTERNS)
def test_everyday_patterns_are_accepted(pattern):
    assert rules.rule_problems([rule("R1", "pattern", field="code", pattern=pattern)]) == []


def test_a_pattern_longer_than_the_limit_is_refused():
    long = "a" * (rules.PATTERN_MAX_LENGTH + 1)
    problems = rules.rule_problems([rule("R1", "pattern", field="code", pattern=long)])
    assert problems == [f'rule R1: "pattern" is longer than {rules.PATTERN_MAX_LENGTH} '
                        "characters"]


def test_a_slow_pattern_in_a_package_is_a_setup_error_not_a_hang(tmp_path):
    """A package whose rule has a slow pattern (as a hand-edited datapackage.json may)
    gets one setup error for it, on a table with the cell that would make it slow;
    the other rules still apply."""
    text = ROWS.replace("20x8", "a" * 40 + "!")
    package_rules = [rule("R1", "pattern", field="code", pattern="(a+)+"),
                     rule("R2", "required", field="unit")]
    for report in both(write_package(tmp_path, package_rules, text=text)):
        setup = [e for e in report["errors"] if e["rule"] == rules.SETUP_ERROR]
        assert [e["rule_id"] for e in setup] == ["R1"]
        assert "exponential time" in setup[0]["message"]
        assert by_rule(report, "R1") == [(None, None)]
        assert by_rule(report, "R2") == [(5, "unit")]


def test_rules_that_are_not_a_list(tmp_path):
    """koreanap:rules that is no list is one package-level setup error."""
    report = validate_package(write_package(tmp_path, {"id": "R1"}), engine="frictionless")
    setup = [e for e in report["errors"] if e["rule"] == rules.SETUP_ERROR]
    assert [(e["resource"], e["rule_id"]) for e in setup] == [(None, None)]
    assert "must be a list of rules, not an object" in setup[0]["message"]


def test_descriptor_with_rules_stays_valid(tmp_path):
    """frictionless keeps koreanap:rules as a custom property and the descriptor validates."""
    package_rules = [rule("R1", "required", field="unit", report=REPORT)]
    package = Package(str(write_package(tmp_path, package_rules) / "datapackage.json"))
    assert package.custom[rules.RULES_PROPERTY] == package_rules
    assert package.to_descriptor(validate=True)[rules.RULES_PROPERTY] == package_rules


def test_package_checks_sets_constraints_and_keeps_its_own(tmp_path):
    """required/unique rules become constraints; constraints already there stay."""
    fields = [dict(f, constraints={"pattern": "[a-z/μ]+"}) if f["name"] == "unit" else f
              for f in FIELDS]
    package_rules = [rule("R1", "required", field="unit"), rule("R2", "unique", field="id"),
                     rule("R3", "pattern", field="code", pattern="[0-9]+")]
    package = Package(str(write_package(tmp_path, package_rules, fields=fields)
                          / "datapackage.json"))
    chosen = rules.package_checks(package)
    assert list(chosen) == ["t"]
    assert [type(c) for c in chosen["t"]] == [rules.RuleCheck]
    assert [r["id"] for r in chosen["t"][0].rules] == ["R1", "R2", "R3"]
    schema = package.get_resource("t").to_descriptor()["schema"]
    constraints = {f["name"]: f.get("constraints") for f in schema["fields"]}
    assert constraints["unit"] == {"pattern": "[a-z/μ]+", "required": True}
    assert constraints["id"] == {"unique": True}
    assert constraints["code"] is None


def test_checklist_can_name_the_check(tmp_path):
    """Plain frictionless with a checklist naming koreanap-rule finds the rule's rows."""
    folder = write_package(tmp_path, None)
    checklist = Checklist.from_descriptor({"checks": [{"type": rules.RULE_ERROR, "rules": [
        rule("R1", "pattern", field="code", pattern="[0-9]{4}", report=REPORT)]}]})
    report = Resource("data/t.csv", basepath=str(folder),
                      schema=Schema.from_descriptor({"fields": FIELDS})
                      ).validate(checklist=checklist)
    found = [(e.type, e.row_number, e.field_name, e.rule_id, e.rule_report)
             for e in report.tasks[0].errors if e.type == rules.RULE_ERROR]
    assert found == [(rules.RULE_ERROR, 6, "code", "R1", REPORT)]
    assert system.select_error_class(rules.SETUP_ERROR) is rules.RuleSetupError


# -- breaking_rows: the catalogue's preview -----------------------------------


def parsed_rows(folder):
    resource = Resource("data/t.csv", basepath=str(folder),
                        schema=Schema.from_descriptor({"fields": FIELDS}))
    return [row.to_dict() for row in resource.read_rows()]


@pytest.mark.parametrize("the_rule", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_breaking_rows_agrees_with_the_check(tmp_path, the_rule):
    """breaking_rows finds the rows the check finds (unique and required too), with its messages."""
    folder = write_package(tmp_path, [the_rule])
    report = validate_package(folder, engine="frictionless")
    preview = list(rules.breaking_rows(the_rule, parsed_rows(folder)))
    assert [number for number, _ in preview] == [row for row, _ in by_rule(report, "R1")]
    if the_rule["kind"] in rules.ROW_KINDS:
        errors = [e for e in report["errors"] if e.get("rule_id") == "R1"]
        assert [f'Row {e["row"]}, field "{e["field"]}": {message} (rule R1)'
                for e, (_, message) in zip(errors, preview, strict=True)] == \
            [e["message"] for e in errors]


def test_breaking_rows_on_csv_text():
    """On a CSV's text (the catalogue's preview), the number-like text is read as a number."""
    rows = list(csv.DictReader(ROWS.splitlines()))
    found = list(rules.breaking_rows(rule("R1", "range", field="value", maximum=100), rows))
    assert found == [(4, "value 120 is above the maximum 100"),
                     (8, 'value "abc" is not a number')]
    assert list(rules.breaking_rows(rule("R2", "unique", field="id"), rows, first_row=1)) == [
        (6, 'id "2" is the same as in row 2')]
    assert list(rules.breaking_rows(rule("R3", "required", field="unit"), rows)) == [
        (5, "unit is empty")]


def test_evaluate_refuses_schema_kinds():
    """required and unique are no row rules: evaluate says so instead of guessing."""
    with pytest.raises(ValueError, match="Table Schema constraint"):
        rules.evaluate(rule("R1", "unique", field="id"), {"id": 1})


# -- the real food-contaminants package ---------------------------------------


@pytest.fixture(scope="module")
def real_cut(tmp_path_factory):
    """The food-contaminants package with its survey cut to 300 rows, and rules."""
    folder = tmp_path_factory.mktemp("fc") / "food-contaminants"
    shutil.copytree(REAL, folder)
    survey = folder / "data" / "survey_results.csv"
    with open(survey, encoding="utf-8", newline="") as fh:
        lines = [next(fh) for _ in range(301)]
    survey.write_text("".join(lines), encoding="utf-8")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor[rules.RULES_PROPERTY] = [
        {"id": "R1", "resource": "survey_results", "kind": "allowed_values", "field": "unit",
         "values": ["mg/kg", "µg/kg"], "report": REPORT},
        {"id": "R2", "resource": "survey_results", "kind": "row_condition",
         "if": {"field": "detected", "equals": "Y"},
         "then": {"field": "maximum_level_id", "is": "not_empty"}},
        {"id": "R3", "resource": "survey_results", "kind": "unique", "field": "sample_id"},
        {"id": "R4", "resource": "survey_results", "kind": "range", "field": "lod",
         "maximum": 0.01},
        {"id": "R5", "resource": "survey_results", "kind": "pattern",
         "field": "producer_country", "pattern": "KR"},
        {"id": "R6", "resource": "survey_results", "kind": "required",
         "field": "production_region_code"}]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    with open(survey, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return folder, descriptor[rules.RULES_PROPERTY], rows


def test_real_package_rules_on_both_engines_agree_with_breaking_rows(real_cut):
    """On the real survey each rule finds breaking_rows' rows of the CSV, on both engines."""
    folder, package_rules, rows = real_cut
    auto = validate_package(folder, engine="auto")
    slow = validate_package(folder, engine="frictionless")
    engines = {r["name"]: r["engine"] for r in auto["resources"]}
    assert engines["survey_results"] == "fast"
    assert linked(auto) == linked(slow)
    for the_rule in package_rules:
        expected = [n for n, _ in rules.breaking_rows(the_rule, rows)]
        found = [row for row, _ in by_rule(auto, the_rule["id"])]
        assert found == expected, the_rule["id"]
        assert expected, f'{the_rule["id"]} breaks on none of the rows: the test proves nothing'
    assert all(e["report"] == REPORT for e in auto["errors"] if e.get("rule_id") == "R1")
    # the cut package breaks nothing else
    assert all("rule_id" in e for e in auto["errors"] + slow["errors"])


# -- the command ----------------------------------------------------------------


def test_command_on_a_zip_with_rules_exits_1_and_names_the_report(tmp_path):
    """koreanap validate on a datapackage.zip with rules reports the rule's errors offline."""
    folder = write_package(tmp_path / "pkg", [
        rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"], report=REPORT)],
        text="id,unit,value,detected,code,note\n1,mg/kg,5,Y,2018,\n2,ug/kg,1,Y,2019,\n")
    archive = tmp_path / "datapackage.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in ("datapackage.json", "data/t.csv"):
            zf.write(folder / path, path)
    result = CliRunner().invoke(main, ["validate", str(archive), "--metadata", "off"])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "koreanap-rule: 1 error" in result.stdout
    assert f"(rule R1, from error report {REPORT})" in result.stdout
    clean = write_package(tmp_path / "clean", [
        rule("R1", "allowed_values", field="unit", values=["mg/kg"], report=REPORT)],
        text="id,unit,value,detected,code,note\n1,mg/kg,5,Y,2018,\n")
    assert CliRunner().invoke(main, ["validate", str(clean), "--metadata", "off"]).exit_code == 0


# -- the vocabulary ---------------------------------------------------------------


@pytest.mark.parametrize("the_rule, expected", [
    (rule("R1", "allowed_values", field="unit", values=["mg/kg", "μg/kg"]),
     'unit is one of "mg/kg", "μg/kg"'),
    (rule("R1", "row_condition", **{"if": {"field": "detected", "equals": "N"},
                                    "then": {"field": "value", "is": "empty"}}),
     'if detected is "N", then value is empty'),
    (rule("R1", "row_condition", **{"if": {"field": "detected", "in": ["Y", "y"]},
                                    "then": {"field": "unit", "values": ["mg/kg"]}}),
     'if detected is one of "Y", "y", then unit is one of "mg/kg"'),
    (rule("R1", "range", field="value", minimum=0, maximum=100.5),
     "value is between 0 and 100.5"),
    (rule("R1", "range", field="value", maximum=1.0), "value is at most 1"),
    (rule("R1", "pattern", field="code", pattern="^[0-9]{4}$"),
     "code matches the pattern ^[0-9]{4}$"),
    (rule("R1", "required", field="unit"), "unit is filled in"),
    (rule("R1", "unique", field="id"), "id has no repeated value"),
    (rule("R1", "allowed_values", field="u", values=[str(n) for n in range(12)]),
     'u is one of "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" and 2 more'),
])
def test_describe(the_rule, expected):
    """describe states each kind in one English line."""
    assert rules.describe(the_rule) == expected


@pytest.mark.parametrize("rules_value, expected", [
    ([rule("R1", "required")], 'rule R1: missing key "field"'),
    ([rule("R1", "required", field="a", values=["x"])], 'rule R1: unexpected key "values"'),
    ([rule("R1", "pattern", field="a", pattern="([")],
     'rule R1: "pattern" is not a valid regular expression'),
    ([rule("R1", "range", field="a")], 'rule R1: a range needs "minimum", "maximum" or both'),
    ([rule("R1", "range", field="a", minimum=True)], '"minimum" must be a finite number'),
    ([rule("R1", "allowed_values", field="a", values=[])], '"values" must be a non-empty list'),
    ([rule("R1", "allowed_values", field="a", values=[1])], '"values" must hold strings only'),
    ([rule("R1", "row_condition", **{"if": {"field": "a", "equals": "x", "in": ["y"]},
                                     "then": {"field": "b", "is": "empty"}})],
     '"if" needs exactly one of "equals", "in"'),
    ([rule("R1", "row_condition", **{"if": {"field": "a", "equals": "x"},
                                     "then": {"field": "b", "is": "blank"}})],
     '"then.is" must be "empty" or "not_empty"'),
    ([rule("R1", "row_condition", **{"if": {"field": "a", "equals": "x"},
                                     "then": {"is": "empty", "x": 1}})],
     'missing key "then.field"'),
    ([{"resource": "t", "kind": "required", "field": "a"}], 'rule at position 1: missing key "id"'),
    ([rule("R1", "required", field="a", report=7)], '"report" must be a string'),
    ("R1", '"koreanap:rules" must be a list of rules, not a string'),
])
def test_rule_problems(rules_value, expected):
    """Each fault of a rule as data is named, with the rule."""
    problems = rules.rule_problems(rules_value)
    assert len(problems) == 1
    assert expected in problems[0]


def test_well_formed_rules_have_no_problems():
    """Every case's rule (all kinds) is well formed, with the optional keys too."""
    package_rules = [dict(c[1], id=f"R{n}", report=REPORT, report_url="https://x/y", title="t")
                     for n, c in enumerate(CASES, start=1)]
    assert rules.rule_problems(package_rules) == []
    assert rules.rule_problems([]) == []


def test_fit_problem():
    """fit_problem names the rule and field when the table or field is gone or the type wrong."""
    fields = {"id": "integer", "unit": "string", "value": "number", "day": "date"}
    allowed = rule("R1", "allowed_values", field="unit", values=["mg/kg"])
    assert rules.fit_problem(allowed, fields) is None
    gone = rules.fit_problem(allowed, None)
    assert "rule R1" in gone and '"unit"' in gone and '"t"' in gone
    dropped = rules.fit_problem(allowed, {"id": "integer"})
    assert "rule R1" in dropped and 'has no field "unit"' in dropped
    condition = rule("R2", "row_condition", **{"if": {"field": "kind", "equals": "x"},
                                               "then": {"field": "unit", "is": "empty"}})
    assert 'has no field "kind"' in rules.fit_problem(condition, fields)
    for field, fits in (("id", True), ("value", True), ("unit", True), ("day", False)):
        found = rules.fit_problem(rule("R3", "range", field=field, minimum=0), fields)
        assert (found is None) == fits, found
    assert "is a date field" in rules.fit_problem(rule("R3", "range", field="day", minimum=0),
                                                  fields)


def test_cell_text():
    """Values compare as stable text: integers without .0, decimals as read."""
    import datetime
    import decimal

    assert [rules.cell_text(v) for v in (None, "a ", 3, 3.0, 2.5, decimal.Decimal("2.50"),
                                         True, datetime.date(2020, 1, 2))] == \
        ["", "a ", "3", "3", "2.5", "2.50", "true", "2020-01-02"]


def test_range_compares_decimals_exactly():
    """A float bound equals the cell with the same digits (0.1 is not below 0.1)."""
    low = rule("R1", "range", field="v", minimum=0.1, maximum=0.3)
    assert [rules.evaluate(low, {"v": v}) for v in ("0.1", "0.3", 0.1, "0.30000001")] == \
        [None, None, None, "v 0.30000001 is above the maximum 0.3"]
    assert rules.evaluate(low, {"v": "NaN"}) == 'v "NaN" is not a finite number'
    assert rules.evaluate(low, {"v": "1e99999999999999999999"}) == \
        'v "1e99999999999999999999" is not a finite number'


# -- malformed rules never raise (hypothesis) ------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
WORDS = st.sampled_from(["a", "unit", "t", "", "N", "mg/kg", "[0-9]+", "(", "empty",
                         "not_empty"])
ALMOST = JSON | WORDS | st.lists(WORDS, max_size=3) | st.integers(-5, 5)
CONDITION = st.dictionaries(st.sampled_from(["field", "equals", "in", "is", "values", "x"]),
                            ALMOST, max_size=4)
NEAR_RULE = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["R1", "R2", ""]) | JSON,
    "resource": st.sampled_from(["t", "gone"]) | JSON,
    "kind": st.sampled_from(rules.KINDS) | JSON,
    "field": st.sampled_from(["unit", "value", "note", "gone"]) | JSON,
    "values": ALMOST, "pattern": ALMOST, "minimum": ALMOST, "maximum": ALMOST,
    "if": CONDITION | JSON, "then": CONDITION | JSON, "report": ALMOST, "extra": JSON})
RULES = JSON | st.lists(NEAR_RULE | JSON, max_size=5)


@settings(max_examples=400, deadline=None)
@given(RULES)
def test_rule_problems_never_raises(value):
    """rule_problems answers a list of strings for any JSON; the well-formed rules work."""
    problems = rules.rule_problems(value)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    if not isinstance(value, list):
        assert len(problems) == 1
        return
    by_table, found = rules.package_rules(Package.from_descriptor(
        {"name": "p", rules.RULES_PROPERTY: value,
         "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": FIELDS}}]}))
    assert [p.message for p in found][:len(problems)] == problems
    fields = {f["name"]: f["type"] for f in FIELDS}
    for good in by_table.get("t", []):
        assert isinstance(rules.describe(good), str)
        rules.fit_problem(good, fields)
        if good["kind"] in rules.ROW_KINDS and rules.fit_problem(good, fields) is None:
            list(rules.breaking_rows(good, [{"unit": "mg/kg", "value": 1, "note": "x"},
                                            {"unit": None, "value": "N", "note": ""}]))


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    return write_package(tmp_path_factory.mktemp("hyp"), None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RULES)
def test_validate_package_never_raises_on_malformed_rules(small_folder, value):
    """Any JSON as koreanap:rules gives a report, with a setup error for each malformed rule."""
    descriptor = json.loads((small_folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor[rules.RULES_PROPERTY] = value
    report = validate_package(descriptor, basepath=str(small_folder), engine="frictionless")
    setup = [e["message"] for e in report["errors"] if e["rule"] == rules.SETUP_ERROR]
    assert len(setup) >= len(rules.rule_problems(value))
    assert not any(e["rule"] == "package-error" for e in report["errors"])
