"""One getter per ``ckanext.koreanap.search.*`` option (config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def content_enabled() -> bool:
    """Whether what datasets contain (schemas, DataStore values) is indexed."""
    return tk.config.get("ckanext.koreanap.search.content")


def content_max_values() -> int:
    """DataStore values indexed per dataset, at most."""
    return max(0, tk.config.get("ckanext.koreanap.search.content_max_values") or 0)


def content_column_values() -> int:
    """A text column with more distinct values than this is not indexed."""
    return max(0, tk.config.get("ckanext.koreanap.search.content_column_values") or 0)


def content_value_length() -> int:
    """Longest value (characters) indexed from a DataStore column."""
    return max(0, tk.config.get("ckanext.koreanap.search.content_value_length") or 0)


def content_scan_rows() -> int:
    """Rows of one DataStore table read for its values, at most."""
    return max(0, tk.config.get("ckanext.koreanap.search.content_scan_rows") or 0)
