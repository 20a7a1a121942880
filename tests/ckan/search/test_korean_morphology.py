"""Korean morphological analysis (Kiwi) in the index and in queries."""
import pytest
from ckan.tests import factories, helpers


def _names(q):
    result = helpers.call_action("package_search", q=q, rows=100)
    return [r["name"] for r in result["results"]]


@pytest.fixture
def catalogue(clean_db, clean_index):
    org = factories.Organization(name="mfds-morph")

    def make(name, title, notes=""):
        return factories.Dataset(name=name, title=title, notes=notes, owner_org=org["id"])
    return make


@pytest.mark.parametrize("q", ["식품의", "유해물질을", "오염도는", "조사하였다"])
def test_particles_and_endings_do_not_matter(catalogue, q):
    """A query word with a particle or ending finds the bare noun or stem."""
    catalogue("food", "식품 중 유해물질 오염도 조사")
    catalogue("other", "건축물대장 표제부")
    assert _names(q) == ["food"]


@pytest.mark.parametrize("q, indexed", [
    ("곰팡이독소", "곡류 중 곰팡이 독소 조사"),
    ("곰팡이 독소", "곡류 중 곰팡이독소 조사"),
    ("문화유산", "문화 유산 3차원 스캔"),
    ("유해 물질", "식품 중 유해물질 오염도"),
])
def test_compounds_match_their_parts(catalogue, q, indexed):
    """A compound finds its parts written apart, and the parts find the compound."""
    catalogue("target", indexed)
    catalogue("other", "건축물대장 표제부")
    assert _names(q) == ["target"]


def test_whole_morpheme_match_ranks_above_an_ngram_match(catalogue):
    """도로 (road) as a word ranks above 도로 inside 보도로 (보도 + particle 로)."""
    catalogue("roads", "도로 현황")
    catalogue("sidewalks", "보행자 보도로 조사")  # newer: first if the two tied
    assert _names("도로") == ["roads", "sidewalks"]


def test_character_ngrams_still_find_parts_of_words(catalogue):
    """The n-gram fallback stays for recall: part of a word still matches."""
    catalogue("cadmium", "쌀 중 카드뮴은 기준 이하")
    assert _names("드뮴") == ["cadmium"]
    assert _names("카드뮴") == ["cadmium"]
