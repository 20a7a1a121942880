"""Pages that every anonymous visitor sees alike, rendered once for a crowd.

Hooks on CKAN's Flask app (installed by the main plugin as its middleware), so
they run after CKAN has identified the visitor and set the page language. A
page is kept only when CKAN itself would let a proxy share it:

- the request is a ``GET`` from a visitor who is not logged in and whose
  session holds nothing but a CSRF token (CKAN's own rule, ``ckan.lib.base``);
- CKAN rendered it as cacheable (``ckan.cache_enabled`` on, nothing marked it
  ``__no_cache__``), answered ``200`` with HTML or JSON, set no cookie of the
  view's own and left nothing new in the session.

Every page of CKAN carries a CSRF token (a ``<meta>`` for its scripts, and in
forms). A kept page holds a placeholder instead, and each visitor gets the
page with a token of their own session, made by Flask-WTF as CKAN's render
would, so a form or a script posting from a kept page works as from a fresh
one.

What is kept is keyed by the page language and the whole URL, and by the
*site version*: a token in Redis that is replaced after every write request
to the site (``POST``, ``PUT``, ``PATCH``, ``DELETE``), after every action
that is not side-effect free and after every commit of CKAN's database
session that wrote, in any process (a validation job recording its
progress, a link check, a command). So a dataset edited, a report sent, a
rule added or a job's state recorded makes every kept page stale at once,
in every web process. A change made past CKAN's session (``psql``, another
database's engine) is seen after at most
``ckanext.koreanap.page_cache.seconds``, the age limit of every entry (0
turns the cache off). An answer that shows something no write marks (a
validation job's live state, read from the queue and the worker's process)
sets CKAN's ``__no_cache__`` flag, so it is never kept.

Each web process keeps its own entries in memory, up to
``ckanext.koreanap.page_cache.mb``. When several threads of a process ask for
the same missing page, one renders it and the others wait for it (a few
seconds at most) rather than render it again. When Redis cannot be reached,
pages are rendered for every visitor as without the cache (logged once a
minute): nothing is served that could not be checked against the site
version.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Content types worth keeping: pages and API answers (not downloads).
KEPT_TYPES = frozenset({"text/html", "application/json"})
# One entry may take at most this share of a process's budget.
ENTRY_SHARE = 16
# How long a thread waits for another thread rendering the same page.
WAIT_S = 5.0
# After a Redis failure, how long this process renders every page.
REDIS_PAUSE_S = 10.0
# What a kept page holds where its renderer's CSRF token was (never in HTML or JSON).
TOKEN_MARK = b"\x00koreanap-csrf-token\x00"
HEADER = "X-Koreanap-Page-Cache"
# Session keys that do not make a visitor someone: Flask's and Flask-Login's flags
# (besides Flask-WTF's token). A flashed message or a user id does.
_NEUTRAL_SESSION_KEYS = frozenset({"_permanent", "_fresh"})


class Entry:
    """One kept response."""

    __slots__ = ("version", "stored", "status", "headers", "body")

    def __init__(self, version: str, stored: float, status: int,
                 headers: list[tuple[str, str]], body: bytes) -> None:
        self.version = version
        self.stored = stored
        self.status = status
        self.headers = headers
        self.body = body


class Store:
    """Entries of one process, least recently used first out, within a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        # Keys being rendered now, and the event their waiters wait on.
        self._rendering: dict[str, threading.Event] = {}

    def get(self, key: str, version: str, max_age: float) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version != version or time.monotonic() - entry.stored > max_age:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes // ENTRY_SHARE:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def claim(self, key: str) -> threading.Event | None:
        """None when this thread is to render ``key``; else the event to wait on."""
        with self._lock:
            event = self._rendering.get(key)
            if event is None:
                self._rendering[key] = threading.Event()
            return event

    def release(self, key: str) -> None:
        with self._lock:
            event = self._rendering.pop(key, None)
        if event is not None:
            event.set()

    def __len__(self) -> int:
        return len(self._entries)


class SiteVersion:
    """The site version in Redis, and this process's pause after a Redis failure."""

    def __init__(self, connect: Callable[[], Any], key: str) -> None:
        self._connect = connect
        self._redis: Any = None
        self.key = key
        self._failed_at: float | None = None
        self._logged_at = float("-inf")

    def _client(self) -> Any:
        if self._redis is None:
            self._redis = self._connect()
        return self._redis

    def _paused(self) -> bool:
        # A hung Redis makes each command wait for the socket timeout of ckan.redis.url:
        # after one failure this process does not ask for a while.
        return self._failed_at is not None and time.monotonic() - self._failed_at < REDIS_PAUSE_S

    def current(self) -> str | None:
        """The version, or None (Redis failed here moments ago, or now)."""
        if self._paused():
            return None
        try:
            redis = self._client()
            value = redis.get(self.key)
            if value is None:
                redis.set(self.key, secrets.token_hex(8), nx=True)
                value = redis.get(self.key)
        except Exception as error:  # noqa: BLE001 - any Redis failure: render every page
            self._failed(error)
            return None
        self._failed_at = None
        return value.decode() if isinstance(value, bytes) else str(value)

    def replace(self) -> bool:
        """Make every kept page stale; False when Redis failed (now or moments ago)."""
        if self._paused():
            return False
        try:
            self._client().set(self.key, secrets.token_hex(8))
        except Exception as error:  # noqa: BLE001 - the caller drops its own entries instead
            self._failed(error)
            return False
        return True

    def _failed(self, error: BaseException) -> None:
        self._failed_at = time.monotonic()
        if self._failed_at - self._logged_at >= 60:
            self._logged_at = self._failed_at
            log.warning("page cache: Redis failed (%s: %s); pages are rendered for every "
                        "visitor until it answers", type(error).__name__, error)


class PageCache:
    """The cache of one process: its store, the site version and the age limit.

    :param seconds: the longest an entry is served
    :param max_bytes: this process's budget for kept bodies
    :param version: the site version shared by the processes
    """

    def __init__(self, *, seconds: float, max_bytes: int, version: SiteVersion) -> None:
        self.seconds = seconds
        self.store = Store(max_bytes)
        self.version = version

    def changed(self) -> None:
        """Something was written: no kept page may be served again."""
        if not self.version.replace():
            self.store.clear()

    def current_version(self) -> str | None:
        current = self.version.current()
        if current is None:
            self.store.clear()
        return current

    # -- Flask hooks ---------------------------------------------------------

    def serve(self) -> Any:
        """In place of the view: the kept page, or None to let the view render it."""
        from flask import g, request

        g.koreanap_reading = request.method not in WRITE_METHODS
        if request.method != "GET" or not _anonymous():
            return None
        version = self.current_version()
        if version is None:
            return None
        key = _key(request.environ)
        entry = self.store.get(key, version, self.seconds)
        if entry is None:
            waiting = self.store.claim(key)
            if waiting is None:
                g.koreanap_page_cache = (key, version)
                return None
            waiting.wait(WAIT_S)
            entry = self.store.get(key, version, self.seconds)
            if entry is None:
                return None
        return _response(entry, "hit")

    def keep(self, response: Any) -> Any:
        """after_request: keep what ``serve`` let CKAN render, if it may be shared."""
        from flask import g

        claimed = g.pop("koreanap_page_cache", None)
        if claimed is None:
            return response
        key, version = claimed
        try:
            if _shareable(response):
                body = response.get_data()
                token = _token_of_this_request()
                if token:
                    body = body.replace(token.encode(), TOKEN_MARK)
                headers = [(name, value) for name, value in response.headers.items()
                           if name.lower() not in ("set-cookie", "content-length")]
                self.store.put(key, Entry(version, time.monotonic(), response.status_code,
                                          headers, body))
            response.headers[HEADER] = "miss"
        finally:
            self.store.release(key)
        return response

    def release(self, _error: BaseException | None = None) -> None:
        """teardown_request, after every request, also one that failed: a claim whose
        render failed lets its waiters go; a write request, or a read that committed a
        write, makes every kept page stale (the one this request kept included)."""
        from flask import g, request

        claimed = g.pop("koreanap_page_cache", None)
        if claimed is not None:
            self.store.release(claimed[0])
        if g.pop("koreanap_wrote", False) or request.method in WRITE_METHODS:
            self.changed()


def _anonymous() -> bool:
    """Not logged in, and the session holds nothing but a CSRF token (so CKAN would let
    a proxy share the page); an API token makes a user too."""
    import ckan.plugins.toolkit as tk
    from flask import session

    if tk.current_user.is_authenticated:
        return False
    neutral = _NEUTRAL_SESSION_KEYS | {tk.config.get("WTF_CSRF_FIELD_NAME")}
    return not (set(session.keys()) - neutral)


def _key(environ: dict[str, Any]) -> str:
    return "\n".join(str(environ.get(name) or "") for name in (
        "wsgi.url_scheme", "HTTP_HOST", "CKAN_LANG", "SCRIPT_NAME", "PATH_INFO",
        "QUERY_STRING"))


def _token_of_this_request() -> str | None:
    """The CSRF token the render put in the page, if it made one (Flask-WTF keeps it
    in ``g`` under the field name)."""
    import ckan.plugins.toolkit as tk
    from flask import g

    return g.get(tk.config.get("WTF_CSRF_FIELD_NAME"))


def _shareable(response: Any) -> bool:
    """CKAN rendered it as cacheable, it is a whole page or API answer, and neither the
    view nor the session gives this visitor anything of their own."""
    from flask import request

    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return False
    if response.mimetype not in KEPT_TYPES or "Set-Cookie" in response.headers:
        return False
    if request.environ.get("__no_cache__"):
        return False
    return _anonymous()


def _response(entry: Entry, state: str) -> Any:
    from flask import Response, request
    from flask_wtf.csrf import generate_csrf

    # As a render would: CKAN then adds Vary: Cookie (its pages depend on the login).
    request.environ["__limit_cache_by_cookie__"] = True

    body = entry.body
    if TOKEN_MARK in body:
        body = body.replace(TOKEN_MARK, generate_csrf().encode())
    response = Response(body, status=entry.status, headers=entry.headers)
    response.headers["Age"] = str(int(time.monotonic() - entry.stored))
    response.headers[HEADER] = state
    return response


# -- the process's cache, and how the plugin installs it ----------------------

_cache: PageCache | None = None
_cache_lock = threading.Lock()


def cache() -> PageCache | None:
    """This process's page cache as configured (None when turned off)."""
    global _cache
    from . import config

    seconds = config.page_cache_seconds()
    if seconds <= 0:
        return None
    with _cache_lock:
        if _cache is None or _cache.seconds != seconds:
            import ckan.plugins.toolkit as tk
            from ckan.lib.redis import connect_to_redis

            key = "{}:koreanap:page-cache:version".format(
                tk.config.get("ckan.site_id") or "default")
            _cache = PageCache(seconds=seconds, max_bytes=config.page_cache_bytes(),
                               version=SiteVersion(connect_to_redis, key))
        return _cache


def install(app: Any) -> Any:
    """Hook the page cache into CKAN's Flask ``app`` (IMiddleware); ``app`` unchanged
    when ``ckanext.koreanap.page_cache.seconds`` is 0."""
    current = cache()
    if current is None:
        return app
    # A kept page stands in for the view only: every before_request hook (CKAN's,
    # and other plugins', e.g. the report centre's outbox hand-over) still runs.
    render = app.dispatch_request

    def dispatch_request() -> Any:
        kept = current.serve()
        return render() if kept is None else kept

    app.dispatch_request = dispatch_request
    app.after_request(current.keep)
    app.teardown_request(current.release)
    return app


def _counted_at_request_end() -> bool:
    """In a web request the cache watches, a write is counted once, when it ends."""
    from flask import g, has_request_context

    if not has_request_context() or g.get("koreanap_reading") is None:
        return False
    if g.koreanap_reading:
        g.koreanap_wrote = True  # a read that wrote (see PageCache.release)
    return True


_WROTE = "koreanap_page_cache_wrote"
# The first word of plain-text SQL that writes.
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE"})


def _flushed(session: Any, _context: Any) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True


def _executed(state: Any) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True
    elif getattr(statement, "text", None) is not None:
        words = statement.text.split(None, 1)
        if words and words[0].upper() in _WRITE_WORDS:
            state.session.info[_WROTE] = True


def _committed(session: Any) -> None:
    if not session.info.pop(_WROTE, False) or _counted_at_request_end():
        return
    current = cache()
    if current is not None:
        current.changed()


def _rolled_back(session: Any) -> None:
    session.info.pop(_WROTE, None)  # nothing was written after all


def listen_for_commits() -> None:
    """Make kept pages stale after each commit of CKAN's session that wrote, whoever
    wrote (once per process). A job records its progress without an action: this is
    how a kept page learns of it."""
    import sqlalchemy as sa
    from ckan import model

    if sa.event.contains(model.Session, "after_commit", _committed):
        return
    sa.event.listen(model.Session, "after_flush", _flushed)
    sa.event.listen(model.Session, "do_orm_execute", _executed)
    sa.event.listen(model.Session, "after_commit", _committed)
    sa.event.listen(model.Session, "after_rollback", _rolled_back)


def not_to_keep() -> None:
    """The answer being made shows something no write marks (e.g. a job's live state):
    CKAN's ``__no_cache__`` flag keeps it from this cache and from proxies."""
    from flask import has_request_context, request

    if has_request_context():
        request.environ["__no_cache__"] = True


def action_done(action_name: str, **_kwargs: Any) -> None:
    """CKAN's ``action_succeeded`` signal: an action that may have written (not
    side-effect free) makes kept pages stale, in whichever process it ran."""
    from ckan import logic
    from flask import g, has_request_context

    if has_request_context() and g.get("koreanap_reading") is not None:
        return  # a web request: a write request counts at its end, a read's writes commit
    current = cache()
    if current is None:
        return
    try:
        action = logic.get_action(action_name)
    except Exception:  # noqa: BLE001 - an unknown name: count it as a write
        action = None
    if not getattr(action, "side_effect_free", False):
        current.changed()
