"""Auth functions, one per action of :mod:`.action` (same names)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def _dataset_of_resource(context: dict, resource_id: str) -> str | None:
    from ckan import model

    resource = model.Resource.get(resource_id)
    return resource.package_id if resource else None


def koreanap_package_validate(context: dict, data_dict: dict[str, Any]) -> dict:
    """Validating a dataset again: whoever may edit it."""
    tk.check_access("package_update", context, {"id": data_dict.get("id")})
    return {"success": True}


def koreanap_link_check(context: dict, data_dict: dict[str, Any]) -> dict:
    """Checking a dataset's links again: whoever may edit it."""
    tk.check_access("package_update", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_link_check_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """A dataset's link checks: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_dataset_validation_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """Validation statuses and score: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_dataset_status_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """Stored validation statuses and score: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_dataset_report_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """A dataset's validation reports: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_dataset_assets_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """What was measured of a dataset's 3D files: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_validation_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """A resource's validation report: whoever may see its dataset."""
    package_id = _dataset_of_resource(context, str(data_dict.get("id") or ""))
    if package_id is None:
        return {"success": False, "msg": tk._("Resource not found")}
    tk.check_access("package_show", context, {"id": package_id})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_datapackage_show(context: dict, data_dict: dict[str, Any]) -> dict:
    """The dataset as a data package: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


def koreanap_datastore_load(context: dict, data_dict: dict[str, Any]) -> dict:
    """Loading a resource's rows into the DataStore: whoever may edit its dataset."""
    package_id = _dataset_of_resource(context, str(data_dict.get("id") or ""))
    if package_id is None:
        return {"success": False, "msg": tk._("Resource not found")}
    tk.check_access("package_update", context, {"id": package_id})
    return {"success": True}


def koreanap_package_upload(context: dict, data_dict: dict[str, Any]) -> dict:
    """Uploading a data package: editors of the organization it goes to."""
    tk.check_access("package_create", context, {"owner_org": data_dict.get("owner_org")})
    org = data_dict.get("owner_org")
    if not org:
        return {"success": False, "msg": tk._("Choose the organization to publish to")}
    user = context.get("auth_user_obj")
    if user is not None and getattr(user, "sysadmin", False):
        return {"success": True}
    from ckan import authz

    if not authz.has_user_permission_for_group_or_org(org, context.get("user"), "create_dataset"):
        return {"success": False, "msg": tk._("You are not an editor of this organization")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_catalogue_figures(context: dict, data_dict: dict[str, Any]) -> dict:
    """Anyone: the figures count public datasets only."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_quality_figures(context: dict, data_dict: dict[str, Any]) -> dict:
    """Anyone: the figures count the datasets the caller may read (public ones for
    everyone else)."""
    return {"success": True}


def koreanap_rule_create(context: dict, data_dict: dict[str, Any]) -> dict:
    """Adding a validation rule to a dataset: whoever may edit it (the error-report
    centre also lets quality evaluators)."""
    tk.check_access("package_update", context, {"id": data_dict.get("package_id")})
    return {"success": True}


def koreanap_rule_preview(context: dict, data_dict: dict[str, Any]) -> dict:
    """Trying a rule on a dataset's rows: as adding one."""
    tk.check_access("koreanap_rule_create", context, data_dict)
    return {"success": True}


def koreanap_rule_retire(context: dict, data_dict: dict[str, Any]) -> dict:
    """Retiring a rule: as adding one to its dataset."""
    from .. import model as kmodel

    row = kmodel.get_rule(data_dict.get("id") or "")
    if row is not None:  # an unknown rule is the action's 404
        tk.check_access("koreanap_rule_create", context, {"package_id": row["package_id"]})
    return {"success": True}


@tk.auth_allow_anonymous_access
def koreanap_rule_list(context: dict, data_dict: dict[str, Any]) -> dict:
    """A dataset's rules: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("package_id")})
    return {"success": True}
