"""Re-index a dataset when rows are written to one of its DataStore tables.

Its content (content.py) includes the distinct values of its DataStore
tables, so a load through CKAN's DataStore actions must refresh the index,
whichever index is in use (Solr or ``koreanap_search``).
(The publishing job loads with COPY and re-indexes itself when it is done.)
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import config as content_config

log = logging.getLogger(__name__)


def _reindex_resource(context: dict, resource_id: str | None) -> None:
    if not resource_id or not content_config.content_enabled():
        return
    resource = model.Resource.get(resource_id)
    if resource is None or not resource.package_id:
        return
    from ckan.lib import search

    try:
        search.rebuild(resource.package_id)
        if not context.get("defer_commit"):
            model.Session.commit()
    except Exception:  # noqa: BLE001 - the rows are written; the index catches up later
        log.exception("could not re-index the dataset of resource %s", resource_id)
        model.Session.rollback()


def _written(up_func, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    result = up_func(context, data_dict)
    _reindex_resource(context, (result or {}).get("resource_id")
                      or data_dict.get("resource_id"))
    return result


@tk.chained_action
def datastore_create(up_func, context, data_dict):
    """CKAN's ``datastore_create``, then the dataset's content is re-indexed."""
    return _written(up_func, context, data_dict)


@tk.chained_action
def datastore_upsert(up_func, context, data_dict):
    """CKAN's ``datastore_upsert``, then the dataset's content is re-indexed."""
    return _written(up_func, context, data_dict)


@tk.chained_action
def datastore_delete(up_func, context, data_dict):
    """CKAN's ``datastore_delete``, then the dataset's content is re-indexed."""
    return _written(up_func, context, data_dict)


def actions() -> dict[str, Any]:
    """The chained DataStore actions (only when the DataStore is loaded)."""
    import ckan.plugins as p

    if not p.plugin_loaded("datastore"):
        return {}
    return {"datastore_create": datastore_create, "datastore_upsert": datastore_upsert,
            "datastore_delete": datastore_delete}
