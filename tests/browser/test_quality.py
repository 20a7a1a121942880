"""The public quality dashboard (/quality, issue 18 part 2) in a real browser: the charts are
drawn, the page shows the figures of action koreanap_quality_figures, and a new error report
on the run's dataset changes its publisher's count."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 30  # upper bound for a page to load, not a measured timing


def _figures(live_ckan: str) -> dict:
    """The dashboard's figures as an anonymous visitor gets them from the API."""
    response = requests.get(f"{live_ckan}/api/3/action/koreanap_quality_figures",
                            timeout=WAIT_S)
    assert response.status_code == 200, response.text[:500]
    return response.json()["result"]


def _row(browser, organization: str) -> dict[str, str]:
    """The publisher table's cells of ``organization``, by data-figure."""
    row = browser.find_element(
        By.CSS_SELECTOR, f".koreanap-quality-table tr[data-organization='{organization}']")
    return {cell.get_attribute("data-figure"): cell.text.strip()
            for cell in row.find_elements(By.CSS_SELECTOR, "td[data-figure]")}


def _open(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT_S).until(lambda d: d.execute_script(
        "const c = [...document.querySelectorAll('.koreanap-quality-chart canvas')];"
        "return c.length > 0 && c.every(x => x.dataset.state === 'drawn');"))


def test_dashboard_charts_figures_and_a_new_report(browser, steps, live_ckan, api,
                                                   organization, food_contaminants, run_id):
    """Anonymous: every chart is drawn next to its table, the catalogue's and the run's
    publisher's figures are the API's, and after one more report on the run's dataset the
    publisher's 'received' count is one higher, in the page and the API."""
    org = organization["name"]
    browser.delete_all_cookies()
    with steps("open the quality dashboard"):
        _open(browser, f"{live_ckan}/quality")
        assert browser.find_element(By.TAG_NAME, "h1").text.strip() == "데이터 품질 현황"
    with steps("every chart has its table with the same labels"):
        charts = browser.find_elements(By.CSS_SELECTOR, ".koreanap-quality-chart")
        assert len(charts) >= 3
        for chart in charts:
            canvas = chart.find_element(By.TAG_NAME, "canvas")
            assert canvas.size["width"] > 100 and canvas.size["height"] > 100
            assert canvas.get_attribute("aria-label")
            assert chart.find_elements(By.CSS_SELECTOR, "table tbody tr")
    with steps("the page shows the API's figures"):
        figures = _figures(live_ckan)
        catalogue = figures["catalogue"]
        shown = browser.find_element(
            By.CSS_SELECTOR, ".koreanap-quality-figures dd[data-figure='datasets']").text
        assert int(shown.replace(",", "")) == catalogue["datasets"] >= 1
        (ours,) = [o for o in figures["organizations"] if o["name"] == org]
        row = _row(browser, org)
        assert int(row["datasets"]) == ours["datasets"] == 1
        assert int(row["received"]) == ours["reports"]["received"]
        before = ours["reports"]["received"]
    with steps("file one more report on the run's dataset"):
        api.action.koreanap_error_report_create(
            package_id=food_contaminants["dataset"]["id"], category="wrong_value",
            description=f"품질 현황 브라우저 시험 신고 ({run_id}).")
    with steps("reload: the publisher's reports received is one higher"):
        _open(browser, f"{live_ckan}/quality")
        assert int(_row(browser, org)["received"]) == before + 1
        (ours,) = [o for o in _figures(live_ckan)["organizations"] if o["name"] == org]
        assert ours["reports"]["received"] == before + 1
    with steps("the English page"):
        _open(browser, f"{live_ckan}/en/quality")
        assert browser.find_element(By.TAG_NAME, "h1").text.strip() == "Quality dashboard"
        link = WebDriverWait(browser, WAIT_S).until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, "a.koreanap-quality-csv")))
        response = requests.get(link.get_attribute("href"), timeout=WAIT_S)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert org in response.content.decode("utf-8")
