"""An anonymous visitor reports an error on a dataset (plugin koreanap_reports) in a real
browser, and follows the tracking link without seeing the contact details."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from .conftest import click

WAIT_S = 30  # upper bound for a page to load, not a measured timing


def test_anonymous_report_and_tracking_link(browser, steps, live_ckan, api, food_contaminants,
                                            run_id):
    """오류신고 on the dataset page opens the form; sending it gives a tracking code whose
    page shows the status (대기, pending) and not the reporter's name or e-mail."""
    wait = WebDriverWait(browser, WAIT_S)
    dataset = food_contaminants["dataset"]
    survey = next(r for r in dataset["resources"]
                  if r.get("datapackage_name") == "survey_results")
    name, email = f"시험 신고자 {run_id}", f"reporter-{run_id}@example.org"
    browser.delete_all_cookies()  # a visitor without a login
    with steps("open the dataset page"):
        browser.get(f"{live_ckan}/dataset/{dataset['name']}")
        button = wait.until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, "a.koreanap-report-error")))
        assert button.text.strip() == "오류신고"
    with steps("the form is a kept page (the page cache is on, as served)"):
        form_url = f"{live_ckan}/dataset/{dataset['name']}/report-error"
        states = [requests.get(form_url, timeout=WAIT_S).headers.get("X-Koreanap-Page-Cache")
                  for _ in range(2)]
        assert states[-1] == "hit", states
    with steps("open the report form"):
        click(browser, button)
        wait.until(ec.url_contains(f"/dataset/{dataset['name']}/report-error"))
        form = wait.until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, "form.koreanap-error-report-form")))
    with steps("fill in the report"):
        Select(form.find_element(By.ID, "field-category")).select_by_value("wrong_value")
        form.find_element(By.ID, "field-description").send_keys(
            f"2019년 카드뮴 값의 단위가 이상합니다 (브라우저 시험 {run_id}).")
        Select(form.find_element(By.ID, "field-resource")).select_by_value(survey["id"])
        form.find_element(By.ID, "field-location-row").send_keys("12")
        form.find_element(By.ID, "field-location-column").send_keys("value")
        form.find_element(By.ID, "field-reporter-name").send_keys(name)
        form.find_element(By.ID, "field-reporter-email").send_keys(email)
        click(browser, form.find_element(By.ID, "field-consent"))
    with steps("send the report and get a tracking code"):
        click(browser, form.find_element(By.CSS_SELECTOR, "button[type='submit']"))
        wait.until(ec.url_contains("/error-report/"))
        code = browser.current_url.rsplit("/", 1)[1]
        assert code.startswith("ER-"), browser.current_url
        flash = browser.find_element(By.CSS_SELECTOR, ".flash-messages .alert").text
        assert code in flash, flash
    with steps("follow the tracking link as a new visit"):
        browser.delete_all_cookies()
        browser.get(f"{live_ckan}/error-report/{code}")
        status = wait.until(ec.visibility_of_element_located(
            (By.CSS_SELECTOR, ".koreanap-report-track .koreanap-status")))
        assert status.text.strip() == "접수 대기"
        assert code in browser.find_element(By.TAG_NAME, "h1").text
        page = browser.page_source
        assert email not in page and name not in page
    with steps("the catalogue keeps the contact details for its staff"):
        report = api.action.koreanap_error_report_show(id=code, include_private=True)
        assert (report["status"], report["reporter_email"], report["reporter_name"]) == \
            ("pending", email, name)
        assert report["package_name"] == dataset["name"]
