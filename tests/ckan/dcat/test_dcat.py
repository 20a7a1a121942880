"""DCAT endpoints (ckanext-dcat, our profile) serve datasets conforming to our SHACL shapes."""
import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from koreanap_validation.metadata.shacl import check_graph

FULL = {
    "name": "cadmium-survey",
    "title": "식품 중 카드뮴 오염도",
    "title_en": "Cadmium in foods",
    "notes": "식품 중 카드뮴 조사 결과입니다.",
    "notes_en": "Results of the cadmium survey in foods.",
    "license_id": "KOGL-Type-1",
    "update_cycle": "ANNUAL",
    "spatial_coverage": "KR",
    "temporal_start": "2018-01-01",
    "temporal_end": "2020-12-31",
    "contact_name": "공공데이터 담당",
    "contact_name_en": "Open data desk",
    "contact_email": "opendata@example.org",
    "tags": [{"name": "카드뮴"}, {"name": "cadmium"}],
    "resources": [{"name": "survey_results", "url": "http://data.example.org/survey.csv",
                   "format": "CSV"}],
}


@pytest.fixture
def dataset(clean_db, clean_index):
    """A public dataset with every Korean metadata field, owned by an organization."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization(
        name="mfds", title="식품의약품안전처 / Ministry of Food and Drug Safety")
    return call_action("package_create", {"user": sysadmin["name"]}, owner_org=org["id"], **FULL)


def conformance(graph):
    result = check_graph(graph)
    return result["conforms"], "\n".join(
        f'{r["severity"]} {r["path"]}: {r["message"]}' for r in result["results"])


@pytest.mark.parametrize("suffix,fmt", [("ttl", "turtle"), ("jsonld", "json-ld"),
                                        ("rdf", "xml")])
def test_dataset_serialisations_conform(app, dataset, suffix, fmt):
    """/dataset/<name>.ttl, .jsonld and .rdf parse and conform to the shapes."""
    response = app.get(f"/dataset/{dataset['name']}.{suffix}")
    graph = Graph().parse(data=response.body, format=fmt)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
    conforms, text = conformance(graph)
    assert conforms, text


def test_catalog_lists_the_dataset_and_conforms(app, dataset):
    """/catalog.ttl holds the catalogue record and the dataset, conforming to the shapes."""
    graph = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    datasets = list(graph.objects(catalogs[0], DCAT.dataset))
    assert [str(d).rsplit("/", 1)[-1] for d in datasets] == [dataset["id"]]
    conforms, text = conformance(graph)
    assert conforms, text


def test_missing_english_is_reported_by_the_shapes(app, clean_db):
    """A dataset without English text is served, and the shapes name what is missing."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    fields = dict(FULL, name="korean-only", title_en="", notes_en="")
    call_action("package_create", {"user": sysadmin["name"]}, owner_org=org["id"], **fields)
    graph = Graph().parse(data=app.get("/dataset/korean-only.ttl").body, format="turtle")
    conforms, text = conformance(graph)
    assert not conforms
    assert "an English (@en) title is required" in text


def test_dataset_page_embeds_schema_org(app, dataset):
    """The dataset page carries schema.org JSON-LD describing the dataset."""
    body = app.get(f"/dataset/{dataset['name']}").body
    start = body.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    data = json.loads(body[start:body.index("</script>", start)])
    nodes = data.get("@graph", [data])
    assert any(n.get("@type") == "schema:Dataset" or n.get("@type") == "Dataset"
               for n in nodes), nodes


def test_unknown_dataset_is_404(app, clean_db):
    """RDF of a dataset that does not exist answers 404."""
    app.get("/dataset/no-such-dataset.ttl", status=404)
