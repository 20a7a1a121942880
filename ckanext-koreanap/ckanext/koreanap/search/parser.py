"""A parser for the Solr/Lucene query syntax CKAN sends to its search index.

CKAN builds ``q`` and ``fq`` strings in the Lucene "standard" syntax
(``+state:active +capacity:public``, ``tags:("a" OR "b")``,
``metadata_modified:[2020-01-01T00:00:00Z TO NOW]``) and, for plain
free-text queries, the DisMax syntax (terms, quoted phrases, ``+``/``-``).
This module turns both into a small tree that :mod:`.compiler` translates
into SQL; it never builds SQL itself, so nothing a user types reaches the
database other than as a bound parameter.

Boolean clauses follow Lucene's own rules (MUST / SHOULD / MUST_NOT, and the
way ``AND``/``OR`` change the occur flag of the neighbouring clause), so
queries mean here what they mean to Solr.

What Lucene's parser refuses is refused here too rather than read some other
way: a boost without its number (``x^``, ``x^high``) and an unescaped ``/``
in a term (Lucene starts a regular expression there, which this index does
not run). DisMax, which CKAN uses for a ``q`` without a colon (the search
box), refuses nothing: unbalanced quotes and brackets are dropped.
"""
from __future__ import annotations

import dataclasses
import re

MUST = "must"
SHOULD = "should"
MUST_NOT = "must_not"

FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

# Characters that end a bare term in the standard syntax.
_TERM_END = set(' \t\r\n()[]{}"^~')


class QueryParseError(ValueError):
    """Raised when a query string cannot be parsed; the message says where."""


@dataclasses.dataclass(frozen=True)
class MatchAll:
    pass


@dataclasses.dataclass(frozen=True)
class Term:
    field: str | None
    text: str
    wildcard: bool = False


@dataclasses.dataclass(frozen=True)
class Phrase:
    field: str | None
    text: str


@dataclasses.dataclass(frozen=True)
class Range:
    field: str | None
    low: str | None
    high: str | None
    include_low: bool
    include_high: bool


@dataclasses.dataclass(frozen=True)
class Exists:
    field: str


@dataclasses.dataclass(frozen=True)
class Clause:
    occur: str
    node: Node


@dataclasses.dataclass(frozen=True)
class Boolean:
    clauses: tuple[Clause, ...]
    min_should_match: int = 1


Node = MatchAll | Term | Phrase | Range | Exists | Boolean


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _has_unescaped_wildcard(raw: str) -> bool:
    return re.search(r"(?<!\\)[*?]", raw) is not None


class _StandardParser:
    """Recursive-descent parser for the Lucene standard query syntax."""

    def __init__(self, text: str, param: str, default_op: str) -> None:
        self.text = text
        self.pos = 0
        self.param = param
        self.default_op = default_op.upper()

    # -- helpers -----------------------------------------------------------
    def error(self, message: str, pos: int | None = None) -> QueryParseError:
        at = self.pos if pos is None else pos
        return QueryParseError(
            "Cannot parse {param} {text!r}: {message} at character {at}".format(
                param=self.param, text=self.text, message=message, at=at + 1
            )
        )

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek_word(self) -> str:
        """The next whitespace/paren-delimited word, without consuming it."""
        m = re.compile(r"[^\s()]+").match(self.text, self.pos)
        return m.group(0) if m else ""

    def peek_conjunction(self) -> str | None:
        word = self.peek_word()
        if word in ("AND", "&&"):
            return "AND"
        if word in ("OR", "||"):
            return "OR"
        return None

    # -- grammar -------------------------------------------------------------
    def parse(self) -> Node:
        node = self.parse_clauses(field=None, depth=0)
        self.skip_ws()
        if not self.at_end():
            raise self.error("unexpected {!r}".format(self.text[self.pos]))
        return node

    def parse_clauses(self, field: str | None, depth: int) -> Node:
        clauses: list[list] = []  # [occur, node, prohibited]
        while True:
            self.skip_ws()
            if self.at_end() or self.text[self.pos] == ")":
                break
            conj = None
            word_pos = self.pos
            conj = self.peek_conjunction()
            if conj:
                if not clauses:
                    raise self.error("{} has nothing before it".format(conj))
                self.pos += len(self.peek_word())
                self.skip_ws()
                if self.at_end() or self.text[self.pos] == ")":
                    raise self.error("{} has nothing after it".format(conj), word_pos)
            modifier = None
            word = self.peek_word()
            if word == "NOT":
                modifier = "NOT"
                self.pos += 3
            elif self.text[self.pos] in "+-!" and self.pos + 1 < len(self.text) \
                    and not self.text[self.pos + 1].isspace():
                modifier = "REQ" if self.text[self.pos] == "+" else "NOT"
                self.pos += 1
            elif self.text[self.pos] in "+-!":
                raise self.error("{!r} must be followed by a term".format(self.text[self.pos]))
            self.skip_ws()
            if self.at_end() or self.text[self.pos] == ")":
                raise self.error("operator has nothing after it", word_pos)
            node = self.parse_clause(field, depth)
            self._add_clause(clauses, conj, modifier, node)
        if not clauses:
            if depth == 0:
                return MatchAll()
            raise self.error("empty group")
        if len(clauses) == 1 and clauses[0][0] != MUST_NOT:
            return clauses[0][1]
        return Boolean(tuple(Clause(c[0], c[1]) for c in clauses))

    def _add_clause(self, clauses: list, conj: str | None,
                    modifier: str | None, node: Node) -> None:
        # Lucene's QueryParserBase.addClause, so AND/OR/+/- combine as in Solr.
        if clauses and conj == "AND":
            if clauses[-1][0] != MUST_NOT:
                clauses[-1][0] = MUST
        if clauses and self.default_op == "AND" and conj == "OR":
            if clauses[-1][0] != MUST_NOT:
                clauses[-1][0] = SHOULD
        prohibited = modifier == "NOT"
        if self.default_op == "OR":
            required = modifier == "REQ"
            if conj == "AND" and not prohibited:
                required = True
        else:
            required = not prohibited and conj != "OR"
        if prohibited:
            occur = MUST_NOT
        elif required:
            occur = MUST
        else:
            occur = SHOULD
        clauses.append([occur, node])

    def parse_clause(self, field: str | None, depth: int) -> Node:
        start = self.pos
        # A field prefix: name followed by an unescaped colon.
        m = re.compile(r"([A-Za-z_*][A-Za-z0-9_.\-]*):").match(self.text, self.pos)
        if m and field is None:
            name = m.group(1)
            self.pos = m.end()
            self.skip_ws()
            if self.at_end():
                raise self.error("field {!r} has no value".format(name), start)
            if name == "*":
                # *:* (match everything); other *:x forms are not supported.
                if self.text.startswith("*", self.pos):
                    self.pos += 1
                    return MatchAll()
                raise self.error("only *:* may use * as a field", start)
            if not FIELD_RE.match(name):
                raise self.error("invalid field name {!r}".format(name), start)
            return self.parse_value(name, depth)
        elif m:
            raise self.error("field {!r} inside the group of field {!r} (is a ')' missing?)"
                             .format(m.group(1), field), start)
        return self.parse_value(field, depth)

    def parse_value(self, field: str | None, depth: int) -> Node:
        ch = self.text[self.pos]
        if ch == "(":
            open_pos = self.pos
            self.pos += 1
            node = self.parse_clauses(field, depth + 1)
            self.skip_ws()
            if self.at_end() or self.text[self.pos] != ")":
                raise self.error("unbalanced parenthesis", open_pos)
            self.pos += 1
            self.skip_suffixes()
            return node
        if ch == ")":
            raise self.error("unexpected ')'")
        if ch == '"':
            node = Phrase(field, self.parse_quoted())
            self.skip_suffixes()
            return node
        if ch in "[{":
            node = self.parse_range(field)
            self.skip_suffixes()
            return node
        if ch in "]}^~":
            raise self.error("unexpected {!r}".format(ch))
        raw = self.parse_bare()
        self.skip_suffixes()
        if raw == "*":
            return Exists(field) if field and field != "text" else MatchAll()
        if _has_unescaped_wildcard(raw):
            return Term(field, raw, wildcard=True)
        return Term(field, _unescape(raw))

    def parse_bare(self) -> str:
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                if self.pos + 1 >= len(self.text):
                    raise self.error("dangling escape character")
                self.pos += 2
                continue
            if ch in _TERM_END:
                break
            if ch == ":":
                raise self.error("unexpected ':'")
            if ch == "/":
                # Lucene reads /.../ as a regular expression; escape it or quote
                # the value to search for a slash.
                raise self.error("'/' starts a regular expression, which is not "
                                 "supported (escape it as \\/ or quote the value)")
            self.pos += 1
        if self.pos == start:
            raise self.error("expected a term")
        return self.text[start:self.pos]

    def parse_quoted(self) -> str:
        start = self.pos
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if ch == '"':
                self.pos += 1
                return "".join(out)
            out.append(ch)
            self.pos += 1
        raise self.error("unterminated quoted phrase", start)

    def parse_range(self, field: str | None) -> Range:
        start = self.pos
        include_low = self.text[self.pos] == "["
        self.pos += 1
        bounds: list[str | None] = []
        for expected in ("TO", None):
            self.skip_ws()
            if self.at_end():
                raise self.error("unterminated range", start)
            if self.text[self.pos] == '"':
                value: str | None = self.parse_quoted()
            else:
                m = re.compile(r"(?:\\.|[^\s\]}])+").match(self.text, self.pos)
                if not m:
                    raise self.error("range needs two bounds", start)
                value = _unescape(m.group(0))
                self.pos = m.end()
                if value == "*":
                    value = None
            bounds.append(value)
            self.skip_ws()
            if expected:
                if not self.text.startswith("TO", self.pos):
                    raise self.error("range needs 'TO' between its bounds", start)
                self.pos += 2
        if self.at_end() or self.text[self.pos] not in "]}":
            raise self.error("unterminated range", start)
        include_high = self.text[self.pos] == "]"
        self.pos += 1
        if field is None:
            raise self.error("a range needs a field", start)
        return Range(field, bounds[0], bounds[1], include_low, include_high)

    def skip_suffixes(self) -> None:
        # Boost (^2) and fuzziness/proximity (~1) change scoring only. Lucene
        # requires the boost's number; the slop's is optional.
        while self.pos < len(self.text) and self.text[self.pos] in "^~":
            mark = self.text[self.pos]
            self.pos += 1
            m = re.compile(r"[0-9]+(?:\.[0-9]+)?").match(self.text, self.pos)
            if m:
                self.pos = m.end()
            elif mark == "^":
                raise self.error("'^' (a boost) must be followed by a number", self.pos - 1)


def parse_standard(text: str, param: str = "q", default_op: str = "AND") -> Node:
    """Parse a query in the Lucene standard syntax.

    :param text: the query string
    :param param: the parameter name, used in error messages
    :param default_op: the operator between clauses without one (Solr's q.op)
    :raises QueryParseError: with a message naming what is wrong and where
    """
    if not isinstance(text, str):
        raise QueryParseError("{} must be a string".format(param))
    return _StandardParser(text, param, default_op).parse()


_DISMAX_TOKEN = re.compile(r'([+-]?)(?:"([^"]*)"?|(\S+))')


def _min_should_match(spec: str, optional: int) -> int:
    """Solr's ``mm`` for ``optional`` SHOULD clauses (e.g. ``2<-1 5<80%``)."""
    spec = (spec or "").strip()
    if not spec:
        return optional

    def apply(expr: str) -> int:
        expr = expr.strip()
        if expr.endswith("%"):
            pct = float(expr[:-1])
            n = int(optional * abs(pct) / 100)
            return optional - n if pct < 0 else n
        n = int(expr)
        return optional + n if n < 0 else n

    if "<" not in spec:
        result = apply(spec)
    else:
        result = optional
        for part in spec.split():
            limit, _, expr = part.partition("<")
            if optional > int(limit):
                result = apply(expr)
    return max(1, min(optional, result)) if optional else 0


def parse_dismax(text: str, mm: str = "") -> Node:
    """Parse a free-text query the way Solr's DisMax parser reads it.

    Terms and quoted phrases, each optionally prefixed by ``+`` (required) or
    ``-`` (excluded); everything else is literal text, so a user's search-box
    input never fails to parse. ``mm`` decides how many optional terms must
    match.
    """
    clauses: list[Clause] = []
    for prefix, phrase, word in _DISMAX_TOKEN.findall(text or ""):
        if phrase is not None and word == "" and phrase != "":
            node: Node = Phrase(None, phrase)
        elif word:
            if word in ("AND", "OR", "NOT", "&&", "||"):
                continue
            cleaned = word.strip('()[]{}^~!"')
            if not cleaned:
                continue
            if cleaned == "*":
                node = MatchAll()
            elif _has_unescaped_wildcard(cleaned):
                node = Term(None, cleaned, wildcard=True)
            else:
                node = Term(None, _unescape(cleaned))
        else:
            continue
        occur = {"+": MUST, "-": MUST_NOT}.get(prefix, SHOULD)
        clauses.append(Clause(occur, node))
    if not clauses:
        return MatchAll()
    optional = sum(1 for c in clauses if c.occur == SHOULD)
    if len(clauses) == 1 and clauses[0].occur != MUST_NOT:
        return clauses[0].node
    return Boolean(tuple(clauses), _min_should_match(mm, optional))


SORT_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s+(asc|desc)\s*$", re.IGNORECASE)


def parse_sort(text: str | None) -> list[tuple[str, str]]:
    """Parse Solr's ``sort`` ("field asc, other desc") into (field, dir) pairs.

    :raises QueryParseError: when a part is not "<field> asc|desc"
    """
    if text is None or not str(text).strip():
        return []
    result = []
    for part in str(text).split(","):
        m = SORT_RE.match(part)
        if not m:
            raise QueryParseError(
                'Invalid "sort" parameter {!r}: each part must be '
                '"<field> asc" or "<field> desc"'.format(part.strip())
            )
        result.append((m.group(1), m.group(2).lower()))
    return result
