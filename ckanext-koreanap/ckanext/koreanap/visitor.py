"""The action context of whoever makes the current web request: the logged-in user, or
an anonymous visitor. One place for the catalogue's pages (dataset pages, the
contaminant search, the error-report centre), so they all call actions as the same
person CKAN's own pages do. Work the catalogue does on its own behalf uses
:mod:`.siteuser` instead."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def name() -> str:
    """The logged-in user's name, or "" for an anonymous visitor."""
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def context() -> dict[str, Any]:
    """A fresh action context for the request's user (CKAN's views pass the same)."""
    return {"user": name(), "auth_user_obj": tk.current_user}
