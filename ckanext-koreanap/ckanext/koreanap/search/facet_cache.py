"""Facet counts kept between searches until the index changes, as Solr keeps
them per searcher until the next commit.

Counting the facets of every public dataset reads all their facet rows on
each call (the catalogue's home and ``/dataset`` pages ask for them with no
query): about 40 ms at 9,000 datasets and ten times that at 100,000. The
answer only changes when the index does, so it is kept in this process, keyed
by the query's SQL and values and by the index *generation*.

The generation is the sequence ``koreanap_search_generation``, advanced after
every commit of a transaction that wrote the index (a sequence: no row lock,
so concurrent writers never wait for each other). It is read before counting,
so an answer kept under generation *g* was computed after every write whose
advance made *g*: a write committed later advances it again and the kept
answer is no longer found. A session that has written the index and not yet
committed neither reads nor keeps answers (its own writes are not the
others'). Answers are also dropped after :data:`MAX_AGE` seconds, which bounds
what a process killed between a commit and its advance could leave stale.
"""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

log = logging.getLogger(__name__)

SEQUENCE = "koreanap_search_generation"
MAX_ENTRIES = 256
MAX_AGE = 60.0
_WRITTEN = "koreanap_search_written"

# The sequence's oid and last value, and the index table's oid: `ckan db clean`
# and the tests' clean_db drop the table without a write of ours (the sequence,
# which they do not reflect, survives) and a new table has a new oid; a
# sequence made again restarts its values but has a new oid too. NULLs when
# they do not exist (the migration not run): nothing is kept then.
_GENERATION = sa.text(
    "SELECT CAST(to_regclass(:name) AS oid), pg_sequence_last_value(to_regclass(:name)),"
    " CAST(to_regclass('koreanap_search_index') AS oid)")
_ADVANCE = sa.text("SELECT nextval(to_regclass(:name))")


class FacetCache:
    """The last :data:`MAX_ENTRIES` answers, least recently used dropped first."""

    def __init__(self, size: int = MAX_ENTRIES, max_age: float = MAX_AGE) -> None:
        self.size, self.max_age = size, max_age
        self._entries: OrderedDict[Any, tuple[Any, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, generation: Any) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            kept_generation, kept_at, value = entry
            if kept_generation != generation or time.monotonic() - kept_at > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return copy.deepcopy(value)

    def put(self, key: Any, generation: Any, value: Any) -> None:
        with self._lock:
            self._entries[key] = (generation, time.monotonic(), copy.deepcopy(value))
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


cache = FacetCache()


def generation(session: Any) -> tuple[Any, Any, Any] | None:
    """The index generation now, or None when answers must not be kept (this
    session has uncommitted index writes, or there is no sequence)."""
    if session.info.get(_WRITTEN):
        return None
    oid, value, table = session.execute(_GENERATION, {"name": SEQUENCE}).one()
    return None if oid is None or table is None else (oid, value, table)


def mark_written(session: Any) -> None:
    """Note that ``session`` wrote the index: its commit advances the generation."""
    session.info[_WRITTEN] = True


def _after_commit(session: orm.Session) -> None:
    if not session.info.pop(_WRITTEN, False):
        return
    try:
        # The session can run no SQL once committed: a connection of its own.
        with session.get_bind().connect() as connection:
            connection.execute(_ADVANCE, {"name": SEQUENCE})
            connection.commit()
    except sa_exc.SQLAlchemyError as e:
        log.warning("Could not advance the search index generation: %s",
                    str(e).splitlines()[0])
        cache.clear()


def _after_rollback(session: orm.Session) -> None:
    session.info.pop(_WRITTEN, None)  # nothing was written after all


def listen() -> None:
    """Advance the generation after each commit that wrote the index (once per
    process; every session, as CKAN's scoped session makes new ones)."""
    if not sa.event.contains(orm.Session, "after_commit", _after_commit):
        sa.event.listen(orm.Session, "after_commit", _after_commit)
        sa.event.listen(orm.Session, "after_rollback", _after_rollback)
