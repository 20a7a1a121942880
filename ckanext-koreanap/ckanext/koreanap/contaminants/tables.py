"""Which DataStore tables the quick search reads, and what they hold.

The lookup rule (also in README.md):

1. the ``resource_id`` a call names, else
2. the option ``ckanext.koreanap.contaminants.resource_id``, else
3. the active resource whose data package name (``datapackage_name``, set by
   ``koreanap publish``; else its name) is
   ``ckanext.koreanap.contaminants.resource_name`` (``survey_results``) in the
   dataset ``ckanext.koreanap.contaminants.dataset`` (``food-contaminants``).

The resource must be in the DataStore and have every column of
:data:`columns.COLUMNS`. Labels and maximum levels come from the DataStore
tables of the same dataset's resources (by the same name rule) ``substances``, ``food_groups``,
``food_items``, ``maximum_levels``, ``regions`` and ``collection_places``;
a missing one only means codes are shown without names.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import columns, config
from .columns import NOT_PUBLISHED

log = logging.getLogger(__name__)

REFERENCE_NAMES = ("substances", "food_groups", "food_items", "maximum_levels", "regions",
                   "collection_places")
_CACHE_SECONDS = 300
_cache: dict[tuple, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


@dataclass
class SurveyTable:
    """The survey resource, its dataset and its column types."""

    resource_id: str
    package_name: str
    types: dict[str, str]
    references: dict[str, str] = field(default_factory=dict)  # name -> resource id

    def is_numeric(self, column: str) -> bool:
        """Whether the column's PostgreSQL type is a number (else it is text)."""
        kind = self.types.get(column, "text")
        return kind.startswith(("numeric", "integer", "bigint", "smallint", "double",
                                "real"))


def ident(name: str) -> str:
    """A quoted SQL identifier (names come from the whitelist or CKAN's resource ids)."""
    return '"{}"'.format(name.replace('"', '""'))


def read_engine():
    from ckanext.datastore.backend.postgres import get_read_engine

    return get_read_engine()


def write_engine():
    from ckanext.datastore.backend.postgres import get_write_engine

    return get_write_engine()


def _cache_hit(key: tuple) -> Any:
    """What is kept under ``key`` if it is fresh, else None."""
    with _cache_lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
    return None


def _remember(key: tuple, value: Any) -> None:
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)


def cached(key: tuple, make):
    """``make()``, kept for a few minutes under ``key`` (a tuple holding the
    resource id, so that ``forget`` drops it)."""
    value = _cache_hit(key)
    if value is None:
        value = make()
        _remember(key, value)
    return value


def forget(resource_id: str) -> None:
    """Drop what is cached about one table (after indexing or reloading it)."""
    with _cache_lock:
        for key in [k for k in _cache if resource_id in k]:
            _cache.pop(key, None)


def _active_resource(resource_id: str) -> model.Resource | None:
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        return None
    package = resource.package
    if package is None or package.state != "active":
        return None
    return resource


def _column_types(resource_id: str) -> dict[str, str]:
    sql = sa.text("""
        SELECT a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a
        WHERE a.attrelid = to_regclass(:name) AND a.attnum > 0 AND NOT a.attisdropped""")
    with read_engine().connect() as conn:
        return {name: kind for name, kind in conn.execute(sql, {"name": ident(resource_id)})}


def find_survey_table(resource_id: str | None = None) -> SurveyTable:
    """The survey table by the lookup rule above.

    :param resource_id: the resource a caller named, if any
    :raises ckan.plugins.toolkit.ObjectNotFound: no such resource or not in
        the DataStore
    :raises ckan.plugins.toolkit.ValidationError: the table lacks survey columns
    """
    wanted = resource_id or config.resource_id()
    if wanted:
        resource = _active_resource(wanted)
        if resource is None:
            raise tk.ObjectNotFound(tk._("Resource not found: {id}").format(id=wanted))
    else:
        package = model.Package.get(config.dataset())
        if package is None or package.state != "active":
            raise tk.ObjectNotFound(tk._(NOT_PUBLISHED))
        candidates = [r for r in package.resources
                      if _table_name(r) == config.resource_name() and r.state == "active"
                      and tk.asbool(r.extras.get("datastore_active"))]
        if not candidates:
            raise tk.ObjectNotFound(tk._(NOT_PUBLISHED))
        resource = candidates[0]
    if not tk.asbool(resource.extras.get("datastore_active")):
        raise tk.ObjectNotFound(tk._(NOT_PUBLISHED))
    types = _cache_hit(("types", resource.id))
    if types is None:
        types = _column_types(resource.id)
        if types:  # a table that does not exist yet is looked up again next time
            _remember(("types", resource.id), types)
    if not types:
        raise tk.ObjectNotFound(tk._(NOT_PUBLISHED))
    missing = [c for c in columns.COLUMNS if c not in types]
    if missing:
        raise tk.ValidationError({"resource_id": [
            tk._("Not a contamination survey table; missing columns: {columns}").format(
                columns=", ".join(missing))]})
    package = resource.package
    references = {_table_name(r): r.id for r in package.resources
                  if _table_name(r) in REFERENCE_NAMES and r.state == "active"
                  and tk.asbool(r.extras.get("datastore_active"))}
    return SurveyTable(resource_id=resource.id, package_name=package.name, types=types,
                       references=references)


def data_status(table: SurveyTable) -> str | None:
    """Whether the survey table is official, a transcription or a generated sample:
    its resource's ``data_status``, else its dataset's (None: not stated)."""
    resource = model.Resource.get(table.resource_id)
    if resource is None:
        return None
    package = resource.package
    return (resource.extras.get("data_status")
            or (package.extras.get("data_status") if package is not None else None) or None)


def _table_name(resource: Any) -> str:
    """A resource's table name: its data package name when it was published from a
    package (``koreanap publish`` keeps the title as the resource name), else its name."""
    return resource.extras.get("datapackage_name") or resource.name or ""


def survey_table_for(context: dict, data_dict: dict) -> SurveyTable | None:
    """The table a call is about, found once per call (kept in its context), or None."""
    key = ("koreanap_survey_table", data_dict.get("resource_id"))
    if key not in context:
        try:
            context[key] = find_survey_table(data_dict.get("resource_id"))
        except (tk.ObjectNotFound, tk.ValidationError):
            context[key] = None  # the action looks again and says what is wrong
    return context[key]


def _records(resource_id: str) -> list[dict[str, Any]]:
    try:
        result = tk.get_action("datastore_search")(
            {"ignore_auth": True}, {"resource_id": resource_id, "limit": 10000})
    except (tk.ObjectNotFound, tk.ValidationError) as error:
        log.warning("reference table %s unreadable: %s", resource_id, error)
        return []
    return result["records"]


def reference(table: SurveyTable) -> dict[str, Any]:
    """Names and maximum levels from the dataset's reference tables (cached 5 minutes).

    :returns: ``labels`` (column -> code -> (Korean, English)) and
        ``maximum_levels`` (ml_id -> dict with substance_code,
        food_group_code, maximum_level as a float or None (a limit with no
        number, such as "not detected"), unit, and ``verified``:
        True only where the table's ``verified`` column says ``Y``; a table
        without that column states nothing, so its levels are unverified)
    """
    key = ("reference",) + tuple(sorted(table.references.items()))
    return cached(key, lambda: _read_reference(table.references))


def _names(rows: list[dict[str, Any]], code: str) -> dict[str, tuple[str, str]]:
    return {str(r[code]): (r.get("name_ko") or "", r.get("name_en") or "")
            for r in rows if r.get(code) is not None}


def _read_reference(references: dict[str, str]) -> dict[str, Any]:
    rows = {name: _records(rid) for name, rid in references.items()}
    labels = {
        "substance_code": _names(rows.get("substances", []), "substance_code"),
        "food_group_code": _names(rows.get("food_groups", []), "food_group_code"),
        "food_item_code": _names(rows.get("food_items", []), "food_item_code"),
        "production_region_code": _names(rows.get("regions", []), "region_code"),
        "collection_region_code": _names(rows.get("regions", []), "region_code"),
        "collection_place_code": _names(rows.get("collection_places", []), "place_code"),
    }
    levels = {}
    for r in rows.get("maximum_levels", []):
        try:
            level = float(r["maximum_level"])
        except (KeyError, TypeError, ValueError):
            level = None  # e.g. "not detected" limits have no number
        levels[str(r["ml_id"])] = {"substance_code": r.get("substance_code"),
                                   "food_group_code": r.get("food_group_code"),
                                   "maximum_level": level, "unit": r.get("unit"),
                                   "verified": str(r.get("verified") or "").upper() == "Y"}
    return {
        "labels": labels,
        "maximum_levels": levels,
    }
