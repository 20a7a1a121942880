"""Auth functions, one per quick-search action (same names)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .. import tables


def _may(context, action: str, table: tables.SurveyTable | None, message: str) -> dict:
    if table is None:
        return {"success": True}
    try:
        tk.check_access(action, dict(context), {"resource_id": table.resource_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": message}
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_contaminant_search(context, data_dict):
    """Whoever may read the survey table through the DataStore (public data: anyone)."""
    return _may(context, "datastore_search", tables.survey_table_for(context, data_dict),
                tk._("Not allowed to read this table"))


def koreanap_contaminant_index(context, data_dict):
    """Whoever may write the survey table (the dataset's editors, sysadmins)."""
    return _may(context, "datastore_create", tables.survey_table_for(context, data_dict),
                tk._("Not allowed to index this table"))


@tk.auth_allow_anonymous_access
def koreanap_contaminant_rows(context, data_dict):
    """As a search: whoever may read the survey table."""
    return koreanap_contaminant_search(context, data_dict)


@tk.auth_allow_anonymous_access
def koreanap_contaminant_choices(context, data_dict):
    """As a search: whoever may read the survey table."""
    return koreanap_contaminant_search(context, data_dict)
