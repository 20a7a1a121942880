"""Quick-search results kept in Redis until the data changes.

A search's rows, total, summary and chart depend only on the survey table's
rows, the verified maximum levels and the filter (and the page's column
titles only on the table's data dictionary), so they are the same for every
visitor until data is loaded again. They are kept in CKAN's Redis
(shared by every web process) under a key made of:

- the *data version*: a random token in Redis, replaced whenever rows are
  written to the DataStore (the publishing job's load, sending the
  ``koreanap_datastore_loaded`` signal, and CKAN's ``datastore_create``,
  ``datastore_upsert`` and ``datastore_delete``, see ``logic/action.py``),
  so a publish makes every earlier entry unreachable at once;
- the table's resource id, the validated filter, sort, page and what was
  asked for (summary, chart), and the verified maximum levels the counts use.

Entries also expire after ``ckanext.koreanap.contaminants.cache_seconds``
(0 turns the cache off), which bounds how long a change made outside CKAN
(plain SQL on the DataStore) can go unseen. When Redis cannot be reached the
search is computed as if nothing were cached (logged), never refused.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from . import config

log = logging.getLogger(__name__)


def _prefix() -> str:
    return "{}:koreanap:contaminants:".format(tk.config.get("ckan.site_id") or "default")


def _version_key() -> str:
    return _prefix() + "data-version"


def data_version(redis: Any) -> str:
    """The current data version (a token made on first use)."""
    key = _version_key()
    current = redis.get(key)
    if current is None:
        redis.set(key, secrets.token_hex(8), nx=True)
        current = redis.get(key)
    return current.decode() if isinstance(current, bytes) else str(current)


def data_changed(*_args: Any, **_kwargs: Any) -> None:
    """Make every cached search unreachable (rows were written to the DataStore).

    Also a signal listener (any sender). When Redis cannot be reached this is
    logged as an error: cached searches may then stay until they expire."""
    try:
        connect_to_redis().set(_version_key(), secrets.token_hex(8))
    except RedisError:
        log.error("quick-search cache: could not mark the data as changed in Redis; "
                  "cached searches may be up to %s s old", config.cache_seconds())


def _key(version: str, parts: dict[str, Any]) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return "{}search:{}:{}".format(_prefix(), version,
                                   hashlib.sha256(text.encode("utf-8")).hexdigest())


def cached(parts: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """``compute()``'s result (JSON-able) for what ``parts`` describes (a search, or
    the table's column labels in one language), from the cache when this data
    version already answered it."""
    seconds = config.cache_seconds()
    if seconds <= 0:
        return compute()
    try:
        redis = connect_to_redis()
        key = _key(data_version(redis), parts)
        hit = redis.get(key)
    except RedisError as error:
        log.warning("quick-search cache unavailable (%s); searching without it", error)
        return compute()
    if hit is not None:
        return json.loads(hit)
    value = compute()
    try:
        redis.set(key, json.dumps(value, ensure_ascii=False), ex=seconds)
    except RedisError as error:
        log.warning("quick-search cache: could not store a result (%s)", error)
    return value
