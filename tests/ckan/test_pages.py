"""The pages a new user opens first all answer, with the plan introduced."""
import pytest
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def published():
    org = factories.Organization(name="mfds", title="식품의약품안전처")
    return factories.Dataset(owner_org=org["id"], name="rice-cadmium",
                             title="쌀 중 카드뮴은 기준 이하")


def test_home_page_introduces_the_plan_in_korean_and_english(app, published):
    """The home page names the plan and its commitments in Korean, and under /en/ in English."""
    body = app.get("/", status=200).body
    assert "제4차 열린정부 국가실행계획" in body
    for ogp_id in ("KR0043", "KR0045", "KR0046", "KR0047"):
        assert ogp_id in body
    assert "식품의약품안전처" in body
    english = app.get("/en/", status=200).body
    assert "4th Open Government Partnership National Action Plan" in english
    assert "Ministry of Food and Drug Safety" in english


@pytest.mark.ckan_config("ckanext.koreanap.home.show_commitments", "false")
def test_commitment_list_can_be_switched_off(app, published):
    """ckanext.koreanap.home.show_commitments = false hides the list."""
    body = app.get("/", status=200).body
    assert "KR0043" not in body


@pytest.mark.parametrize("url, expect", [
    ("/dataset/", "쌀 중 카드뮴은"),
    ("/dataset/?q=카드뮴", "쌀 중 카드뮴은"),
    ("/dataset/rice-cadmium", "쌀 중 카드뮴은"),
    ("/organization/mfds", "쌀 중 카드뮴은"),
    ("/organization/", "식품의약품안전처"),
])
def test_catalogue_pages_answer(app, published, url, expect):
    """Dataset list, search, dataset, organization pages answer 200 with the dataset."""
    assert expect in app.get(url, status=200).body


def test_api_search_finds_korean_partial_word(app, published):
    """/api/3/action/package_search?q=카드뮴 finds the dataset titled 쌀 중 카드뮴은."""
    response = app.get("/api/3/action/package_search", query_string={"q": "카드뮴"})
    assert response.json["result"]["count"] == 1
    assert response.json["result"]["results"][0]["name"] == "rice-cadmium"


def test_home_page_says_what_is_a_generated_sample(app, published):
    """The home page says which data are generated samples and links the sample filter."""
    body = app.get("/", status=200).body
    assert 'class="alert alert-warning koreanap-home-samples"' in body
    assert "생성한 예시 자료" in body or "generated samples" in body
    assert "/dataset/?data_status=sample" in body or "/dataset?data_status=sample" in body
    english = app.get("/en/", status=200).body
    assert "are generated samples made by this catalogue" in english
