"""Facet counts are kept until the index changes, and never past a change."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers
from sqlalchemy import orm

from ckanext.koreanap.search import facet_cache
from ckanext.koreanap.search.backend import PostgresSearchConnection

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]


def _tags():
    return helpers.call_action("package_search", **{"facet.field": ["tags"]})["facets"]["tags"]


def _sneak_in_a_facet_row(value):
    """A facet row written behind the index's back (no generation advance)."""
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO koreanap_search_facet (doc_id, field, value)"
            " SELECT doc_id, 'tags', :value FROM koreanap_search_index LIMIT 1"),
            {"value": value})


def test_counts_are_kept_until_the_index_is_written():
    """A second identical facet query is answered from the kept counts; the next
    dataset write makes the counts be counted again."""
    factories.Dataset(tags=[{"name": "lead"}])
    assert _tags() == {"lead": 1}
    _sneak_in_a_facet_row("sneaked")
    assert _tags() == {"lead": 1}  # kept: the sneaked row is not counted
    factories.Dataset(tags=[{"name": "lead"}, {"name": "mercury"}])
    assert _tags() == {"lead": 2, "mercury": 1, "sneaked": 1}


def test_a_write_committed_by_another_session_is_counted():
    """Another session's (another process's) committed index write advances the
    generation, so this process counts again."""
    dataset = factories.Dataset(tags=[{"name": "lead"}])
    assert _tags() == {"lead": 1}
    doc = model.Session.execute(sa.text(
        "SELECT document FROM koreanap_search_index")).scalar_one()
    model.Session.remove()
    other = orm.Session(bind=model.meta.engine)
    try:
        doc = dict(doc, index_id=doc["index_id"] + "-copy", name="copy-of-it",
                   tags=["lead", "arsenic"])
        PostgresSearchConnection(session=other).add([doc])
        other.commit()
    finally:
        other.close()
    assert dataset["name"] != "copy-of-it"
    assert _tags() == {"lead": 2, "arsenic": 1}


def test_uncommitted_writes_are_counted_by_their_session_only():
    """A session that wrote the index and has not committed counts afresh (its
    own writes included) and keeps nothing; after its rollback the kept or
    counted answer has no trace of them."""
    factories.Dataset(tags=[{"name": "lead"}])
    assert _tags() == {"lead": 1}
    doc = model.Session.execute(sa.text(
        "SELECT document FROM koreanap_search_index")).scalar_one()
    PostgresSearchConnection().add([dict(doc, index_id="uncommitted", name="pending",
                                         tags=["pending-tag"])])
    assert _tags() == {"lead": 1, "pending-tag": 1}
    model.Session.rollback()
    assert _tags() == {"lead": 1}


def test_delete_and_purge_are_counted():
    """Deleting a dataset (an index delete) makes its tags leave the counts."""
    sysadmin = factories.Sysadmin()
    dataset = factories.Dataset(tags=[{"name": "lead"}])
    factories.Dataset(tags=[{"name": "mercury"}])
    assert _tags() == {"lead": 1, "mercury": 1}
    helpers.call_action("package_delete", context={"user": sysadmin["name"]},
                        id=dataset["id"])
    assert _tags() == {"mercury": 1}


def test_the_kept_counts_are_a_copy():
    """Changing an answer does not change what the next caller gets."""
    cache = facet_cache.FacetCache(size=2)
    cache.put("k", 1, (3, {"tags": ["a", 3]}))
    cache.get("k", 1)[1]["tags"].append("changed")
    assert cache.get("k", 1) == (3, {"tags": ["a", 3]})
    assert cache.get("k", 2) is None  # another generation: counted again
    assert cache.get("k", 1) is None  # and the old answer is gone
    for key in ("a", "b", "c"):
        cache.put(key, 1, key)
    assert cache.get("a", 1) is None and cache.get("c", 1) == "c"  # least recent dropped


def test_plain_counts_are_kept_until_the_index_is_written():
    """The number of matches of a query without facets is kept the same way."""
    factories.Dataset(name="first")
    assert helpers.call_action("package_search", sort="name asc")["count"] == 1
    with model.meta.engine.begin() as connection:  # a row behind the index's back
        connection.execute(sa.text(
            "INSERT INTO koreanap_search_index (index_id, package_id, site_id, entity_type,"
            " dataset_type, name, state, capacity, permission_labels, metadata_modified,"
            " metadata_created, title_string, fields, document, search_vector)"
            " SELECT index_id || '-sneaked', package_id, site_id, entity_type, dataset_type,"
            " name || '-sneaked', state, capacity, permission_labels, metadata_modified,"
            " metadata_created, title_string, fields, document, search_vector"
            " FROM koreanap_search_index"))
    assert helpers.call_action("package_search", sort="name asc")["count"] == 1
    factories.Dataset(name="second")
    assert helpers.call_action("package_search", sort="name asc")["count"] == 3
