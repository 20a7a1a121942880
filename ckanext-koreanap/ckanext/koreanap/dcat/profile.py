"""The ``koreanap_dcat`` RDF profile for ckanext-dcat.

A dataset is written by the same code as a data package's metadata
(:func:`koreanap_validation.metadata.ckan.dataset_to_record` then
:func:`koreanap_validation.metadata.dcat.record_to_graph`), so what
``/dataset/<id>.ttl`` and ``/catalog.ttl`` serve conforms to the shapes in
``validation/metadata/shapes/koreanap-dcat.ttl`` exactly when the
publisher's data package did. The catalogue record (``dcat:Catalog``) is
DCAT-AP 3's, from ckanext-dcat.

Use it alone (``ckanext.dcat.rdf.profiles = koreanap_dcat``): combined
with ``euro_dcat_ap_3`` every dataset property would be written twice.
"""
from __future__ import annotations

from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.utils import publisher_uri_organization_fallback

from koreanap_validation.metadata.ckan import dataset_to_record
from koreanap_validation.metadata.dcat import PREFIXES, record_to_graph


class KoreanapDCATProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 plus the catalogue's Korean fields (bilingual texts,
    KOGL licence, update cycle, role-mailbox contact point)."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        organization_uri = (publisher_uri_organization_fallback(dataset_dict)
                            if dataset_dict.get("organization") else None)
        record = dataset_to_record(dataset_dict, str(dataset_ref),
                                   organization_uri=organization_uri)
        for prefix, namespace in PREFIXES.items():
            self.g.bind(prefix, namespace)
        for triple in record_to_graph(record):
            self.g.add(triple)
