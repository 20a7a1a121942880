"""Rules from error reports (issue 18 part 1): a confirmed report becomes a rule stored with
the dataset; the validation job, the web upload and the downloaded data package apply it;
an error it causes names the report; a rule can be retired; bad input is refused clearly."""
import io
import json
import re
import zipfile

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from sqlalchemy import text

from koreanap_client.publishing import PublishError

from .conftest import work_off_queue

pytestmark = pytest.mark.usefixtures("clean_publish", "clean_redis", "with_request_context")

NAME = "rice-cadmium"
HEADER = "sample_id,detected,value,unit\n"
ROWS = ["S1,Y,0.12,mg/kg", "S2,N,,mg/kg", "S3,Y,0.30,mg/kg", "S4,N,,mg/kg"]
UNIT_RULE = {"resource": "results", "kind": "allowed_values", "field": "unit",
             "values": ["mg/kg"]}
DETECTION_RULE = {"resource": "results", "kind": "row_condition",
                  "if": {"field": "detected", "equals": "N"},
                  "then": {"field": "value", "is": "empty"}}
PASSWORD = "correct-horse-123"


def _descriptor(fields=("sample_id", "detected", "value", "unit")):
    types = {"value": "number"}
    return {
        "name": NAME, "title": "쌀 중 카드뮴 (시험) / Cadmium in rice (test)",
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [{"name": "results", "path": "data/results.csv", "format": "csv",
                       "mediatype": "text/csv", "encoding": "utf-8",
                       "schema": {"fields": [{"name": f, "type": types.get(f, "string"),
                                              "title": f} for f in fields]}}]}


def _write(folder, rows, fields=("sample_id", "detected", "value", "unit")):
    """A small data package in ``folder`` with ``rows`` (CSV lines of the four fields;
    columns left out of ``fields`` are dropped)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    keep = [i for i, f in enumerate(HEADER.strip().split(",")) if f in fields]
    lines = [",".join(fields)] + [",".join(row.split(",")[i] for i in keep) for row in rows]
    (folder / "data" / "results.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps(_descriptor(fields)), encoding="utf-8")
    return folder


@pytest.fixture
def site(sysadmin, publish, tmp_path):
    """The small package published (valid) to organization "mafra"; a confirmed report on
    its ``unit`` column; an editor of the organization; an evaluator; an outsider."""
    editor, outsider, evaluator = factories.User(), factories.User(), factories.User()
    org = factories.Organization(name="mafra", users=[
        {"name": editor["name"], "capacity": "editor"}])
    factories.Group(name="quality-evaluators", users=[
        {"name": evaluator["name"], "capacity": "member"}])
    result, lines = publish(_write(tmp_path / "v1", ROWS), sysadmin["name"],
                            organization=org["name"])
    assert result.validation["status"] == "valid", lines
    dataset = call_action("package_show", id=NAME)
    (resource,) = dataset["resources"]
    code = call_action("koreanap_error_report_create", {"user": ""}, package_id=NAME,
                       resource_id=resource["id"], category="wrong_value",
                       location_column="unit", location_row="3",
                       description="단위가 µg/kg로 잘못 적힌 행이 있습니다.")["code"]
    call_action("koreanap_error_report_update", {"user": sysadmin["name"]}, id=code,
                status="accepted")
    return {"sysadmin": sysadmin["name"], "editor": editor["name"], "org": org["name"],
            "outsider": outsider["name"], "evaluator": evaluator["name"], "code": code,
            "dataset": dataset, "resource": resource, "folder": tmp_path}


def _status():
    return call_action("koreanap_dataset_validation_show", id=NAME)


def _errors():
    (row,) = model.Session.execute(text(
        "select report from koreanap_resource_validation where package_id = :p"),
        {"p": call_action("package_show", id=NAME)["id"]}).fetchall()
    return row[0]["errors"]


def test_a_confirmed_report_becomes_a_rule_that_every_validation_applies(site, publish):
    """The rule is previewed on the current rows, saved with the report, applied by the job
    (an error naming the report), listed on the report's page, carried by datapackage.json,
    re-publishing keeps it, and retiring it makes the dataset valid again."""
    user = {"user": site["evaluator"]}
    preview = call_action("koreanap_rule_preview", user, package_id=NAME, rule=DETECTION_RULE)
    assert (preview["rows_checked"], preview["breaking"], preview["readable"]) == (4, 0, True)
    made = call_action("koreanap_rule_create", user, package_id=NAME, rule=DETECTION_RULE,
                       report=site["code"])
    assert made["report"] == site["code"] and made["active"]
    assert made["rule"]["kind"] == "row_condition" and made["id"].startswith("R-")
    work_off_queue()
    assert _status()["status"] == "valid"  # the current rows follow it

    # A new version that breaks the rule: the job's report names the rule and the report.
    rows = [*ROWS[:3], "S4,N,0.0,mg/kg"]
    with pytest.raises(PublishError, match="results .invalid."):
        publish(_write(site["folder"] / "v2", rows), site["sysadmin"], organization=site["org"])
    assert _status()["status"] == "invalid"
    (error,) = _errors()
    assert (error["rule"], error["row"], error["field"]) == ("koreanap-rule", 5, "value")
    assert (error["rule_id"], error["report"]) == (made["id"], site["code"])
    assert site["code"] in error["message"]

    # The report's tracking page says a rule now checks it; the event log records it.
    listed = call_action("koreanap_rule_list", {"user": ""}, package_id=NAME,
                           report=site["code"])
    assert [r["id"] for r in listed] == [made["id"]]
    report = call_action("koreanap_error_report_show", {"user": site["sysadmin"]},
                         id=site["code"], include_private=True)
    assert any(e["kind"] == "rule" for e in report["events"])

    # The data package carries the rule, with the report's address.
    descriptor = call_action("koreanap_datapackage_show", id=NAME)
    (rule,) = descriptor["koreanap:rules"]
    assert rule["id"] == made["id"] and rule["report"] == site["code"]
    assert rule["report_url"].endswith("/error-report/" + site["code"])
    dataset = call_action("package_show", id=NAME)
    assert "koreanap:rules" not in (dataset.get("datapackage_extra") or "")

    # Retired: kept in the history, no longer applied.
    retired = call_action("koreanap_rule_retire", user, id=made["id"],
                          reason="검출 안 됨 행의 값 규칙을 표준 스키마로 옮김")
    assert not retired["active"] and retired["retired_by"] == site["evaluator"]
    work_off_queue()
    assert _status()["status"] == "valid"
    assert call_action("koreanap_rule_list", {"user": ""}, package_id=NAME) == []
    (history,) = call_action("koreanap_rule_list", {"user": ""}, package_id=NAME,
                             include_retired=True)
    assert history["retired_reason"].startswith("검출") and history["retired"]
    assert "koreanap:rules" not in call_action("koreanap_datapackage_show", id=NAME)


def test_preview_lists_the_rows_that_break_a_rule(site):
    """A rule the current rows break: the preview counts and lists them; saving it makes the
    next validation invalid at those rows."""
    preview = call_action("koreanap_rule_preview", {"user": site["editor"]}, package_id=NAME,
                          rule=UNIT_RULE)
    assert preview["breaking"] == 0  # the published rows all say mg/kg
    rule = dict(UNIT_RULE, values=["µg/kg"])
    preview = call_action("koreanap_rule_preview", {"user": site["editor"]}, package_id=NAME,
                          rule=rule)
    assert preview["breaking"] == 4
    assert [r["row"] for r in preview["rows"]] == [2, 3, 4, 5]
    made = call_action("koreanap_rule_create", {"user": site["editor"]}, package_id=NAME,
                       rule=rule)
    work_off_queue()
    errors = _errors()
    assert sorted(e["row"] for e in errors) == [2, 3, 4, 5]
    assert all(e["rule_id"] == made["id"] and e["report"] is None for e in errors)
    # The rule fits the string field: the export writes it as the field's enum too, so
    # any Frictionless tool checks it; Table Schema finds those rows, linked to the rule.
    assert {e["rule"] for e in errors} == {"constraint-error"}
    (table,) = call_action("koreanap_datapackage_show", id=NAME)["resources"]
    unit = next(f for f in table["schema"]["fields"] if f["name"] == "unit")
    assert unit["constraints"] == {"enum": ["µg/kg"]}


def test_a_rule_that_no_longer_fits_is_a_metadata_problem_not_a_crash(site, publish):
    """Re-publishing without the rule's field: the job reports koreanap-rule-setup naming the
    rule (no crash, other rules still apply) and the rule list says why it no longer fits."""
    user = {"user": site["sysadmin"]}
    gone = call_action("koreanap_rule_create", user, package_id=NAME, rule=UNIT_RULE,
                       report=site["code"])
    kept = call_action("koreanap_rule_create", user, package_id=NAME, rule=DETECTION_RULE)
    work_off_queue()
    fields = ("sample_id", "detected", "value")
    rows = [*ROWS[:3], "S4,N,1.5,mg/kg"]
    with pytest.raises(PublishError, match="results .invalid."):
        publish(_write(site["folder"] / "v3", rows, fields=fields), site["sysadmin"],
                organization=site["org"])
    errors = _errors()
    setup = [e for e in errors if e["rule"] == "koreanap-rule-setup"]
    assert len(setup) == 1 and gone["id"] in setup[0]["message"]
    assert "unit" in setup[0]["message"]
    assert [(e["rule_id"], e["row"]) for e in errors if e["rule"] == "koreanap-rule"] == \
        [(kept["id"], 5)]
    listed = {r["id"]: r for r in call_action("koreanap_rule_list", user, package_id=NAME)}
    assert "unit" in listed[gone["id"]]["problem"]
    assert listed[kept["id"]]["problem"] is None


def test_the_form_proposes_a_rule_from_the_reported_row(site):
    """The report's row is read from the table's current file (header = row 1); an empty
    reported cell proposes "required", a field with few other values proposes them as the
    allowed ones; a row that is not there, or no row, proposes nothing."""
    from ckanext.koreanap import rules

    package = call_action("package_show", id=NAME)
    empty = rules.proposal(package, "results", "value", "3")
    assert empty == {"row": 3, "kind": "required", "values": [], "cells": [
        ["sample_id", "S2"], ["detected", "N"], ["value", ""], ["unit", "mg/kg"]]}
    detected = rules.proposal(package, "results", "detected", "row 2")
    assert (detected["row"], detected["kind"], detected["values"]) == (2, "allowed_values", ["N"])
    assert detected["cells"][0] == ["sample_id", "S1"]
    # every other row has the reported unit: nothing to propose, the row is still shown
    same = rules.proposal(package, "results", "unit", "3행")
    assert (same["kind"], same["values"], len(same["cells"])) == ("", [], 4)
    for row_text in ("99", "1", "the header", None):
        assert rules.proposal(package, "results", "unit", row_text)["cells"] == [], row_text
    assert rules.proposal(package, "no-such-table", "unit", "3")["cells"] == []


def test_the_downloaded_zip_carries_the_rule_for_offline_validation(site, app, tmp_path):
    """datapackage.zip has the rule in koreanap:rules; validating the unpacked zip offline
    with a row that breaks it gives the same rule error and report code."""
    from koreanap_validation.engine import validate_package

    made = call_action("koreanap_rule_create", {"user": site["sysadmin"]}, package_id=NAME,
                       rule=DETECTION_RULE, report=site["code"])
    data = app.get(f"/dataset/{NAME}/datapackage.zip", status=200).data
    # The report's tracking page states the rule in the page's language.
    track = app.get(f"/error-report/{site['code']}", status=200).body
    assert "이제 검증 규칙이 이 오류를 확인합니다" in track
    assert 'detected 값이 &#34;N&#34;이면 value 값은 비어 있음' in track or \
        'detected 값이 "N"이면 value 값은 비어 있음' in track
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path / "zip")
    descriptor = json.loads((tmp_path / "zip" / "datapackage.json").read_text("utf-8"))
    assert [r["id"] for r in descriptor["koreanap:rules"]] == [made["id"]]
    csv = next((tmp_path / "zip").rglob("*.csv"))
    csv.write_text(csv.read_text("utf-8").replace("S2,N,,", "S2,N,9.9,"), "utf-8")
    report = validate_package(str(tmp_path / "zip" / "datapackage.json"))
    (error,) = report["errors"]
    assert (error["rule"], error["row"], error["rule_id"], error["report"]) == \
        ("koreanap-rule", 3, made["id"], site["code"])


def test_a_web_upload_that_breaks_the_rule_is_refused_with_a_link_to_the_report(
        site, make_app):
    """The upload page validates with the catalogue's rules: 422, the rule error in the
    report with a link to the error report, nothing published."""
    editor = factories.User(password=PASSWORD)
    call_action("organization_member_create", {"user": site["sysadmin"]}, id=site["org"],
                username=editor["name"], role="editor")
    call_action("koreanap_rule_create", {"user": site["sysadmin"]}, package_id=NAME,
                rule=DETECTION_RULE, report=site["code"])
    app = make_app()
    page = app.get("/user/login", status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    app.post("/user/login", data={"_csrf_token": token, "login": editor["name"],
                                  "password": PASSWORD})
    url = "/organization/{}/upload-package".format(site["org"])
    folder = _write(site["folder"] / "up", [*ROWS[:3], "S4,N,0.5,mg/kg"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    page = app.get(url, status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    response = app.post(url, data={"_csrf_token": token,
                                   "upload": (io.BytesIO(buffer.getvalue()), "rice.zip")},
                        content_type="multipart/form-data")
    assert response.status_code == 422, response.body[:2000]
    assert f'href="/error-report/{site["code"]}"' in response.body
    dataset = call_action("package_show", id=NAME)
    assert dataset["resources"][0]["hash"] == site["resource"]["hash"]


@pytest.mark.parametrize(("rule", "field", "words"), [
    ("not json {", "rule", "JSON"),
    ([1, 2], "rule", "JSON 객체"),
    ({"resource": "results", "kind": "sometimes", "field": "unit"}, "rule", "kind"),
    ({"resource": "results", "kind": "pattern", "field": "unit", "pattern": "(["}, "rule",
     "pattern"),
    ({"resource": "results", "kind": "range", "field": "value", "minimum": 5, "maximum": 1},
     "rule", "minimum"),
    ({"resource": "results", "kind": "required", "field": "colour"}, "rule", "colour"),
    ({"resource": "other-table", "kind": "required", "field": "unit"}, "rule", "other-table"),
])
def test_bad_rules_are_refused_naming_what_is_wrong(site, rule, field, words):
    """A malformed rule or one that does not fit the table is a 409 naming the problem."""
    with pytest.raises(tk.ValidationError) as caught:
        call_action("koreanap_rule_create", {"user": site["sysadmin"]}, package_id=NAME,
                    rule=rule)
    error = caught.value
    assert field in error.error_dict
    assert words in " ".join(map(str, error.error_dict[field]))
    assert call_action("koreanap_rule_list", package_id=NAME, include_retired=True) == []


def test_the_report_must_be_confirmed_and_about_this_dataset(site):
    """A pending, unknown or other dataset's report cannot become a rule here."""
    user = {"user": site["sysadmin"]}
    pending = call_action("koreanap_error_report_create", {"user": ""}, package_id=NAME,
                          category="other", description="아직 접수되지 않은 신고입니다.")["code"]
    other = factories.Dataset(owner_org=call_action("organization_show",
                                                    id=site["org"])["id"])
    elsewhere = call_action("koreanap_error_report_create", {"user": ""},
                            package_id=other["id"], category="other",
                            description="다른 데이터셋에 대한 신고입니다.")["code"]
    for code, words in ((pending, "확인된 오류신고"), (elsewhere, "다른 데이터셋"),
                        ("ER-0000-000000", "찾을 수 없습니다")):
        with pytest.raises(tk.ValidationError) as caught:
            call_action("koreanap_rule_create", user, package_id=NAME, rule=UNIT_RULE,
                        report=code)
        assert words in str(caught.value.error_dict["report"]), code
    assert call_action("koreanap_rule_list", package_id=NAME) == []


def test_who_may_add_and_retire_rules(site):
    """Anonymous and an outsider are refused; the organization's editor and an evaluator may;
    an unknown rule is 404; a retirement needs a reason and happens once."""
    for user in ("", site["outsider"]):
        with pytest.raises(tk.NotAuthorized):
            call_action("koreanap_rule_create", {"user": user, "ignore_auth": False},
                        package_id=NAME, rule=UNIT_RULE)
        with pytest.raises(tk.NotAuthorized):
            call_action("koreanap_rule_preview", {"user": user, "ignore_auth": False},
                        package_id=NAME, rule=UNIT_RULE)
    made = call_action("koreanap_rule_create", {"user": site["editor"], "ignore_auth": False},
                       package_id=NAME, rule=UNIT_RULE)
    call_action("koreanap_rule_create", {"user": site["evaluator"], "ignore_auth": False},
                package_id=NAME, rule=DETECTION_RULE, report=site["code"])
    with pytest.raises(tk.NotAuthorized):
        call_action("koreanap_rule_retire", {"user": site["outsider"], "ignore_auth": False},
                    id=made["id"], reason="no")
    with pytest.raises(tk.ObjectNotFound):
        call_action("koreanap_rule_retire", {"user": site["editor"]}, id="R-nosuch",
                    reason="없는 규칙")
    with pytest.raises(tk.ValidationError) as caught:
        call_action("koreanap_rule_retire", {"user": site["editor"]}, id=made["id"],
                    reason="  ")
    assert "reason" in caught.value.error_dict
    call_action("koreanap_rule_retire", {"user": site["editor"]}, id=made["id"],
                reason="표준 단위 규칙으로 대체")
    with pytest.raises(tk.ValidationError) as caught:
        call_action("koreanap_rule_retire", {"user": site["editor"]}, id=made["id"],
                    reason="다시")
    assert "이미 폐지된" in str(caught.value.error_dict["id"])
    with pytest.raises(tk.ObjectNotFound):
        call_action("koreanap_rule_list", package_id="no-such-dataset")


def test_rules_over_http_answer_json_errors(site, app):
    """The API answers a bad rule with 409 JSON, an unknown dataset with 404 JSON."""
    from flask import g

    token = factories.APIToken(user=site["sysadmin"])["token"]
    headers = {"Authorization": token}
    # with_request_context's app context is shared by these requests: forget the
    # anonymous user flask-login cached there by the fixtures' actions.
    g.pop("_login_user", None)
    response = app.post("/api/3/action/koreanap_rule_create", headers=headers,
                        json={"package_id": NAME, "rule": {"kind": "range"}})
    assert response.status_code == 409, response.body[:3000]
    assert response.json["success"] is False and "rule" in response.json["error"]
    g.pop("_login_user", None)
    response = app.post("/api/3/action/koreanap_rule_create", headers=headers,
                        json={"package_id": "no-such-dataset", "rule": UNIT_RULE}, status=404)
    assert response.json["success"] is False


def test_every_kind_of_rule_in_the_form_has_its_stylesheet_rule(site, app):
    """The rule form shows only the chosen kind's inputs with CSS alone (koreanap.css): every
    kind the report's page offers needs its rule there, or its form would show every input."""
    from pathlib import Path

    from flask import g

    import ckanext.koreanap

    token = factories.APIToken(user=site["evaluator"])["token"]
    g.pop("_login_user", None)
    body = app.get(f"/quality/error-reports/{site['code']}", headers={"Authorization": token},
                   status=200).body
    select = re.search(r'<select[^>]*id="rule-kind".*?</select>', body, re.S)
    assert select, "the confirmed report's page has no rule form"
    kinds = re.findall(r'<option value="([a-z_]+)"', select.group(0))
    assert len(kinds) == 6 and 'data-rule-kinds="' in body
    css = (Path(ckanext.koreanap.__file__).parent / "assets" / "koreanap.css").read_text()
    for kind in kinds:
        assert (f'option[value="{kind}"]:checked) [data-rule-kinds]'
                f':not([data-rule-kinds~="{kind}"])') in css, kind


def test_the_api_states_a_rule_in_english_and_in_korean(site):
    """Preview, create and list give the rule stated in English (description) and in
    Korean (description_ko), the same sentences the pages use, whatever the caller's
    language."""
    context = {"user": site["evaluator"]}
    preview = call_action("koreanap_rule_preview", dict(context), package_id=NAME,
                          rule=DETECTION_RULE)
    assert preview["description"] == 'if detected is "N", then value is empty'
    assert preview["description_ko"] == 'detected 값이 "N"이면 value 값은 비어 있음'
    made = call_action("koreanap_rule_create", dict(context), package_id=NAME,
                       rule=dict(UNIT_RULE, values=[f"unit-{n}" for n in range(12)] + ["mg/kg"]),
                       report=site["code"])
    assert made["description"].endswith('"unit-9" and 3 more')
    assert made["description_ko"].startswith('unit 값은 "unit-0", "unit-1"')
    assert made["description_ko"].endswith('"unit-9" 외 3개 중 하나')
    (listed,) = call_action("koreanap_rule_list", dict(context), package_id=NAME)
    assert (listed["description"], listed["description_ko"]) == (
        made["description"], made["description_ko"])
