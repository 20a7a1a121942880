"""SQL of the quick search: filters, rows, summary, chart, CSV and indexes.

Everything user-given reaches PostgreSQL as a bound parameter; column names
come from :mod:`columns` and the table name is a CKAN resource id, both
quoted with :func:`tables.ident`. Queries run on the DataStore's read-only
engine with a statement timeout; only :func:`ensure_indexes` writes.
"""
from __future__ import annotations

import contextlib
import decimal
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from . import columns, config, tables
from .tables import SurveyTable, ident

log = logging.getLogger(__name__)

# The chart: detected values as a share of their maximum level, in 20% steps
# up to 200% (bucket 11 holds everything above).
CHART_STEP = 0.2
CHART_BUCKETS = 10

# Threads for the summary and chart queries of a search (see search()).
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="koreanap-quick-search")


def _value_expr(table: SurveyTable, column: str) -> str:
    """The column as a number (a text column is cast; empty text is null)."""
    if table.is_numeric(column):
        return "{}::float8".format(ident(column))
    return "NULLIF(btrim({}), '')::float8".format(ident(column))


def _exact_expr(table: SurveyTable, column: str) -> str:
    """The column as an exact decimal (so bucket edges such as 100% are exact)."""
    if table.is_numeric(column):
        return "{}::numeric".format(ident(column))
    return "NULLIF(btrim({}), '')::numeric".format(ident(column))


def where(table: SurveyTable, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and its bound parameters for validated search input.

    :param table: the survey table (its column types decide how values bind)
    :param data: the validated input (see ``logic/schema.py``)
    :returns: (SQL text starting with ``WHERE`` or empty, parameters)
    """
    clauses: list[str] = []
    params: dict[str, Any] = {}

    def match(column: str, name: str, values: list[Any]) -> None:
        # One value as "=": the planner then knows the column is constant and
        # reads a covering index in substance order without sorting.
        if len(values) == 1:
            clauses.append("{} = :{}".format(ident(column), name))
            params[name] = values[0]
        else:
            clauses.append("{} = ANY(:{})".format(ident(column), name))
            params[name] = list(values)

    for name, (column, _pattern) in columns.FILTERS.items():
        if data.get(name):
            match(column, name, list(data[name]))
    groups = data.get("substance_group")
    if groups:
        # A group is a code prefix: expand it to the codes present, so the
        # indexes on substance_code are used (a LIKE would not be).
        codes = [c for c in distinct_values(table, "substance_code")
                 if str(c)[:3] in groups]
        clauses.append("{} = ANY(:substance_group)".format(ident("substance_code")))
        params["substance_group"] = codes
    years = data.get("survey_year")
    if years:
        match("survey_year", "survey_year",
              [int(y) for y in years] if table.is_numeric("survey_year")
              else [str(y) for y in years])
    if data.get("detected"):
        clauses.append("{} = :detected".format(ident("detected")))
        params["detected"] = data["detected"]
    if data.get("exceeds_only"):
        clauses.append("{} = 'Y'".format(ident("exceeds_ml")))
    sql = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return sql, params


def _order_by(data: dict[str, Any]) -> str:
    column, direction = data.get("sort") or columns.DEFAULT_SORT
    assert column in columns.SORTABLE and direction in ("asc", "desc")
    # Empty cells (e.g. the value of "not detected") last either way; _id breaks
    # ties, so pages never overlap or skip rows.
    return "ORDER BY {} {} NULLS LAST, _id {}".format(ident(column), direction.upper(),
                                                     direction.upper())


def _plain(value: Any) -> Any:
    """A JSON-friendly number: numeric columns arrive as Decimal."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    return value


@contextlib.contextmanager
def _connect():
    """A read-only DataStore connection with the quick search's statement timeout."""
    with tables.read_engine().connect() as conn:
        # Settings for this transaction only (set_config(..., true)); closing
        # the connection rolls it back, so the pooled connection gets its
        # defaults again, even after a query ran into the timeout.
        # - work_mem: the summary sorts every matching value (percentiles);
        #   PostgreSQL's default 4 MB spills 50,000 rows to disk.
        # - no parallel workers: a search already runs its queries side by
        #   side (search()); worker processes on top only cost start-up time.
        conn.execute(sa.text(
            "SELECT set_config('statement_timeout', :ms, true),"
            " set_config('work_mem', '32MB', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"),
            {"ms": str(config.statement_timeout())})
        yield conn


def search(table: SurveyTable, data: dict[str, Any], *, summary: bool = True,
           chart: bool = False, maximum_levels: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    """Rows, total, and optionally the summary and chart data, for one filter.

    :param table: the survey table
    :param data: validated input (filters, ``sort``, ``limit``, ``offset``)
    :param summary: whether to compute the summary per substance
    :param chart: whether to compute the chart of values against the maximum level
    :param maximum_levels: ml_id -> {"maximum_level": float, "verified": bool, ...};
        "over the maximum level" is counted, and the chart drawn, against
        verified levels only; results over an unverified level are counted apart
    :returns: ``total``, ``rows`` and, when asked, ``summary`` and ``chart``
    """
    levels = maximum_levels or {}
    verified = {k: v for k, v in levels.items() if v.get("verified")}
    where_sql, params = where(table, data)
    source = ident(table.resource_id)
    select = ", ".join(ident(c) for c in columns.COLUMNS)
    # The page's _ids first (from an index when one covers the filter and the
    # sort column), then only those rows from the table.
    rows_sql = """SELECT {select} FROM {source} WHERE _id = ANY(ARRAY(
        SELECT _id FROM {source} {where} {order} LIMIT :limit OFFSET :offset)) {order}
        """.format(select=select, source=source, where=where_sql, order=_order_by(data))
    limit = data["limit"]

    def page() -> list[dict[str, Any]]:
        if not limit:
            return []
        with _connect() as conn:
            cursor = conn.execute(sa.text(rows_sql),
                                  dict(params, limit=limit, offset=data["offset"]))
            return [{k: _plain(v) for k, v in zip(columns.COLUMNS, r, strict=True)}
                    for r in cursor]

    def totals() -> dict[str, Any]:
        with _connect() as conn:
            if summary:
                found = _summary(conn, table, where_sql, params, list(verified))
                return {"summary": found, "total": found["results"]}
            return {"total": conn.execute(sa.text("SELECT count(*) FROM {} {}".format(
                source, where_sql)), params).scalar()}

    def drawn() -> dict[str, Any]:
        with _connect() as conn:
            return {"chart": _chart(conn, table, where_sql, params, verified)}

    # The page of rows, the summary and the chart are independent read-only
    # queries: run them at once, each on its own connection.
    jobs = [_POOL.submit(totals)] + ([_POOL.submit(drawn)] if chart else [])
    result: dict[str, Any] = {"rows": page()}
    for job in jobs:
        result.update(job.result())
    return result


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _summary(conn, table: SurveyTable, where_sql: str, params: dict[str, Any],
             verified_ids: list[str] | None = None) -> dict[str, Any]:
    """Per substance and in all: samples, not detected, detected values' statistics,
    and results over a verified maximum level (``exceeds_ml``) and over one
    that is not verified (``exceeds_ml_unverified``, not counted as over)."""
    value = _value_expr(table, "value")
    over_verified = "{} = 'Y' AND COALESCE({} = ANY(CAST(:verified_ml AS text[])), false)".format(
        ident("exceeds_ml"), ident("maximum_level_id"))
    detected = "{} = 'Y' AND {} IS NOT NULL".format(ident("detected"), value)
    # Grouped by substance only, so rows arrive in the covering index's order
    # (no sort); one ordered-set aggregate gives both percentiles (one sort).
    sql = """
        SELECT {code}, min({unit}), max({unit}), count(*),
               count(*) FILTER (WHERE {det} = 'N'),
               count(*) FILTER (WHERE {detected}),
               percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY {value})
                   FILTER (WHERE {detected}),
               max({value}) FILTER (WHERE {detected}),
               count(*) FILTER (WHERE {over}),
               count(*) FILTER (WHERE {exceeds} = 'Y' AND NOT ({over}))
        FROM {source} {where}
        GROUP BY 1 ORDER BY 1""".format(
        code=ident("substance_code"), unit=ident("unit"), det=ident("detected"),
        detected=detected, value=value, exceeds=ident("exceeds_ml"), over=over_verified,
        source=ident(table.resource_id), where=where_sql)
    groups = []
    bound = dict(params, verified_ml=list(verified_ids or ()))
    for code, unit, unit2, n, nd, det, pct, top, over, unverified in conn.execute(
            sa.text(sql), bound):
        median, p95 = pct or (None, None)
        groups.append({
            "substance_code": code,
            "unit": unit if unit == unit2 else "{}, {}".format(unit, unit2),
            "samples": n, "not_detected": nd,
            "not_detected_share": _share(nd, n), "detected": det,
            "median": _round(median), "p95": _round(p95), "max": _round(top),
            "exceeds_ml": over, "exceeds_ml_unverified": unverified,
        })
    results = sum(g["samples"] for g in groups)
    not_detected = sum(g["not_detected"] for g in groups)
    return {
        "results": results,
        "not_detected": not_detected,
        "not_detected_share": _share(not_detected, results),
        "exceeds_ml": sum(g["exceeds_ml"] for g in groups),
        "exceeds_ml_unverified": sum(g["exceeds_ml_unverified"] for g in groups),
        "by_substance": groups,
    }


def _round(value: float | None) -> float | None:
    # Survey values carry at most 6 significant digits; percentiles are interpolated.
    return None if value is None else float("%.6g" % value)


def _chart(conn, table: SurveyTable, where_sql: str, params: dict[str, Any],
           maximum_levels: dict[str, Any]) -> dict[str, Any]:
    """Detected values with a (verified) maximum level, counted by their share of it."""
    labels = ["{}–{}%".format(round(i * CHART_STEP * 100), round((i + 1) * CHART_STEP * 100))
              for i in range(CHART_BUCKETS)] + [">{}%".format(
                  round(CHART_BUCKETS * CHART_STEP * 100))]
    counts = [0] * (CHART_BUCKETS + 1)
    maximum_levels = {k: v for k, v in maximum_levels.items()
                      if v.get("maximum_level") is not None}
    if not maximum_levels:
        return {"labels": labels, "counts": counts, "with_maximum_level": 0,
                "available": False}
    value = _exact_expr(table, "value")
    extra = "{} = 'Y' AND {} IS NOT NULL".format(ident("detected"), value)
    where_sql = (where_sql + " AND " + extra) if where_sql else "WHERE " + extra
    sql = """
        SELECT LEAST(width_bucket({value} / m.level, 0, :top, :buckets), :buckets + 1),
               count(*)
        FROM {source} t
        JOIN unnest(CAST(:ml_ids AS text[]), CAST(:ml_levels AS numeric[])) AS m(id, level)
          ON m.id = t.{ml} AND m.level > 0
        {where} GROUP BY 1""".format(value=value, source=ident(table.resource_id),
                                     ml=ident("maximum_level_id"), where=where_sql)
    ids = list(maximum_levels)
    bound = dict(params, top=decimal.Decimal(str(CHART_STEP * CHART_BUCKETS)),
                 buckets=CHART_BUCKETS, ml_ids=ids,
                 ml_levels=[str(maximum_levels[i]["maximum_level"]) for i in ids])
    for bucket, n in conn.execute(sa.text(sql), bound):
        counts[max(int(bucket), 1) - 1] += n
    return {"labels": labels, "counts": counts, "with_maximum_level": sum(counts),
            "available": True}


def rows_after(table: SurveyTable, data: dict[str, Any], after: tuple[str | None, int] | None,
               limit: int) -> tuple[list[tuple], tuple[str | None, int] | None]:
    """One batch of matching rows in the search's order: the first ``limit`` after the
    row ``after`` names (keyset paging, so a long export never re-reads what it skipped
    and each batch costs the same).

    :param table: the survey table
    :param data: validated input (filters, ``sort``); ``limit`` and ``offset`` are ignored
    :param after: the last row of the previous batch as (its sort column's value as
        text, or None when empty; its ``_id``), or None for the first batch
    :param limit: rows in this batch
    :returns: the rows (values in :data:`columns.COLUMNS` order) and the ``after`` of
        the next batch (None when this one is the last)
    :raises sqlalchemy.exc.DataError: ``after``'s value is not of the column's type
    """
    column, direction = data.get("sort") or columns.DEFAULT_SORT
    where_sql, params = where(table, data)
    clauses = [where_sql[len("WHERE "):]] if where_sql else []
    if after is not None:
        # The order is (column, _id) in one direction, empty cells last: a later row
        # has a later (value, _id), or an empty cell; after an empty cell, a later _id.
        step = ">" if direction == "asc" else "<"
        if after[0] is None:
            clauses.append("({c} IS NULL AND _id {s} :after_id)".format(
                c=ident(column), s=step))
        else:
            clauses.append("(({c}, _id) {s} (:after_value, :after_id) OR {c} IS NULL)".format(
                c=ident(column), s=step))
            params["after_value"] = after[0]
        params["after_id"] = after[1]
    sql = "SELECT {}, _id, {} FROM {} {} {} LIMIT :limit".format(
        ", ".join(ident(c) for c in columns.COLUMNS), ident(column), ident(table.resource_id),
        ("WHERE " + " AND ".join(clauses)) if clauses else "", _order_by(data))
    with _connect() as conn:
        found = conn.execute(sa.text(sql), dict(params, limit=limit)).fetchall()
    if len(found) < limit or not found:
        return [tuple(r[:len(columns.COLUMNS)]) for r in found], None
    last = found[-1]
    value = last[-1]
    return ([tuple(r[:len(columns.COLUMNS)]) for r in found],
            (None if value is None else str(value), int(last[-2])))


def index_names(table: SurveyTable) -> dict[str, str]:
    """Index name per index label (a filter column or a covering index's name).

    A name is the resource id, ``_kq``, a number and a digest of the
    definition (63 bytes at most), so a changed definition is a new index.
    """
    labels = list(columns.INDEXED) + list(columns.COVERING)
    names = {}
    for n, label in enumerate(labels):
        digest = hashlib.sha1(_index_sql(table, label, "").encode()).hexdigest()[:6]
        names[label] = "{}_kq{}_{}".format(table.resource_id, n, digest)
    return names


def _index_sql(table: SurveyTable, label: str, name: str) -> str:
    source = ident(table.resource_id)
    if label in columns.COVERING:
        keys, carried = columns.COVERING[label]
        return "CREATE INDEX IF NOT EXISTS {} ON {} ({}) INCLUDE ({})".format(
            ident(name), source, ", ".join(ident(c) for c in keys),
            ", ".join(ident(c) for c in carried))
    return "CREATE INDEX IF NOT EXISTS {} ON {} ({})".format(ident(name), source, ident(label))


def missing_indexes(table: SurveyTable) -> list[str]:
    """Labels of the quick-search indexes the table does not have yet."""
    names = index_names(table)
    with tables.read_engine().connect() as conn:
        present = {r[0] for r in conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = :t"),
            {"t": table.resource_id})}
    return [label for label, name in names.items() if name not in present]


def ensure_indexes(table: SurveyTable) -> list[str]:
    """Create the missing quick-search indexes (idempotent), then VACUUM ANALYZE the table.

    VACUUM marks the table's pages all-visible, which index-only scans need;
    run this again after the rows are reloaded.

    :returns: labels of the indexes created now (empty when all were there)
    """
    todo = missing_indexes(table)
    names = index_names(table)
    engine = tables.write_engine()
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
        # Quick-search indexes of an earlier definition go.
        for (old,) in conn.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE tablename = :t "
                "AND starts_with(indexname, :prefix)"),
                {"t": table.resource_id, "prefix": table.resource_id + "_kq"}).fetchall():
            if old not in names.values():
                conn.execute(sa.text("DROP INDEX IF EXISTS {}".format(ident(old))))
        for label in todo:
            conn.execute(sa.text(_index_sql(table, label, names[label])))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SET statement_timeout = 0"))
        conn.execute(sa.text("VACUUM (ANALYZE) {}".format(ident(table.resource_id))))
        conn.execute(sa.text("RESET statement_timeout"))
    tables.forget(table.resource_id)
    if todo:
        log.info("quick search: indexed %s on %s", ", ".join(todo), table.resource_id)
    return todo


def distinct_values(table: SurveyTable, column: str) -> list[Any]:
    """The values present in a filter column (cached 5 minutes), for the page's choices.

    With the column's index, a recursive walk reads one index entry per value.
    """
    assert column in columns.COLUMNS

    def make():
        source, col = ident(table.resource_id), ident(column)
        if column in missing_indexes(table):
            sql = "SELECT DISTINCT {c} FROM {s} WHERE {c} IS NOT NULL ORDER BY 1".format(
                c=col, s=source)
        else:
            sql = """
                WITH RECURSIVE walk(v) AS (
                    SELECT min({c}) FROM {s}
                    UNION ALL
                    SELECT (SELECT min({c}) FROM {s} WHERE {c} > walk.v)
                    FROM walk WHERE walk.v IS NOT NULL)
                SELECT v FROM walk WHERE v IS NOT NULL""".format(c=col, s=source)
        with _connect() as conn:
            return [_plain(r[0]) for r in conn.execute(sa.text(sql))]

    return tables.cached(("distinct", table.resource_id, column), make)
