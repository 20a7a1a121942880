"""Fixtures for tests that run against CKAN (real PostgreSQL and Redis).

CKAN's pytest plugin unloads every plugin before the test loop; a test gets
plugins only through ``with_plugins`` (the list in test.ini). The search index
lives in PostgreSQL only while ``koreanap_search`` is loaded, so ``clean_db``
here loads the plugins first and then adds the plugins' tables, which
CKAN's own ``clean_db`` drops without re-creating.
"""
import pytest

MIGRATED_PLUGINS = ("activity", "koreanap_search", "koreanap", "koreanap_reports")


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, then every plugin migration (the index table among them)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
