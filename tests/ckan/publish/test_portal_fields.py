"""data.go.kr's file-data fields (issue 15 part 2): a package's ``koreanap:`` portal fields
reach the dataset, its DCAT and its page in the portal's order, with "not stated" where a
field is empty, and come back unchanged in the data package the catalogue serves."""
import json
import re
import shutil

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, SKOS

from ckanext.koreanap.helpers import PORTAL_FIELDS
from koreanap_client.datapackage import dataset_to_descriptor
from koreanap_validation.metadata.dcat import DQV, KNAP, SDO
from koreanap_validation.metadata.shacl import check_graph

from .conftest import PACKAGES
from .test_printability import _page

pytestmark = pytest.mark.usefixtures("with_plugins")

SLUG = "priority-datasets"
PORTAL = {
    "koreanap:classification": ["일반공공행정 - 일반행정"],
    "koreanap:divisionPhone": "044-000-0000",
    "koreanap:nationalPriority": True,
    "koreanap:standardData": False,
}


@pytest.fixture
def published(tmp_path, sysadmin, publish):
    """priority-datasets with four more portal fields stated (next update left out)."""
    folder = tmp_path / SLUG
    shutil.copytree(PACKAGES / SLUG, folder)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert "koreanap:nextUpdate" not in descriptor
    descriptor.update(PORTAL)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    publish(folder, sysadmin["name"])
    return descriptor


def test_fields_reach_the_dataset_and_come_back_in_its_package(published):
    """package_show has the schema's fields; the served data package has the same values."""
    dataset = call_action("package_show", id=SLUG)
    assert dataset["classification"] == "일반공공행정 - 일반행정"
    assert dataset["division_phone"] == "044-000-0000"
    assert (dataset["national_priority"], dataset["standard_data"]) == ("Y", "N")
    assert dataset["fee"] == "free" and dataset["theme"] == ["GOVE"]
    assert dataset["data_limitations"] == published["koreanap:limitations"]["ko"]
    assert dataset["data_limitations_en"] == published["koreanap:limitations"]["en"]
    back = dataset_to_descriptor(dataset)
    for key in (*PORTAL, "koreanap:fee", "koreanap:themes", "koreanap:limitations",
                "koreanap:rights"):
        assert back[key] == published[key], key


def test_fields_are_dcat_and_still_conform(published, app):
    """The classification is a concept of knap:classification beside the EU theme, the fee
    is schema:isAccessibleForFree, the flags are booleans, the limitations a DQV note;
    the graph still conforms to the shapes."""
    graph = Graph().parse(data=app.get(f"/dataset/{SLUG}.ttl").body, format="turtle")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    themes = set(graph.objects(dataset, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE") in themes
    (classification,) = (t for t in themes if graph.value(t, SKOS.inScheme) is not None)
    assert graph.value(classification, SKOS.inScheme) == KNAP.classification
    assert str(graph.value(classification, SKOS.prefLabel)) == "일반공공행정 - 일반행정"
    assert graph.value(dataset, SDO.isAccessibleForFree) == Literal(True)
    assert graph.value(dataset, KNAP.nationalPriority) == Literal(True)
    assert graph.value(dataset, KNAP.standardData) == Literal(False)
    assert graph.value(dataset, DQV.hasQualityAnnotation) is not None
    result = check_graph(graph)
    assert result["conforms"], [r["message"] for r in result["results"]]


def test_page_lists_them_in_the_portals_order(published, app):
    """The dataset page shows the portal's fields first, in its order, in the page's language;
    an empty one says so."""
    korean = _page(app, f"/dataset/{SLUG}")
    order = re.findall(r'class="koreanap-portal-field" data-field="([a-z_]+)"', korean)
    assert order == list(PORTAL_FIELDS)
    row = _row(korean, "next_update_date")
    assert "기재 없음" in row
    assert "일반공공행정 - 일반행정" in _row(korean, "classification")
    assert published["koreanap:limitations"]["ko"][:20] in _row(korean, "data_limitations")
    english = _page(app, f"/en/dataset/{SLUG}")
    assert "Not stated" in _row(english, "next_update_date")
    assert published["koreanap:limitations"]["en"][:20] in _row(english, "data_limitations")


def _row(page: str, field: str) -> str:
    match = re.search(rf'data-field="{field}">(.*?)</tr>', page, re.S)
    assert match, field
    return match.group(1)
