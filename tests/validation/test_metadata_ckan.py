"""A CKAN dataset dict becomes the same DCAT record as a data package, held to the same shapes."""
import copy

from koreanap_validation.metadata.ckan import dataset_to_record
from koreanap_validation.metadata.dcat import record_to_graph
from koreanap_validation.metadata.score import score_graph
from koreanap_validation.metadata.shacl import check_graph

SITE = "http://catalogue.example.org"

DATASET = {
    "name": "food-contaminants",
    "title": "식품 중 유해물질 오염도",
    "title_en": "Harmful substances in foods",
    "notes": "식품 중 유해물질 오염도 조사 결과",
    "notes_en": "Contamination survey results",
    "license_id": "KOGL-Type-1",
    "license_title": "공공누리 제1유형",
    "license_url": "https://www.kogl.or.kr/info/licenseType1.do",
    "update_cycle": "ANNUAL",
    "spatial_coverage": "KR",
    "temporal_start": "2018-01-01",
    "temporal_end": "2020-12-31",
    "contact_name": "공공데이터 담당",
    "contact_name_en": "Open data desk",
    "contact_email": "opendata@example.org",
    "tags": [{"name": "카드뮴"}, {"name": "cadmium"}],
    "private": False,
    "version": "1.0",
    "metadata_created": "2026-11-27T09:40:01.123456",
    "metadata_modified": "2026-11-27T10:00:00.000001",
    "organization": {"name": "mfds",
                     "title": "식품의약품안전처 / Ministry of Food and Drug Safety"},
    "resources": [{
        "id": "0b9e4c1e-0000-4000-8000-000000000001", "name": "survey_results",
        "url": SITE + "/dataset/food-contaminants/resource/1/download/survey_results.csv",
        "format": "CSV", "mimetype": "text/csv", "size": 1234,
        "hash": "sha256:" + "ab" * 32,
    }],
}


def graph_of(dataset):
    record = dataset_to_record(dataset, SITE + "/dataset/" + dataset["name"],
                               organization_uri=SITE + "/organization/mfds")
    return record_to_graph(record)


def messages(dataset):
    result = check_graph(graph_of(dataset))
    return result["conforms"], {r["message"] for r in result["results"]
                                if r["severity"] == "Violation"}


def test_complete_dataset_conforms_and_scores():
    """A dataset with every Korean field filled conforms to the shapes and scores above half."""
    conforms, violations = messages(DATASET)
    assert conforms, violations
    score = score_graph(graph_of(DATASET), True)
    assert score["total"] > score["max"] / 2


def test_missing_english_and_licence_are_named():
    """Without English texts or a KOGL licence the shapes name each missing piece."""
    dataset = copy.deepcopy(DATASET)
    del dataset["title_en"], dataset["notes_en"]
    dataset["license_id"], dataset["license_url"] = "other-open", None
    conforms, violations = messages(dataset)
    assert not conforms
    assert "dct:title: an English (@en) title is required" in violations
    assert "dct:description: an English (@en) description is required" in violations
    assert any(v.startswith("dct:license") for v in violations)


def test_personal_contact_mailbox_fails():
    """A free-mail address as the contact point is refused (role mailboxes only)."""
    dataset = copy.deepcopy(DATASET)
    dataset["contact_email"] = "kim1234@gmail.com"
    conforms, violations = messages(dataset)
    assert not conforms and any("role mailbox" in v for v in violations)


def test_field_mapping():
    """Record fields come from the scheming fields: languages, publisher, access, sizes."""
    record = dataset_to_record(DATASET, SITE + "/dataset/x")
    assert record["title"] == {"ko": DATASET["title"], "en": DATASET["title_en"]}
    assert record["keywords"] == {"ko": ["카드뮴"], "en": ["cadmium"]}
    assert record["publisher"]["names"] == {"ko": "식품의약품안전처",
                                            "en": "Ministry of Food and Drug Safety"}
    assert record["access_rights"]["value"] == "PUBLIC"
    assert record["licence"]["in_vocabulary"] is True
    (dist,) = record["distributions"]
    assert dist["byte_size"] == 1234 and dist["checksum"]["algorithm"] == "sha256"
    private = dataset_to_record(dict(DATASET, private=True), SITE + "/dataset/x")
    assert private["access_rights"]["value"] == "RESTRICTED"


def test_dataset_without_korean_text_keeps_its_title():
    """An English-only title is kept as English (fallback), not labelled Korean."""
    record = dataset_to_record(dict(DATASET, title="Cadmium survey", title_en=""),
                               SITE + "/dataset/x")
    assert record["title"] == {"en": "Cadmium survey"}


def test_issued_is_the_package_date_not_the_catalogue_load():
    """dct:issued comes from the package's ``created``; without one it is left out."""
    from rdflib.namespace import DCAT, DCTERMS, RDF

    dataset = copy.deepcopy(DATASET)
    graph = graph_of(dataset)
    (node,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(node, DCTERMS.issued) is None
    dataset["datapackage_extra"] = '{"created": "2026-11-27T00:00:00Z"}'
    graph = graph_of(dataset)
    (node,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert str(graph.value(node, DCTERMS.issued)).startswith("2026-11-27T00:00:00")


def test_organization_title_with_english_in_parentheses_is_two_names():
    """"식품의약품안전처 (Ministry of Food and Drug Safety)" gives a @ko and an @en foaf:name."""
    from rdflib.namespace import DCTERMS, FOAF

    dataset = copy.deepcopy(DATASET)
    dataset["organization"]["title"] = "식품의약품안전처 (Ministry of Food and Drug Safety)"
    graph = graph_of(dataset)
    publisher = next(graph.objects(None, DCTERMS.publisher))
    assert {n.language: str(n) for n in graph.objects(publisher, FOAF.name)} == {
        "ko": "식품의약품안전처", "en": "Ministry of Food and Drug Safety"}
