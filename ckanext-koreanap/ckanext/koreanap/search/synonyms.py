"""The synonym sets a site's sysadmins add to the shipped table.

``search/synonyms.csv`` ships with the extension (each set with its source);
a sysadmin adds sets of the site's own on ``/ckan-admin/synonyms`` or through
the ``koreanap_search_synonym_*`` actions, and removes them again. They are
kept in ``koreanap_search_synonym`` and apply to queries like the shipped ones
(no re-index: synonyms expand queries, not the index). Each process reads
them again when they are older than :data:`FRESH_S`, and at once after a change
it made itself. Solr (production) reads only the shipped file.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy import exc as sa_exc

from . import tables
from . import text as analysis

log = logging.getLogger(__name__)

# Seconds a process keeps the site's sets before reading them again.
FRESH_S = 5.0
MIN_TERMS, MAX_TERMS = 2, 10
MAX_TERM_LENGTH = 100
MAX_SOURCE_LENGTH = 500

_lock = threading.Lock()
_read_at = float("-inf")


def control_character(text: str) -> bool:
    """Whether ``text`` holds a control character or a lone surrogate."""
    return any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def term_problem(term: str) -> str | None:
    """Why ``term`` cannot be a synonym term ("empty", "too long", "character"), or None."""
    if not term:
        return "empty"
    if len(term) > MAX_TERM_LENGTH:
        return "too long"
    if "|" in term or control_character(term):
        return "character"
    return None


def rows(connection=None) -> list[dict[str, Any]]:
    """The site's sets, oldest first: ``{id, terms, source, created_by, created}``."""
    executor = model.Session if connection is None else connection
    query = sa.select(tables.synonym).order_by(tables.synonym.c.id)
    return [dict(r._mapping) for r in executor.execute(query)]


def refresh(force: bool = False) -> None:
    """Read the site's sets into the query analyser when they are older than
    :data:`FRESH_S` (or ``force``). On its own connection, so the request's
    transaction is untouched; if the table cannot be read, searching goes on
    with the sets read last."""
    global _read_at
    if not force and time.monotonic() - _read_at < FRESH_S:
        return
    with _lock:
        if not force and time.monotonic() - _read_at < FRESH_S:
            return
        try:
            with model.meta.engine.connect() as connection:
                found = rows(connection)
        except sa_exc.SQLAlchemyError as error:
            log.warning("the site's search synonyms were not read: %s",
                        str(error).splitlines()[0])
            _read_at = time.monotonic()
            return
        analysis.set_site_sets(r["terms"] for r in found)
        _read_at = time.monotonic()


def add(terms: list[str], source: str, user: str) -> dict[str, Any]:
    """Store a set (already validated) and use it in this process at once."""
    row = model.Session.execute(
        tables.synonym.insert().values(terms=terms, source=source, created_by=user)
        .returning(*tables.synonym.c)).one()
    model.Session.commit()
    refresh(force=True)
    return dict(row._mapping)


def remove(synonym_id: int) -> bool:
    """Delete a site's set; False when there was none with this id."""
    result = model.Session.execute(
        tables.synonym.delete().where(tables.synonym.c.id == synonym_id))
    model.Session.commit()
    refresh(force=True)
    return bool(result.rowcount)


def shipped() -> list[dict[str, Any]]:
    """The shipped sets as ``{terms, source}``."""
    return [{"terms": list(terms), "source": source}
            for terms, source in analysis.shipped_sets()]
