"""Bad quick-search input: a clear 400 naming the field, and no SQL run for it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan.tests import helpers

from .conftest import PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

URL = "/api/3/action/koreanap_contaminant_search"
# The same action with English messages (CKAN's language prefix; the default is Korean).
EN_URL = "/en" + URL

BAD = [
    ({"colour": "red"}, "colour", "Unknown parameter"),
    ({"survey_year": "1800"}, "survey_year", "between 1970 and 2100"),
    ({"survey_year": "2019; DROP TABLE x"}, "survey_year", "whole number"),
    ({"limit": "100000"}, "limit", "between 0 and 1000"),
    ({"limit": "ten"}, "limit", "whole number"),
    ({"offset": "-1"}, "offset", "between 0 and 1000000"),
    ({"sort": "value; DROP TABLE package"}, "sort", "'column desc'"),
    ({"sort": "(SELECT 1) desc"}, "sort", "'column desc'"),
    ({"sort": "value sideways"}, "sort", "'column desc'"),
    ({"substance_code": "HMT01' OR '1'='1"}, "substance_code", "Invalid code"),
    ({"food_group_code": "FG01\"; DELETE FROM x; --"}, "food_group_code", "Invalid code"),
    ({"producer_country": "kr"}, "producer_country", "Invalid code"),
    ({"collection_place_code": "market%"}, "collection_place_code", "Invalid code"),
    ({"substance_group": "MYC%"}, "substance_group", "Not allowed"),
    ({"detected": "maybe"}, "detected", "one of: Y, N"),
    ({"exceeds_only": "perhaps"}, "exceeds_only", "true or false"),
    ({"resource_id": "x'; DROP TABLE package; --"}, "resource_id", "Not a resource id"),
]


def _rows(resource_id: str) -> int:
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as conn:
        return conn.execute(sa.text('SELECT count(*) FROM "{}"'.format(resource_id))).scalar()


@pytest.mark.parametrize("params, field, says", BAD)
def test_bad_parameters_answer_400_naming_the_field(app, survey, params, field, says):
    """Each unknown, out-of-range or injected parameter is a 400 Validation Error on its field."""
    before = _rows(survey["resource_id"])
    response = app.get(EN_URL, query_string=params, status=400)
    body = response.json
    assert body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    assert says in " ".join(body["error"][field]), body["error"]
    assert _rows(survey["resource_id"]) == before


def test_bad_json_post_is_refused_too(app, survey):
    """A POSTed list of injected codes and a huge page size are refused, each field named."""
    response = app.post(URL, json={"substance_code": ["HMT01", "1=1; --"], "limit": 10**9},
                        status=400)
    error = response.json["error"]
    assert set(error) == {"__type", "substance_code", "limit"}


def test_no_sql_runs_for_refused_input(survey, monkeypatch):
    """Refused input never reaches the DataStore engine: no statement is executed."""
    from ckanext.koreanap.contaminants import tables

    called = []
    monkeypatch.setattr(tables, "read_engine", lambda: called.append(1))
    with pytest.raises(Exception) as raised:
        helpers.call_action("koreanap_contaminant_search", context={"user": ""},
                            survey_year=1800, sort="value; DROP TABLE x")
    assert type(raised.value).__name__ == "ValidationError"
    assert called == []


def test_not_a_survey_table_names_the_missing_columns(app, survey):
    """A DataStore table without the survey columns is a 400 on resource_id listing them."""
    from .conftest import datastore_table

    other = datastore_table(survey["user"], survey["dataset"]["id"], "food_groups",
                            [{"food_group_code": "FG01", "name_ko": "쌀", "name_en": "Rice"}])
    response = app.get(EN_URL, query_string={"resource_id": other}, status=400)
    assert "missing columns: sample_id" in response.json["error"]["resource_id"][0]


def test_unknown_resource_is_404(app, survey):
    """A resource id that does not exist answers 404 Not Found, not an error page."""
    response = app.get(EN_URL, query_string={"resource_id": "no-such-resource"}, status=404)
    assert "Resource not found" in response.json["error"]["message"]


def test_messages_are_korean_by_default(app, survey):
    """Without a language prefix the refusals are in Korean, the catalogue's default."""
    error = app.get(URL, query_string={"colour": "red", "survey_year": "1800"},
                    status=400).json["error"]
    assert error["colour"] == ["알 수 없는 매개변수"]
    assert "1970~2100 사이여야 합니다" in error["survey_year"][0]
