"""The index follows every dataset change, inside the change's own transaction."""
import datetime
import re

import ckan.lib.search as search
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    # factories make datasets without an organization; the site config forbids that
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]


@pytest.fixture
def actor():
    """Actions that record activity need a real user in the context."""
    return {"user": factories.Sysadmin()["name"]}


def _names(**params):
    result = helpers.call_action("package_search", rows=1000, **params)
    return [r["name"] for r in result["results"]]


def _index_rows():
    return model.Session.execute(
        sa.text("SELECT name, state, capacity FROM koreanap_search_index ORDER BY name")).all()


def test_create_indexes_the_dataset():
    """A new dataset is searchable at once, by title and by Korean partial word."""
    factories.Dataset(name="new-one", title="납 검사 결과 / Lead results")
    assert _names(q="lead") == ["new-one"]
    assert _names(q="검사") == ["new-one"]


def test_update_replaces_the_indexed_document(actor):
    """After an update the new title is found and the old one is not."""
    dataset = factories.Dataset(title="Old title about arsenic")
    helpers.call_action("package_patch", context=actor, id=dataset["id"],
                        title="New title about mercury")
    assert _names(q="mercury") == [dataset["name"]]
    assert _names(q="arsenic") == []
    assert len(_index_rows()) == 1


def test_facet_counts_follow_updates(actor):
    """Facet counts drop a tag that an update removed and count the new one."""
    dataset = factories.Dataset(tags=[{"name": "old-tag"}])
    helpers.call_action("package_patch", context=actor, id=dataset["id"],
                        tags=[{"name": "new-tag"}])
    facets = helpers.call_action("package_search", **{"facet.field": ["tags"]})["facets"]
    assert facets["tags"] == {"new-tag": 1}
    rows = model.Session.execute(sa.text(
        "SELECT value FROM koreanap_search_facet WHERE field = 'tags'")).scalars().all()
    assert rows == ["new-tag"]


def test_delete_removes_the_document(actor):
    """By default (ckan.search.remove_deleted_packages) deleting drops the document."""
    dataset = factories.Dataset(title="Soon deleted")
    helpers.call_action("package_delete", context=dict(actor), id=dataset["id"])
    assert _names(q="deleted") == []
    assert _index_rows() == []
    assert model.Session.execute(sa.text(
        "SELECT count(*) FROM koreanap_search_facet")).scalar() == 0


@pytest.mark.ckan_config("ckan.search.remove_deleted_packages", "false")
def test_deleted_datasets_kept_in_the_index_show_only_on_request(actor):
    """Kept deleted documents appear only with include_deleted; purge drops them."""
    dataset = factories.Dataset(title="Soon deleted")
    helpers.call_action("package_delete", context=dict(actor), id=dataset["id"])
    assert _names(q="deleted") == []
    assert _names(q="deleted", include_deleted=True,
                  context=dict(actor, ignore_auth=False)) == [dataset["name"]]
    helpers.call_action("dataset_purge", context=dict(actor), id=dataset["id"])
    assert _index_rows() == []


def test_making_a_dataset_private_changes_who_finds_it(actor):
    """Switching private on re-labels the indexed document."""
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Visible then hidden")
    assert _names(q="hidden") == [dataset["name"]]
    helpers.call_action("package_patch", context=actor, id=dataset["id"], private=True)
    assert _names(q="hidden", context={"user": "", "ignore_auth": False}) == []
    assert _index_rows()[0].capacity == "private"


def test_index_write_rolls_back_with_the_dataset_change(actor, monkeypatch):
    """If the update's commit fails, the index keeps the old document (one transaction)."""
    dataset = factories.Dataset(title="Arsenic survey")

    def failing_commit():
        raise RuntimeError("commit failed")

    monkeypatch.setattr(model.repo, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        helpers.call_action("package_patch", context=dict(actor), id=dataset["id"],
                            title="Mercury survey")
    monkeypatch.undo()
    model.Session.rollback()
    # With Solr the new title would already be searchable; here it was never committed.
    assert _names(q="mercury") == []
    assert _names(q="arsenic") == [dataset["name"]]
    assert helpers.call_action("package_show", id=dataset["id"])["title"] == "Arsenic survey"


def test_clear_all_empties_only_this_sites_index():
    """clear_all removes this site's documents and keeps other sites' rows."""
    factories.Dataset()
    model.Session.execute(sa.text(
        "INSERT INTO koreanap_search_index (index_id, package_id, site_id, document, "
        "search_vector) VALUES ('other', 'other', 'another-site', '{}', '')"))
    model.Session.commit()
    try:
        search.clear_all()
        assert model.Session.execute(sa.text(
            "SELECT site_id FROM koreanap_search_index")).scalars().all() == ["another-site"]
    finally:
        # CKAN's clean_db does not drop plugin tables: leave nothing behind.
        model.Session.execute(sa.text("DELETE FROM koreanap_search_index"))
        model.Session.commit()


# How Solr writes a date back (Java's Instant): UTC, milliseconds unless they are 0, "Z".
_SOLR_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$")


def _solr_form(ckan_time):
    """CKAN's microsecond time as Solr would give it back."""
    moment = datetime.datetime.fromisoformat(ckan_time)
    millis = moment.microsecond // 1000
    return moment.replace(microsecond=0).isoformat() + (".%03dZ" % millis if millis else "Z")


def test_index_documents_give_dates_in_solrs_form():
    """fl and `search-index show` return metadata_created/_modified, *_date fields and
    indexed_ts as Solr does (millisecond precision, trailing Z), not CKAN's
    microseconds; the dataset's own times are unchanged."""
    dataset = factories.Dataset(
        extras=[{"key": "release_date", "value": "2020-01-02 03:04:05.678901"},
                {"key": "review_date", "value": "2021-06-30T12:00:00+09:00"}])
    fields = "name,metadata_created,metadata_modified,release_date,review_date,indexed_ts"
    doc = helpers.call_action("package_search", fl=fields)["results"][0]
    assert doc["metadata_created"] == _solr_form(dataset["metadata_created"])
    assert doc["metadata_modified"] == _solr_form(dataset["metadata_modified"])
    assert doc["release_date"] == "2020-01-02T03:04:05.678Z"
    assert doc["review_date"] == "2021-06-30T03:00:00Z"
    assert _SOLR_DATE.match(doc["indexed_ts"]), doc["indexed_ts"]
    shown = search.show(dataset["name"])
    assert {k: shown[k] for k in fields.split(",")} == doc
    assert helpers.call_action("package_show", id=dataset["id"])["metadata_created"] \
        == dataset["metadata_created"]
