"""The language switcher in a real browser: Korean by default, English under /en/, and back."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import click

WAIT_S = 30  # upper bound for a page to load, not a measured timing


def _lang(browser) -> str:
    return browser.find_element(By.TAG_NAME, "html").get_attribute("lang")


def _report_button(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, "a.koreanap-report-error").text.strip()


def _switch(browser, hreflang: str) -> None:
    click(browser, browser.find_element(
        By.CSS_SELECTOR, f".koreanap-lang-switch a[hreflang='{hreflang}']"))


def test_switch_to_english_and_back(browser, steps, live_ckan, food_contaminants):
    """The dataset list opens in Korean; "English" in the switcher shows it at /en/… with the
    datasets' English titles and English labels, the dataset opened from it stays English,
    and "한국어" goes back to the Korean page."""
    wait = WebDriverWait(browser, WAIT_S)
    name = food_contaminants["dataset"]["name"]
    title_ko, title_en = food_contaminants["title_ko"], food_contaminants["title_en"]
    with steps("open the dataset list in Korean"):
        browser.get(f"{live_ckan}/dataset/?q=카드뮴")
        wait.until(ec.presence_of_element_located((By.LINK_TEXT, title_ko)))
        assert _lang(browser).startswith("ko")
        assert browser.find_element(
            By.CSS_SELECTOR, ".koreanap-lang-switch [aria-current='true']").text == "한국어"
    with steps("switch to English"):
        _switch(browser, "en")
        wait.until(ec.url_contains("/en/dataset"))
        link = wait.until(ec.presence_of_element_located((By.LINK_TEXT, title_en)))
        assert _lang(browser).startswith("en")
        assert browser.find_element(
            By.CSS_SELECTOR, ".koreanap-lang-switch [aria-current='true']").text == "English"
        assert "Datasets" in browser.find_element(By.TAG_NAME, "header").text
    with steps("open the dataset in English"):
        click(browser, link)
        wait.until(ec.url_contains(f"/en/dataset/{name}"))
        assert _lang(browser).startswith("en")
        assert _report_button(browser) == "Report an error"
    with steps("switch back to Korean"):
        _switch(browser, "ko-KR")
        wait.until(lambda d: "/en/" not in d.current_url)
        assert browser.current_url.endswith(f"/dataset/{name}"), browser.current_url
        assert _lang(browser).startswith("ko")
        assert _report_button(browser) == "오류신고"
        assert title_ko in browser.find_element(By.TAG_NAME, "h1").text


def test_english_dataset_page_shows_english_title(browser, steps, live_ckan, food_contaminants):
    """The English dataset page has the dataset's English title as its heading."""
    name = food_contaminants["dataset"]["name"]
    with steps("open the dataset page in English"):
        browser.get(f"{live_ckan}/en/dataset/{name}")
        WebDriverWait(browser, WAIT_S).until(ec.url_contains(f"/en/dataset/{name}"))
        headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h1")]
        assert any(food_contaminants["title_en"] in h for h in headings), headings
