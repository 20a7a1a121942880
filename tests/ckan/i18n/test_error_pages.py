"""Error pages speak the page's language inside the site's layout."""
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.usefixtures("clean_db")


def _page(body):
    soup = BeautifulSoup(body, "html.parser")
    error = soup.select_one("#error-content")
    assert error is not None, body[:500]
    return soup, " ".join(error.get_text(" ", strip=True).split())


def test_korean_404_page(app):
    """An unknown address answers 404 with a Korean heading and hint, no werkzeug English,
    in the site's layout (header navigation, language switcher)."""
    soup, text = _page(app.get("/no-such-page", status=404).body)
    assert soup.select_one("#error-content h1").get_text(strip=True) == "페이지를 찾을 수 없습니다"
    assert "오류 404" in text and "철자를 확인해 주세요" in text, text
    assert "Not Found" not in text and "requested URL" not in text, text
    assert soup.select_one(".koreanap-lang-switch") is not None
    assert soup.select_one("header .navigation, header nav") is not None


def test_english_404_page(app):
    """/en/... answers the same page in English."""
    soup, text = _page(app.get("/en/no-such-page", status=404).body)
    assert soup.select_one("#error-content h1").get_text(strip=True) == "Page not found"
    assert "페이지를 찾을 수 없습니다" not in text


def test_missing_dataset_keeps_ckans_reason_in_korean(app):
    """A missing dataset's page keeps CKAN's reason, translated."""
    _soup, text = _page(app.get("/dataset/no-such-dataset", status=404).body)
    assert "데이터셋이 없거나 볼 권한이 없습니다" in text, text
    assert "permission" not in text, text


@pytest.mark.own_app  # it adds a failing route
def test_internal_error_page_is_korean(app):
    """A server error answers 500 with a Korean heading and no internal detail."""
    from werkzeug.exceptions import InternalServerError

    def fail():
        raise InternalServerError("psycopg2.OperationalError: connection refused")

    app.flask_app.add_url_rule("/koreanap-test-fails", "koreanap_test_fails", fail)
    soup, text = _page(app.get("/koreanap-test-fails", status=500).body)
    heading = soup.select_one("#error-content h1").get_text(strip=True)
    assert heading == "서버에서 오류가 발생했습니다", heading
    assert "psycopg2" not in text and "Internal Server Error" not in text, text


def test_ckans_list_form_of_the_internal_error_code(app):
    """CKAN's handler of unexpected exceptions passes the code as [500]: still the 500 page."""
    from ckanext.koreanap.helpers import koreanap_error_page

    with app.flask_app.test_request_context("/"):
        page = koreanap_error_page([500], "Internal server error")
    assert page["code"] == 500 and page["detail"] == ""
    assert page["title"] in ("서버에서 오류가 발생했습니다", "Something went wrong on our side")
