"""The Solr query language as the PostgreSQL index reads it (no database needed)."""
import datetime

import pytest

from ckanext.koreanap.search import compiler, parser, text
from ckanext.koreanap.search.parser import (
    MUST,
    MUST_NOT,
    SHOULD,
    Boolean,
    Exists,
    MatchAll,
    Phrase,
    Range,
    Term,
)


def occurs(node):
    return [(c.occur, c.node) for c in node.clauses]


def test_default_and_makes_plain_clauses_required():
    """With q.op=AND, clauses without an operator are all required."""
    node = parser.parse_standard("tags:a tags:b")
    assert occurs(node) == [(MUST, Term("tags", "a")), (MUST, Term("tags", "b"))]


def test_or_makes_its_neighbours_optional_as_lucene_does():
    """`a OR b` turns both sides into SHOULD clauses; `-c` stays prohibited."""
    node = parser.parse_standard("a OR b -c")
    assert occurs(node) == [(SHOULD, Term(None, "a")), (SHOULD, Term(None, "b")),
                            (MUST_NOT, Term(None, "c"))]


def test_ckan_style_filters_parse():
    """The fq CKAN itself builds parses into the expected required clauses."""
    node = parser.parse_standard(
        '+capacity:public +state:(active OR draft) +site_id:"x y" '
        '+permission_labels:("public" OR "member-1")')
    kinds = [(c.occur, type(c.node).__name__) for c in node.clauses]
    assert kinds == [(MUST, "Term"), (MUST, "Boolean"), (MUST, "Phrase"), (MUST, "Boolean")]
    assert node.clauses[2].node == Phrase("site_id", "x y")


def test_ranges_wildcards_exists_and_escapes():
    """Ranges, * and ? wildcards, field:* and backslash escapes are understood."""
    assert parser.parse_standard("n:[1 TO *}") == Range("n", "1", None, True, False)
    assert parser.parse_standard("tags:myco*") == Term("tags", "myco*", wildcard=True)
    assert parser.parse_standard("tags:*") == Exists("tags")
    assert parser.parse_standard("*:*") == MatchAll()
    assert parser.parse_standard(r"name:a\:b") == Term("name", "a:b")
    assert parser.parse_standard("title:rice^2") == Term("title", "rice")


@pytest.mark.parametrize("query, message", [
    ("title:(a", "unbalanced parenthesis at character 7"),
    ('"open', "unterminated quoted phrase at character 1"),
    ("a AND", "AND has nothing after it"),
    ("n:[1 TO 2", "unterminated range"),
    ("title:", "has no value"),
    ("a)", "unexpected ')'"),
    ("x\\", "dangling escape character"),
    ("*:x", "only *:* may use * as a field"),
])
def test_parse_errors_say_what_and_where(query, message):
    """Each unparsable query names its problem and the character where it is."""
    with pytest.raises(parser.QueryParseError) as error:
        parser.parse_standard(query, "q")
    assert message in str(error.value)
    assert repr(query) in str(error.value)


def test_dismax_never_fails_and_counts_minimum_match():
    """DisMax input is literal text; CKAN's mm '2<-1 5<80%' sets how many terms must match."""
    assert parser.parse_dismax('"unterminated') == Phrase(None, "unterminated")
    assert parser.parse_dismax("((( ))) !!!") == MatchAll()
    two = parser.parse_dismax("a b", "2<-1 5<80%")
    assert isinstance(two, Boolean) and two.min_should_match == 2
    four = parser.parse_dismax("a b c d", "2<-1 5<80%")
    assert four.min_should_match == 3
    ten = parser.parse_dismax(" ".join("abcdefghij"), "2<-1 5<80%")
    assert ten.min_should_match == 8


@pytest.mark.parametrize("sort, parsed", [
    ("score desc, metadata_modified desc", [("score", "desc"), ("metadata_modified", "desc")]),
    ("title_string ASC", [("title_string", "asc")]),
    ("", []),
])
def test_sort_parsing(sort, parsed):
    """sort is a comma list of '<field> asc|desc'."""
    assert parser.parse_sort(sort) == parsed


@pytest.mark.parametrize("sort", ["name", "name up", "name asc;drop", "f(x) asc", "name asc,"])
def test_bad_sort_is_refused(sort):
    """Anything but '<field> asc|desc' parts is an invalid sort."""
    with pytest.raises(parser.QueryParseError, match='Invalid "sort" parameter'):
        parser.parse_sort(sort)


def test_korean_text_becomes_bigrams_and_syllables():
    """Korean runs are indexed as bigrams and syllables; queries as a bigram phrase."""
    bigrams, unigrams = text.korean_index_text("쌀 중 카드뮴은 cadmium")
    assert bigrams.split() == ["카드", "드뮴", "뮴은"]
    assert unigrams.split() == ["쌀", "중", "카", "드", "뮴", "은"]
    assert text.korean_tsquery("카드뮴") == "('카드' <-> '드뮴')"
    assert text.korean_tsquery("쌀") == "'쌀'"
    assert text.latin_part("카드뮴(Cd) 검사") == "(Cd)"


def test_date_math():
    """NOW, NOW-7DAYS, NOW+1MONTH and NOW/DAY resolve to ISO timestamps."""
    now = datetime.datetime(2024, 1, 31, 13, 45, 10)
    assert compiler.resolve_date_math("NOW", now) == "2024-01-31T13:45:10Z"
    assert compiler.resolve_date_math("NOW-7DAYS", now) == "2024-01-24T13:45:10Z"
    assert compiler.resolve_date_math("NOW+1MONTH", now) == "2024-02-29T13:45:10Z"
    assert compiler.resolve_date_math("NOW/DAY", now) == "2024-01-31T00:00:00Z"
    assert compiler.resolve_date_math("2020-01-01T00:00:00Z", now) == "2020-01-01T00:00:00Z"


def test_date_math_in_any_order():
    """Roundings and steps apply left to right in any order, as in Solr (NOW/DAY+1DAY
    was compared as text before)."""
    now = datetime.datetime(2024, 1, 31, 13, 45, 10)
    assert compiler.resolve_date_math("NOW/DAY+1DAY", now) == "2024-02-01T00:00:00Z"
    assert compiler.resolve_date_math("NOW-1YEAR/MONTH", now) == "2023-01-01T00:00:00Z"
    assert compiler.resolve_date_math("NOW/YEAR-1DAY", now) == "2023-12-31T00:00:00Z"


def test_values_only_ever_become_bound_parameters():
    """Compiled SQL carries user values only as parameters, never in the SQL text."""
    bound = {}

    def param(value):
        bound["p%d" % len(bound)] = value
        return ":p%d" % (len(bound) - 1)

    evil = "x'); DROP TABLE package; --"
    node = parser.parse_standard('tags:"%s" OR name:%s*' % (evil, "a%_"))
    sql = compiler.Compiler("text", compiler.AnalysisRequests(), param).compile_where(node)
    assert "DROP" not in sql and "a%_" not in sql
    assert any(evil in str(v) for v in bound.values())
    assert "a\\%\\_%" in bound.values()
