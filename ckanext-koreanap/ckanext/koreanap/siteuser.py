"""The context of work the catalogue does on its own behalf (validation and link-check
jobs, DataStore loads, command-line set-up): CKAN's site user, authorization skipped.
One place, so that every background action is recorded under the same user."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def context() -> dict[str, Any]:
    """A fresh action context for the site user (``ignore_auth``); each call gives a new
    dict, as CKAN actions may write into their context."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": user["name"]}
