"""Per-address limit on new error reports (fixed windows), counted in Redis.

Only stored reports count: a request takes a :class:`Charge` before the
report is checked and gives it back (:meth:`Charge.refund`) when the report is
refused (400/404/409) or not stored for any other reason.

When Redis is down the limit is counted in PostgreSQL instead
(``koreanap_error_report_rate``), not switched off. Failing open would let a
flood of anonymous reports through exactly while the notifications can't be
queued, and that flood would then reach the organizations' admins as mail
once Redis is back. A report needs PostgreSQL anyway, so the fallback adds no
new way to fail; it costs one upsert per report, only while Redis is down.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError
from sqlalchemy import text
from werkzeug.exceptions import TooManyRequests

from . import config, redis_state

log = logging.getLogger(__name__)


class TooManyReports(TooManyRequests):
    """Raised when one address sends more reports than the limit allows."""

    def __init__(self, retry_after: int):
        minutes = max(1, (retry_after + 59) // 60)
        # werkzeug sends retry_after as the Retry-After header (seconds).
        super().__init__(tk._(
            "Too many error reports from your address; please try again in {minutes} "
            "minute(s).").format(minutes=minutes), retry_after=retry_after)


class Charge:
    """One report counted against an address; refunded if the report is not stored."""

    def __init__(self, key: str, backend: str):
        self.key = key
        self.backend = backend  # "redis" or "postgresql"
        self.settled = False

    def keep(self) -> None:
        """The report was stored: it counts."""
        self.settled = True

    def refund(self) -> None:
        """The report was refused or lost: give the address its allowance back (once)."""
        if self.settled:
            return
        self.settled = True
        try:
            if self.backend == "redis":
                connect_to_redis().decr(self.key)
            else:
                with model.meta.engine.begin() as conn:
                    conn.execute(text("UPDATE koreanap_error_report_rate "
                                      "SET count = count - 1 WHERE key = :key"),
                                 {"key": self.key})
        except Exception:  # the count is only too high until the window ends
            log.warning("could not refund an error-report rate-limit count", exc_info=True)


def _count_in_redis(key: str, window: int) -> int:
    pipe = connect_to_redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, window + 1)
    return pipe.execute()[0]


def _count_in_postgresql(key: str, window: int) -> tuple[str, int]:
    # The table outlives the request (backups), so it keeps a keyed hash
    # rather than the visitor's address.
    secret = str(tk.config.get("SECRET_KEY") or "").encode("utf-8")
    hashed = hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()
    with model.meta.engine.begin() as conn:
        conn.execute(text("DELETE FROM koreanap_error_report_rate WHERE expires < now()"))
        count = conn.execute(text(
            "INSERT INTO koreanap_error_report_rate AS r (key, count, expires) "
            "VALUES (:key, 1, now() + make_interval(secs => :window)) "
            "ON CONFLICT (key) DO UPDATE SET count = r.count + 1 RETURNING count"),
            {"key": hashed, "window": window + 1}).scalar()
    return hashed, count


def charge(address: str) -> Charge | None:
    """Count one report from ``address``; raise TooManyReports past the limit.

    :returns: the charge to keep or refund, None when nothing is counted
        (limit switched off, or no address)
    """
    limit = config.rate_limit()
    if limit <= 0 or not address:
        return None
    window = max(1, config.rate_limit_window())
    moment = int(time.time())
    key = "ckan:{}:koreanap_reports:rate:{}:{}".format(
        tk.config.get("ckan.site_id"), address, moment // window)
    try:
        if not redis_state.usable():
            raise redis_state.Skipped()
        count = _count_in_redis(key, window)
        counted = Charge(key, "redis")
    except (RedisError, redis_state.Skipped) as error:
        if isinstance(error, RedisError):
            redis_state.failed(error)
            log.warning("Redis unavailable (%s): error-report rate limit counted in "
                        "PostgreSQL", error)
        hashed, count = _count_in_postgresql(key, window)
        counted = Charge(hashed, "postgresql")
    if count > limit:
        counted.refund()  # a refused request is not a report
        raise TooManyReports(window - moment % window)
    return counted
