"""The contaminant quick search (plugin koreanap_contaminants) in a real browser: two filters
chosen on the page, the summary, and "download these rows" as CSV."""
import csv
import io

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_S = 30  # upper bound for a page to load, not a measured timing
FILTERS = {"substance_code": "HMT02", "survey_year": "2019"}  # cadmium, one survey year


def _choose(browser, name: str, value: str) -> None:
    """Pick one value of the filter ``f-<name>`` as a user does: type into its searchable
    multi-select (select2) and press Enter; the value appears as a chip."""
    element = browser.find_element(By.ID, f"f-{name}")
    assert element.get_attribute("name") == name
    assert element.get_attribute("multiple")
    option = element.find_element(By.CSS_SELECTOR, f"option[value='{value}']")
    text = option.get_attribute("textContent").strip()
    box = browser.find_element(By.CSS_SELECTOR, f"#f-{name} + .select2-container")
    box.click()
    field = box.find_element(By.CSS_SELECTOR, "textarea.select2-search__field, "
                                              "input.select2-search__field")
    field.send_keys(text)
    WebDriverWait(browser, WAIT_S).until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, ".select2-results__option--highlighted")))
    field.send_keys(Keys.ENTER)
    field.send_keys(Keys.ESCAPE)
    assert _chips(browser, name) == [text]
    assert Select(element).all_selected_options[0].get_attribute("value") == value


def _chips(browser, name: str) -> list[str]:
    """The chosen values shown as chips in the filter ``f-<name>``."""
    return [chip.get_attribute("title") or chip.text.strip("×").strip()
            for chip in browser.find_elements(
                By.CSS_SELECTOR, f"#f-{name} + .select2-container .select2-selection__choice")]


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_two_filters_summary_and_csv(browser, steps, live_ckan, food_contaminants):
    """Cadmium in 2019, chosen in the form, shows the count and the number over the maximum
    level of the published rows, and the CSV link gives exactly those rows."""
    wait = WebDriverWait(browser, WAIT_S)
    expected = [row for row in food_contaminants["survey"]
                if all(row[k] == v for k, v in FILTERS.items())]
    assert any(row["exceeds_ml"] == "Y" for row in expected), \
        "the published sample has rows for the filter, some over the maximum level"
    with steps("open the quick search"):
        browser.get(live_ckan + "/contaminants")
        form = wait.until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, "form.koreanap-contaminants-filters")))
        everything = _number(browser.find_element(By.CLASS_NAME, "koreanap-total").text)
        assert everything == len(food_contaminants["survey"])
    with steps("choose substance cadmium and year 2019"):
        for name, value in FILTERS.items():
            _choose(browser, name, value)
        form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        wait.until(lambda d: all(f"{k}={v}" in d.current_url for k, v in FILTERS.items()))
    with steps("the chosen values stay as chips after the search (permalink)"):
        for name in FILTERS:
            assert len(_chips(browser, name)) == 1, name
    with steps("see the results and the summary"):
        total = _number(browser.find_element(By.CLASS_NAME, "koreanap-total").text)
        over = _number(browser.find_element(By.CLASS_NAME, "koreanap-over").text)
        # Over a verified level and, shown apart and not counted, over an unverified one.
        unverified = browser.find_elements(By.CSS_SELECTOR, "p .koreanap-over-unverified strong")
        over_unverified = _number(unverified[0].text) if unverified else 0
        assert total == len(expected)
        assert over + over_unverified == sum(row["exceeds_ml"] == "Y" for row in expected)
        (by_substance,) = browser.find_elements(
            By.CSS_SELECTOR, ".koreanap-contaminants-by-substance tbody tr")
        assert by_substance.get_attribute("data-substance") == FILTERS["substance_code"]
        shown = browser.find_elements(By.CSS_SELECTOR, ".koreanap-contaminants-rows tbody tr")
        assert len(shown) == min(total, 50)
        # the substance cell shows its name; the code stays on the cell (data-code, hover)
        cells = [row.find_elements(By.TAG_NAME, "td")[1] for row in shown]
        assert all(c.get_attribute("data-code") == FILTERS["substance_code"] for c in cells)
        assert all(c.text and c.text != FILTERS["substance_code"] for c in cells)
    with steps("download these rows as CSV"):
        link = browser.find_element(By.CLASS_NAME, "koreanap-download-csv")
        href = link.get_attribute("href")
        assert all(f"{k}={v}" in href for k, v in FILTERS.items()), href
        response = requests.get(href, timeout=WAIT_S)
        assert response.status_code == 200, response.text[:500]
        assert response.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        assert len(rows) == total
        assert all(row[k] == v for row in rows for k, v in FILTERS.items())
        by_sample = {(r["sample_id"], r["substance_code"]): r for r in expected}
        assert {(r["sample_id"], r["substance_code"]) for r in rows} == set(by_sample)
        # The rows as published, column by column.
        for row in rows:
            assert row == by_sample[row["sample_id"], row["substance_code"]], row


def test_a_chip_removes_its_filter(browser, steps, live_ckan, food_contaminants):
    """Opening a permalink with two substances shows two chips; removing one chip and
    searching again leaves only the other substance in the address and the results."""
    wait = WebDriverWait(browser, WAIT_S)
    with steps("open a permalink with cadmium and lead"):
        browser.get(live_ckan + "/contaminants?substance_code=HMT02&substance_code=HMT01")
        wait.until(lambda d: len(_chips(d, "substance_code")) == 2)
    with steps("remove the lead chip and search"):
        lead = Select(browser.find_element(By.ID, "f-substance_code"))
        lead_text = next(o.get_attribute("textContent").strip() for o in lead.options
                         if o.get_attribute("value") == "HMT01")
        chip = next(c for c in browser.find_elements(
            By.CSS_SELECTOR, "#f-substance_code + .select2-container .select2-selection__choice")
            if lead_text in (c.get_attribute("title") or c.text))
        chip.find_element(By.CSS_SELECTOR, ".select2-selection__choice__remove").click()
        browser.find_element(By.CSS_SELECTOR, "body").send_keys(Keys.ESCAPE)
        browser.find_element(By.CSS_SELECTOR,
                             "form.koreanap-contaminants-filters button[type='submit']").click()
        wait.until(lambda d: "HMT01" not in d.current_url
                   and "substance_code=HMT02" in d.current_url)
        shown = browser.find_elements(By.CSS_SELECTOR, ".koreanap-contaminants-rows tbody tr")
        assert shown and all(
            row.find_elements(By.TAG_NAME, "td")[1].get_attribute("data-code") == "HMT02"
            for row in shown)
