"""Resources are described in Korean and in English (issue 15 part 1): a package's
``description`` (English) and ``koreanap:description_ko`` become the resource's
``description`` / ``description_en`` pair, read in the page's language, one DCAT literal
per language, English words still find the dataset, and the data package the catalogue
serves gives both back."""
import json
import re

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS

from .conftest import PACKAGES
from .test_printability import _page

pytestmark = pytest.mark.usefixtures("with_plugins")

SLUG = "food-contaminants"
HANGUL = re.compile("[가-힣]")


@pytest.fixture
def published(sysadmin, publish):
    publish(PACKAGES / SLUG, sysadmin["name"])
    descriptor = json.loads((PACKAGES / SLUG / "datapackage.json").read_text(encoding="utf-8"))
    return call_action("package_show", id=SLUG), {
        r["name"]: r for r in descriptor["resources"]}


def test_every_resource_of_the_four_packages_is_described_in_both_languages():
    for folder in sorted(PACKAGES.glob("*/datapackage.json")):
        for resource in json.loads(folder.read_text(encoding="utf-8"))["resources"]:
            where = f"{folder.parent.name}/{resource['name']}"
            assert resource.get("description"), where
            assert HANGUL.search(resource.get("koreanap:description_ko") or ""), where


def test_the_pair_reaches_the_resource_and_comes_back(published):
    dataset, given = published
    for resource in dataset["resources"]:
        source = given[resource["datapackage_name"]]
        assert resource["description"] == source["koreanap:description_ko"]
        assert resource["description_en"] == source["description"]
    served = {r["name"]: r for r in call_action("koreanap_datapackage_show", id=SLUG)[
        "resources"]}
    for name, source in given.items():
        assert served[name]["description"] == source["description"]
        assert served[name]["koreanap:description_ko"] == source["koreanap:description_ko"]
        assert "description_en" not in served[name]


def test_pages_show_the_page_language(published, app):
    dataset, given = published
    resource = next(r for r in dataset["resources"] if r["datapackage_name"] == "substances")
    korean, english = (given["substances"]["koreanap:description_ko"],
                       given["substances"]["description"])
    url = f"/dataset/{SLUG}/resource/{resource['id']}"
    page = _page(app, url)
    assert korean.split()[0] in page and english.split(":")[0] not in page
    page = _page(app, "/en" + url)
    assert english.split(":")[0] in page and korean.split()[0] not in page


def test_dcat_has_one_description_per_language(published, app):
    dataset, given = published
    graph = Graph().parse(data=app.get(f"/dataset/{SLUG}.ttl").body, format="turtle")
    found = {}
    for dist in graph.objects(None, DCAT.distribution):
        title = {str(t) for t in graph.objects(dist, DCTERMS.title)}
        found[frozenset(title)] = {(str(d), d.language) for d in graph.objects(
            dist, DCTERMS.description) if isinstance(d, Literal)}
    substances = given["substances"]
    pair = {(substances["koreanap:description_ko"], "ko"), (substances["description"], "en")}
    assert pair in found.values()


def test_english_words_of_a_resource_description_find_the_dataset(published):
    """CKAN indexes a resource's ``description`` (now Korean); the English one is indexed
    too, so a word found only there still finds the dataset."""
    dataset, given = published
    others = " ".join([dataset.get("notes") or "", dataset.get("notes_en") or "",
                       dataset["title"], dataset.get("title_en") or ""]).lower()
    words = [w for w in re.findall(r"[a-z]{6,}", given["substances"]["description"].lower())
             if w not in others]
    assert words, "the substances description has a word of its own"
    found = call_action("package_search", q=words[0])
    assert [d["name"] for d in found["results"]] == [SLUG], words[0]
