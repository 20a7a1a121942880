"""Route CKAN's search-index calls to PostgreSQL while koreanap_search is loaded.

CKAN imports ``make_connection`` by name into several modules, so each of
those names is replaced by one dispatcher. The dispatcher asks on every call
whether the plugin is loaded: with it, the PostgreSQL connection; without
it (production with Solr, or a test that unloaded the plugin), CKAN's own
Solr connection. Installing twice is harmless.
"""
from __future__ import annotations

import functools
import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
import ckan.plugins as p
import sqlalchemy as sa
from ckan import model

from .backend import COMMIT_EACH, TABLE, PostgresSearchConnection

log = logging.getLogger(__name__)

PLUGIN_NAME = "koreanap_search"
_MARK = "_koreanap_search_original"


def active() -> bool:
    return p.plugin_loaded(PLUGIN_NAME)


def _dispatching(original, replacement):
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any):
        if active():
            return replacement(*args, **kwargs)
        return original(*args, **kwargs)

    setattr(wrapper, _MARK, original)
    return wrapper


def _make_connection(decode_dates: bool = True) -> PostgresSearchConnection:
    return PostgresSearchConnection()


def index_table_exists() -> bool:
    """Whether the migration that creates the index table has run."""
    from ckan.common import config

    # Called at start-up, before CKAN binds its session: use a throwaway engine.
    engine = sa.create_engine(config["sqlalchemy.url"], poolclass=sa.pool.NullPool)
    try:
        return bool(sa.inspect(engine).has_table(TABLE))
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def _check_schema_version(schema_file: Any = None) -> bool:
    # There is no Solr schema to check; say if the index table is missing.
    if not index_table_exists():
        log.warning("Search index table %s is missing: run "
                    "`ckan db upgrade -p koreanap_search`", TABLE)
    return False


def _clear(package_reference: str) -> None:
    original = getattr(search.clear, _MARK)
    original(package_reference)  # CKAN's own clear, through our connection
    # `ckan search-index clear NAME` commits nothing itself; Solr did.
    model.Session.commit()


def _rebuild(*args: Any, **kwargs: Any) -> None:
    original = getattr(search.rebuild, _MARK)
    # Rebuilding every dataset with defer_commit=False (`--commit-each`) asks
    # the index to commit after each one (one dataset's rebuild commits anyway).
    whole = (args[0] if args else kwargs.get("package_id")) is None \
        and kwargs.get("package_ids") is None
    token = COMMIT_EACH.set(whole and not kwargs.get("defer_commit", False))
    try:
        original(*args, **kwargs)
    finally:
        COMMIT_EACH.reset(token)


def install() -> None:
    targets = [
        (search_common, "make_connection", _make_connection),
        (search_index, "make_connection", _make_connection),
        (search_query, "make_connection", _make_connection),
        (search, "make_connection", _make_connection),
        (search, "check_solr_schema_version", _check_schema_version),
    ]
    for module, name, replacement in targets:
        current = getattr(module, name)
        if not hasattr(current, _MARK):
            setattr(module, name, _dispatching(current, replacement))
    if not hasattr(search.clear, _MARK):
        original_clear = search.clear
        wrapper = _dispatching(original_clear, _clear)
        search.clear = wrapper
    if not hasattr(search.rebuild, _MARK):
        search.rebuild = _dispatching(search.rebuild, _rebuild)
