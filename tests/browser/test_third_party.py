"""No page asks a host other than the site's own for anything, logged in or not."""
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import requested_urls

WAIT_S = 30  # upper bound for a page to load, not a measured timing


def test_the_guard_sees_a_request_to_another_host(browser):
    """The network log the guard reads lists a request a page makes to a foreign host."""
    requested_urls(browser)
    browser.get("data:text/html,<img src='http://avatar.invalid/a.png'>")
    WebDriverWait(browser, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    assert "http://avatar.invalid/a.png" in requested_urls(browser)


def test_logged_in_header_shows_a_local_avatar(browser, steps, live_ckan, food_contaminants,
                                               run_id):
    """A logged-in user's header avatar is served by the site (no gravatar.com), and the home
    page, the search page and a dataset page ask no other host for anything."""
    from ckan.tests import factories

    password = "Korea-OGP-2026-" + run_id
    user = factories.User(name=f"browser-avatar-{run_id}", email=f"avatar-{run_id}@example.org",
                          password=password, image_url="")  # factories pick a remote one
    wait = WebDriverWait(browser, WAIT_S)
    own = urlsplit(live_ckan).netloc
    try:
        with steps("log in"):
            browser.get(live_ckan + "/user/login")
            wait.until(ec.visibility_of_element_located((By.ID, "field-login"))).send_keys(
                user["name"])
            field = browser.find_element(By.ID, "field-password")
            field.send_keys(password)
            field.submit()  # the login form's (the header's search form has a button too)
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".account img")))
        for name, path in (("home page", "/"), ("search page", "/dataset?q=카드뮴"),
                           ("dataset page", "/dataset/" + food_contaminants["dataset"]["name"])):
            with steps(f"open the {name} logged in"):
                browser.get(live_ckan + path)
                avatar = wait.until(ec.presence_of_element_located(
                    (By.CSS_SELECTOR, ".account img")))
                src = avatar.get_attribute("src")
                assert urlsplit(src).netloc == own, src
    finally:
        browser.delete_all_cookies()
