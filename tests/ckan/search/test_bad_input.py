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
    ({"sort": "title_string sideways"}, 'Invalid "sort" parameter'),
    ({"sort": "name asc; DROP TABLE package"}, 'Invalid "sort" parameter'),
    ({"sort": "name asc, (select 1) desc"}, 'Invalid "sort" parameter'),
    ({"facet.field": '["tags\\"); DROP TABLE package; --"]'}, "Invalid facet field"),
])
def test_unparsable_parameters_are_search_query_errors(app, params, says):
    """Each bad q/fq/sort/facet.field answers 400 Search Query Error saying what is wrong."""
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


def test_dataset_page_search_error_is_a_message_not_a_500(app):
    """The /dataset page answers an unparsable query with CKAN's 400 page saying why."""
    response = app.get("/dataset/", query_string={"q": "title:(x"}, status=400)
    assert "unbalanced parenthesis" in response.body


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
    ({"q": "metadata_modified:[NOW-99999999999DAYS TO NOW]"},
     "NOW-99999999999DAYS is out of range"),
    ({"fq": "metadata_modified:[NOW+9999YEARS TO *]"}, "NOW+9999YEARS is out of range"),
])
def test_characters_and_dates_postgresql_cannot_take_are_400(app, params, says):
    """A NUL byte or a lone surrogate in q/fq/sort, or date math past year 9999,
    is a 400 Search Query Error saying what and where, never a 500."""
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
    answers a page (200) or CKAN's 400 page, never a 500."""
    factories.Dataset()
    response = app.get("/dataset/?" + query)
    assert response.status_code in (200, 400), response.body[:500]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(q=st.text(max_size=40), fq=st.text(max_size=20))
def test_any_query_is_200_or_a_clear_400(app, q, fq):
    """Property: any q and fq (NUL, surrogates, syntax, Hangul) give 200 or a 400
    Search Query Error, never a 500."""
    response = app.post(URL, json={"q": q, "fq": fq})
    assert response.status_code in (200, 400), response.body[:500]
    if response.status_code == 400:
        assert response.json["error"]["__type"] == "Search Query Error"
