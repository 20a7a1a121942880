"""Whether this process should try Redis now, for the error-report centre.

A Redis that is down refuses connections at once, but a hung one (overloaded,
stopped, behind a broken network path) lets every command wait for the socket
timeout of ``ckan.redis.url`` (3 s in the embedded ini and the Docker
configuration). A report touches Redis up to three times (the outbox
hand-over, the rate limit, the notification queue), so once one of them
fails, the others in this process skip Redis for
``ckanext.koreanap.reports.outbox_check_interval`` seconds and use their
PostgreSQL paths at once: the PostgreSQL rate-limit count and the outbox.
Nothing is lost by skipping; the outbox is handed to the worker when Redis
answers again.
"""
from __future__ import annotations

import logging
import time

from . import config

log = logging.getLogger(__name__)

# Per process (threads share it): when Redis last failed here, on the monotonic clock.
_failed_at: float | None = None


def usable() -> bool:
    """Whether to try Redis now (no failure in the last outbox_check_interval seconds)."""
    return _failed_at is None or time.monotonic() - _failed_at >= config.outbox_check_interval()


def failed(error: BaseException) -> None:
    """Redis just failed in this process: skip it for a while."""
    global _failed_at
    if usable():
        log.warning("Redis failed (%s: %s); error reports use PostgreSQL alone for %s s",
                    type(error).__name__, error, config.outbox_check_interval())
    _failed_at = time.monotonic()


class Skipped(Exception):
    """Redis not tried: it failed in this process moments ago."""

    def __init__(self) -> None:
        super().__init__("Redis failed in this process less than {} s ago; not tried".format(
            config.outbox_check_interval()))
