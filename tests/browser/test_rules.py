"""A confirmed error report becomes a validation rule (issue 18 part 1) in a real browser: an
evaluator previews and saves the rule on the report's page, the tracking page and the
quality dashboard show it, the downloaded package applies it offline, and a re-upload that
breaks it is refused with a link to the report."""
import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from .conftest import click

WAIT_S = 60  # upper bound for a page or an upload to finish, not a measured timing
# Domestic samples name the region they were produced in (true of every published row).
IF_FIELD, IF_VALUE, THEN_FIELD = "producer_country", "KR", "production_region_code"


def _rules_from_reports(live_ckan: str, organization: str) -> int:
    response = requests.get(f"{live_ckan}/api/3/action/koreanap_quality_figures",
                            timeout=WAIT_S)
    (org,) = [o for o in response.json()["result"]["organizations"]
              if o["name"] == organization]
    return org["rules"]["from_reports"]


def _break_the_rule(data: bytes) -> tuple[bytes, str]:
    """The zip with the first domestic survey row's production region left empty, and
    that row's sample id."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    broken = ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.endswith("survey_results.csv"):
                rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
                header = rows[0]
                row = next(r for r in rows[1:] if r[header.index(IF_FIELD)] == IF_VALUE)
                row[header.index(THEN_FIELD)] = ""
                broken = row[header.index("sample_id")]
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(rows)
                content = text.getvalue().encode("utf-8")
            target.writestr(item, content)
    return out.getvalue(), broken


def _log_in(browser, live_ckan: str, name: str, password: str) -> None:
    wait = WebDriverWait(browser, WAIT_S)
    browser.get(live_ckan + "/user/login")
    wait.until(ec.visibility_of_element_located((By.ID, "field-login"))).send_keys(name)
    field = browser.find_element(By.ID, "field-password")
    field.send_keys(password)
    field.submit()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".account")))


def test_an_evaluator_turns_a_report_into_a_rule(browser, steps, live_ckan, api, organization,
                                                 food_contaminants, run_id, tmp_path):
    """Report → rule (previewed: no current row breaks it) → the tracking page says a rule
    checks it → the dashboard counts it → offline validation of the downloaded zip with a
    broken row names the report → the upload page refuses that zip with a link to it."""
    from ckan.tests import factories

    wait = WebDriverWait(browser, WAIT_S)
    org = organization["name"]
    dataset = food_contaminants["dataset"]
    survey = next(r for r in dataset["resources"]
                  if r.get("datapackage_name") == "survey_results")
    password = "Korea-OGP-2026-" + run_id
    user = factories.User(name=f"browser-evaluator-{run_id}", password=password,
                          email=f"evaluator-{run_id}@example.org", image_url="")
    groups = api.action.group_list()
    if "quality-evaluators" not in groups:
        api.action.group_create(name="quality-evaluators", title="품질 평가자")
    api.action.group_member_create(id="quality-evaluators", username=user["name"],
                                   role="member")
    api.action.organization_member_create(id=org, username=user["name"], role="editor")
    # a row (header = row 1) of the published survey whose region code is empty
    row = next(n for n, cells in enumerate(food_contaminants["survey"], start=2)
               if not cells[THEN_FIELD])
    code = api.action.koreanap_error_report_create(
        package_id=dataset["id"], resource_id=survey["id"], category="wrong_value",
        location_column=THEN_FIELD, location_row=str(row),
        description=f"국산 시료에 생산 지역 코드가 빠진 행이 있었습니다 (브라우저 시험 {run_id}).")[
        "code"]
    api.action.koreanap_error_report_update(id=code, status="accepted")
    before = _rules_from_reports(live_ckan, org)
    try:
        with steps("log in as a quality evaluator"):
            _log_in(browser, live_ckan, user["name"], password)
        with steps("open the report in the queue: the rule form proposes its table and column"):
            browser.get(f"{live_ckan}/quality/error-reports/{code}")
            form = wait.until(ec.presence_of_element_located(
                (By.CSS_SELECTOR, ".koreanap-rule-form form")))
            assert Select(form.find_element(By.ID, "rule-resource")) \
                .first_selected_option.get_attribute("value") == "survey_results"
            shown = browser.find_element(By.CSS_SELECTOR, ".koreanap-reported-row")
            assert f"{row}" in shown.text
            assert food_contaminants["survey"][row - 2]["sample_id"] in shown.text
            assert THEN_FIELD in shown.find_element(
                By.CSS_SELECTOR, "[data-reported-field]").text
            # the reported cell is empty, so the form proposes "required"
            assert Select(form.find_element(By.ID, "rule-kind")) \
                .first_selected_option.get_attribute("value") == "required"
            assert browser.find_element(By.CSS_SELECTOR, ".koreanap-rule-proposal").text
        with steps("describe the rule: if producer_country is KR, the region is filled in"):
            # "required" takes only the field: the other kinds' inputs are hidden
            assert form.find_element(By.ID, "rule-field").is_displayed()
            assert not form.find_element(By.ID, "rule-pattern").is_displayed()
            assert not form.find_element(By.ID, "rule-if-field").is_displayed()
            Select(form.find_element(By.ID, "rule-kind")).select_by_value("row_condition")
            assert not form.find_element(By.ID, "rule-field").is_displayed()
            assert not form.find_element(By.ID, "rule-values").is_displayed()
            form.find_element(By.ID, "rule-if-field").send_keys(IF_FIELD)
            form.find_element(By.ID, "rule-if-values").send_keys(IF_VALUE)
            form.find_element(By.ID, "rule-then-field").send_keys(THEN_FIELD)
            Select(form.find_element(By.ID, "rule-then")).select_by_value("not_empty")
            assert not form.find_element(By.NAME, "rule_then_values").is_displayed()
        with steps("preview: no current row breaks it"):
            click(browser, form.find_element(By.CSS_SELECTOR, "button[value='rule_preview']"))
            result = wait.until(ec.presence_of_element_located(
                (By.CSS_SELECTOR, ".koreanap-rule-preview [data-breaking]")))
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", result)
            assert result.get_attribute("data-breaking") == "0", result.text
        with steps("save the rule"):
            form = browser.find_element(By.CSS_SELECTOR, ".koreanap-rule-form form")
            click(browser, form.find_element(By.CSS_SELECTOR, "button[value='rule_create']"))
            item = wait.until(ec.presence_of_element_located(
                (By.CSS_SELECTOR, ".koreanap-report-rules [data-rule]")))
            rule_id = item.get_attribute("data-rule")
            assert rule_id.startswith("R-")
            assert rule_id in browser.find_element(By.CSS_SELECTOR, ".flash-messages").text
        with steps("the public tracking page says a rule now checks this"):
            browser.get(f"{live_ckan}/error-report/{code}")
            note = wait.until(ec.visibility_of_element_located(
                (By.CSS_SELECTOR, ".koreanap-report-rule")))
            assert rule_id in note.text
            assert f"{IF_FIELD} 값이 \"{IF_VALUE}\"이면 {THEN_FIELD} 값은 채워져 있음" in note.text
        with steps("the same page in English states the rule in English"):
            browser.get(f"{live_ckan}/en/error-report/{code}")
            note = wait.until(ec.visibility_of_element_located(
                (By.CSS_SELECTOR, ".koreanap-report-rule")))
            assert f'if {IF_FIELD} is "{IF_VALUE}", then {THEN_FIELD} is filled in' in note.text
        with steps("the quality dashboard counts the rule"):
            browser.get(f"{live_ckan}/quality")
            cell = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, (
                f".koreanap-quality-table tr[data-organization='{org}'] "
                "td[data-figure='rules-from-reports']"))))
            assert int(cell.text) == before + 1 == _rules_from_reports(live_ckan, org)
        with steps("the downloaded zip, with one broken row, fails koreanap validate offline"):
            response = requests.get(f"{live_ckan}/dataset/{dataset['name']}/datapackage.zip",
                                    timeout=WAIT_S)
            assert response.status_code == 200
            broken, sample = _break_the_rule(response.content)
            path = tmp_path / "broken.zip"
            path.write_bytes(broken)
            command = Path(sys.executable).parent / "koreanap"
            done = subprocess.run([str(command), "validate", str(path)], capture_output=True,
                                  text=True, timeout=600)
            assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
            assert "koreanap-rule" in done.stdout and code in done.stdout, done.stdout[-2000:]
        with steps("upload the broken package: refused with a link to the report"):
            browser.get(f"{live_ckan}/organization/{org}/upload-package")
            wait.until(ec.presence_of_element_located((By.ID, "field-upload"))).send_keys(
                str(path))
            browser.find_element(By.ID, "field-upload").submit()
            link = WebDriverWait(browser, 300).until(ec.presence_of_element_located(
                (By.CSS_SELECTOR, "a.koreanap-rule-report")))
            assert link.get_attribute("href").endswith(f"/error-report/{code}")
        with steps("follow the link to the report"):
            click(browser, link)
            wait.until(ec.url_contains(f"/error-report/{code}"))
        with steps("the published table is unchanged"):
            rows = api.action.datastore_search(resource_id=survey["id"],
                                               filters={"sample_id": sample})["records"]
            assert rows and all(r[THEN_FIELD] for r in rows if r[IF_FIELD] == IF_VALUE)
    finally:
        browser.delete_all_cookies()
