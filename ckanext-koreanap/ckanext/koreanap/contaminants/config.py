"""One getter per ``ckanext.koreanap.contaminants.*`` option (config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def resource_id() -> str:
    """The survey table's resource id, when set explicitly (else empty)."""
    return (tk.config.get("ckanext.koreanap.contaminants.resource_id") or "").strip()


def dataset() -> str:
    """The dataset that holds the survey table and its reference tables."""
    return tk.config.get("ckanext.koreanap.contaminants.dataset") or "food-contaminants"


def resource_name() -> str:
    """The survey table's resource name in that dataset."""
    return tk.config.get("ckanext.koreanap.contaminants.resource_name") or "survey_results"


def page_size() -> int:
    """Rows per page (and the API's default limit)."""
    return int(tk.config.get("ckanext.koreanap.contaminants.page_size"))


def max_page_size() -> int:
    """Largest limit a search accepts."""
    return int(tk.config.get("ckanext.koreanap.contaminants.max_page_size"))


def csv_max_rows() -> int:
    """Most rows one CSV download writes."""
    return int(tk.config.get("ckanext.koreanap.contaminants.csv_max_rows"))


def statement_timeout() -> int:
    """Milliseconds one search statement may run."""
    return int(tk.config.get("ckanext.koreanap.contaminants.statement_timeout"))


def cache_seconds() -> int:
    """Seconds a quick-search result stays cached (0: no cache)."""
    return int(tk.config.get("ckanext.koreanap.contaminants.cache_seconds"))
