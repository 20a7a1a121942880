"""The ``koreanap`` plugin: wires the extension's modules into CKAN.

The PostgreSQL search index is a separate plugin (``koreanap_search`` in
:mod:`ckanext.koreanap.search.plugin`) so production can use Solr instead.
The dataset schema comes from ckanext-scheming (``scheming_datasets``) with
``scheming.dataset_schemas = ckanext.koreanap.schemas:dataset.yaml``.
The Korean and English message catalogs of every koreanap plugin are loaded
here (ITranslation; see :mod:`ckanext.koreanap.languages`).
What a dataset contains is added to its index document here
(:mod:`ckanext.koreanap.content`, re-indexed on DataStore writes by
:mod:`ckanext.koreanap.reindex`), so Solr and the PostgreSQL index both get it.
"""
from __future__ import annotations

import json
import logging
import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.authz import get_local_functions
from ckan.lib.plugins import DefaultTranslation
from ckanext.datastore.interfaces import IDataDictionaryForm

from . import content, dictionary, freshness, helpers, languages, pagecache, reindex
from .pipeline import views
from .pipeline.logic import action, auth, validators

log = logging.getLogger(__name__)

# Searchable as extras_<name> too, as it was before the scheming schema.
_EXTRA_ALIASES = ("commitment",)
# English title and description join the free text (scheming fields are not
# copied into it the way extras are).
_TEXT_FIELDS = ("title_en", "notes_en")


def _english_resource_descriptions(pkg_dict: dict) -> list[str]:
    """The resources' English descriptions (``description_en``), which CKAN's indexer does
    not flatten as it does ``description``; read from the dataset dict it keeps."""
    try:
        full = json.loads(pkg_dict.get("data_dict") or "{}")
    except ValueError:
        return []
    return [str(r["description_en"]) for r in full.get("resources") or []
            if isinstance(r, dict) and r.get("description_en")]


def _template_helpers(*_args) -> dict:
    """helpers.py's functions, languages.py's (``koreanap_localized`` and the
    chained ``dataset_display_name`` / ``get_translated``) and dictionary.py's
    (column labels; the chained ``datastore_dictionary``)."""
    return {**dict(get_local_functions(helpers)), **languages.get_helpers(),
            **dictionary.get_helpers()}


def _actions(*_args) -> dict:
    """The pipeline's actions (pipeline/logic/action.py), ``package_show`` chained to
    read the dataset again (freshness.py) and, with the DataStore loaded, its write
    actions chained to re-index the dataset (reindex.py)."""
    return {**dict(get_local_functions(action)), **freshness.actions(), **reindex.actions()}


@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers(_template_helpers)
@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(auth)
@tk.blanket.validators(validators)
@tk.blanket.blueprints(views)
class KoreanapPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(IDataDictionaryForm, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ISignal)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "koreanap")
        if not config.get("licenses_group_url"):
            # KOGL types and their CC counterparts (datapackage.LICENCES).
            here = os.path.dirname(os.path.abspath(__file__))
            config["licenses_group_url"] = "file://" + os.path.join(here, "licenses.json")

    # IConfigurable

    def configure(self, config):
        # In every process (web, job worker, command): a commit that wrote makes kept
        # pages stale, also when no action ran (a job recording its progress).
        pagecache.listen_for_commits()

    # ITranslation

    def i18n_directory(self):
        return languages.CATALOG_DIR

    def i18n_domain(self):
        return languages.DOMAIN

    # IMiddleware

    def make_middleware(self, app, config):
        return pagecache.install(app)

    # ISignal

    def get_signal_subscriptions(self):
        return {tk.signals.action_succeeded: [pagecache.action_done]}

    # IFacets

    def dataset_facets(self, facets_dict, package_type):
        facets = {"commitment": tk._("Commitment"),
                  "lead_agency": tk._("Lead agency"),
                  "organization": tk._("Publisher"),
                  "ogp_values": tk._("OGP values"),
                  "res_format": tk._("Formats"),
                  "license_id": tk._("Licenses"),
                  "validation_status": tk._("Validation status"),
                  "data_status": tk._("Data status")}
        for key, label in facets_dict.items():
            facets.setdefault(key, label)
        facets_dict.clear()
        facets_dict.update(facets)
        return facets_dict

    # IOrganizationController

    def before_view(self, data_dict):
        """An organization's page (heading, breadcrumb, page title) names the catalogue's
        own publishers in the page's language alone, not by their two-language title."""
        from .languages import organization_title

        data_dict["display_name"] = (organization_title(data_dict)
                                     or data_dict.get("display_name"))
        return data_dict

    # IPackageController

    def after_dataset_search(self, search_results, search_params):
        from . import facets

        facets.localize(search_results.get("search_facets") or {})
        return search_results

    def before_dataset_index(self, pkg_dict):
        for name in _EXTRA_ALIASES:
            if pkg_dict.get(name) not in (None, "") and "extras_" + name not in pkg_dict:
                pkg_dict["extras_" + name] = pkg_dict[name]
        texts = [str(pkg_dict[f]) for f in _TEXT_FIELDS if pkg_dict.get(f)]
        texts += _english_resource_descriptions(pkg_dict)
        if texts:
            current = pkg_dict.get("text") or []
            pkg_dict["text"] = (current if isinstance(current, list) else [current]) + texts
        values = pkg_dict.get("ogp_values")
        if isinstance(values, str) and values.startswith("["):
            try:
                pkg_dict["ogp_values"] = json.loads(values)
            except ValueError:
                pass
        self._add_validation_status(pkg_dict)
        # What the dataset contains (koreanap_content), for either index.
        return content.add_to_index(pkg_dict)

    def _add_validation_status(self, pkg_dict):
        from .pipeline import model as kmodel

        try:
            rows = kmodel.statuses_of(pkg_dict["id"])
        except Exception:  # noqa: BLE001 - not migrated yet: index without statuses
            log.debug("no validation table yet", exc_info=True)
            return
        status = kmodel.dataset_status(rows)
        if status:
            pkg_dict["validation_status"] = status

    # IDataDictionaryForm (the English column names and notes, see dictionary.py)

    def update_datastore_create_schema(self, schema):
        return dictionary.datastore_create_schema(schema)

    def update_datastore_info_field(self, field, plugin_data):
        return dictionary.datastore_info_field(field, plugin_data)

    # IResourceController

    def after_resource_create(self, context, resource):
        self._queue(context, resource)

    def after_resource_update(self, context, resource):
        self._queue(context, resource)

    def _queue(self, context, resource):
        from .pipeline import loader, queue

        if loader.LOADING.get():
            return
        package = model.Package.get(resource["package_id"])  # the job needs id and name only
        queue.enqueue({"id": package.id, "name": package.name}, [resource["id"]])
