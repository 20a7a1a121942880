"""Translate a parsed Solr query (see :mod:`.parser`) into a SQL condition.

Every value from the query is a bound parameter; field names are checked
against :data:`.parser.FIELD_RE` and also bound (as JSON keys), so SQL
metacharacters in any parameter are inert.

Field semantics follow CKAN's Solr schema: ``text`` (the default field) and
the analysed fields (title, notes, resource names, ``extras_*`` ...) match
words, with English stemming and Korean partial-word matching; every other
field is a string field that matches exact values (``*``/``?`` wildcards
allowed).
"""
from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from . import tables
from . import text as analysis
from .parser import (
    MUST,
    MUST_NOT,
    SHOULD,
    Boolean,
    Exists,
    MatchAll,
    Node,
    Phrase,
    QueryParseError,
    Range,
    Term,
)

TABLE = tables.index.name

# Index fields kept in their own columns (fast filters and sorts).
COLUMN_FIELDS = {
    "id": "package_id",
    "index_id": "index_id",
    "site_id": "site_id",
    "entity_type": "entity_type",
    "dataset_type": "dataset_type",
    "name": "name",
    "state": "state",
    "capacity": "capacity",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "title_string": "title_string",
}
ARRAY_COLUMN_FIELDS = {"permission_labels": "permission_labels"}

# Analysed ("text") fields of CKAN's Solr schema.
TEXT_FIELDS = {
    "title", "notes", "res_name", "res_description", "author", "maintainer",
    "urls", "license", "ckan_url", "download_url",
    "koreanap_content",  # what the dataset contains (content.py)
}
TEXT_FIELD_PREFIXES = ("extras_", "res_extras_")
# Solr's n-gram copies of name and title (package_autocomplete queries them):
# they match any part of the field's value, case-insensitively.
NGRAM_FIELDS = {"name_ngram": "name", "title_ngram": "title"}
DEFAULT_TEXT_FIELD = "text"

# Relative weights of the search vector's A/B/C/D labels for ts_rank, as in
# CKAN's qf "name^4 title^4 tags^2 groups^2 text" (D=1, B=2, A=4); C, what
# a dataset contains, counts less than its description (0.4 of D).
RANK_WEIGHTS = "{0.25,0.1,0.5,1.0}"

# Above this many term combinations, mm is checked row by row instead.
MAX_MM_COMBINATIONS = 20

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_NUMERIC_SQL = r"'^-?[0-9]+(\.[0-9]+)?$'"
_UNITS = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]
# NOW, then steps (+7DAYS) and roundings (/DAY) in any order, as Solr reads them.
_DATE_MATH = re.compile(r"^NOW((?:(?:[+-][0-9]+|/)(?:%s)S?)*)$" % "|".join(_UNITS))
_DATE_MATH_OP = re.compile(r"([+-][0-9]+|/)(%s)S?" % "|".join(_UNITS))


# Date fields of CKAN's Solr schema (DatePointField): a value that is not a
# date makes Solr refuse the query ("Invalid Date String").
DATE_FIELDS = {"metadata_created", "metadata_modified", "indexed_ts"}
_SOLR_DATE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]{1,9})?Z")


def is_date_field(field: str) -> bool:
    return field in DATE_FIELDS or field.endswith("_date")


def check_date(field: str, value: str) -> None:
    """QueryParseError unless ``value`` is a date Solr's date fields take: an
    instant in UTC (``2020-01-01T00:00:00Z``, optionally with a fraction and
    date math after it) or date math from ``NOW``."""
    if _DATE_MATH.match(value):
        return
    m = _SOLR_DATE.match(value)
    if m:
        try:
            datetime.datetime.fromisoformat(m.group(1))
            return
        except ValueError:
            pass
    raise QueryParseError("Invalid Date String {!r} for the date field {} (a date is written "
                          "2020-01-01T00:00:00Z, or NOW-7DAYS)".format(value, field))


def is_text_field(field: str) -> bool:
    return field in TEXT_FIELDS or field.startswith(TEXT_FIELD_PREFIXES)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def wildcard_to_like(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(_like_escape(pattern[i + 1]))
            i += 2
            continue
        out.append("%" if ch == "*" else "_" if ch == "?" else _like_escape(ch))
        i += 1
    return "".join(out)


def _shift(moment: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    """``moment`` moved by ``amount`` ``unit``s; OverflowError or ValueError when
    that leaves the calendar (years 1 to 9999)."""
    if unit in ("YEAR", "MONTH"):
        months = moment.month - 1 + amount * (12 if unit == "YEAR" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        day = min(moment.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0)
                               else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
        return moment.replace(year=year, month=month, day=day)
    return moment + datetime.timedelta(**{unit.lower() + "s": amount})


def _round(moment: datetime.datetime, unit: str) -> datetime.datetime:
    """``moment`` rounded down to its ``unit`` (``/DAY``: midnight)."""
    keep = _UNITS.index(unit)
    parts = dict(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    for name in ["month", "day", "hour", "minute", "second", "microsecond"][keep:]:
        moment = moment.replace(**{name: parts[name]})
    return moment


def resolve_date_math(value: str, now: datetime.datetime | None = None) -> str:
    """Turn Solr date math (``NOW``, ``NOW-7DAYS``, ``NOW/DAY+1DAY``) into ISO text."""
    m = _DATE_MATH.match(value)
    if not m:
        return value
    moment = now or datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    try:
        for op, unit in _DATE_MATH_OP.findall(m.group(1)):
            moment = _round(moment, unit) if op == "/" else _shift(moment, int(op), unit)
    except (OverflowError, ValueError):
        raise QueryParseError("date math {} is out of range (dates run from year 1 to "
                              "9999)".format(value)) from None
    return moment.replace(microsecond=0).isoformat() + "Z"


class AnalysisRequests:
    """The English analyses a query needs, resolved in one database round trip."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def add(self, kind: str, value: str) -> None:
        if value:
            self.items.setdefault((kind, value), "")

    def get(self, kind: str, value: str) -> str:
        return self.items.get((kind, value), "") if value else ""


def collect_analysis(node: Node, default_field: str, requests: AnalysisRequests) -> None:
    """Walk the tree and note every English text that needs analysing."""
    if isinstance(node, Boolean):
        for clause in node.clauses:
            collect_analysis(clause.node, default_field, requests)
        return
    if not isinstance(node, (Term, Phrase)):
        return
    field = node.field or default_field
    if field != DEFAULT_TEXT_FIELD and not is_text_field(field):
        return
    if isinstance(node, Term) and node.wildcard:
        requests.add("prefix", analysis.prefix_word(node.text))
    else:
        kind = "phrase" if isinstance(node, Phrase) else "plain"
        requests.add(kind, analysis.latin_part(node.text))
        if field == DEFAULT_TEXT_FIELD:
            for synonym in analysis.synonyms_of(node.text):
                requests.add(kind, analysis.latin_part(synonym))


class Compiler:
    """Builds one SQL boolean expression from a query tree.

    :param default_field: Solr's ``df`` (the field for terms without one)
    :param analyses: resolved English analyses (see :class:`AnalysisRequests`)
    :param param: callback that binds a value and returns its placeholder
    """

    def __init__(self, default_field: str, analyses: AnalysisRequests,
                 param: Callable[[Any], str]) -> None:
        self.default_field = default_field or DEFAULT_TEXT_FIELD
        self.analyses = analyses
        self.param = param
        self.rank_queries: list[str] = []
        # The Korean morpheme part of each ranked leaf: a match on whole
        # morphemes scores on top of the n-gram match.
        self.morph_rank_queries: list[str] = []
        # SQL of each full-text leaf -> its tsquery, to merge leaves later.
        self._tsquery_of: dict[str, str] = {}

    def compile_where(self, node: Node) -> str:
        """The SQL condition for a whole q or fq."""
        # A query left with no searchable words (only stop words or
        # punctuation) matches nothing, as in Solr.
        return self.compile(node) or "FALSE"

    def compile(self, node: Node, negated: bool = False) -> str | None:
        """SQL for one node, or None when it has nothing to match on.

        Solr drops a clause whose text analyses to no terms (a stop word, a
        lone punctuation mark); None lets the enclosing boolean do the same.
        """
        if isinstance(node, MatchAll):
            return "TRUE"
        if isinstance(node, Boolean):
            return self._boolean(node, negated)
        field = getattr(node, "field", None) or self.default_field
        if isinstance(node, Exists):
            return self._exists(field)
        if is_date_field(field):
            self._check_dates(field, node)
        if isinstance(node, Range):
            return self._range(field, node)
        if field in NGRAM_FIELDS:
            return self._ngram(NGRAM_FIELDS[field], node)
        if field == DEFAULT_TEXT_FIELD:
            return self._full_text(node, negated)
        if is_text_field(field):
            return self._field_text(field, node)
        return self._string(field, node)

    @staticmethod
    def _check_dates(field: str, node: Node) -> None:
        if isinstance(node, Range):
            for bound in (node.low, node.high):
                if bound is not None:
                    check_date(field, bound)
        elif isinstance(node, Term) and node.wildcard:
            raise QueryParseError("A wildcard cannot match the date field {} ({!r}); use a "
                                  "range such as [2020-01-01T00:00:00Z TO NOW]"
                                  .format(field, node.text))
        elif isinstance(node, (Term, Phrase)):
            check_date(field, node.text)

    # -- boolean -----------------------------------------------------------
    def _boolean(self, node: Boolean, negated: bool) -> str | None:
        def kept(items):
            return [sql for sql in items if sql is not None]

        must = kept(self.compile(c.node, negated) for c in node.clauses if c.occur == MUST)
        must_not = kept(self.compile(c.node, not negated) for c in node.clauses
                        if c.occur == MUST_NOT)
        should = kept(self.compile(c.node, negated) for c in node.clauses
                      if c.occur == SHOULD)
        parts = list(must)
        if should:
            if not must:
                needed = max(1, min(node.min_should_match, len(should)))
                if needed == 1:
                    parts.append("(" + " OR ".join(should) + ")")
                elif needed == len(should):
                    parts.extend(should)
                else:
                    parts.append(self._at_least(should, needed))
        if not parts and not should and must_not:
            parts.append("TRUE")  # a purely negative query: everything but...
        parts.extend("NOT COALESCE(%s, FALSE)" % s for s in must_not)
        if not parts:
            return None
        return "(" + " AND ".join(parts) + ")"

    def _at_least(self, should: list[str], needed: int) -> str:
        """SQL true when at least ``needed`` of the ``should`` conditions hold."""
        tsqueries = [self._tsquery_of.get(sql) for sql in should]
        if all(tsqueries):
            # All free-text terms (DisMax with mm): one tsquery the GIN index
            # can answer, either every combination or a necessary condition.
            combos = list(itertools.combinations(tsqueries, needed))
            if len(combos) <= MAX_MM_COMBINATIONS:
                merged = analysis.or_tsqueries([analysis.and_tsqueries(list(c)) for c in combos])
                return "(search_vector @@ CAST(%s AS tsquery))" % self.param(merged)
            guard = "(search_vector @@ CAST(%s AS tsquery))" % self.param(
                analysis.or_tsqueries(tsqueries))
        else:
            guard = "TRUE"
        counted = " + ".join(
            "(CASE WHEN COALESCE(%s, FALSE) THEN 1 ELSE 0 END)" % sql for sql in should)
        return "(%s AND (%s) >= %d)" % (guard, counted, needed)

    # -- leaves ------------------------------------------------------------
    def _full_text(self, node: Node, negated: bool) -> str | None:
        if isinstance(node, Term) and node.wildcard:
            word = analysis.prefix_word(node.text)
            parts = [self.analyses.get("prefix", word)]
            runs = analysis.hangul_runs(node.text.split("*")[0].split("?")[0])
            parts += [analysis.korean_tsquery(r, prefix=True) for r in runs]
        else:
            # The text itself or any of its synonyms (search/synonyms.csv).
            kind = "phrase" if isinstance(node, Phrase) else "plain"
            alternatives, morph_alternatives = [], []
            for text in [node.text] + analysis.synonyms_of(node.text):
                parts = [self.analyses.get(kind, analysis.latin_part(text))]
                morphs = []
                for run in analysis.hangul_runs(text):
                    match, morph = analysis.korean_run_tsquery(run)
                    parts.append(match)
                    morphs.append(morph)
                alternatives.append(analysis.and_tsqueries(parts))
                if any(morphs):
                    morph_alternatives.append(analysis.and_tsqueries(morphs))
            parts = [analysis.or_tsqueries(alternatives)]
            if not negated and morph_alternatives:
                self.morph_rank_queries.append(analysis.or_tsqueries(morph_alternatives))
        tsquery = analysis.and_tsqueries(parts)
        if not tsquery:
            return None
        if not negated:
            self.rank_queries.append(tsquery)
        sql = "(search_vector @@ CAST(%s AS tsquery))" % self.param(tsquery)
        self._tsquery_of[sql] = tsquery
        return sql

    def _values(self, field: str) -> str:
        return "jsonb_array_elements_text(fields -> %s)" % self.param(field)

    def _field_text(self, field: str, node: Node) -> str | None:
        conds = []
        if isinstance(node, Term) and node.wildcard:
            like = wildcard_to_like(node.text)
            conds.append("v ILIKE %s" % self.param(like))
        else:
            kind = "phrase" if isinstance(node, Phrase) else "plain"
            english = self.analyses.get(kind, analysis.latin_part(node.text))
            if english:
                conds.append("to_tsvector('english', v) @@ CAST(%s AS tsquery)"
                             % self.param(english))
            for run in analysis.hangul_runs(node.text):
                conds.append("v ILIKE %s" % self.param("%" + _like_escape(run) + "%"))
        if not conds:
            return None
        return "EXISTS (SELECT 1 FROM %s AS e(v) WHERE %s)" % (
            self._values(field), " AND ".join(conds))

    def _ngram(self, source: str, node: Node) -> str | None:
        text = node.text.strip()
        if not text:
            return None
        if isinstance(node, Term) and node.wildcard:
            like = wildcard_to_like(text)
        else:
            like = "%" + _like_escape(text) + "%"
        return "EXISTS (SELECT 1 FROM %s AS e(v) WHERE v ILIKE %s)" % (
            self._values(source), self.param(like))

    def _string(self, field: str, node: Node) -> str:
        value = node.text
        wildcard = isinstance(node, Term) and node.wildcard
        if field in COLUMN_FIELDS:
            column = COLUMN_FIELDS[field]
            if wildcard:
                return "(%s LIKE %s)" % (column, self.param(wildcard_to_like(value)))
            return "(%s = %s)" % (column, self.param(value))
        if field in ARRAY_COLUMN_FIELDS:
            column = ARRAY_COLUMN_FIELDS[field]
            if wildcard:
                return "EXISTS (SELECT 1 FROM unnest(%s) AS e(v) WHERE v LIKE %s)" % (
                    column, self.param(wildcard_to_like(value)))
            return "(%s = ANY(%s))" % (self.param(value), column)
        if wildcard:
            return "EXISTS (SELECT 1 FROM %s AS e(v) WHERE v LIKE %s)" % (
                self._values(field), self.param(wildcard_to_like(value)))
        # Containment uses the GIN index on fields.
        return "(fields @> CAST(%s AS jsonb))" % self.param(json.dumps({field: [value]}))

    def _exists(self, field: str) -> str:
        if field in COLUMN_FIELDS:
            return "(%s IS NOT NULL)" % COLUMN_FIELDS[field]
        if field in ARRAY_COLUMN_FIELDS:
            return "(cardinality(%s) > 0)" % ARRAY_COLUMN_FIELDS[field]
        return "((fields -> %s) IS NOT NULL)" % self.param(field)

    def _range(self, field: str, node: Range) -> str:
        low = resolve_date_math(node.low) if node.low is not None else None
        high = resolve_date_math(node.high) if node.high is not None else None
        numeric = all(b is None or _NUMBER.match(b) for b in (low, high)) and (
            low is not None or high is not None)
        if field in COLUMN_FIELDS:
            value_sql, source = COLUMN_FIELDS[field], None
        elif field in ARRAY_COLUMN_FIELDS:
            value_sql, source = "v", "unnest(%s)" % ARRAY_COLUMN_FIELDS[field]
        else:
            value_sql, source = "v", self._values(field)
        if numeric:
            value_sql = "(CASE WHEN %s ~ %s THEN CAST(%s AS numeric) END)" % (
                value_sql, _NUMERIC_SQL, value_sql)
        conds = []
        for bound, inclusive, op in ((low, node.include_low, ">"), (high, node.include_high, "<")):
            if bound is None:
                continue
            bound_value: Any = float(bound) if numeric else bound
            conds.append("%s %s%s %s" % (value_sql, op, "=" if inclusive else "",
                                          self.param(bound_value)))
        if not conds:
            conds.append("%s IS NOT NULL" % value_sql)
        cond = " AND ".join(conds)
        if source is None:
            return "(" + cond + ")"
        return "EXISTS (SELECT 1 FROM %s AS e(v) WHERE %s)" % (source, cond)

    def rank_expression(self) -> str:
        tsquery = analysis.or_tsqueries(self.rank_queries)
        if not tsquery:
            return "CAST(1.0 AS real)"
        weights = self.param(RANK_WEIGHTS)
        rank = "ts_rank(CAST(%s AS real[]), search_vector, CAST(%s AS tsquery))" % (
            weights, self.param(tsquery))
        morph = analysis.or_tsqueries(self.morph_rank_queries)
        if morph:
            rank = "(%s + ts_rank(CAST(%s AS real[]), search_vector, CAST(%s AS tsquery)))" % (
                rank, weights, self.param(morph))
        return rank

    def sort_expression(self, field: str, direction: str, score_sql: str) -> list[str]:
        direction = "DESC" if direction == "desc" else "ASC"
        if field == "score":
            return ["%s %s" % (score_sql, direction)]
        if field in COLUMN_FIELDS:
            column = COLUMN_FIELDS[field]
            if field == "title_string":
                column = "lower(%s)" % column
            return ["%s %s NULLS LAST" % (column, direction)]
        if field in ARRAY_COLUMN_FIELDS:
            return ["%s[1] %s NULLS LAST" % (ARRAY_COLUMN_FIELDS[field], direction)]
        first = "(fields -> %s ->> 0)" % self.param(field)
        return [
            "(CASE WHEN %s ~ %s THEN CAST(%s AS numeric) END) %s NULLS LAST"
            % (first, _NUMERIC_SQL, first, direction),
            "%s %s NULLS LAST" % (first, direction),
        ]


__all__ = ["Compiler", "AnalysisRequests", "collect_analysis", "QueryParseError", "TABLE"]
