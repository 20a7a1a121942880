"""A pysolr-compatible connection that keeps CKAN's search index in PostgreSQL.

CKAN talks to Solr through the object ``ckan.lib.search.make_connection()``
returns: ``add(docs)``, ``delete(id=..., q=...)``, ``commit()`` and
``search(q, **params)`` whose result has ``hits``, ``docs`` and ``facets``.
:class:`PostgresSearchConnection` implements those calls on the table
``koreanap_search_index`` through CKAN's own SQLAlchemy session, so an index
write is part of the same transaction as the dataset change that caused it
(a failed ``package_update`` leaves the index as it was).

CKAN keeps building the documents, the permission labels, the ``fq``
filters and the facet lists; only storage and query evaluation live here.
"""
from __future__ import annotations

import contextvars
import datetime
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.lib.search.common import SearchError, SearchIndexError, SearchQueryError
from sqlalchemy import exc as sa_exc

from ..content import FIELD as CONTENT_FIELD
from ..content import SEPARATOR
from . import compiler as sqlc
from . import facet_cache, synonyms
from . import text as analysis
from .parser import FIELD_RE, QueryParseError, parse_dismax, parse_sort, parse_standard

log = logging.getLogger(__name__)

TABLE = sqlc.TABLE

# Set while `ckan search-index rebuild` runs without deferring commits
# (--commit-each); see :func:`.dispatch.install`.
COMMIT_EACH: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "koreanap_search_commit_each", default=False)

# Stored fields too large or too redundant to filter or facet on.
_NOT_FILTERABLE = {"data_dict", "validated_data_dict"}

# Fields copied into the free-text vector, by weight (CKAN's Solr schema
# copies these into "text"; qf weights name/title 4, tags/groups 2).
_WEIGHT_A = ("name", "title")
_WEIGHT_B = ("tags", "groups")
_TEXT_COPY_FIELDS = ("notes", "organization", "res_name", "res_description",
                     "maintainer", "author", "license", "license_id", "url", "urls",
                     "res_url", "text", "version")
_TEXT_COPY_PREFIXES = ("extras_", "res_extras_", "vocab_")
# What the dataset contains (content.py, added by the koreanap plugin): weight C,
# below the rest.
_WEIGHT_C = (CONTENT_FIELD,)

# The vector's parts in this order because PostgreSQL keeps word positions
# up to 16,383 and each part's positions follow the last one's: a large
# dataset's content (C) comes last so its size never moves the metadata's
# words past the limit, and within it the parts whose matches score by
# nearness (Korean bigrams, morphemes, English phrases) come before the
# single syllables, which match alone.
_UPSERT = sa.text(
    """
    INSERT INTO koreanap_search_index (
        index_id, package_id, site_id, entity_type, dataset_type, name, state,
        capacity, permission_labels, metadata_modified, metadata_created,
        title_string, fields, document, search_vector, indexed_at)
    VALUES (
        :index_id, :package_id, :site_id, :entity_type, :dataset_type, :name,
        :state, :capacity, CAST(:permission_labels AS text[]), :metadata_modified,
        :metadata_created, :title_string, CAST(:fields AS jsonb),
        CAST(:document AS jsonb),
        setweight(to_tsvector('english', :text_a), 'A')
          || setweight(to_tsvector('simple', :ko_a), 'A')
          || setweight(to_tsvector('simple', :ko1_a), 'A')
          || setweight(CAST(:km_a AS tsvector), 'A')
          || setweight(to_tsvector('english', :text_b), 'B')
          || setweight(to_tsvector('simple', :ko_b), 'B')
          || setweight(to_tsvector('simple', :ko1_b), 'B')
          || setweight(CAST(:km_b AS tsvector), 'B')
          || setweight(to_tsvector('english', :text_d), 'D')
          || setweight(to_tsvector('simple', :ko_d), 'D')
          || setweight(to_tsvector('simple', :ko1_d), 'D')
          || setweight(CAST(:km_d AS tsvector), 'D')
          || setweight(to_tsvector('simple', :ko_c), 'C')
          || setweight(CAST(:km_c AS tsvector), 'C')
          || setweight(to_tsvector('english', :text_c), 'C')
          || setweight(to_tsvector('simple', :ko1_c), 'C'),
        now())
    ON CONFLICT (index_id) DO UPDATE SET
        package_id = EXCLUDED.package_id, site_id = EXCLUDED.site_id,
        entity_type = EXCLUDED.entity_type, dataset_type = EXCLUDED.dataset_type,
        name = EXCLUDED.name, state = EXCLUDED.state, capacity = EXCLUDED.capacity,
        permission_labels = EXCLUDED.permission_labels,
        metadata_modified = EXCLUDED.metadata_modified,
        metadata_created = EXCLUDED.metadata_created,
        title_string = EXCLUDED.title_string, fields = EXCLUDED.fields,
        document = EXCLUDED.document, search_vector = EXCLUDED.search_vector,
        indexed_at = EXCLUDED.indexed_at
    RETURNING doc_id
    """
)

_REPLACE_FACETS = sa.text(
    """
    WITH gone AS (DELETE FROM koreanap_search_facet WHERE doc_id = :doc_id)
    INSERT INTO koreanap_search_facet (doc_id, field, value)
    SELECT :doc_id, f, v FROM unnest(CAST(:facet_fields AS text[]),
                                     CAST(:facet_values AS text[])) AS t(f, v)
    """
)

# Facet values longer than this are not counted (no one facets on them and
# btree entries have a size limit).
MAX_FACET_VALUE = 1000
# The score's column in a ranked page's subquery (what ORDER BY names).
_SCORE = "koreanap_score"
_NOT_FACETED = {"text", "index_id", "site_id", "urls", "res_url", "url", CONTENT_FIELD}


def facetable(field: str) -> bool:
    """Whether facet counts for ``field`` come from the facet table."""
    return field not in _NOT_FACETED and not sqlc.is_text_field(field)


def _as_strings(value: Any) -> list[str]:
    """Flatten an index value into the list of strings Solr would index."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for item in value:
            out.extend(_as_strings(item))
        return out
    if isinstance(value, dict):
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    text = str(value)
    return [text] if text != "" else []


def _first(value: Any) -> str | None:
    values = _as_strings(value)
    return values[0] if values else None


def _content_text(entries: list[str]) -> str:
    """The index text of a dataset's content: each table's label once, then its
    values. Repeating the label before every value ("<table>: <value>", as
    content.py adds them) spent most of a large dataset's 16,383 word
    positions, so its later words all shared the last one and lost the
    nearness ts_rank rewards (a substance named in a reference table ranked
    below a sentence that mentions it elsewhere)."""
    by_table: dict[str, list[str]] = {}
    for entry in entries:
        table, sep, value = entry.partition(SEPARATOR)
        if not sep:
            table, value = "", entry
        by_table.setdefault(table, []).append(value)
    return "\n".join(line for table, values in by_table.items()
                     for line in ([table] if table else []) + values)


def is_date_field(field: str) -> bool:
    """Whether Solr keeps ``field`` as a date (CKAN's schema: the two metadata
    times, ``indexed_ts`` and every ``*_date``)."""
    return sqlc.is_date_field(field)


def solr_date(value: Any) -> Any:
    """A date as Solr gives it back: in UTC, to the millisecond, with a trailing
    ``Z``, and no fraction when the milliseconds are 0 (``2026-12-06T23:00:00.123Z``,
    ``2026-12-06T23:00:00Z``). CKAN sends microseconds; anything not a date is
    returned as it is."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    millis = moment.microsecond // 1000
    text = moment.replace(microsecond=0).isoformat()
    return text + (".%03dZ" % millis if millis else "Z")


def stored_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as Solr stores it: its dates in Solr's form, with the time it
    was indexed (``indexed_ts``, which Solr's schema fills); content
    (:data:`CONTENT_FIELD`) is indexed, not stored (as in docker/solr's schema),
    so the documents CKAN reads back stay the size of the metadata."""
    stored = {k: solr_date(v) if is_date_field(k) else v
              for k, v in doc.items() if k != CONTENT_FIELD}
    stored.setdefault("indexed_ts", solr_date(
        datetime.datetime.now(datetime.UTC).isoformat()))
    return stored


def build_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The table row for one CKAN index document."""
    fields = {}
    for key, value in doc.items():
        if key in _NOT_FILTERABLE:
            continue
        values = _as_strings(value)
        if values:
            fields[key] = values

    def joined(keys: Iterable[str]) -> str:
        return "\n".join(v for k in keys for v in fields.get(k, []))

    facet_pairs = [(k, v) for k, values in fields.items() if facetable(k)
                   for v in values if len(v) <= MAX_FACET_VALUE]

    d_keys = [k for k in fields if k in _TEXT_COPY_FIELDS or k.startswith(_TEXT_COPY_PREFIXES)]
    text_a, text_b, text_d = joined(_WEIGHT_A), joined(_WEIGHT_B), joined(d_keys)
    text_c = _content_text(fields.get(CONTENT_FIELD, []))
    # Slugs like "heavy-metals-in-rice" also index their words.
    text_a += "\n" + (doc.get("name") or "").replace("-", " ").replace("_", " ")
    row = {
        "index_id": str(doc.get("index_id") or doc.get("id")),
        "package_id": _first(doc.get("id")),
        "site_id": _first(doc.get("site_id")) or "",
        "entity_type": _first(doc.get("entity_type")),
        "dataset_type": _first(doc.get("dataset_type")),
        "name": _first(doc.get("name")),
        "state": _first(doc.get("state")),
        "capacity": _first(doc.get("capacity")),
        "permission_labels": "{" + ",".join(
            json.dumps(label) for label in _as_strings(doc.get("permission_labels"))) + "}",
        "metadata_modified": _first(doc.get("metadata_modified")),
        "metadata_created": _first(doc.get("metadata_created")),
        "title_string": _first(doc.get("title_string")),
        "fields": json.dumps(fields, ensure_ascii=False),
        "document": json.dumps(stored_document(doc), ensure_ascii=False, default=str),
        # Korean runs go to the bigram vectors only, so a word such as
        # "3차원" is indexed as "3" + 차원 and matches the query "3차원".
        "text_a": analysis.HANGUL_RUN.sub(" ", text_a),
        "text_b": analysis.HANGUL_RUN.sub(" ", text_b),
        "text_c": analysis.HANGUL_RUN.sub(" ", text_c),
        "text_d": analysis.HANGUL_RUN.sub(" ", text_d),
        "facet_fields": [k for k, _ in facet_pairs],
        "facet_values": [v for _, v in facet_pairs],
    }
    for label, text_value in (("a", text_a), ("b", text_b), ("c", text_c), ("d", text_d)):
        bigrams, unigrams = analysis.korean_index_text(text_value)
        row["ko_" + label] = bigrams
        row["ko1_" + label] = unigrams
        row["km_" + label] = analysis.morpheme_tsvector(text_value)
    return row


class Results:
    """What pysolr's ``Solr.search`` returns, as far as CKAN reads it."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facets: dict[str, Any]) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = facets
        self.highlighting: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self.grouped: dict[str, Any] = {}
        self.debug: dict[str, Any] = {}
        self.raw_response = {"response": {"numFound": hits, "docs": docs},
                             "facet_counts": facets}

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None and str(v).strip() != ""]
    return [value] if str(value).strip() != "" else []


def _refuse_unstorable(params: dict[str, Any]) -> None:
    """SearchQueryError for text PostgreSQL cannot take as a bound value: a NUL
    character or a lone UTF-16 surrogate (JSON's "\\ud800") in any parameter."""
    for name, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(item, str):
                continue
            for position, char in enumerate(item):
                if char == "\x00":
                    what = "a NUL character (U+0000)"
                elif "\ud800" <= char <= "\udfff":
                    what = "a lone surrogate (U+{:04X})".format(ord(char))
                else:
                    continue
                # Where, by the text before it: CKAN prefixes fq with filters of its own,
                # so a position would not match what the user sent.
                before = item[:position].split()[-1:]
                where = 'after "{}"'.format(before[0][-20:]) if before else "at its start"
                raise SearchQueryError('Invalid "{}" parameter: {} {}; remove it'.format(
                    name, what, where))


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError('Invalid "{}" parameter: {!r} is not a whole number'
                               .format(name, value))


class _Binder:
    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = "p%d" % len(self.params)
        self.params[name] = value
        return ":" + name


class PostgresSearchConnection:
    """Stands in for ``pysolr.Solr``; see the module docstring."""

    url = "postgresql://koreanap_search_index"

    def __init__(self, session: Any = None) -> None:
        self.session = session or model.Session
        facet_cache.listen()

    # -- writes ----------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        # A savepoint, so a document that fails leaves the transaction usable:
        # `ckan search-index rebuild --force` goes on with the next dataset, as
        # it does when Solr refuses one.
        self.session.execute(sa.text("SAVEPOINT koreanap_search_add"))
        facet_cache.mark_written(self.session)
        try:
            for doc in docs:
                row = build_row(doc)
                doc_id = self.session.execute(_UPSERT, row).scalar_one()
                self.session.execute(_REPLACE_FACETS, {
                    "doc_id": doc_id, "facet_fields": row["facet_fields"],
                    "facet_values": row["facet_values"]})
        except sa_exc.SQLAlchemyError as e:
            self.session.execute(sa.text("ROLLBACK TO SAVEPOINT koreanap_search_add"))
            raise SearchIndexError("Could not write the search index: {}".format(
                str(e).splitlines()[0]))
        self.session.execute(sa.text("RELEASE SAVEPOINT koreanap_search_add"))
        if commit and COMMIT_EACH.get():
            # `rebuild --commit-each`: each dataset is searchable as soon as it is
            # indexed. Any other write commits with the change that caused it.
            self.session.commit()

    def delete(self, id: str | None = None, q: str | None = None,
               commit: bool = True, **_: Any) -> None:
        binder = _Binder()
        if id is not None:
            where = "index_id = " + binder(str(id))
        elif q is not None:
            try:
                node = parse_standard(q, "q")
            except QueryParseError as e:
                raise SearchIndexError(str(e))
            if not self._index_exists():
                # `ckan db clean` drops every table, this one too, and then
                # clears the index: with no table there is nothing to clear
                # (`ckan db init` creates it again, empty).
                log.info("Search index table %s is absent: nothing to delete", TABLE)
                return
            where = self._where(node, binder)
        else:
            raise SearchIndexError("delete needs an id or a query")
        facet_cache.mark_written(self.session)
        try:
            self.session.execute(sa.text("DELETE FROM %s WHERE %s" % (TABLE, where)),
                                 binder.params)
        except sa_exc.SQLAlchemyError as e:
            raise SearchIndexError("Could not delete from the search index: {}".format(
                str(e).splitlines()[0]))

    def _index_exists(self) -> bool:
        return self.session.execute(
            sa.text("SELECT to_regclass(:name) IS NOT NULL"), {"name": TABLE}).scalar_one()

    def commit(self, **_: Any) -> None:
        # Only CKAN's explicit "commit the index" calls (CLI rebuild/clear)
        # reach here; ordinary writes commit with the request's transaction.
        self.session.commit()

    # -- reads -----------------------------------------------------------
    def _analyse(self, nodes: list[Any], default_field: str) -> sqlc.AnalysisRequests:
        """The English analyses every text clause of ``nodes`` needs, in one query."""
        requests = sqlc.AnalysisRequests()
        for node in nodes:
            sqlc.collect_analysis(node, default_field, requests)
        if not requests.items:
            return requests
        binder = _Binder()
        columns = []
        functions = {"plain": "plainto_tsquery('english', %s)",
                     "phrase": "phraseto_tsquery('english', %s)",
                     "prefix": "to_tsquery('english', %s)"}
        keys = list(requests.items)
        for kind, value in keys:
            argument = value + ":*" if kind == "prefix" else value
            columns.append("CAST(%s AS text)" % (functions[kind] % binder(argument)))
        row = self.session.execute(sa.text("SELECT " + ", ".join(columns)),
                                   binder.params).one()
        for key, resolved in zip(keys, row, strict=False):
            requests.items[key] = resolved or ""
        return requests

    def _where(self, node: Any, binder: _Binder, default_field: str = "text") -> str:
        """SQL condition for one parsed query (used by delete-by-query)."""
        requests = self._analyse([node], default_field)
        return sqlc.Compiler(default_field, requests, binder).compile_where(node)

    def _parse(self, params: dict[str, Any]) -> tuple[Any, list[Any]]:
        q = params.get("q")
        q = "*:*" if q is None or str(q).strip() in ("", '""', "''") else str(q)
        op = str(params.get("q.op") or "AND")
        try:
            if params.get("defType") == "dismax":
                q_node = parse_dismax(q, str(params.get("mm") or ""))
            else:
                q_node = parse_standard(q, "q", op)
            fq_nodes = [parse_standard(str(fq), "fq", op)
                        for fq in _as_list(params.get("fq"))]
        except QueryParseError as e:
            # Solr answers a syntax error with an error CKAN turns into
            # SearchError: the /dataset page says "There was an error while
            # searching" and the API answers 409 Search Error.
            raise SearchError(str(e))
        return q_node, fq_nodes

    def search(self, q: str | None = None, **params: Any) -> Results:
        if q is not None:
            params["q"] = q
        _refuse_unstorable(params)
        q_node, fq_nodes = self._parse(params)
        try:
            sort = parse_sort(params.get("sort"))
        except QueryParseError as e:
            raise SearchQueryError(str(e))
        rows = max(0, _int_param(params, "rows", 10))
        start = max(0, _int_param(params, "start", 0))
        default_field = str(params.get("df") or "text")
        fl = _as_list(params.get("fl") or "*")  # Solr returns every stored field by default
        fl = [f for part in fl for f in str(part).replace(",", " ").split()]

        synonyms.refresh()  # the site's own sets, read again every few seconds
        binder = _Binder()
        # A plain SQL savepoint, not Session.begin_nested(): CKAN's session
        # hooks treat a nested commit like a real one (they re-index and drop
        # the pending-change cache). The savepoint keeps a failed query from
        # aborting the request's transaction.
        self.session.execute(sa.text("SAVEPOINT koreanap_search"))
        try:
            requests = self._analyse([q_node] + fq_nodes, default_field)
            compiler = sqlc.Compiler(default_field, requests, binder)
            where = [compiler.compile_where(q_node)]
            # Filters never add to the score (Solr caches them separately).
            filter_compiler = sqlc.Compiler(default_field, requests, binder)
            where += [filter_compiler.compile_where(node) for node in fq_nodes]
            where_sql = " AND ".join(where)
            score_sql = compiler.rank_expression()
            order = []
            ranked = False
            for field, direction in sort or [("score", "desc")]:
                if field == "score" and not compiler.rank_queries:
                    continue  # every row scores the same: let an index give the order
                ranked = ranked or field == "score"
                order.extend(compiler.sort_expression(field, direction, _SCORE))
            order.append("index_id ASC")

            facet_fields = self._facet_fields(params)
            docs: list[dict[str, Any]] = []
            hits = None
            if facet_fields:
                hits, facets = self._count_and_facets(params, facet_fields, where_sql, binder)
            else:
                facets = {}
                if rows > 0 and ranked:
                    # A page in score order reads every match anyway: count them
                    # in that pass, not in a second scan (None: past the end).
                    docs, hits = self._fetch(where_sql, score_sql, order, fl, rows, start,
                                             binder, count=True, ranked=True)
                if hits is None:
                    hits = self._count(where_sql, binder)
            if rows > 0 and hits > start and not docs:
                docs, _total = self._fetch(where_sql, score_sql, order, fl, rows, start, binder,
                                           ranked=ranked)
        except (SearchError, SearchQueryError):
            self._rollback_to_savepoint()
            raise
        except QueryParseError as e:  # e.g. not a date, found while compiling
            self._rollback_to_savepoint()
            raise SearchError(str(e))
        except sa_exc.SQLAlchemyError as e:
            self._rollback_to_savepoint()
            log.warning("Search query failed: %s", e)
            raise SearchError("The search index could not run this query: {}".format(
                str(getattr(e, "orig", None) or e).splitlines()[0]))
        self.session.execute(sa.text("RELEASE SAVEPOINT koreanap_search"))
        return Results(docs, hits, {"facet_fields": facets})

    def _rollback_to_savepoint(self) -> None:
        try:
            self.session.execute(sa.text("ROLLBACK TO SAVEPOINT koreanap_search"))
            self.session.execute(sa.text("RELEASE SAVEPOINT koreanap_search"))
        except sa_exc.SQLAlchemyError:
            log.exception("Could not roll back the search savepoint")

    def _kept(self, sql: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it gave for the same statement and values since the
        index last changed (facet_cache.py)."""
        key = (sql, tuple(sorted((k, repr(v)) for k, v in params.items())))
        generation = facet_cache.generation(self.session)
        if generation is not None:
            kept = facet_cache.cache.get(key, generation)
            if kept is not None:
                return kept
        value = compute()
        if generation is not None:
            facet_cache.cache.put(key, generation, value)
        return value

    def _count(self, where_sql: str, binder: _Binder) -> int:
        """The number of matches, kept like the facet counts: counting every public
        dataset for a page the index gives in 0.1 ms took 35 ms at 100,000 datasets."""
        sql = "SELECT count(*) FROM %s WHERE %s" % (TABLE, where_sql)
        return self._kept(sql, binder.params, lambda: self.session.execute(
            sa.text(sql), binder.params).scalar_one())

    def _fetch(self, where_sql: str, score_sql: str, order: list[str], fl: list[str],
               rows: int, start: int, binder: _Binder, count: bool = False,
               ranked: bool = False) -> tuple[list[dict[str, Any]], int | None]:
        """The page's documents, and with ``count`` the number of matches
        (None when the page is past the last one). ``ranked``: ``order`` sorts
        by the score, so every match is scored."""
        # Two steps: order and cut the page on narrow columns first, then read
        # the (large, out-of-line) documents of that page only.
        if ranked:
            # Each match scored once, in a subquery the planner keeps (OFFSET 0),
            # so the search vectors stay below the count: computed above it, as the
            # planner would, every match's vector went through the window's store.
            # Columns the outer query does not name are left out of the subquery.
            source = "(SELECT *, %s AS %s FROM %s WHERE %s OFFSET 0) AS %s" % (
                score_sql, _SCORE, TABLE, where_sql, TABLE)
            where = "TRUE"
            score = _SCORE
        else:
            source, where, score = TABLE, where_sql, score_sql
        page = self.session.execute(sa.text(
            "SELECT doc_id, %s AS score%s FROM %s WHERE %s ORDER BY %s LIMIT %s OFFSET %s" % (
                score, ", count(*) OVER () AS total" if count else "", source, where,
                ", ".join(order), binder(rows), binder(start))),
            binder.params).all()
        if not page:
            return [], None
        total = int(page[0][2]) if count else None
        want_score = "score" in fl
        keys = [f for f in fl if f not in ("*", "score")]
        doc_binder = _Binder()
        if "*" in fl:
            select = "document"
        elif keys == ["id"]:
            select = "jsonb_build_object('id', package_id)"
        elif keys:
            select = "jsonb_build_object(%s)" % ", ".join(
                "%s, document -> %s" % (doc_binder(k), doc_binder(k)) for k in keys)
        else:
            select = "CAST('{}' AS jsonb)"
        rows_by_id = dict(self.session.execute(sa.text(
            "SELECT doc_id, %s FROM %s WHERE doc_id = ANY(%s)" % (
                select, TABLE, doc_binder([row[0] for row in page]))),
            doc_binder.params).all())
        docs = []
        for doc_id, score, *_total in page:
            doc = {k: v for k, v in (rows_by_id.get(doc_id) or {}).items() if v is not None}
            if want_score:
                doc["score"] = float(score)
            docs.append(doc)
        return docs, total

    def _facet_fields(self, params: dict[str, Any]) -> list[str]:
        if str(params.get("facet", "true")).lower() not in ("true", "on", "1"):
            return []
        fields = list(dict.fromkeys(str(f) for f in _as_list(params.get("facet.field"))))
        for name in fields:
            if not FIELD_RE.match(name):
                raise SearchQueryError("Invalid facet field {!r}".format(name))
        return fields

    def _count_and_facets(self, params: dict[str, Any], facet_fields: list[str],
                          where_sql: str, binder: _Binder) -> tuple[int, dict[str, list[Any]]]:
        """The hit count and the facet counts from one pass over the matches."""
        limit = _int_param(params, "facet.limit", 50)
        mincount = _int_param(params, "facet.mincount", 0)
        # String fields are counted from the narrow facet table; analysed
        # text fields (rarely faceted) from the documents' field lists.
        table_fields = [f for f in facet_fields if facetable(f)]
        other_fields = [f for f in facet_fields if not facetable(f)]
        parts = []
        if table_fields:
            parts.append(
                "SELECT f.field AS f, f.value AS v FROM koreanap_search_facet f"
                " JOIN m ON m.doc_id = f.doc_id WHERE f.field = ANY(%s)" % binder(table_fields))
        if other_fields:
            parts.append(
                "SELECT ff.f, e.v FROM m, unnest(CAST(%s AS text[])) AS ff(f),"
                " jsonb_array_elements_text(m.fields -> ff.f) AS e(v)" % binder(other_fields))
        sql = (
            "WITH m AS MATERIALIZED (SELECT doc_id, %(fields)s FROM %(table)s WHERE %(where)s)"
            " SELECT NULL AS f, NULL AS v, count(*) AS c FROM m"
            " UNION ALL"
            " SELECT f, v, c FROM ("
            "  SELECT f, v, count(*) AS c,"
            "   row_number() OVER (PARTITION BY f ORDER BY count(*) DESC, v ASC) AS rn"
            "  FROM (%(values)s) AS fv GROUP BY f, v) AS counted"
            " WHERE c >= %(mincount)s AND (%(limit)s < 0 OR rn <= %(limit)s)" % {
                "fields": "fields" if other_fields else "NULL AS fields",
                "table": TABLE, "where": where_sql, "values": " UNION ALL ".join(parts),
                "mincount": binder(mincount), "limit": binder(limit)})
        def count() -> tuple[int, dict[str, list[Any]]]:
            hits = 0
            facets: dict[str, list[Any]] = {name: [] for name in facet_fields}
            rows = sorted(self.session.execute(sa.text(sql), binder.params).all(),
                          key=lambda r: (r[0] is not None, r[0] or "", -r[2], r[1] or ""))
            for field, value, n in rows:
                if field is None:
                    hits = int(n)
                else:
                    facets[field].extend([value, int(n)])
            return hits, facets

        # Kept until the index changes (facet_cache.py): the pages that ask for
        # facets with no query count every public dataset on each call. The caller
        # gets its own lists, so nothing it does changes what is kept.
        hits, facets = self._kept(sql, binder.params, count)
        return hits, {name: list(values) for name, values in facets.items()}
