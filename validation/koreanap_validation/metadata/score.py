"""An MQA-style metadata score (data.europa.eu Metadata Quality Assessment).

Indicators and points: ``INDICATORS`` below, from the project's
reference/quality-facts.md (data.europa.eu/mqa/methodology as summarised by
mjanez/ckan-mqa). 405 points; bands excellent 351-405, good 221-350,
sufficient 121-220, bad 0-120.

Computed from the DCAT graph (so a CKAN dataset's graph scores the same way).
Distribution-level indicators give points in proportion to the share of
distributions that pass (this project's choice; rounded down per indicator,
so the points always add up to the total).

The two URL-status indicators use ``links``: ``{url: {"ok", "status",
"method", "checked", "message"}}``, what a link check recorded for each
distribution URL (the catalogue's background check, see
``ckanext/koreanap/linkcheck.py``; for a package on disk, :mod:`.links`
checks that each file a relative path names is there). Without ``links``
they are not checked: 0 points, and ``why`` says so. Every indicator also
says ``how`` its points are raised.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from .dcat import concepts, descriptor_to_graph, formats, load_descriptor
from .links import package_folder, package_links
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

# How each indicator's points are raised (shown beside ``why``).
HOW = {
    "keywords": "give keywords in Korean and English (data package: keywords)",
    "themes": "give EU data themes (koreanap:themes, e.g. HEAL; dataset field: theme)",
    "spatial": "give the spatial coverage (koreanap:spatial, e.g. KR)",
    "temporal": "give the period the data covers (koreanap:temporal {start, end})",
    "access_url_status": "make every file reachable: a package file must exist at its path; "
                         "in the catalogue a URL must answer HEAD or a ranged GET with 2xx "
                         "(check links again after fixing)",
    "download_url": "give every resource a path or URL (its dcat:downloadURL)",
    "download_url_status": "as for the access URL: every download URL must answer 2xx",
    "format": "give every resource a format (csv, json, stl …)",
    "media_type": "give every resource its IANA media type (mediatype, e.g. text/csv)",
    "format_media_type_vocabulary": "use a format of the EU file-type table or an IANA "
                                    "media type listed in vocabularies/formats.json",
    "non_proprietary": "publish (also) in a non-proprietary format such as CSV or JSON",
    "machine_readable": "publish (also) in a machine-readable format such as CSV or JSON",
    "dcat_ap_compliance": "fix every SHACL violation listed in the metadata results",
    "licence": "give the package a licence (licenses)",
    "licence_vocabulary": "use a KOGL type or CC BY 4.0 (kogl-licences.ttl)",
    "access_rights": "state the access rights (koreanap:accessRights, e.g. PUBLIC)",
    "access_rights_vocabulary": "use PUBLIC, RESTRICTED or NON_PUBLIC",
    "contact_point": "give a contact point (koreanap:contactPoint)",
    "publisher": "name the publisher (koreanap:publisher)",
    "rights": "state the rights of use (koreanap:rights, for every resource)",
    "byte_size": "give every resource its size (bytes; computed from the file on disk)",
    "issued": "give the date the data was issued (created or koreanap:issued)",
    "modified": "give the date it was last modified (koreanap:modified)",
}


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


def _link_share(graph: Graph, distributions, prop, links: dict | None, what: str):
    """(share, why) of distributions whose ``prop`` URL a link check found answering."""
    if links is None:
        return None, NOT_CHECKED_OFFLINE
    if not distributions:
        return 0.0, "no distributions"
    ok = unchecked = 0
    dates = set()
    for dist in distributions:
        url = graph.value(dist, prop)
        found = links.get(str(url)) if url is not None else None
        if found is None:
            unchecked += 1
        elif found.get("ok"):
            ok += 1
        if found and found.get("checked"):
            dates.add(str(found["checked"])[:10])
    why = f"{ok} of {len(distributions)} distributions' {what} answered"
    if unchecked:
        why += f" ({unchecked} not checked)"
    if dates:
        why += " (checked {})".format(", ".join(sorted(dates)))
    return ok / len(distributions), why


def _checks(graph: Graph, dataset, distributions, conforms: bool,
            links: dict | None = None) -> dict:
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
        "access_url_status": _link_share(graph, distributions, DCAT.accessURL, links,
                                         "dcat:accessURL"),
        "download_url": share(lambda d: graph.value(d, DCAT.downloadURL) is not None,
                              "have dcat:downloadURL"),
        "download_url_status": _link_share(graph, distributions, DCAT.downloadURL, links,
                                           "dcat:downloadURL"),
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


def score_graph(graph: Graph, conforms: bool | None = None,
                links: dict | None = None) -> dict:
    """Score the (single) dcat:Dataset of a graph.

    :param conforms: the SHACL result; when None the shapes are run here
    :param links: ``{url: {"ok", ...}}`` from a link check, or None (not checked)
    """
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    if len(datasets) != 1:
        raise ValueError(f"expected one dcat:Dataset, found {len(datasets)}")
    dataset = datasets[0]
    if conforms is None:
        conforms = check_graph(graph)["conforms"]
    distributions = sorted(graph.objects(dataset, DCAT.distribution))
    checks = _checks(graph, dataset, distributions, conforms, links)
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
            "how": HOW[ident],
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
                   conforms: bool | None = None, basepath=None) -> dict:
    """MQA-style score of a data package (dict, ``datapackage.json`` path or folder).

    :param basepath: the package's folder (default: the folder ``descriptor``
        names, if it names one): sizes missing from the descriptor are read from
        the files, and the URL-status indicators check the files are there
    """
    loaded = load_descriptor(descriptor)
    basepath = basepath if basepath is not None else package_folder(descriptor)
    graph = descriptor_to_graph(loaded, dataset_uri, basepath=basepath)
    found = package_links(loaded, basepath, dataset_uri) if basepath is not None else None
    return score_graph(graph, conforms, found)


__all__ = ["BANDS", "HOW", "INDICATORS", "MAX_POINTS", "band", "score_graph",
           "score_metadata"]
