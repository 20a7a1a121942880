"""Actions of the contaminant quick search (parameters documented in README.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from sqlalchemy import exc as sa_exc

from .. import cache, columns, query, tables
from . import schema


def _table(context, data_dict) -> tables.SurveyTable:
    found = tables.survey_table_for(context, data_dict)
    # None: look again, so the caller hears why (not found, not a survey table).
    return found or tables.find_survey_table(data_dict.get("resource_id"))


def _label(labels: dict, column: str, code: Any) -> str | None:
    names = labels.get(column, {}).get(str(code)) if code is not None else None
    if not names:
        return None
    return " / ".join(n for n in names if n)


def _maximum_level_ranges(summary: dict, levels: dict[str, Any],
                          groups: list[str] | None) -> None:
    """Add each substance's verified maximum levels (lowest, highest) for the food
    groups in view, and how many of its levels there are unverified."""
    for group in summary["by_substance"]:
        found = [m for m in levels.values()
                 if m["substance_code"] == group["substance_code"]
                 and (not groups or m["food_group_code"] in groups)]
        values = [m["maximum_level"] for m in found
                  if m.get("verified") and m["maximum_level"] is not None]
        group["maximum_level_min"] = min(values) if values else None
        group["maximum_level_max"] = max(values) if values else None
        group["maximum_levels_unverified"] = sum(not m.get("verified") for m in found)


@tk.side_effect_free
@validate(schema.search)
def koreanap_contaminant_search(context, data_dict):
    """Search the food-contamination survey table; rows, their total and a summary.

    Every parameter is optional; a filter takes one value, a list or a
    comma-separated string, and rows must match every filter given (any of
    its values). Unknown parameters and values outside the whitelist are
    refused (400, the field named), before any SQL runs.

    :param resource_id: the survey table (default: see README, "which table")
    :param substance_code: e.g. ``HMT02`` (cadmium)
    :param substance_group: ``MYC``, ``DIO``, ``PAH``, ``PRC`` or ``HMT``
    :param food_group_code: e.g. ``FG01``
    :param food_item_code: e.g. ``FI001``
    :param producer_country: ISO 3166-1 alpha-2, e.g. ``KR``
    :param production_region_code: two digits, e.g. ``46``
    :param collection_region_code: two digits
    :param collection_place_code: e.g. ``traditional_market``
    :param survey_year: e.g. ``2019`` (1970..2100)
    :param detected: ``Y`` or ``N``
    :param exceeds_only: true for results over their maximum level only
    :param sort: ``column asc|desc`` (any survey column; default ``sample_id asc``)
    :param limit: rows to return, 0..max_page_size (default page_size, 50)
    :param offset: rows to skip, 0..1,000,000
    :param include_summary: default true: samples, share not detected,
        median, 95th percentile and maximum of detected values and the
        number over a verified maximum level (``exceeds_ml``), per substance;
        results over a level the reference table does not mark verified are
        counted apart (``exceeds_ml_unverified``)
    :param include_chart: default false: detected values with a verified
        maximum level counted by their share of it (20% steps)
    :returns: ``resource_id``, ``package_name``, ``data_status`` (official,
        transcription, sample or None), ``total``, ``rows`` (each with its
        ``maximum_level`` and ``maximum_level_verified``), ``summary``,
        ``chart``, ``labels`` (names of the codes in the rows) and ``indexed``
    """
    tk.check_access("koreanap_contaminant_search", context, data_dict)
    table = _table(context, data_dict)
    ref = tables.reference(table)
    groups = data_dict.get("food_group_code")
    verified = {k: v["maximum_level"] for k, v in ref["maximum_levels"].items()
                if v.get("verified")}
    wanted = {k: v for k, v in data_dict.items() if k not in ("include_summary",
                                                              "include_chart")}
    result = cache.cached(
        {"resource_id": table.resource_id, "input": wanted, "verified": verified,
         "summary": data_dict["include_summary"], "chart": data_dict["include_chart"]},
        lambda: query.search(table, data_dict, summary=data_dict["include_summary"],
                             chart=data_dict["include_chart"],
                             maximum_levels=ref["maximum_levels"]))
    if "summary" in result:
        _maximum_level_ranges(result["summary"], ref["maximum_levels"], groups)
        for group in result["summary"]["by_substance"]:
            group["substance_label"] = _label(ref["labels"], "substance_code",
                                              group["substance_code"])
    labels: dict[str, dict[str, str]] = {}
    for row in result["rows"]:
        for column in ref["labels"]:
            name = _label(ref["labels"], column, row[column])
            if name:
                labels.setdefault(column, {})[str(row[column])] = name
        level = ref["maximum_levels"].get(row["maximum_level_id"] or "")
        row["maximum_level"] = level["maximum_level"] if level else None
        row["maximum_level_verified"] = bool(level and level.get("verified"))
    result.update({
        "resource_id": table.resource_id,
        "package_name": table.package_name,
        "data_status": tables.data_status(table),
        "labels": labels,
        "indexed": not tables.cached(("indexes", table.resource_id),
                                     lambda: query.missing_indexes(table)),
    })
    return result


@tk.side_effect_free
@validate(schema.rows)
def koreanap_contaminant_rows(context, data_dict):
    """The rows of a search in its order, one batch at a time (keyset paging): what the
    page's CSV download writes, without a total or a summary.

    :param resource_id: and the filters and ``sort``: as ``koreanap_contaminant_search``
    :param limit: rows in this batch, 1..10,000 (default 1,000)
    :param after: the ``next`` of the previous answer (a ``[value, _id]`` pair or its
        JSON text); without it, the first batch
    :returns: ``resource_id``, ``columns`` (the survey columns), ``rows`` (each a list
        of values in that order, as stored) and ``next`` (``after`` of the next batch;
        None after the last row)
    """
    tk.check_access("koreanap_contaminant_rows", context, data_dict)
    table = _table(context, data_dict)
    try:
        rows, after = query.rows_after(table, data_dict, data_dict.get("after"),
                                       data_dict["limit"])
    except sa_exc.DataError:
        raise tk.ValidationError({"after": [tk._(
            "Must be the next of the previous answer: [value, _id]")]})
    return {"resource_id": table.resource_id, "columns": list(columns.COLUMNS),
            "rows": [list(row) for row in rows],
            "next": list(after) if after is not None else None}


@tk.side_effect_free
@validate(schema.choices)
def koreanap_contaminant_choices(context, data_dict):
    """What each filter of the quick-search page offers: the values present in the survey
    table's columns (cached a few minutes) and the names of every code.

    :param resource_id: the survey table (default: see README, "which table")
    :returns: ``resource_id``, ``values`` (filter parameter -> the values present,
        also ``survey_year``) and ``labels`` (column -> code -> [Korean, English] name)
    """
    tk.check_access("koreanap_contaminant_choices", context, data_dict)
    table = _table(context, data_dict)
    values = {name: query.distinct_values(table, column)
              for name, (column, _pattern) in columns.FILTERS.items()}
    values["survey_year"] = query.distinct_values(table, "survey_year")
    return {"resource_id": table.resource_id, "values": values,
            "labels": tables.reference(table)["labels"]}


@validate(schema.index)
def koreanap_contaminant_index(context, data_dict):
    """Create the quick-search indexes on the survey table (safe to repeat).

    One B-tree index per filter column, then ``ANALYZE``. Run after the
    table is (re)loaded: ``datastore_create`` with ``indexes`` drops them.

    :param resource_id: the survey table (default: see README, "which table")
    :returns: ``resource_id``, ``created`` (columns indexed now) and
        ``indexed`` (all of them)
    """
    tk.check_access("koreanap_contaminant_index", context, data_dict)
    table = _table(context, data_dict)
    created = query.ensure_indexes(table)
    return {"resource_id": table.resource_id, "created": created,
            "indexed": list(query.index_names(table))}


def _data_written(up_func, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    result = up_func(context, data_dict)
    cache.data_changed()
    return result


@tk.chained_action
def datastore_create(up_func, context, data_dict):
    """CKAN's ``datastore_create``; then cached quick searches are dropped."""
    return _data_written(up_func, context, data_dict)


@tk.chained_action
def datastore_upsert(up_func, context, data_dict):
    """CKAN's ``datastore_upsert``; then cached quick searches are dropped."""
    return _data_written(up_func, context, data_dict)


@tk.chained_action
def datastore_delete(up_func, context, data_dict):
    """CKAN's ``datastore_delete``; then cached quick searches are dropped."""
    return _data_written(up_func, context, data_dict)
