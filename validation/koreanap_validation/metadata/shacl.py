"""Check DCAT RDF with pyshacl: against this project's profile
(``shapes/koreanap-dcat.ttl``, :func:`check_graph`) and against the official
DCAT-AP 3.0.0 shapes (``shapes/dcat-ap-3.0.0/``, :func:`check_dcat_ap`)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from .dcat import PREFIXES, descriptor_to_graph, vocabulary_graph

SHAPES_DIR = Path(__file__).resolve().parent / "shapes"
SHAPES_FILE = SHAPES_DIR / "koreanap-dcat.ttl"
# The SEMIC release files, unchanged (see shapes/dcat-ap-3.0.0/README.md).
DCAT_AP_SHAPES = tuple(SHAPES_DIR / "dcat-ap-3.0.0" / name
                       for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"))


@cache
def shapes_graph() -> Graph:
    """The shapes, parsed once per process (read-only: do not modify)."""
    graph = Graph()
    graph.parse(SHAPES_FILE, format="turtle")
    return graph


@cache
def dcat_ap_shapes_graph() -> Graph:
    """The DCAT-AP 3.0.0 shapes (mandatory, ranges, recommended) in one graph."""
    graph = Graph()
    for path in DCAT_AP_SHAPES:
        graph.parse(path, format="turtle")
    return graph


def _short(graph: Graph, node) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return str(node)
    return str(node)


def check_graph(graph: Graph) -> dict:
    """Validate a DCAT graph against this project's shapes and the official
    DCAT-AP 3.0.0 shapes; ``{"conforms", "dcat_ap", "results", "text"}``.

    ``conforms`` is true when both hold, ``dcat_ap`` when DCAT-AP 3.0.0 does;
    each result names its ``shapes`` (``koreanap`` or ``dcat-ap-3.0.0``).
    Warnings (sh:Warning) are listed but do not make ``conforms`` false.
    A failed ``sh:node`` (e.g. the contact point's shape) is reported as the
    nested results, with the path joined: ``dcat:contactPoint/vcard:hasEmail``.
    """
    own = check_koreanap(graph)
    official = check_dcat_ap(graph)
    results = own["results"] + official["results"]
    results.sort(key=_order)
    return {"conforms": own["conforms"] and official["conforms"],
            "dcat_ap": official["conforms"], "results": results,
            "text": own["text"] + "\n" + official["text"]}


def check_koreanap(graph: Graph) -> dict:
    """Validate a DCAT graph against this project's shapes only."""
    return _validate(graph, shapes_graph(), vocabulary_graph(), source="koreanap")


def check_dcat_ap(graph: Graph) -> dict:
    """Validate a DCAT graph against the official DCAT-AP 3.0.0 shapes;
    the same ``{"conforms", "results", "text"}`` as :func:`check_graph`.

    No vocabulary is mixed in: ``range.ttl``'s classes must be stated by the
    graph itself, as any outside validator would need them.
    """
    return _validate(graph, dcat_ap_shapes_graph(), None, advanced=True,
                     source="dcat-ap-3.0.0")


def _order(result: dict) -> tuple:
    return (result["severity"] or "", result["path"] or "", result["message"],
            result["focus"] or "")


def _validate(graph: Graph, shapes: Graph, ontology: Graph | None, *, source: str,
              advanced: bool = False) -> dict:
    conforms, report, text = validate(
        graph,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        advanced=advanced,
    )
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace)
    results = []

    def add(result, parent_path=None, parent_focus=None):
        path = _short(report, report.value(result, SH.resultPath))
        if parent_path and path:
            path = f"{parent_path}/{path}"
        focus = parent_focus or _short(report, report.value(result, SH.focusNode))
        details = list(report.objects(result, SH.detail))
        if details:  # sh:node failed: report the nested results, which say why
            for detail in details:
                add(detail, path, focus)
            return
        severity = report.value(result, SH.resultSeverity)
        results.append({
            "path": path,
            "message": str(report.value(result, SH.resultMessage) or ""),
            "severity": _short(report, severity).split(":")[-1] if severity else None,
            "focus": focus,
            "value": _short(report, report.value(result, SH.value)),
            "constraint": _short(report, report.value(result, SH.sourceConstraintComponent)),
            "shapes": source,
        })

    nested = set(report.objects(None, SH.detail))
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if result not in nested:
            add(result)
    results.sort(key=_order)
    return {"conforms": bool(conforms), "results": results, "text": text}


def check_metadata(descriptor, dataset_uri: str | None = None) -> dict:
    """SHACL check of a data package (dict, ``datapackage.json`` path or folder)."""
    return check_graph(descriptor_to_graph(descriptor, dataset_uri))
