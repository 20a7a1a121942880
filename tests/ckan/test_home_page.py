"""The home page shows key figures, the plan's open-data commitments as cards and the
newest datasets, counting public datasets only."""
import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.lib.search import rebuild
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_redis")


@pytest.fixture
def catalogue():
    """A public dataset of KR0043 whose table has 1,234 rows (valid), a private one with
    more rows, a KR0045 dataset, and two error reports on the public dataset: one answered
    within its deadline, one open."""
    from ckanext.koreanap.pipeline import model as kmodel

    sysadmin = factories.Sysadmin()
    org = factories.Organization(title="식품의약품안전처")
    rice = factories.Dataset(owner_org=org["id"], name="rice", title="쌀 중 카드뮴",
                             commitment="KR0043", data_status="sample",
                             resources=[{"url": "http://example.org/a.csv", "name": "표"}])
    secret = factories.Dataset(owner_org=org["id"], name="secret", title="비공개 자료",
                               private=True, commitment="KR0043",
                               resources=[{"url": "http://example.org/b.csv", "name": "표"}])
    factories.Dataset(owner_org=org["id"], name="scans", title="문화유산 3D",
                      commitment="KR0045")
    kmodel.set_status(rice["resources"][0]["id"], rice["id"], "valid", datastore_rows=1234)
    kmodel.set_status(secret["resources"][0]["id"], secret["id"], "valid", datastore_rows=99999)
    model.Session.commit()
    rebuild(rice["id"])
    rebuild(secret["id"])
    admin = {"user": sysadmin["name"], "ignore_auth": False}
    codes = [helpers.call_action("koreanap_error_report_create", {"user": "", "ignore_auth": False},
                                 package_id="rice", category="wrong_value",
                                 description="2019년 쌀 카드뮴 값의 단위가 틀렸습니다.")["code"]
             for _ in range(2)]
    for status in ("accepted", "answered"):
        extra = {"resolution": "resolved", "answer": "고쳤습니다."} if status == "answered" else {}
        helpers.call_action("koreanap_error_report_update", admin, id=codes[0], status=status,
                            **extra)
    return {"rice": rice}


def _figures(body):
    soup = BeautifulSoup(body, "html.parser")
    return {dd["data-figure"]: dd.get_text(strip=True)
            for dd in soup.select(".koreanap-figures [data-figure]")}


def test_key_figures_count_public_datasets(app, catalogue):
    """Datasets, rows published, valid datasets and error reports answered in time count only
    public datasets (the private one's 99,999 rows are not published)."""
    assert _figures(app.get("/", status=200).body) == {
        "datasets": "2", "rows": "1,234", "valid": "1 / 2",
        "reports-in-time": "1 / 1", "reports-received": "2"}


def test_figures_action_is_open_and_public_only(app, catalogue):
    """koreanap_catalogue_figures answers anonymous callers with the same public figures."""
    result = app.get("/api/3/action/koreanap_catalogue_figures", status=200).json["result"]
    assert result["datasets"] == 2 and result["rows"] == 1234
    assert result["validation"] == {"valid": 1}
    assert result["reports"] == {"received": 2, "answered": 1, "answered_in_time": 1,
                                 "open_overdue": 0}


def test_commitment_cards(app, catalogue):
    """Each open-data commitment is a card with its lead agency, public datasets, validation
    and sample status; a renamed agency shows its current name with the plan-era one."""
    soup = BeautifulSoup(app.get("/", status=200).body, "html.parser")
    cards = {li["data-ogp-id"]: " ".join(li.get_text(" ", strip=True).split())
             for li in soup.select(".koreanap-home-commitments .koreanap-commitment")}
    assert sorted(cards) == ["KR0043", "KR0045", "KR0046", "KR0047"]
    assert "데이터셋 1개" in cards["KR0043"] and "검증 통과" in cards["KR0043"]
    assert "생성한 예시 자료" in cards["KR0043"], cards["KR0043"]
    assert "국가유산청(당시 문화재청)" in cards["KR0045"], cards["KR0045"]
    assert "데이터셋 0개" in cards["KR0046"]
    english = BeautifulSoup(app.get("/en/", status=200).body, "html.parser")
    card = english.select_one(".koreanap-commitment[data-ogp-id='KR0045']").get_text(" ")
    # the plan's own words for the agency, as on /en/commitments
    assert "Korea Heritage Service, formerly Culture Heritage Administration" in card


def test_newest_datasets_leave_private_ones_out(app, catalogue):
    """The newest datasets list shows public datasets, newest first, and no private one."""
    soup = BeautifulSoup(app.get("/", status=200).body, "html.parser")
    titles = [a.get_text(strip=True)
              for a in soup.select(".koreanap-home-newest .dataset-heading a")]
    assert titles[:2] == ["문화유산 3D", "쌀 중 카드뮴"], titles
    assert "비공개 자료" not in titles
