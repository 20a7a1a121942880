"""Who may see and act on error reports.

Quality evaluators (sysadmins and members of the evaluators group) act on
every report; editors and admins of a dataset's organization act on that
organization's reports; everyone else sees only public fields.
"""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

from . import config
from .model import ErrorReport


def user_object(user_name: str | None) -> model.User | None:
    """The active user called ``user_name`` (None for anonymous)."""
    if not user_name:
        return None
    user = model.User.get(user_name)
    return user if user is not None and user.state == "active" else None


def is_evaluator(user_name: str | None) -> bool:
    """Sysadmin, or an active member of the evaluators group."""
    user = user_object(user_name)
    if user is None:
        return False
    if user.sysadmin:
        return True
    group = model.Group.get(config.evaluators_group())
    if group is None or group.state != "active":
        return False
    member = (model.Session.query(model.Member.id)
              .filter(model.Member.group_id == group.id,
                      model.Member.table_name == "user",
                      model.Member.table_id == user.id,
                      model.Member.state == "active")
              .first())
    return member is not None


def manages_org(user_name: str | None, org_id: str | None) -> bool:
    """Editor or admin of the organization (may answer its reports)."""
    if not user_name or not org_id:
        return False
    return authz.has_user_permission_for_group_or_org(org_id, user_name, "update_dataset")


def managed_org_ids(user_name: str | None) -> list[str]:
    """Organizations whose reports the user answers as editor or admin."""
    user = user_object(user_name)
    if user is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .join(model.Group, model.Group.id == model.Member.group_id)
            .filter(model.Member.table_name == "user",
                    model.Member.table_id == user.id,
                    model.Member.state == "active",
                    model.Member.capacity.in_(("editor", "admin")),
                    model.Group.is_organization.is_(True),
                    model.Group.state == "active"))
    return [row[0] for row in rows]


def can_manage(user_name: str | None, report: ErrorReport) -> bool:
    """Whether the user may see the reporter's details and act on this report."""
    return is_evaluator(user_name) or manages_org(user_name, report.owner_org)


def get_report(id_or_code: str) -> ErrorReport:
    """The report with this id or tracking code; NotFound otherwise."""
    value = (id_or_code or "").strip()
    query = model.Session.query(ErrorReport)
    report = query.filter(ErrorReport.code == value.upper()).first()
    if report is None:
        report = query.filter(ErrorReport.id == value).first()
    if report is None:
        raise tk.ObjectNotFound(tk._("Error report not found"))
    return report
