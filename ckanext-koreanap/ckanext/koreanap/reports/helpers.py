"""Template helpers of the error-report centre."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from . import workflow

_CHOICES = {"category": workflow.CATEGORIES, "status": workflow.STATUSES,
            "resolution": workflow.RESOLUTIONS}


def koreanap_reports_category_options() -> list[dict]:
    """The report categories as options of a select field (in the page's language)."""
    return [{"value": value, "text": tk._(en)} for value, _ko, en in workflow.CATEGORIES]


def koreanap_reports_status_options() -> list[dict]:
    """The statuses as options of a select field (in the page's language)."""
    return [{"value": value, "text": tk._(en)} for value, _ko, en in workflow.STATUSES]


def koreanap_reports_resolution_options() -> list[dict]:
    """The answers' results (resolved, rejected) as options of a select field."""
    return [{"value": value, "text": tk._(en)} for value, _ko, en in workflow.RESOLUTIONS]


def koreanap_reports_label(kind: str, value: str | None) -> str:
    """A category, status or resolution value in the page's language.

    :param kind: ``category``, ``status`` or ``resolution``
    :param value: the stored value, e.g. ``accepted``
    :returns: the label, the value itself when unknown, "" for no value
    """
    for val, _ko, en in _CHOICES.get(kind, ()):
        if val == value:
            return tk._(en)
    return value or ""


def koreanap_reports_answered(package_id: str) -> list[dict]:
    """A dataset's answered reports (public fields), newest first, for its page."""
    try:
        result = tk.get_action("koreanap_error_report_list")(
            {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
            {"package_id": package_id, "status": "answered", "limit": 20})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return sorted(result["results"], key=lambda r: r["answered_at"] or "", reverse=True)


def koreanap_reports_resource_options(resources: list[dict]) -> list[dict]:
    """A dataset's resources as options of a select field."""
    return [{"value": r["id"], "text": r.get("name") or r.get("url") or r["id"]}
            for r in resources]


def koreanap_reports_org_options(organizations: list[dict]) -> list[dict]:
    """Organizations (organization_list all_fields) as options of a select field."""
    return [{"value": o["name"], "text": o.get("title") or o["name"]} for o in organizations]


def koreanap_reports_next_page_query(page: int) -> str:
    """The current query string with ``page`` replaced (for the queue's paging link)."""
    from urllib.parse import urlencode

    args = [(k, v) for k, v in tk.request.args.items(multi=True) if k != "page"]
    return urlencode(args + [("page", str(page))])
