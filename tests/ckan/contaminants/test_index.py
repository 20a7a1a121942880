"""koreanap_contaminant_index: indexes on the filter columns, made once, by editors only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from .conftest import PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

FILTER_COLUMNS = {"substance_code", "survey_year", "food_group_code", "food_item_code",
                  "producer_country", "production_region_code", "collection_region_code",
                  "collection_place_code", "exceeds_ml"}


def _indexed_columns(resource_id: str) -> set[str]:
    from ckanext.datastore.backend.postgres import get_write_engine

    sql = sa.text("""
        SELECT a.attname FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = to_regclass(:t) AND c.relname LIKE '%\\_kq%'""")
    with get_write_engine().connect() as conn:
        return {r[0] for r in conn.execute(sql, {"t": '"{}"'.format(resource_id)})}


def test_index_action_indexes_every_filter_column_once(survey):
    """The first call indexes each filter column (and three covering indexes); a second: nothing."""
    context = {"user": survey["user"]["name"]}
    assert helpers.call_action("koreanap_contaminant_search", context={"user": ""},
                               limit=0)["indexed"] is False
    first = helpers.call_action("koreanap_contaminant_index", context=context)
    assert set(first["created"]) == FILTER_COLUMNS | {"cover_substance", "cover_food", "cover_year"}
    assert _indexed_columns(survey["resource_id"]) >= FILTER_COLUMNS
    second = helpers.call_action("koreanap_contaminant_index", context=context)
    assert second["created"] == []
    assert helpers.call_action("koreanap_contaminant_search", context={"user": ""},
                               limit=0)["indexed"] is True


def test_search_results_are_the_same_with_indexes(survey):
    """Indexes change how rows are found, not which: a filter gives the same page after."""
    params = {"substance_group": "MYC", "survey_year": 2019, "sort": "value desc", "limit": 20}
    before = helpers.call_action("koreanap_contaminant_search", context={"user": ""}, **params)
    helpers.call_action("koreanap_contaminant_index", context={"user": survey["user"]["name"]})
    after = helpers.call_action("koreanap_contaminant_search", context={"user": ""}, **params)
    assert after["rows"] == before["rows"] and after["summary"] == before["summary"]


def test_only_editors_may_index(app, survey):
    """Anonymous and outside users get 403 from the index action; the table stays unindexed."""
    outsider = factories.User()
    token = factories.APIToken(user=outsider["name"])["token"]
    app.post("/api/3/action/koreanap_contaminant_index", json={}, status=403)
    app.post("/api/3/action/koreanap_contaminant_index", json={},
             headers={"Authorization": token}, status=403)
    assert _indexed_columns(survey["resource_id"]) == set()


def test_cli_indexes_the_table(cli, survey):
    """`ckan koreanap-contaminants index` indexes the table found by the lookup rule."""
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["koreanap-contaminants", "index"])
    assert result.exit_code == 0, result.output
    assert "indexed substance_code" in result.output
    assert _indexed_columns(survey["resource_id"]) >= FILTER_COLUMNS


def test_private_dataset_is_hidden_from_outsiders(app, survey):
    """A private survey dataset answers 403 to anonymous searches and works for its editor."""
    helpers.call_action("package_patch", context={"user": survey["user"]["name"]},
                        id=survey["dataset"]["id"], private=True)
    response = app.get("/api/3/action/koreanap_contaminant_search", status=403)
    assert "이 표를 볼 권한이 없습니다" in response.json["error"]["message"]  # Korean default
    response = app.get("/en/api/3/action/koreanap_contaminant_search", status=403)
    assert "Not allowed to read this table" in response.json["error"]["message"]
    result = helpers.call_action("koreanap_contaminant_search",
                                 context={"user": survey["user"]["name"]}, limit=1)
    assert result["total"] == len(survey["rows"])


def test_index_of_an_earlier_definition_is_replaced(survey):
    """A quick-search index whose definition changed since is dropped when indexing again."""
    from ckanext.datastore.backend.postgres import get_write_engine

    stale = "{}_kq9_000000".format(survey["resource_id"])
    with get_write_engine().begin() as conn:
        conn.execute(sa.text('CREATE INDEX "{}" ON "{}" (value)'.format(
            stale, survey["resource_id"])))
    helpers.call_action("koreanap_contaminant_index", context={"user": survey["user"]["name"]})
    with get_write_engine().connect() as conn:
        names = {r[0] for r in conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = :t"),
            {"t": survey["resource_id"]})}
    assert stale not in names
    assert sum("_kq" in n for n in names) == 12
