"""The main pages fit a desktop (1280 px) and a phone (390 px) without scrolling sideways,
in Korean and English; a screenshot of each is kept under test-artifacts/browser/."""
import pytest
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 60  # upper bound for a page to load, not a measured timing
WIDTHS = {"desktop": (1280, 1100), "phone": (390, 844)}


def _pages(food_contaminants):
    name = food_contaminants["dataset"]["name"]
    return {"home": "/", "search": "/dataset/?q=카드뮴", "dataset": f"/dataset/{name}",
            "contaminants": "/contaminants", "commitments": "/commitments",
            "report-form": f"/dataset/{name}/report-error", "quality": "/quality",
            "not-found": "/no-such-page"}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_pages_fit_the_screen(browser, steps, live_ckan, food_contaminants, width, prefix):
    """No main page is wider than the window (nothing to scroll sideways to)."""
    browser.set_window_size(*WIDTHS[width])
    too_wide = {}
    try:
        for kind, path in _pages(food_contaminants).items():
            with steps(f"{kind} {'en' if prefix else 'ko'} {width}"):
                browser.get(live_ckan + prefix + path)
                WebDriverWait(browser, WAIT_S).until(
                    lambda d: d.execute_script("return document.readyState") == "complete")
                # clientWidth, not innerWidth: a vertical scroll bar's width would hide
                # a few pixels of overflow on a long page.
                widths = browser.execute_script(
                    "return [document.documentElement.scrollWidth,"
                    " document.documentElement.clientWidth]")
                if widths[0] > widths[1]:
                    too_wide[kind] = widths
    finally:
        browser.set_window_size(*WIDTHS["desktop"])
    assert not too_wide, f"pages wider than the window ({width}, [page, window] px): {too_wide}"
