"""The action behind /dataset's "matched in table 유해물질: 카드뮴" line: what the
search index holds of a dataset's content (``koreanap_content``, see
``ckanext/koreanap/content.py``), for whoever may see the dataset.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.logic import validate
from ckan.logic.schema import validator_args
from sqlalchemy import exc as sa_exc

from .. import content
from .compiler import TABLE

log = logging.getLogger(__name__)

_ENTRIES = sa.text(
    "SELECT fields -> :field FROM %s WHERE package_id = :id LIMIT 1" % TABLE)


@validator_args
def _id_only(not_empty, unicode_safe):
    return {"id": [not_empty, unicode_safe]}


@tk.side_effect_free
@validate(_id_only)
def koreanap_search_content_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The content entries the search index holds for a dataset.

    :param id: the dataset's id or name
    :returns: ``{"id", "entries"}``: each entry ``"<table>: <text>"``, as indexed
        (``[]`` when the dataset is not indexed yet or contains nothing indexed)
    """
    tk.check_access("koreanap_search_content_show", context, data_dict)
    package = model.Package.get(data_dict["id"])
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    try:
        entries = model.Session.execute(
            _ENTRIES, {"field": content.FIELD, "id": package.id}).scalar()
    except sa_exc.SQLAlchemyError:
        # Shown beside a search result: a page still renders without it.
        log.warning("content entries of %s not read", package.id, exc_info=True)
        model.Session.rollback()
        entries = None
    return {"id": package.id, "entries": [str(e) for e in entries or []]}


@tk.auth_allow_anonymous_access
def _content_show_auth(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A dataset's indexed content: whoever may see the dataset."""
    tk.check_access("package_show", context, {"id": data_dict.get("id")})
    return {"success": True}


def actions() -> dict[str, Any]:
    return {"koreanap_search_content_show": koreanap_search_content_show}


def auth_functions() -> dict[str, Any]:
    return {"koreanap_search_content_show": _content_show_auth}
