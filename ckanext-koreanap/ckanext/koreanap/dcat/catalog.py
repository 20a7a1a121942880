"""What ckanext-dcat's catalogue record lacks for DCAT-AP 3.0.0.

ckanext-dcat writes ``dcat:Catalog`` from CKAN's settings: ``ckan.site_title``
as one untagged literal, ``ckan.site_description`` only when set,
``ckan.locale_default`` as a literal (``"ko_KR"``) and ``ckan.site_url`` as an
untyped homepage, with no publisher. DCAT-AP 3.0.0 requires a description and
a publisher, language IRIs of the EU table and a typed homepage; it
recommends a theme taxonomy, an issue date and spatial coverage. This module
adds them, in Korean and English, leaving out what the catalogue cannot say
truthfully (a licence for its metadata: none has been declared).
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from koreanap_validation.metadata.dcat import (
    COUNTRY,
    LANGUAGE,
    add_concept,
    language_of,
    split_languages,
    vocabulary_of,
)

DATA_THEMES = URIRef("http://publications.europa.eu/resource/authority/data-theme")

# Said of the catalogue by the project's README (its first paragraph).
DESCRIPTION = {
    "ko": "대한민국 제4차 열린정부파트너십(OGP) 국가실행계획(2018–2020)의 공공데이터 "
          "과제를 위한 데이터 카탈로그입니다.",
    "en": "Open-data catalogue for the open-data commitments of Korea's 4th Open "
          "Government Partnership National Action Plan (2018–2020).",
}
# Who runs the catalogue: the project, as the data packages name it.
PUBLISHER = {"ko": "ckanext-koreanap 프로젝트", "en": "ckanext-koreanap project"}

_LANGUAGE_CODES = {"ko": "KOR", "en": "ENG"}


def _texts(graph: Graph, subject, prop, fallback: dict[str, str]) -> None:
    """Replace untagged literals of ``prop`` by one literal per language."""
    texts: dict[str, str] = {}
    for value in list(graph.objects(subject, prop)):
        if isinstance(value, Literal) and not value.language:
            graph.remove((subject, prop, value))
            texts.update(split_languages(str(value), " / ") or {})
        elif isinstance(value, Literal):
            texts.setdefault(value.language, str(value))
    for lang, text in (texts or fallback).items():
        graph.add((subject, prop, Literal(text, lang=lang)))


def _languages(config) -> list[str]:
    codes = []
    offered = config.get("ckan.locales_offered") or []
    if isinstance(offered, str):
        offered = offered.split()
    for locale in [config.get("ckan.locale_default") or "en", *offered]:
        code = _LANGUAGE_CODES.get(str(locale).split("_")[0].lower())
        if code and code not in codes:
            codes.append(code)
    return codes


def complete_catalog(graph: Graph, catalog, config, first_issued=None) -> None:
    """Add to ``catalog`` what DCAT-AP 3.0.0 requires and recommends.

    :param graph: the graph ckanext-dcat wrote the catalogue record into
    :param catalog: the ``dcat:Catalog`` node
    :param config: CKAN's config (site title, description, URL, locales)
    :param first_issued: when the catalogue first published a dataset, or None
    """
    _texts(graph, catalog, DCTERMS.title, {"en": str(config.get("ckan.site_title") or "")})
    description = {language_of(t): t for t in [config.get("ckan.site_description")] if t}
    _texts(graph, catalog, DCTERMS.description, description or DESCRIPTION)

    for value in list(graph.objects(catalog, DCTERMS.language)):
        if isinstance(value, Literal):  # "ko_KR": the EU table's IRI instead
            graph.remove((catalog, DCTERMS.language, value))
    for code in _languages(config):
        add_concept(graph, catalog, DCTERMS.language, LANGUAGE[code], DCTERMS.LinguisticSystem)

    for homepage in graph.objects(catalog, FOAF.homepage):
        graph.add((homepage, RDF.type, FOAF.Document))

    if graph.value(catalog, DCTERMS.publisher) is None:
        publisher = BNode()
        graph.add((catalog, DCTERMS.publisher, publisher))
        graph.add((publisher, RDF.type, FOAF.Agent))
        for lang, name in PUBLISHER.items():
            graph.add((publisher, FOAF.name, Literal(name, lang=lang)))

    graph.add((catalog, DCAT.themeTaxonomy, DATA_THEMES))
    graph.add((DATA_THEMES, RDF.type, SKOS.ConceptScheme))
    for title in vocabulary_of("data-themes.ttl").objects(DATA_THEMES, DCTERMS.title):
        graph.add((DATA_THEMES, DCTERMS.title, title))

    if first_issued is not None and graph.value(catalog, DCTERMS.issued) is None:
        graph.add((catalog, DCTERMS.issued, Literal(first_issued.date())))

    spatial = URIRef(str(COUNTRY.KOR))
    graph.add((catalog, DCTERMS.spatial, spatial))
    graph.add((spatial, RDF.type, DCTERMS.Location))
