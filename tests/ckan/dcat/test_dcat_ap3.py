"""The four real data packages, published, are served as DCAT that conforms to
the official DCAT-AP 3.0.0 shapes on every endpoint (catalogue, .ttl, .jsonld,
.rdf), and says what the packages say: SHA-256 checksums, one literal per
language, the packages' own issue dates."""
import json
import pathlib
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from koreanap_validation.metadata.dcat import SPDX
from koreanap_validation.metadata.shacl import check_dcat_ap

PACKAGES = pathlib.Path(__file__).resolve().parents[3] / "datapackages"
SLUGS = ("food-contaminants", "cultural-heritage-3d", "priority-datasets",
         "ogp-nap4-commitments")
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")

# Recommended properties the data truly lacks (sh:Warning, by result path):
# no planned availability is declared for any file; a country IRI has no
# bounding box or centroid here; priority-datasets and cultural-heritage-3d
# state no single time period; the plan's licence ("other-open") and the
# project that runs the catalogue have no ADMS type; the catalogue's own
# metadata has no declared licence.
ALLOWED_WARNINGS = {"dcatap:availability", "dcat:bbox", "dcat:centroid", "dct:temporal",
                    "dct:type", "dct:license"}


def _work_off_queue(_seconds=None):
    """Run the validation jobs publish queued, in this process, until none is left."""
    from ckan import model
    from ckan.lib import jobs

    model.Session.commit()
    jobs.Worker().work(burst=True)
    model.Session.remove()


@pytest.fixture
def published(clean_db, clean_index, with_request_context, with_test_worker):
    """The four packages of datapackages/, published by a sysadmin as ``koreanap publish`` does."""
    import ckanapi
    from ckan.tests import factories

    from koreanap_client.publishing import Publisher
    from koreanap_validation.inputs import open_input

    sysadmin = factories.Sysadmin()
    publisher = Publisher(ckanapi.LocalCKAN(username=sysadmin["name"]), echo=lambda _: None,
                          retries=1, backoff=0, sleep=_work_off_queue)
    for slug in SLUGS:
        with open_input(str(PACKAGES / slug)) as prepared:
            publisher.publish(prepared.descriptor, prepared.basepath, organization=None)
    return SLUGS


def _report(result):
    return result["text"] + "\n".join(
        f'{r["severity"]} {r["path"]}: {r["message"]}' for r in result["results"])


def _graph(app, url, fmt):
    return Graph().parse(data=app.get(url).body, format=fmt)


def test_the_published_packages_dcat(app, published):
    """Publishing the four packages takes about 20 s, so one test reads what they serve;
    each check below is its own function and names itself in a failure."""
    _every_endpoint_conforms_to_dcat_ap_3(app, published)
    _catalogue_record_is_complete(app, published)
    _datasets_say_what_their_packages_say(app, published)
    _a_resource_description_in_both_languages_gets_both(app, published)


def _every_endpoint_conforms_to_dcat_ap_3(app, published):
    """/catalog.ttl and each dataset's .ttl, .jsonld and .rdf: 0 violations, only known warnings."""
    endpoints = [("/catalog.ttl", "turtle")] + [
        (f"/dataset/{slug}.{suffix}", fmt) for slug in published
        for suffix, fmt in FORMATS.items()]
    for url, fmt in endpoints:
        result = check_dcat_ap(_graph(app, url, fmt))
        assert result["conforms"], f"{url}\n{_report(result)}"
        warnings = {r["path"] for r in result["results"] if r["severity"] == "Warning"}
        assert warnings <= ALLOWED_WARNINGS, f"{url}\n{_report(result)}"


def _catalogue_record_is_complete(app, published):
    """The catalogue has Korean and English title and description, a publisher,
    EU language IRIs, a typed homepage, the data-theme taxonomy and an issue date."""
    graph = _graph(app, "/catalog.ttl", "turtle")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert {t.language for t in graph.objects(catalog, DCTERMS.title)} == {"ko", "en"}
    assert {t.language for t in graph.objects(catalog, DCTERMS.description)} == {"ko", "en"}
    assert set(graph.objects(catalog, DCTERMS.language)) >= {URIRef(LANGUAGE + "KOR")}
    assert all(isinstance(v, URIRef) for v in graph.objects(catalog, DCTERMS.language))
    assert (graph.value(catalog, FOAF.homepage), RDF.type, FOAF.Document) in graph
    assert graph.value(graph.value(catalog, DCTERMS.publisher), FOAF.name) is not None
    assert graph.value(catalog, DCAT.themeTaxonomy) is not None
    assert graph.value(catalog, DCTERMS.issued) is not None
    assert len(list(graph.objects(catalog, DCAT.dataset))) == len(published)


def _datasets_say_what_their_packages_say(app, published):
    """Checksums of 64 hex digits are SHA-256; titles, publisher names and resource
    descriptions are one literal per language; dct:issued is the package's ``created``."""
    for slug in published:
        descriptor = json.loads((PACKAGES / slug / "datapackage.json").read_text("utf-8"))
        graph = _graph(app, f"/dataset/{slug}.ttl", "turtle")
        (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
        assert graph.value(dataset, DCTERMS.issued).toPython().date().isoformat() == \
            descriptor["created"][:10]
        publisher = graph.value(dataset, DCTERMS.publisher)
        assert {n.language: str(n) for n in graph.objects(publisher, FOAF.name)} == \
            descriptor["koreanap:publisher"]["name"]
        for checksum in graph.objects(None, SPDX.checksum):
            value = str(graph.value(checksum, SPDX.checksumValue))
            assert len(value) == 64
            assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        for node in [dataset, *graph.objects(dataset, DCAT.distribution)]:
            for prop in (DCTERMS.title, DCTERMS.description):
                texts = list(graph.objects(node, prop))
                assert all(isinstance(t, Literal) and t.language in ("ko", "en")
                           for t in texts), (node, prop, texts)
                assert len({t.language for t in texts}) == len(texts), (node, prop, texts)
                assert not any(" / " in t and HANGUL.search(t) and LATIN.search(t)
                               for t in texts), f"one literal for two languages: {texts}"
        titles = {str(t) for d in graph.objects(dataset, DCAT.distribution)
                  for t in graph.objects(d, DCTERMS.title) if t.language == "ko"}
        assert titles, f"{slug}: no Korean resource title"


def _a_resource_description_in_both_languages_gets_both(app, published):
    """survey_results is described in English and in Korean: two literals, each whole."""
    graph = _graph(app, "/dataset/food-contaminants.ttl", "turtle")
    (dist,) = [d for d in graph.subjects(RDF.type, DCAT.Distribution)
               if any("Survey results" in t for t in graph.objects(d, DCTERMS.title))]
    texts = {t.language: str(t) for t in graph.objects(dist, DCTERMS.description)}
    assert texts["ko"].startswith("예시 자료이며 공식 측정값이 아닙니다")
    assert texts["en"].startswith("ILLUSTRATIVE SAMPLE") and "예시" not in texts["en"]
