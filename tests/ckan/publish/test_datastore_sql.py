"""datastore_search_sql, open to anonymous users, is bounded in time: a heavy query
answers a clear 409 within a few seconds instead of holding a web worker."""
import time

import pytest
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_publish", "with_request_context")


def _table(sysadmin, rows):
    from ckan.tests.helpers import call_action

    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    created = call_action("datastore_create", context={"user": sysadmin["name"]},
                          resource={"package_id": dataset["id"]},
                          fields=[{"id": "n", "type": "int"}],
                          records=[{"n": i} for i in range(rows)], force=True)
    return created["resource_id"]


@pytest.mark.ckan_config("ckanext.koreanap.datastore.sql_timeout_ms", "300")
def test_cross_join_is_stopped_by_the_timeout(app, sysadmin):
    """An anonymous cross join of 10^9 rows stops at the catalogue's bound with
    CKAN's 'Query took too long' (409), in seconds rather than CKAN's 60."""
    table = _table(sysadmin, 1000)
    sql = 'SELECT count(*) FROM "{t}" a, "{t}" b, "{t}" c'.format(t=table)
    started = time.monotonic()
    response = app.post("/api/3/action/datastore_search_sql", json={"sql": sql}, status=409)
    elapsed = time.monotonic() - started
    assert response.json["error"]["query"] == ["Query took too long"]
    assert elapsed < 30, "the bound did not apply: {:.1f} s".format(elapsed)


def test_small_queries_still_answer(app, sysadmin):
    """A query within the bound answers as CKAN does."""
    table = _table(sysadmin, 10)
    response = app.post("/api/3/action/datastore_search_sql",
                        json={"sql": 'SELECT sum(n) AS s FROM "{}"'.format(table)}, status=200)
    assert response.json["result"]["records"] == [{"s": 45}]
