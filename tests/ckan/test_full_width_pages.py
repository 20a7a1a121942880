"""Pages without a sidebar use the whole width: no empty band on the right, no empty tab
strip above the content."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.mark.parametrize("path", ["/commitments", "/commitments/nap4-01", "/contaminants",
                                  "/dataset/rice/report-error"])
def test_page_has_one_full_width_column(app, path):
    """The page's main column spans the row, with no sidebar and no empty page header."""
    factories.Dataset(name="rice", title="쌀 중 카드뮴", owner_org=factories.Organization()["id"])
    soup = BeautifulSoup(app.get(path, status=200).body, "html.parser")
    main = soup.select_one(".wrapper > .primary[role='main']")
    assert main is not None and "col-12" in main["class"], main and main["class"]
    assert "col-md-9" not in main["class"]
    assert soup.select_one(".wrapper > aside.secondary") is None
    assert soup.select_one(".wrapper .page-header .nav-tabs") is None


def test_site_stylesheet_keeps_korean_words_whole(app):
    """Every page loads the site's stylesheet, which keeps Korean words whole in headers."""
    body = app.get("/commitments", status=200).body
    soup = BeautifulSoup(body, "html.parser")
    links = [link["href"] for link in soup.select("link[rel='stylesheet']")]
    ours = [href for href in links if "koreanap.css" in href]
    assert ours, links
    css = app.get(ours[0], status=200).body
    assert "word-break: keep-all" in css
