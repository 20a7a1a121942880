"""Per-address limit on new error reports, counted in Redis (fixed windows)."""
from __future__ import annotations

import time

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from werkzeug.exceptions import TooManyRequests

from . import config


class TooManyReports(TooManyRequests):
    """Raised when one address sends more reports than the limit allows."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(tk._(
            "Too many error reports from your address; please try again in {minutes} "
            "minute(s).").format(minutes=minutes))


def check(address: str) -> None:
    """Count one report from ``address``; raise TooManyReports past the limit."""
    limit = config.rate_limit()
    if limit <= 0 or not address:
        return
    window = max(1, config.rate_limit_window())
    slot = int(time.time()) // window
    key = "ckan:{}:koreanap_reports:rate:{}:{}".format(
        tk.config.get("ckan.site_id"), address, slot)
    redis = connect_to_redis()
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window + 1)
    count = pipe.execute()[0]
    if count > limit:
        raise TooManyReports(window - int(time.time()) % window)
