"""One getter per ``ckanext.koreanap.*`` option (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def plan_url() -> str:
    """Where the plan's full text is published (linked from the home page)."""
    return tk.config.get("ckanext.koreanap.plan_url")


def commitments_package() -> str:
    """The plan's data package (``ckanext.koreanap.commitments.package``, declared with the
    commitments plugin); empty: planpackage's default."""
    return tk.config.get("ckanext.koreanap.commitments.package") or ""


def show_commitments_on_home() -> bool:
    """Whether the home page lists the plan's open-data commitments."""
    return tk.config.get("ckanext.koreanap.home.show_commitments")


def public_requires_valid() -> bool:
    """Whether a dataset with an invalid resource may not be made public."""
    return tk.config.get("ckanext.koreanap.public_requires_valid")


def max_upload_bytes() -> int:
    """Largest data package upload / unpacked zip / fetched URL, in bytes."""
    return tk.config.get("ckanext.koreanap.upload.max_bytes")


def link_check_timeout() -> int:
    """Seconds the link check waits for one answer from a distribution URL."""
    return tk.config.get("ckanext.koreanap.linkcheck.timeout")


def job_timeout() -> int:
    """Seconds a validation job may run."""
    return tk.config.get("ckanext.koreanap.jobs.timeout")


def worker_maintenance_interval() -> int:
    """Seconds between a job worker's maintenance rounds (scheduler take-over)."""
    return max(5, tk.config.get("ckanext.koreanap.jobs.worker_maintenance_interval"))


def job_lock_timeout() -> int:
    """Seconds a validation job waits for a row lock before it gives up."""
    return tk.config.get("ckanext.koreanap.jobs.lock_timeout")


def upload_validation_wait() -> int:
    """Seconds the upload page waits for the validation of what it published."""
    return tk.config.get("ckanext.koreanap.upload.validation_wait")


def page_cache_seconds() -> int:
    """Longest age of a page kept for anonymous visitors (0: no page cache)."""
    return tk.config.get("ckanext.koreanap.page_cache.seconds")


def page_cache_bytes() -> int:
    """Each web process's memory budget for kept pages, in bytes."""
    return max(1, tk.config.get("ckanext.koreanap.page_cache.mb")) * 1024 * 1024


def datastore_enabled() -> bool:
    """Whether the DataStore plugin is loaded (valid tables are then loaded into it)."""
    import ckan.plugins as p

    return p.plugin_loaded("datastore")


def datastore_sql_timeout_ms() -> int:
    """Milliseconds one datastore_search_sql query may run."""
    return tk.config.get("ckanext.koreanap.datastore.sql_timeout_ms")


# What datasets contain, indexed by the koreanap plugin (content.py); the options
# keep the names they had under koreanap_search.
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
