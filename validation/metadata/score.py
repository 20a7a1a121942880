"""An MQA-style metadata score (data.europa.eu Metadata Quality Assessment).

Indicators and points: ``INDICATORS`` below, from the project's
reference/quality-facts.md (data.europa.eu/mqa/methodology as summarised by
mjanez/ckan-mqa). 405 points; bands excellent 351-405, good 221-350,
sufficient 121-220, bad 0-120.

Computed from the DCAT graph (so a CKAN dataset's graph scores the same way).
Distribution-level indicators give points in proportion to the share of
distributions that pass (this project's choice; rounded down per indicator,
so the points always add up to the total). Indicators that need the network
(an URL answering 200) are not checked offline: 0 points, and ``why`` says so.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from .dcat import concepts, descriptor_to_graph, formats
from .shacl import check_graph

MAX_POINTS = 405
BANDS = (  # (lowest total, band), highest first
    (351, "excellent"),
    (221, "good"),
    (121, "sufficient"),
    (0, "bad"),
)

# (id, dimension, max points, level) - level "dataset" or "distribution"
INDICATORS = (
    ("keywords", "findability", 30, "dataset"),
    ("themes", "findability", 30, "dataset"),
    ("spatial", "findability", 20, "dataset"),
    ("temporal", "findability", 20, "dataset"),
    ("access_url_status", "accessibility", 50, "distribution"),
    ("download_url", "accessibility", 20, "distribution"),
    ("download_url_status", "accessibility", 30, "distribution"),
    ("format", "interoperability", 20, "distribution"),
    ("media_type", "interoperability", 10, "distribution"),
    ("format_media_type_vocabulary", "interoperability", 10, "distribution"),
    ("non_proprietary", "interoperability", 20, "distribution"),
    ("machine_readable", "interoperability", 20, "distribution"),
    ("dcat_ap_compliance", "interoperability", 30, "dataset"),
    ("licence", "reusability", 20, "distribution"),
    ("licence_vocabulary", "reusability", 10, "distribution"),
    ("access_rights", "reusability", 10, "dataset"),
    ("access_rights_vocabulary", "reusability", 5, "dataset"),
    ("contact_point", "reusability", 20, "dataset"),
    ("publisher", "reusability", 10, "dataset"),
    ("rights", "contextuality", 5, "distribution"),
    ("byte_size", "contextuality", 5, "distribution"),
    ("issued", "contextuality", 5, "dataset"),
    ("modified", "contextuality", 5, "dataset"),
)
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
NOT_CHECKED_OFFLINE = "not checked offline: needs an HTTP request to the URL"


def band(total: int) -> str:
    """The MQA band of a total."""
    for lowest, name in BANDS:
        if total >= lowest:
            return name
    return "bad"


def _format_key(graph: Graph, distribution) -> str | None:
    """Lower-case format name of a distribution (file-type code or label)."""
    fmt = graph.value(distribution, DCTERMS["format"])
    if fmt is None:
        return None
    if isinstance(fmt, URIRef):
        return str(fmt).rstrip("/").rsplit("/", 1)[-1].lower()
    label = graph.value(fmt, SKOS.prefLabel)
    return str(label).lower() if label is not None else None


def _checks(graph: Graph, dataset, distributions, conforms: bool) -> dict:
    """indicator id -> (passed share 0..1 or None for not checked, why)."""
    fmt = formats()
    file_type_iris = {fmt["file_type_base"] + code for code in fmt["file_types"].values()}
    media_iris = {fmt["media_type_base"] + m for m in fmt["media_types"]}
    licences = {str(c) for c in concepts("kogl-licences.ttl").values()}
    access_vocab = {str(c) for c in concepts("access-rights.ttl").values()}
    n = len(distributions)

    def has(prop):
        return graph.value(dataset, prop) is not None

    def share(test, what):
        if not n:
            return 0.0, "no distributions"
        ok = sum(1 for d in distributions if test(d))
        return ok / n, f"{ok} of {n} distributions {what}"

    def licence_of(d):
        return graph.value(d, DCTERMS.license) or graph.value(dataset, DCTERMS.license)

    keywords = list(graph.objects(dataset, DCAT.keyword))
    access = graph.value(dataset, DCTERMS.accessRights)
    return {
        "keywords": (1.0 if keywords else 0.0, f"{len(keywords)} dcat:keyword"),
        "themes": (1.0 if has(DCAT.theme) else 0.0,
                   "dcat:theme given" if has(DCAT.theme) else "no dcat:theme"),
        "spatial": (1.0 if has(DCTERMS.spatial) else 0.0,
                    "dct:spatial given" if has(DCTERMS.spatial) else "no dct:spatial"),
        "temporal": (1.0 if has(DCTERMS.temporal) else 0.0,
                     "dct:temporal given" if has(DCTERMS.temporal) else "no dct:temporal"),
        "access_url_status": (None, NOT_CHECKED_OFFLINE),
        "download_url": share(lambda d: graph.value(d, DCAT.downloadURL) is not None,
                              "have dcat:downloadURL"),
        "download_url_status": (None, NOT_CHECKED_OFFLINE),
        "format": share(lambda d: graph.value(d, DCTERMS["format"]) is not None,
                        "have dct:format"),
        "media_type": share(lambda d: graph.value(d, DCAT.mediaType) is not None,
                            "have dcat:mediaType"),
        "format_media_type_vocabulary": share(
            lambda d: str(graph.value(d, DCTERMS["format"])) in file_type_iris
            or str(graph.value(d, DCAT.mediaType)) in media_iris,
            "have a format from the EU file-type table or an IANA media type"),
        "non_proprietary": share(lambda d: _format_key(graph, d) in fmt["non_proprietary"],
                                 "have a non-proprietary format"),
        "machine_readable": share(lambda d: _format_key(graph, d) in fmt["machine_readable"],
                                  "have a machine-readable format"),
        "dcat_ap_compliance": (1.0 if conforms else 0.0,
                               "conforms to DCAT-AP 3.0.0 and shapes/koreanap-dcat.ttl"
                               if conforms else
                               "does not conform to DCAT-AP 3.0.0 and shapes/koreanap-dcat.ttl"),
        "licence": share(lambda d: licence_of(d) is not None,
                         "have a licence (own or the dataset's)"),
        "licence_vocabulary": share(lambda d: str(licence_of(d)) in licences,
                                    "have a licence from the KOGL vocabulary"),
        "access_rights": (1.0 if access is not None else 0.0,
                          "dct:accessRights given" if access is not None
                          else "no dct:accessRights"),
        "access_rights_vocabulary": (1.0 if str(access) in access_vocab else 0.0,
                                     "dct:accessRights from the EU access-right table"
                                     if str(access) in access_vocab
                                     else "no dct:accessRights from the EU access-right table"),
        "contact_point": (1.0 if has(DCAT.contactPoint) else 0.0,
                          "dcat:contactPoint given" if has(DCAT.contactPoint)
                          else "no dcat:contactPoint"),
        "publisher": (1.0 if has(DCTERMS.publisher) else 0.0,
                      "dct:publisher given" if has(DCTERMS.publisher) else "no dct:publisher"),
        "rights": share(lambda d: graph.value(d, DCTERMS.rights) is not None,
                        "have dct:rights"),
        "byte_size": share(lambda d: graph.value(d, DCAT.byteSize) is not None,
                           "have dcat:byteSize"),
        "issued": (1.0 if has(DCTERMS.issued) else 0.0,
                   "dct:issued given" if has(DCTERMS.issued) else "no dct:issued"),
        "modified": (1.0 if has(DCTERMS.modified) else 0.0,
                     "dct:modified given" if has(DCTERMS.modified) else "no dct:modified"),
    }


def score_graph(graph: Graph, conforms: bool | None = None) -> dict:
    """Score the (single) dcat:Dataset of a graph.

    ``conforms`` is the SHACL result; when None the shapes are run here.
    """
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    if len(datasets) != 1:
        raise ValueError(f"expected one dcat:Dataset, found {len(datasets)}")
    dataset = datasets[0]
    if conforms is None:
        conforms = check_graph(graph)["conforms"]
    distributions = sorted(graph.objects(dataset, DCAT.distribution))
    checks = _checks(graph, dataset, distributions, conforms)
    indicators = []
    for ident, dimension, maximum, level in INDICATORS:
        passed_share, why = checks[ident]
        points = 0 if passed_share is None else int(maximum * passed_share)
        indicators.append({
            "id": ident,
            "dimension": dimension,
            "level": level,
            "points": points,
            "max": maximum,
            "passed": passed_share == 1.0,
            "checked": passed_share is not None,
            "why": why,
        })
    dimensions = {
        dim: {
            "points": sum(i["points"] for i in indicators if i["dimension"] == dim),
            "max": sum(i["max"] for i in indicators if i["dimension"] == dim),
        }
        for dim in DIMENSIONS
    }
    total = sum(i["points"] for i in indicators)
    return {
        "total": total,
        "max": MAX_POINTS,
        "band": band(total),
        "dimensions": dimensions,
        "indicators": indicators,
    }


def score_metadata(descriptor, dataset_uri: str | None = None,
                   conforms: bool | None = None) -> dict:
    """MQA-style score of a data package (dict, ``datapackage.json`` path or folder)."""
    return score_graph(descriptor_to_graph(descriptor, dataset_uri), conforms)


__all__ = ["BANDS", "INDICATORS", "MAX_POINTS", "band", "score_graph",
           "score_metadata"]
