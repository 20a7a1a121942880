"""One getter per ``ckanext.koreanap.reports.*`` option (config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def deadline_days() -> int:
    """Days an accepted report may wait for its answer."""
    return tk.config.get("ckanext.koreanap.reports.deadline_days")


def evaluators_group() -> str:
    """Name of the group whose members are quality evaluators."""
    return tk.config.get("ckanext.koreanap.reports.evaluators_group")


def allow_anonymous() -> bool:
    """Whether visitors without an account may report errors."""
    return tk.config.get("ckanext.koreanap.reports.allow_anonymous")


def rate_limit() -> int:
    """Reports per client address per window (0: no limit)."""
    return tk.config.get("ckanext.koreanap.reports.rate_limit")


def rate_limit_window() -> int:
    """Seconds of one rate-limit window."""
    return tk.config.get("ckanext.koreanap.reports.rate_limit_window")


def trusted_proxies() -> int:
    """Reverse proxies whose X-Forwarded-For entries are believed."""
    return max(0, tk.config.get("ckanext.koreanap.reports.trusted_proxies") or 0)


def mail_retry_delays() -> list[int]:
    """Seconds between retries of a failed notification e-mail."""
    value = tk.config.get("ckanext.koreanap.reports.mail_retry_delays") or []
    if isinstance(value, str):  # set at run time, not normalised by the declaration
        value = value.split()
    return [int(v) for v in value]


def outbox_check_interval() -> int:
    """Seconds between a web process's looks for notifications kept in the outbox."""
    return max(0, tk.config.get("ckanext.koreanap.reports.outbox_check_interval") or 0)
