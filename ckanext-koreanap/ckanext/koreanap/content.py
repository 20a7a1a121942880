"""What a dataset contains, as index text: so ``카드뮴`` finds the survey whose
tables are about cadmium although its title never says so.

Three sources, read when the dataset is indexed (``before_dataset_index``):

- the Table Schema stored on each resource (``schema``): field titles and
  descriptions;
- the DataStore tables of the dataset's resources: the distinct values of
  their short text columns, which is where code lists and reference tables
  keep their labels (substance names, food items, heritage item names,
  commitment titles, milestones);
- both bounded (see ``config_declaration.yaml``), so a dataset with a
  large table costs a bounded index size and indexing time.

Each piece of content is one entry ``"<table>: <text>"`` in the index field
:data:`FIELD`, added by the ``koreanap`` plugin whichever index is in use: the
PostgreSQL index (``koreanap_search``) gives that field a lower weight than the
title, tags and description, and Solr (``docker/solr``) has it as a text field
of its own, copied into the free text. The DataStore is read through its read-only engine with
identifiers from its own catalogue and the bounds as bound values.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.plugins as p
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from . import config as content_config
from .dictionary import schema_of

log = logging.getLogger(__name__)

FIELD = "koreanap_content"
SEPARATOR = ": "

# The text columns of one DataStore table, without its own (_id, _full_text).
_TEXT_COLUMNS = sa.text(
    "SELECT column_name FROM information_schema.columns"
    " WHERE table_schema = 'public' AND table_name = :table"
    " AND data_type IN ('text', 'character varying') AND column_name NOT LIKE '\\_%'"
    " ORDER BY ordinal_position")


def _label(resource: dict[str, Any]) -> str:
    name = str(resource.get("name") or resource.get("datapackage_name") or resource.get("id"))
    # ": " separates the table from the text in an entry.
    return " ".join(name.replace(SEPARATOR, " - ").split())


def schema_entries(resource: dict[str, Any]) -> list[str]:
    """Field titles and descriptions of the resource's Table Schema."""
    schema = schema_of(resource)
    if not schema:
        return []
    label = _label(resource)
    out = []
    for field in schema.get("fields") or []:
        if not isinstance(field, dict):
            continue
        for key in ("title", "description"):
            value = field.get(key)
            if isinstance(value, str) and value.strip():
                out.append(label + SEPARATOR + " ".join(value.split()))
    return out


def _datastore_engine():
    if not p.plugin_loaded("datastore"):
        return None
    try:
        from ckanext.datastore.backend.postgres import get_read_engine

        return get_read_engine()
    except Exception:  # noqa: BLE001 - no DataStore configured: schema content only
        log.debug("no DataStore engine; indexing schema content only", exc_info=True)
        return None


def _quote(engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def table_values(engine, resource_id: str, budget: int) -> list[str]:
    """Distinct short values of the text columns of one DataStore table.

    A column with more distinct values than the per-column bound among the
    rows scanned is left out whole: it holds identifiers or free text (sample
    ids, shelter names, addresses), not labels.
    """
    max_length = content_config.content_value_length()
    per_column = content_config.content_column_values()
    scan_rows = content_config.content_scan_rows()
    with engine.connect() as connection:
        columns = connection.execute(_TEXT_COLUMNS, {"table": resource_id}).scalars().all()
        if not columns:
            return []
        table = _quote(engine, resource_id)
        pairs = ", ".join("(%d, %s)" % (i, _quote(engine, c)) for i, c in enumerate(columns))
        # One pass over the scanned rows for every column; the window counts
        # each column's distinct values so an over-full column is dropped whole.
        sql = sa.text(
            "SELECT c, v FROM ("
            " SELECT c, v, count(*) OVER (PARTITION BY c) AS n FROM ("
            "  SELECT DISTINCT pair.c, btrim(pair.v) AS v"
            "  FROM (SELECT * FROM %s LIMIT :scan) AS t,"
            "  LATERAL (VALUES %s) AS pair(c, v)"
            "  WHERE pair.v IS NOT NULL AND btrim(pair.v) <> ''"
            "  AND char_length(pair.v) <= :max_length) AS d) AS counted"
            " WHERE n <= :per_column ORDER BY c, v LIMIT :budget" % (table, pairs))
        rows = connection.execute(sql, {
            "scan": scan_rows, "max_length": max_length, "per_column": per_column,
            "budget": budget}).all()
    return [value for _column, value in rows]


def datastore_entries(resource: dict[str, Any], engine, budget: int) -> list[str]:
    if not resource.get("datastore_active") or budget <= 0 or engine is None:
        return []
    try:
        values = table_values(engine, str(resource["id"]), budget)
    except sa_exc.SQLAlchemyError as e:
        # A table dropped or not loaded yet: index what else there is; the
        # load re-indexes the dataset when it is done.
        log.warning("content of DataStore table %s not indexed: %s", resource.get("id"),
                    str(e).splitlines()[0])
        return []
    label = _label(resource)
    return [label + SEPARATOR + " ".join(v.split()) for v in values]


def dataset_entries(pkg_dict: dict[str, Any]) -> list[str]:
    """The content entries of a dataset, in resource order, at most the
    per-dataset bound of DataStore values."""
    if not content_config.content_enabled():
        return []
    entries: list[str] = []
    resources = [r for r in pkg_dict.get("resources") or [] if isinstance(r, dict)]
    for resource in resources:
        entries.extend(schema_entries(resource))
    engine = None
    if any(r.get("datastore_active") for r in resources):
        engine = _datastore_engine()
    budget = content_config.content_max_values()
    for resource in resources:
        values = datastore_entries(resource, engine, budget)
        budget -= len(values)
        entries.extend(values)
    return list(dict.fromkeys(entries))


def _resources_of(pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of the dataset being indexed: CKAN has flattened them into
    res_* fields by then; the stored (validated) dataset still has them whole."""
    if isinstance(pkg_dict.get("resources"), list):
        return pkg_dict["resources"]
    for key in ("validated_data_dict", "data_dict"):
        try:
            stored = json.loads(pkg_dict.get(key) or "null")
        except (TypeError, ValueError):
            continue
        if isinstance(stored, dict) and isinstance(stored.get("resources"), list):
            return stored["resources"]
    return []


def add_to_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the dataset's content in :data:`FIELD`."""
    try:
        entries = dataset_entries({"id": pkg_dict.get("id"),
                                   "resources": _resources_of(pkg_dict)})
    except Exception:  # noqa: BLE001 - content is extra; the metadata is indexed anyway
        log.exception("content of %s not indexed", pkg_dict.get("id"))
        entries = []
    if entries:
        pkg_dict[FIELD] = entries
    else:
        pkg_dict.pop(FIELD, None)
    return pkg_dict


# -- which content matched a query (shown on /dataset) -----------------------------

_HANGUL = re.compile("[\uac00-\ud7a3]")
_OPERATORS = {"and", "or", "not", "&&", "||"}


def query_terms(q: str) -> list[str]:
    """The words of a free-text query, without operators, fields or quotes."""
    out = []
    for raw in re.split(r"\s+", q or ""):
        word = raw.strip("\"'()+-!^~*?[]{}")
        if not word or word.lower() in _OPERATORS or ":" in raw:
            continue
        out.append(word)
    return out


def _matches(term: str, text: str) -> bool:
    term, text = term.casefold(), text.casefold()
    if _HANGUL.search(term):
        return term in text
    # English: the word or a longer form of it (cadmium, aflatoxins).
    stem = term[:max(4, len(term) - 2)] if len(term) > 4 else term
    return re.search(r"(?<!\w)" + re.escape(stem), text) is not None


def content_matches(entries: list[str], metadata_text: str, terms: list[str],
                    synonyms, limit: int = 3) -> list[tuple[str, str]]:
    """(table, text) of the entries that match a query term the metadata lacks.

    :param synonyms: ``synonyms(term) -> list[str]`` (search/synonyms.csv)
    """
    wanted = []
    for term in terms:
        alternatives = [term] + list(synonyms(term))
        if any(_matches(a, metadata_text) for a in alternatives):
            continue  # the title, tags or description already say it
        wanted.append(alternatives)
    out: list[tuple[str, str]] = []
    for entry in entries:
        table, _sep, text = entry.partition(SEPARATOR)
        if any(_matches(a, text) for alternatives in wanted for a in alternatives):
            out.append((table, text))
            if len(out) >= limit:
                break
    return out
