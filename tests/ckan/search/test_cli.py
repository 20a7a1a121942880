"""`ckan search-index rebuild / check / show / clear` work on the PostgreSQL index."""
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

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
