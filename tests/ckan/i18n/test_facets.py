"""/dataset's facets and sort control read in the page's language, not as stored codes."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _facet_items(body):
    """{facet title: [item labels]} of the search page's facet lists."""
    soup = BeautifulSoup(body, "html.parser")
    found = {}
    for section in soup.select("section.module-narrow"):
        heading = section.select_one(".module-heading")
        if heading is None:
            continue
        found[heading.get_text(" ", strip=True)] = [
            " ".join(a.select_one(".item-label").get_text(" ", strip=True).split())
            for a in section.select("li.nav-item a") if a.select_one(".item-label")]
    return found


@pytest.fixture
def dataset():
    org = factories.Organization(title="식품의약품안전처")
    return factories.Dataset(owner_org=org["id"], commitment="KR0043", data_status="sample",
                             ogp_values=["access_to_information", "civic_participation"])


def test_korean_facets_show_labels(app, dataset):
    """On /dataset the OGP values, commitment and data status show Korean labels, no codes."""
    facets = _facet_items(app.get("/dataset/", status=200).body)
    assert "정보 접근성" in facets["OGP 가치"] and "시민 참여" in facets["OGP 가치"], facets
    assert facets["자료 성격"] == ["생성한 예시 자료"], facets
    commitment = facets["과제"]
    assert commitment == ["KR0043 식품 중 유해물질 함량 공개"], commitment  # the plan package's
    shown = [label for labels in facets.values() for label in labels]
    assert "access_to_information" not in shown and "sample" not in shown, shown


def test_english_facets_show_english_labels(app, dataset):
    """/en/dataset shows the same facets with English labels."""
    facets = _facet_items(app.get("/en/dataset/", status=200).body)
    assert "Access to information" in facets["OGP values"], facets
    assert facets["Data status"] == ["generated sample"], facets
    [commitment] = facets["Commitment"]  # the plan's title, cut short by CKAN's facet list
    assert commitment.startswith("KR0043 Disclosure of the Amount of"), facets


def test_api_facets_carry_the_label_as_display_name(app, dataset):
    """The search API keeps the code as a facet item's name and gives its label as display_name."""
    result = app.get("/api/3/action/package_search",
                     query_string={"facet.field": '["data_status"]'}, status=200).json["result"]
    data_status = result["search_facets"]["data_status"]["items"]
    assert [(i["name"], i["display_name"]) for i in data_status] == [("sample", "생성한 예시 자료")]


def test_searches_outside_a_request_keep_the_codes(dataset):
    """A search made by a background job (no request, so no page language) keeps the codes."""
    result = helpers.call_action("package_search", q="*:*",
                                 **{"facet.field": '["data_status"]'})
    items = result["search_facets"]["data_status"]["items"]
    assert [(i["name"], i["display_name"]) for i in items] == [("sample", "sample")]


def test_validation_states_are_labelled(app):
    """Each validation state a dataset can have gets the label of the dataset page's badge."""
    from ckanext.koreanap import facets

    facet = {"validation_status": {"items": [{"name": s, "display_name": s, "count": 1}
                                             for s in ("valid", "invalid", "error", "pending")]}}
    with app.flask_app.test_request_context("/dataset/"):
        facets.localize(facet)
    labels = [i["display_name"] for i in facet["validation_status"]["items"]]
    assert labels == ["검증 통과", "검증 실패", "검증 오류", "검증 대기"]


def test_sort_control_reads_as_korean(app, dataset):
    """The sort control's label is a whole Korean phrase, not CKAN's fragment '로 정렬'."""
    soup = BeautifulSoup(app.get("/dataset/", status=200).body, "html.parser")
    label = soup.select_one("label[for='field-order-by']").get_text(strip=True)
    assert label == "정렬 기준", label
