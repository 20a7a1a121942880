"""Auth functions, one per koreanap_error_report_* action (same names)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .. import access, config


def _fail(message: str) -> dict:
    return {"success": False, "msg": message}


@tk.auth_allow_anonymous_access
def koreanap_error_report_create(context, data_dict):
    """Anyone, unless anonymous reports are switched off."""
    if context.get("user") or config.allow_anonymous():
        return {"success": True}
    return _fail(tk._("Log in to report an error"))


@tk.auth_allow_anonymous_access
def koreanap_error_report_show(context, data_dict):
    """Anyone sees public fields; the reporter's details need the right to act."""
    if not tk.asbool(data_dict.get("include_private", False)):
        return {"success": True}
    report = access.get_report(data_dict.get("id", ""))
    if access.can_manage(context.get("user"), report):
        return {"success": True}
    return _fail(tk._("Not allowed to see this report's private details"))


@tk.auth_allow_anonymous_access
def koreanap_error_report_list(context, data_dict):
    """Everyone lists a dataset's answered reports; the queue needs a role."""
    user = context.get("user")
    if access.is_evaluator(user):
        return {"success": True}
    owner_org = data_dict.get("owner_org")
    if owner_org:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": owner_org, "include_datasets": False,
                                    "include_users": False, "include_extras": False})
        if access.manages_org(user, org["id"]):
            return {"success": True}
        return _fail(tk._("Not allowed to see this organization's error reports"))
    if data_dict.get("package_id") or access.managed_org_ids(user):
        return {"success": True}
    return _fail(tk._("Not allowed to list error reports"))


def _manage(context, data_dict):
    report = access.get_report(data_dict.get("id", ""))
    if access.can_manage(context.get("user"), report):
        return {"success": True}
    return _fail(tk._("Not allowed to act on this error report"))


def koreanap_error_report_update(context, data_dict):
    """Evaluators, and editors/admins of the dataset's organization."""
    return _manage(context, data_dict)


def koreanap_error_report_comment(context, data_dict):
    """Evaluators, and editors/admins of the dataset's organization."""
    return _manage(context, data_dict)


def koreanap_error_report_make_private(context, data_dict):
    """Evaluators, and editors/admins of the dataset's organization."""
    return _manage(context, data_dict)


@tk.chained_auth_function
def koreanap_rule_create(next_auth, context, data_dict):
    """Quality evaluators may add a rule to any dataset; others as the core rule says
    (whoever may edit the dataset)."""
    if access.is_evaluator(context.get("user")):
        return {"success": True}
    return next_auth(context, data_dict)
