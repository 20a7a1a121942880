"""`ckan search-index rebuild / check / show / clear` work on the PostgreSQL index."""
import json

import ckan.logic as logic
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.common import config
from ckan.tests import factories, helpers

from ckanext.koreanap.search import backend

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    # factories make datasets without an organization; the site config forbids that
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]


def _indexed():
    return set(model.Session.execute(
        sa.text("SELECT name FROM koreanap_search_index")).scalars())


def test_clear_then_rebuild_restores_every_dataset(cli, ckan_config):
    """clear empties the index; rebuild puts every dataset back; check agrees."""
    names = {factories.Dataset()["name"] for _ in range(3)}
    result = cli.invoke(ckan, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == set()
    result = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 3 out of 3" in result.output
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == names
    result = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 3" in result.output
    assert helpers.call_action("package_search")["count"] == 3


def test_show_prints_the_indexed_document(cli):
    """show prints the stored document of one dataset."""
    dataset = factories.Dataset(title="쌀 중 카드뮴은")
    result = cli.invoke(ckan, ["search-index", "show", dataset["name"]])
    assert result.exit_code == 0, result.output
    assert dataset["id"] in result.output
    assert "title" in result.output


def test_clear_one_dataset_removes_only_it(cli):
    """clear NAME removes one document and commits it."""
    keep, drop = factories.Dataset(), factories.Dataset()
    result = cli.invoke(ckan, ["search-index", "clear", drop["name"]])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == {keep["name"]}


def test_rebuild_one_dataset(cli):
    """rebuild NAME re-indexes just that dataset."""
    dataset = factories.Dataset()
    model.Session.execute(sa.text("DELETE FROM koreanap_search_index"))
    model.Session.commit()
    result = cli.invoke(ckan, ["search-index", "rebuild", dataset["name"]])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == {dataset["name"]}
    stored = model.Session.execute(sa.text(
        "SELECT document->>'validated_data_dict' FROM koreanap_search_index")).scalar()
    assert json.loads(stored)["id"] == dataset["id"]


def _index_table_exists():
    return model.Session.execute(sa.text(
        "SELECT to_regclass('koreanap_search_index') IS NOT NULL")).scalar_one()


def test_db_clean_clears_the_index_and_db_init_restores_it(cli):
    """`ckan db clean` succeeds (it dropped the index table, then cleared the index,
    which failed with "relation does not exist"); `ckan db init` brings back an
    empty index that new datasets go into."""
    factories.Dataset()
    result = cli.invoke(ckan, ["db", "clean", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Clearing search index: SUCCESS" in result.output
    model.Session.remove()
    assert not _index_table_exists()
    result = cli.invoke(ckan, ["db", "init"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _index_table_exists()
    assert _indexed() == set()
    dataset = factories.Dataset()
    assert _indexed() == {dataset["name"]}


def _forget_all():
    model.Session.execute(sa.text("DELETE FROM koreanap_search_index"))
    model.Session.commit()


def _title_string(name):
    return model.Session.execute(sa.text(
        "SELECT title_string FROM koreanap_search_index WHERE name = :n"), {"n": name}).scalar()


def test_rebuild_only_missing_indexes_only_what_is_missing(cli):
    """--only-missing indexes the datasets the index lacks and leaves the others as
    they are; a plain rebuild re-indexes every one."""
    kept, missing = factories.Dataset(title="Kept"), factories.Dataset()
    model.Session.execute(sa.text("DELETE FROM koreanap_search_index WHERE name = :n"),
                          {"n": missing["name"]})
    model.Session.execute(sa.text(
        "UPDATE koreanap_search_index SET title_string = 'stale' WHERE name = :n"),
        {"n": kept["name"]})
    model.Session.commit()
    result = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing", "--quiet"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == {kept["name"], missing["name"]}
    assert _title_string(kept["name"]) == "stale"
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _title_string(kept["name"]) == "Kept"


def _add_orphan():
    """An index row of a dataset the database no longer has."""
    model.Session.execute(sa.text(
        "INSERT INTO koreanap_search_index (index_id, package_id, site_id, entity_type,"
        " dataset_type, name, state, capacity, permission_labels, metadata_modified,"
        " metadata_created, title_string, fields, document, search_vector)"
        " SELECT 'orphan-index', 'orphan-id', site_id, entity_type, dataset_type, 'orphan',"
        " state, capacity, permission_labels, metadata_modified, metadata_created,"
        " title_string, fields, document || '{\"id\": \"orphan-id\", \"name\": \"orphan\"}',"
        " search_vector FROM koreanap_search_index LIMIT 1"))
    model.Session.commit()


def test_rebuild_removes_orphans_unless_kept(cli):
    """A rebuild removes index rows of datasets no longer in the database, as CKAN
    does with Solr; --keep-orphans keeps them; list-orphans names them."""
    dataset = factories.Dataset()
    _add_orphan()
    result = cli.invoke(ckan, ["search-index", "list-orphans"])
    assert "orphan-id" in result.output and "Found 1 orphaned package(s)." in result.output
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet", "--keep-orphans"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == {dataset["name"], "orphan"}
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == {dataset["name"]}


def test_rebuild_force_goes_on_after_a_dataset_the_index_refuses(cli, monkeypatch):
    """Without --force a dataset the index refuses stops the rebuild (exit 1); with it
    the rest are indexed (a failed write used to leave the transaction aborted, so
    every later dataset failed too)."""
    names = [factories.Dataset()["name"] for _ in range(3)]
    refused = names[0]
    build_row = backend.build_row

    def refusing(doc):
        row = build_row(doc)
        if doc.get("name") == refused:
            row["permission_labels"] = "not an array"  # PostgreSQL refuses the cast
        return row

    monkeypatch.setattr(backend, "build_row", refusing)
    _forget_all()
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
    assert result.exit_code == 1
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet", "--force"])
    assert result.exit_code == 0, result.output
    model.Session.remove()
    assert _indexed() == set(names) - {refused}


@pytest.mark.parametrize("options, visible", [
    (["--commit-each"], [1, 2, 3]),
    ([], [0, 0, 0]),
])
def test_rebuild_commit_each_makes_each_dataset_searchable_at_once(
        cli, monkeypatch, options, visible):
    """With --commit-each another connection sees each dataset as soon as it is
    indexed; without it, all of them at the end."""
    for _ in range(3):
        factories.Dataset()
    _forget_all()
    engine = sa.create_engine(config["sqlalchemy.url"], poolclass=sa.pool.NullPool)
    seen = []
    index_update_package = logic.index_update_package

    def watched(context, id_, defer_commit=False):
        index_update_package(context, id_, defer_commit)
        with engine.connect() as other:
            seen.append(other.execute(sa.text(
                "SELECT count(*) FROM koreanap_search_index")).scalar())

    monkeypatch.setattr(logic, "index_update_package", watched)
    try:
        result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"] + options)
    finally:
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert seen == visible
    model.Session.remove()
    assert len(_indexed()) == 3


def test_rebuild_shows_progress_unless_quiet(cli):
    """Progress lines unless --quiet."""
    factories.Dataset()
    factories.Dataset()
    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert "Indexing dataset 2/2" in result.output
    result = cli.invoke(ckan, ["search-index", "rebuild", "--quiet"])
    assert "Indexing dataset" not in result.output
