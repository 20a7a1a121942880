"""A data user finds a dataset from the home page, in a real browser."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(scope="module")
def cadmium_dataset(api, organization, run_id):
    return api.action.package_create(
        name=f"cadmium-in-foods-{run_id}", owner_org=organization["id"],
        title=f"식품 중 카드뮴 오염도 (브라우저 시험 {run_id})",
        notes="쌀과 김치 등 식품 중 카드뮴 검출량. 브라우저 시험용 데이터셋입니다.",
        tags=[{"name": "카드뮴"}, {"name": "중금속"}])


def test_search_from_home_page_opens_dataset(browser, steps, live_ckan, cadmium_dataset):
    """Typing 카드뮴 in the home page's search box lists the dataset, and its link opens it."""
    wait = WebDriverWait(browser, 30)
    title = cadmium_dataset["title"]
    with steps("open the home page"):
        browser.get(live_ckan + "/")
        box = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "input[name='q']")))
    with steps("search for 카드뮴"):
        box.send_keys("카드뮴", Keys.ENTER)
        wait.until(ec.url_contains("/dataset"))
        link = wait.until(ec.element_to_be_clickable((By.LINK_TEXT, title)))
    with steps("open the dataset"):
        link.click()
        wait.until(ec.url_contains("/dataset/" + cadmium_dataset["name"]))
        headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h1")]
        assert any(title in h for h in headings), headings
