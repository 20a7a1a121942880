"""Input schemas of the koreanap_error_report_* actions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ...wholenumbers import int_between
from .. import workflow
from .validators import choice, length_between, text

_v = tk.get_validator

# The form's hidden field that people never see and bots fill; the API
# refuses a report that fills it as well.
HONEYPOT = "website"


def create():
    # ``text`` where CKAN schemas use unicode_safe: that one turns a list or
    # an object into its JSON text and passes NUL bytes on to PostgreSQL.
    return {
        "package_id": [_v("not_empty"), text],
        "resource_id": [_v("ignore_empty"), text],
        "category": [_v("not_empty"), text, choice(workflow.CATEGORY_VALUES)],
        "description": [_v("not_empty"), text, length_between(10, 5000)],
        "location_row": [_v("ignore_empty"), text, length_between(1, 200)],
        "location_column": [_v("ignore_empty"), text, length_between(1, 200)],
        "reporter_name": [_v("ignore_empty"), text, length_between(1, 100)],
        "reporter_email": [_v("ignore_empty"), text, _v("strip_value"),
                           length_between(3, 254), _v("email_validator")],
        "consent": [_v("default")(False), _v("boolean_validator")],
    }


def show():
    return {
        "id": [_v("not_empty"), text],
        "include_private": [_v("default")(False), _v("boolean_validator")],
    }


def list_():
    return {
        "package_id": [_v("ignore_empty"), text],
        "owner_org": [_v("ignore_empty"), text],
        "status": [_v("ignore_empty"), text, choice(workflow.STATUS_VALUES)],
        "category": [_v("ignore_empty"), text,
                     choice(workflow.CATEGORY_VALUES)],
        "urgent": [_v("ignore_empty"), _v("boolean_validator")],
        "overdue": [_v("ignore_empty"), _v("boolean_validator")],
        "include_stats": [_v("default")(False), _v("boolean_validator")],
        "limit": [_v("default")(50), int_between(1, 1000)],
        "offset": [_v("default")(0), int_between(0, 10_000_000)],
    }


def update():
    return {
        "id": [_v("not_empty"), text],
        "status": [_v("ignore_empty"), text, choice(workflow.STATUS_VALUES)],
        "resolution": [_v("ignore_empty"), text,
                       choice(workflow.RESOLUTION_VALUES)],
        "answer": [_v("ignore_empty"), text, length_between(1, 5000)],
        # a user name or id; an empty string clears the assignee
        "assignee": [_v("ignore_missing"), text],
    }


def comment():
    return {
        "id": [_v("not_empty"), text],
        "text": [_v("not_empty"), text, length_between(1, 5000)],
    }


def make_private():
    return {"id": [_v("not_empty"), text]}
