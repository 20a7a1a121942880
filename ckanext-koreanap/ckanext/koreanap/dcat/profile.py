"""The ``koreanap_dcat`` RDF profile for ckanext-dcat.

A dataset is written by the same code as a data package's metadata
(:func:`koreanap_validation.metadata.ckan.dataset_to_record` then
:func:`koreanap_validation.metadata.dcat.record_to_graph`), so what
``/dataset/<id>.ttl`` serves and what ``koreanap validate`` checks for the
package are the same graph: it conforms to the official DCAT-AP 3.0.0 shapes
and to this project's stricter ``koreanap-dcat.ttl``. ckanext-dcat supplies
the endpoints, content negotiation, paging, the dataset, distribution and
publisher IRIs and the catalogue record (``dcat:Catalog``, its
``euro_dcat_ap_3`` base), which :meth:`graph_from_catalog` completes.

Use it alone (``ckanext.dcat.rdf.profiles = koreanap_dcat``): combined
with ``euro_dcat_ap_3`` every dataset property would be written twice.
"""
from __future__ import annotations

from ckan import plugins
from ckan.plugins import toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback

from koreanap_validation.metadata.ckan import dataset_to_record
from koreanap_validation.metadata.dcat import PREFIXES, record_to_graph

from .catalog import complete_catalog


class KoreanapDCATProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 plus the catalogue's Korean fields (bilingual texts,
    KOGL licence, update cycle, data status, lead agency, a contact point
    whose vcard:hasURL is the dataset's error-report page)."""

    # IRDFProfile

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        organization_uri = (publisher_uri_organization_fallback(dataset_dict)
                            if dataset_dict.get("organization") else None)
        record = dataset_to_record(dataset_dict, str(dataset_ref),
                                   organization_uri=organization_uri,
                                   contact_url=_report_page(dataset_dict))
        for prefix, namespace in PREFIXES.items():
            self.g.bind(prefix, namespace)
        for triple in record_to_graph(record):
            self.g.add(triple)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        for prefix, namespace in PREFIXES.items():
            self.g.bind(prefix, namespace)
        complete_catalog(self.g, catalog_ref, tk.config, _first_issued())


def _report_page(dataset_dict) -> str | None:
    """The dataset's error-report page: the channel a user reaches its keepers
    through (none without the error-report centre, plugin ``koreanap_reports``)."""
    if not plugins.plugin_loaded("koreanap_reports") or not dataset_dict.get("name"):
        return None
    return "{}/dataset/{}/report-error".format(catalog_uri().rstrip("/"), dataset_dict["name"])


def _first_issued():
    """When the catalogue first published a dataset (its own issue date)."""
    import sqlalchemy as sa
    from ckan import model

    return model.Session.execute(
        sa.select(sa.func.min(model.Package.metadata_created)).where(
            model.Package.state == "active", model.Package.private.is_(False),
            model.Package.type == "dataset")).scalar()
