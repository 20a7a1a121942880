"""A page in score order counts the matches in the same pass, and the count
is the same as a separate count's, on the page, past the last match and in
another order."""
import pytest
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]


def test_ranked_pages_count_every_match():
    """Three matches of five: the count is 3 on a page of one, past the end,
    with no rows asked and when sorted by name instead of score."""
    for i in range(3):
        factories.Dataset(name="lead-%d" % i, title="Lead in rice %d" % i)
    for i in range(2):
        factories.Dataset(name="other-%d" % i, title="Mercury in fish %d" % i)

    def search(**params):
        return helpers.call_action("package_search", q="lead", **params)

    first = search(rows=1)
    assert first["count"] == 3 and len(first["results"]) == 1
    past = search(rows=10, start=5)
    assert past["count"] == 3 and past["results"] == []
    assert search(rows=0)["count"] == 3
    by_name = search(rows=2, sort="name desc")
    assert by_name["count"] == 3
    assert [r["name"] for r in by_name["results"]] == ["lead-2", "lead-1"]
    assert search(rows=10, start=2)["count"] == 3
