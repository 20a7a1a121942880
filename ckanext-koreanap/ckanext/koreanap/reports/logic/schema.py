"""Input schemas of the koreanap_error_report_* actions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .. import workflow
from .validators import choice, int_between, length_between

_v = tk.get_validator


def create():
    return {
        "package_id": [_v("not_empty"), _v("unicode_safe")],
        "resource_id": [_v("ignore_empty"), _v("unicode_safe")],
        "category": [_v("not_empty"), _v("unicode_safe"), choice(workflow.CATEGORY_VALUES)],
        "description": [_v("not_empty"), _v("unicode_safe"), length_between(10, 5000)],
        "location_row": [_v("ignore_empty"), _v("unicode_safe"), length_between(1, 200)],
        "location_column": [_v("ignore_empty"), _v("unicode_safe"), length_between(1, 200)],
        "reporter_name": [_v("ignore_empty"), _v("unicode_safe"), length_between(1, 100)],
        "reporter_email": [_v("ignore_empty"), _v("unicode_safe"), _v("strip_value"),
                           length_between(3, 254), _v("email_validator")],
        "consent": [_v("default")(False), _v("boolean_validator")],
    }


def show():
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "include_private": [_v("default")(False), _v("boolean_validator")],
    }


def list_():
    return {
        "package_id": [_v("ignore_empty"), _v("unicode_safe")],
        "owner_org": [_v("ignore_empty"), _v("unicode_safe")],
        "status": [_v("ignore_empty"), _v("unicode_safe"), choice(workflow.STATUS_VALUES)],
        "category": [_v("ignore_empty"), _v("unicode_safe"),
                     choice(workflow.CATEGORY_VALUES)],
        "urgent": [_v("ignore_empty"), _v("boolean_validator")],
        "overdue": [_v("ignore_empty"), _v("boolean_validator")],
        "include_stats": [_v("default")(False), _v("boolean_validator")],
        "limit": [_v("default")(50), int_between(1, 1000)],
        "offset": [_v("default")(0), int_between(0, 10_000_000)],
    }


def update():
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "status": [_v("ignore_empty"), _v("unicode_safe"), choice(workflow.STATUS_VALUES)],
        "resolution": [_v("ignore_empty"), _v("unicode_safe"),
                       choice(workflow.RESOLUTION_VALUES)],
        "answer": [_v("ignore_empty"), _v("unicode_safe"), length_between(1, 5000)],
        # a user name or id; an empty string clears the assignee
        "assignee": [_v("ignore_missing"), _v("unicode_safe")],
    }


def comment():
    return {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "text": [_v("not_empty"), _v("unicode_safe"), length_between(1, 5000)],
    }


def make_private():
    return {"id": [_v("not_empty"), _v("unicode_safe")]}
