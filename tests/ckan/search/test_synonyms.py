"""The synonym table (search/synonyms.csv): data with sources, applied to queries."""
import csv
import pathlib

import pytest
from ckan.tests import factories, helpers

import ckanext.koreanap.search as search_package

TABLE = pathlib.Path(search_package.__file__).with_name("synonyms.csv")


def _rows():
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_entry_has_terms_and_a_source():
    """Each set names at least two terms and where the equivalence comes from;
    no term belongs to two sets (a query would not know which one it means)."""
    seen = set()
    for row in _rows():
        terms = [t.strip().casefold() for t in row["terms"].split("|")]
        assert len(terms) >= 2 and all(terms), row
        assert row["source"].strip(), row
        assert not seen & set(terms), row
        seen |= set(terms)


def _names(q):
    return [r["name"] for r in helpers.call_action("package_search", q=q)["results"]]


@pytest.fixture
def catalogue(clean_db, clean_index):
    org = factories.Organization()
    factories.Dataset(name="gate", title="숭례문 3D 스캔", owner_org=org["id"])
    factories.Dataset(name="bell", title="성덕대왕신종 3D 모델", owner_org=org["id"])
    factories.Dataset(name="rice-ko", title="쌀 중 카드뮴 조사", owner_org=org["id"])
    factories.Dataset(name="fish-en", title="Mercury in fish", owner_org=org["id"])


@pytest.mark.parametrize("q, name", [
    ("남대문", "gate"),          # the everyday name of 숭례문
    ("남대문을", "gate"),        # with a particle
    ("Namdaemun", "gate"),
    ("에밀레종", "bell"),
    ("cadmium", "rice-ko"),      # English finds Korean
    ("수은", "fish-en"),         # and Korean finds English
])
def test_a_synonym_finds_the_dataset(catalogue, q, name):
    """A query finds datasets that use another term of the same set."""
    assert _names(q) == [name]
