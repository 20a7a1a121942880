"""Actions and auth for the site's synonym sets (search/synonyms.py).

``koreanap_search_synonym_list`` is open to everyone (the shipped table is
public in the source too); creating and deleting a set is for sysadmins, whom
CKAN lets through every auth function.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from . import synonyms


def _terms(value: Any) -> list[str]:
    """The terms of a set: a list, or one text with ``|`` between terms."""
    if isinstance(value, str):
        value = value.split("|")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise tk.ValidationError({"terms": [tk._("Give the terms as a list, or as one "
                                                 "text with | between them")]})
    return [" ".join(t.split()) for t in value]


def _validated(data_dict: dict[str, Any]) -> tuple[list[str], str]:
    errors: dict[str, list[str]] = {}
    terms = _terms(data_dict.get("terms", []))
    for number, term in enumerate(terms, start=1):
        problem = synonyms.term_problem(term)
        if problem == "empty":
            errors.setdefault("terms", []).append(
                tk._("Term {number} is empty").format(number=number))
        elif problem == "too long":
            errors.setdefault("terms", []).append(
                tk._("Term {number} is longer than {limit} characters").format(
                    number=number, limit=synonyms.MAX_TERM_LENGTH))
        elif problem:
            errors.setdefault("terms", []).append(
                tk._("Term {number} has a character a term cannot have "
                     "(| or a control character)").format(number=number))
    distinct = list(dict.fromkeys(t for t in terms if t))
    if "terms" not in errors and len({t.casefold() for t in distinct}) < synonyms.MIN_TERMS:
        errors["terms"] = [tk._("Give at least two different terms")]
    elif len(distinct) > synonyms.MAX_TERMS:
        errors["terms"] = [tk._("At most {limit} terms in one set").format(
            limit=synonyms.MAX_TERMS)]
    source = data_dict.get("source")
    source = " ".join(source.split()) if isinstance(source, str) else ""
    if not source:
        errors["source"] = [tk._("Say where the synonyms come from (a source)")]
    elif len(source) > synonyms.MAX_SOURCE_LENGTH or synonyms.control_character(source):
        errors["source"] = [tk._("The source must be at most {limit} characters of "
                                 "text").format(limit=synonyms.MAX_SOURCE_LENGTH)]
    if errors:
        raise tk.ValidationError(errors)
    return distinct, source


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "terms": list(row["terms"]), "source": row["source"],
            "created_by": row["created_by"],
            "created": row["created"].astimezone(datetime.UTC).isoformat()}


@tk.side_effect_free
def koreanap_search_synonym_list(context, data_dict):
    """The synonym sets in use: ``{"shipped": [{terms, source}], "site": [{id, terms,
    source, created_by, created}]}``."""
    tk.check_access("koreanap_search_synonym_list", context, data_dict)
    return {"shipped": synonyms.shipped(), "site": [_shown(r) for r in synonyms.rows()]}


def koreanap_search_synonym_create(context, data_dict):
    """Add a set of equivalent terms with its source (sysadmins).

    :param terms: the terms, a list or one text with ``|`` between them (2 to 10)
    :param source: where the equivalence comes from
    """
    tk.check_access("koreanap_search_synonym_create", context, data_dict)
    terms, source = _validated(data_dict)
    return _shown(synonyms.add(terms, source, context.get("user") or ""))


def koreanap_search_synonym_delete(context, data_dict):
    """Remove one of the site's sets (sysadmins); the shipped sets stay.

    :param id: the set's id
    """
    tk.check_access("koreanap_search_synonym_delete", context, data_dict)
    try:
        synonym_id = int(str(data_dict.get("id", "")).strip())
    except ValueError:
        raise tk.ValidationError({"id": [tk._("Give the id of one of the site's sets")]})
    if not synonyms.remove(synonym_id):
        raise tk.ObjectNotFound(tk._("No synonym set {id}").format(id=synonym_id))
    return {"id": synonym_id}


def actions() -> dict[str, Any]:
    return {f.__name__: f for f in (koreanap_search_synonym_list,
                                    koreanap_search_synonym_create,
                                    koreanap_search_synonym_delete)}


@tk.auth_allow_anonymous_access
def _list_auth(context, data_dict):
    return {"success": True}


def _sysadmins_only(context, data_dict):
    return {"success": False, "msg": tk._("Only sysadmins change the search synonyms")}


def auth_functions() -> dict[str, Any]:
    return {"koreanap_search_synonym_list": _list_auth,
            "koreanap_search_synonym_create": _sysadmins_only,
            "koreanap_search_synonym_delete": _sysadmins_only}
