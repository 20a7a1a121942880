"""Rule 7, metadata: DCAT RDF of a data package, SHACL shapes checked with
pyshacl, and an MQA-style metadata score. See README.md in this folder."""
from .dcat import descriptor_to_graph, descriptor_to_record, record_to_graph
from .score import score_graph, score_metadata
from .shacl import check_graph, check_metadata

__all__ = [
    "check_graph",
    "check_metadata",
    "descriptor_to_graph",
    "descriptor_to_record",
    "record_to_graph",
    "score_graph",
    "score_metadata",
]
