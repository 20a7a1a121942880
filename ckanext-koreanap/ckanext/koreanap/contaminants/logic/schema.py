"""Input schema of koreanap_contaminant_search (every parameter is whitelisted)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ...wholenumbers import int_between
from .. import columns, config
from . import validators as v

_v = tk.get_validator


def search():
    """The parameters of ``koreanap_contaminant_search``; anything else is refused."""
    schema = {name: [_v("ignore_missing"), v.code_list(name, pattern)]
              for name, (_column, pattern) in columns.FILTERS.items()}
    schema.update({
        "resource_id": [_v("ignore_empty"), v.resource_id],
        "substance_group": [_v("ignore_missing"), v.choice_list(tuple(columns.SUBSTANCE_GROUPS))],
        "survey_year": [_v("ignore_missing"), v.year_list],
        "detected": [_v("ignore_empty"), v.one_of(("Y", "N"))],
        "exceeds_only": [_v("default")(False), v.strict_boolean],
        "sort": [_v("ignore_empty"), v.sort],
        "limit": [_v("default")(config.page_size()), int_between(0, config.max_page_size())],
        "offset": [_v("default")(0), int_between(0, columns.MAX_OFFSET)],
        "include_summary": [_v("default")(True), v.strict_boolean],
        "include_chart": [_v("default")(False), v.strict_boolean],
        "__extras": [v.no_unknown_parameters],
    })
    return schema


def index():
    """The parameters of ``koreanap_contaminant_index``."""
    return {
        "resource_id": [_v("ignore_empty"), v.resource_id],
        "__extras": [v.no_unknown_parameters],
    }


def rows():
    """The parameters of ``koreanap_contaminant_rows``: the search's filters and sort, the
    batch's ``limit`` and the ``after`` of the previous batch."""
    schema = {k: v for k, v in search().items()
              if k not in ("limit", "offset", "include_summary", "include_chart")}
    schema.update({
        "limit": [_v("default")(1000), int_between(1, columns.MAX_ROWS_BATCH)],
        "after": [_v("ignore_missing"), v.row_after],
    })
    return schema


def choices():
    """The parameters of ``koreanap_contaminant_choices``."""
    return index()
