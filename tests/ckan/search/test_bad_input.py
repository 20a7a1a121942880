"""Bad search input gets CKAN's clear errors, never a 500, and SQL stays inert."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    # factories make datasets without an organization; the site config forbids that
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]

URL = "/api/3/action/package_search"


def _table_count():
    return model.Session.execute(sa.text("SELECT count(*) FROM package")).scalar()


@pytest.mark.parametrize("params, says", [
    ({"q": "title:(cadmium"}, "unbalanced parenthesis"),
    ({"q": 'title:"cadmium'}, "unterminated quoted phrase"),
    ({"q": "title:"}, "has no value"),
    ({"q": "metadata_modified:[2020 TO"}, "unterminated range"),
    ({"q": "name:a AND"}, "AND has nothing after it"),
    ({"q": "name:x)"}, "unexpected ')'"),
    # CKAN appends " +state:(...)" to fq, so the parser meets that first.
    ({"fq": "tags:(a OR"}, "is a ')' missing?"),
    ({"q": "OR name:a"}, "OR has nothing before it"),
    ({"fq": "survey_year:[1 2]"}, "range needs 'TO'"),
    ({"fq": "b@d:x"}, "unexpected ':'"),
    ({"fq": "tags:(a b:c)"}, "field 'b' inside the group of field 'tags'"),
    # Lucene refuses these; the parser used to read them some other way.
    ({"q": "title:cadmium^"}, "'^' (a boost) must be followed by a number"),
    ({"q": "title:cadmium^high"}, "'^' (a boost) must be followed by a number"),
    ({"fq": "res_format:text/csv"}, "'/' starts a regular expression"),
    ({"q": "name:heritage/3d"}, "'/' starts a regular expression"),
    # Solr's date fields take dates only ("Invalid Date String").
    ({"q": "metadata_modified:[2020 TO *]"}, "Invalid Date String '2020'"),
    ({"fq": "metadata_created:[2020-13-01T00:00:00Z TO NOW]"}, "Invalid Date String"),
    ({"fq": "metadata_modified:2020*"}, "A wildcard cannot match the date field"),
    ({"fq": 'release_date:"yesterday"'}, "Invalid Date String 'yesterday'"),
    ({"q": "metadata_modified:[NOW-99999999999DAYS TO NOW]"},
     "NOW-99999999999DAYS is out of range"),
    ({"fq": "metadata_modified:[NOW+9999YEARS TO *]"}, "NOW+9999YEARS is out of range"),
])
def test_unparsable_queries_are_search_errors(app, params, says):
    """A q or fq Solr could not parse answers 409 Search Error, as CKAN does when Solr
    refuses a query, with a message saying what is wrong and where."""
    factories.Dataset()
    before = _table_count()
    response = app.post(URL, json=params, status=409)
    error = response.json["error"]
    assert error["__type"] == "Search Error"
    assert says in error["message"], error["message"]
    assert _table_count() == before


@pytest.mark.parametrize("q, count", [
    ("metadata_modified:[2020-01-01T00:00:00Z TO NOW]", 1),
    ("metadata_modified:[2020-01-01T00:00:00.5Z TO NOW/DAY+1DAY]", 1),
    ('metadata_created:"2020-01-01T00:00:00Z"', 0),
    ("url:http\\:\\/\\/example.org\\/x", 0),
    ('res_format:"text/csv"', 0),
    ("title:cadmium^2 OR title:rice~", 1),
])
def test_what_lucene_parses_is_still_answered(app, q, count):
    """Dates, escaped or quoted slashes and boosts with their number still search."""
    factories.Dataset(title="Cadmium in rice")
    response = app.post(URL, json={"q": q}, status=200)
    assert response.json["result"]["count"] == count


@pytest.mark.parametrize("params, says", [
    ({"sort": "title_string sideways"}, 'Invalid "sort" parameter'),
    ({"sort": "name asc; DROP TABLE package"}, 'Invalid "sort" parameter'),
    ({"sort": "name asc, (select 1) desc"}, 'Invalid "sort" parameter'),
    ({"facet.field": '["tags\\"); DROP TABLE package; --"]'}, "Invalid facet field"),
])
def test_bad_sort_or_facet_fields_are_search_query_errors(app, params, says):
    """A bad sort (CKAN turns Solr's sort error into this) or facet field answers 400
    Search Query Error saying what is wrong."""
    factories.Dataset()
    before = _table_count()
    response = app.get(URL, query_string=params, status=400)
    error = response.json["error"]
    assert error["__type"] == "Search Query Error"
    assert says in error["message"]
    assert _table_count() == before


@pytest.mark.parametrize("params", [
    {"q": "'; DROP TABLE package; --"},
    {"q": "\\'); DELETE FROM package; --"},
    {"q": "카드뮴' OR '1'='1"},
    {"fq": "name:\"x' OR '1'='1\""},
    {"fq": "tags:\"%\""},
    {"fq": "name:_*"},
    {"q": "title:%25%25 OR notes:\\\\"},
    {"fq": "extras_x:[\"'; DROP TABLE package; --\" TO *]"},
])
def test_sql_metacharacters_are_inert(app, params):
    """SQL syntax in any parameter is only ever searched for, never executed."""
    factories.Dataset(name="kept", title="Kept dataset")
    response = app.get(URL, query_string=params, status=200)
    assert response.json["success"] is True
    assert response.json["result"]["count"] == 0
    assert _table_count() == 1


@pytest.mark.parametrize("q", ['카드뮴 "쌀', "(((", "!!!", "-", "+", "AND OR", "쌀)", '""'])
def test_free_text_never_fails(app, q):
    """Whatever a user types in the search box (no field syntax) gets a 200 answer."""
    factories.Dataset(title="쌀 중 카드뮴은")
    response = app.get(URL, query_string={"q": q}, status=200)
    assert response.json["success"] is True


@pytest.mark.parametrize("q", ["title:(x", "title:x^", "metadata_modified:[2020 TO *]"])
def test_dataset_page_says_there_was_an_error_while_searching(app, q):
    """The /dataset page answers an unparsable query as it does with Solr: the page,
    with CKAN's "error while searching" text, in Korean on Korean pages."""
    korean = app.get("/dataset/", query_string={"q": q}, status=200).body
    assert 'id="search-error"' in korean
    assert "검색 중 오류가 발생했습니다." in korean
    assert "<h1>오류</h1>" in korean  # CKAN's heading, the bare word "Error", translated
    english = app.get("/en/dataset/", query_string={"q": q}, status=200).body
    assert "There was an error while searching." in english
    assert "<h1>Error</h1>" in english


def test_dataset_page_free_text_with_stray_brackets_is_not_an_error(app):
    """Search-box text without a field (DisMax) never shows the error text."""
    factories.Dataset(title="쌀 중 카드뮴은")
    body = app.get("/dataset/", query_string={"q": '카드뮴 "쌀 (('}, status=200).body
    assert 'id="search-error"' not in body


def test_bad_rows_are_validation_errors(app):
    """Non-numeric or negative rows are refused by CKAN's schema (409), not a 500."""
    app.get(URL, query_string={"rows": "-1"}, status=409)
    app.get(URL, query_string={"rows": "many"}, status=409)
    app.get(URL, query_string={"start": "-5"}, status=409)


@pytest.mark.parametrize("params, says", [
    ({"q": "카드뮴\x00"}, 'NUL character (U+0000) after "카드뮴"'),
    ({"fq": "tags:\x00x"}, '"fq" parameter: a NUL character (U+0000) after "tags:"'),
    ({"q": "cadmium \ud800"}, 'lone surrogate (U+D800) after "cadmium"'),
    ({"sort": "name asc\x00"}, '"sort" parameter: a NUL character (U+0000) after "asc"'),
])
def test_characters_postgresql_cannot_take_are_400(app, params, says):
    """A NUL byte or a lone surrogate in q/fq/sort is a 400 Search Query Error saying
    what and where, never a 500."""
    factories.Dataset()
    response = app.post(URL, json=params, status=400)
    error = response.json["error"]
    assert error["__type"] == "Search Query Error"
    assert says in error["message"], error["message"]


def test_dataset_page_with_a_nul_in_q_is_400(app):
    """The /dataset page with a NUL in its q answers CKAN's 400 page, not a 500."""
    response = app.get("/dataset/?q=%00cadmium", status=400)
    assert "NUL character" in response.body


@pytest.mark.parametrize("query", [
    "q=%ED%A0%80cadmium",  # a lone surrogate's bytes (not UTF-8): read as U+FFFD
    "q=cadmium%ED%A0",  # a cut-off sequence
    "q=metadata_modified:%5BNOW-99999999999DAYS%20TO%20NOW%5D",
    "fq=%00",
])
def test_dataset_page_with_bytes_or_dates_postgresql_cannot_take_is_never_500(app, query):
    """The /dataset page with invalid UTF-8 or date math past year 9999 in its query
    answers a page (200, with the error text for the dates) or CKAN's 400 page, never
    a 500."""
    factories.Dataset()
    response = app.get("/dataset/?" + query)
    assert response.status_code in (200, 400), response.body[:500]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(q=st.text(max_size=40), fq=st.text(max_size=20))
def test_any_query_is_200_or_a_clear_400_or_409(app, q, fq):
    """Property: any q and fq (NUL, surrogates, syntax, Hangul) give 200, a 400
    Search Query Error (characters) or a 409 Search Error (syntax), never a 500."""
    response = app.post(URL, json={"q": q, "fq": fq})
    assert response.status_code in (200, 400, 409), response.body[:500]
    if response.status_code != 200:
        assert response.json["error"]["__type"] == {
            400: "Search Query Error", 409: "Search Error"}[response.status_code]
