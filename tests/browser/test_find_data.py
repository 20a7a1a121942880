"""A data user finds a dataset from the home page and previews its table, in a real browser."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import click

WAIT_S = 30  # upper bound for a page or the preview's rows to load, not a measured timing


def test_search_opens_dataset_and_table_preview(browser, steps, live_ckan, food_contaminants):
    """Typing 카드뮴 on the home page lists the published dataset, its link opens it, and its
    survey table's preview (datatables_view on the DataStore) shows the published rows."""
    wait = WebDriverWait(browser, WAIT_S)
    dataset = food_contaminants["dataset"]
    title = food_contaminants["title_ko"]
    survey = next(r for r in dataset["resources"]
                  if r.get("datapackage_name") == "survey_results")
    published_ids = {row["sample_id"] for row in food_contaminants["survey"]}
    with steps("open the home page"):
        browser.get(live_ckan + "/")
        box = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "input[name='q']")))
    with steps("search for 카드뮴 (cadmium)"):
        box.send_keys("카드뮴", Keys.ENTER)
        wait.until(ec.url_contains("/dataset"))
        link = wait.until(ec.element_to_be_clickable((By.LINK_TEXT, title)))
    with steps("open the dataset"):
        link.click()
        wait.until(ec.url_contains("/dataset/" + dataset["name"]))
        headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h1")]
        assert any(title in h for h in headings), headings
    with steps("open the survey table"):
        link = browser.find_element(By.CSS_SELECTOR, f"a.heading[href$='/resource/{survey['id']}']")
        click(browser, link)
        wait.until(ec.url_contains("/resource/" + survey["id"]))
        frame = wait.until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, ".resource-view iframe")))
        browser.execute_script("arguments[0].scrollIntoView()", frame)
    with steps("see rows in the table preview"):
        browser.switch_to.frame(frame)
        rows = wait.until(lambda d: [
            r for r in d.find_elements(By.CSS_SELECTOR, "#dtprv tbody tr")
            if len(r.find_elements(By.TAG_NAME, "td")) > 5] or None)
        cells = [r.text for r in rows]
        shown = {m for text in cells for m in re.findall(r"20(?:18|19|20)-\d{6}", text)}
        assert len(rows) >= 10, cells
        assert shown and shown <= published_ids, cells
        info = browser.find_element(By.ID, "dtprv_info").text
        # The whole table, not one page.
        assert f"{len(food_contaminants['survey']):,}" in info, info
        browser.switch_to.default_content()
