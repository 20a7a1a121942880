"""Validators of the quick-search schema (used directly, not registered).

Messages are msgids of the ckanext-koreanap catalogs, shown in the request's
language (Korean by default, English under /en/); each names what was expected.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ...wholenumbers import whole_number
from .. import columns

_MAX_TEXT = 200  # no single value of ours is longer
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


def _as_list(value: Any) -> list[str]:
    """One value, a list, or comma-separated strings (alone or in a list: the page's
    repeated parameters and the API's ``a,b`` mean the same), as stripped strings."""
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, (str, int)):
        items = [value]
    else:
        raise tk.Invalid(tk._("Must be a string or a list of strings"))
    out = []
    for item in items:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise tk.Invalid(tk._("List items must be strings"))
        for part in str(item).split(","):
            text = part.strip()
            if len(text) > _MAX_TEXT:
                raise tk.Invalid(tk._("Value too long"))
            if text:
                out.append(text)
    if len(out) > columns.MAX_VALUES_PER_FILTER:
        raise tk.Invalid(tk._("At most {n} values").format(n=columns.MAX_VALUES_PER_FILTER))
    return list(dict.fromkeys(out))


def _shown(text: str) -> str:
    """A refused value, quoted and cut short, for a message."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def code_list(name: str, pattern: re.Pattern[str]):
    """A validator: one or more codes, each matching ``pattern``."""

    def validator(value: Any, context: Any) -> list[str]:
        values = _as_list(value)
        for text in values:
            if not pattern.match(text):
                raise tk.Invalid(tk._("Invalid code {value} (expected {pattern})").format(
                    value=_shown(text), pattern=pattern.pattern))
        return values

    return validator


def choice_list(allowed: tuple[str, ...]):
    """A validator: one or more of ``allowed``."""

    def validator(value: Any, context: Any) -> list[str]:
        values = _as_list(value)
        for text in values:
            if text not in allowed:
                raise tk.Invalid(tk._("Not allowed: {value} (one of {allowed})").format(
                    value=_shown(text), allowed=", ".join(allowed)))
        return values

    return validator


def one_of(allowed: tuple[str, ...]):
    """A validator: exactly one of ``allowed``."""

    def validator(value: Any, context: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise tk.Invalid(tk._("Must be one of: {values}").format(values=", ".join(allowed)))
        return value

    return validator


def year_list(value: Any, context: Any) -> list[int]:
    """A validator: one or more survey years in the accepted range."""
    years = []
    for text in _as_list(value):
        try:
            year = whole_number(text)
        except ValueError:
            raise tk.Invalid(tk._("A year must be a whole number, not {value}").format(
                value=_shown(text)))
        if not columns.YEAR_MIN <= year <= columns.YEAR_MAX:
            raise tk.Invalid(tk._("Year must be between {a} and {b} (got {y})").format(
                a=columns.YEAR_MIN, b=columns.YEAR_MAX, y=year))
        years.append(year)
    return years


def strict_boolean(value: Any, context: Any) -> bool:
    """A validator: true/false (also 1/0, yes/no, on/off as a form sends them)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "y"):
        return True
    if text in ("false", "0", "no", "off", "n", ""):
        return False
    raise tk.Invalid(tk._("Must be true or false"))


def sort(value: Any, context: Any) -> tuple[str, str]:
    """A validator: ``column`` or ``column asc|desc`` with a whitelisted column."""
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Sort must be a string"))
    parts = value.split()
    direction = parts[1].lower() if len(parts) == 2 else "asc"
    if (len(parts) not in (1, 2) or parts[0] not in columns.SORTABLE
            or direction not in ("asc", "desc")):
        raise tk.Invalid(tk._("Sort must be 'column asc' or 'column desc' with a column "
                              "among: {columns}").format(columns=", ".join(columns.COLUMNS)))
    return parts[0], direction


def resource_id(value: Any, context: Any) -> str:
    """A validator: a resource id (CKAN makes UUIDs; letters, digits, - and _ only)."""
    if not isinstance(value, str) or not _RESOURCE_ID.match(value):
        raise tk.Invalid(tk._("Not a resource id"))
    return value


def no_unknown_parameters(key, data, errors, context):
    """Refuse every parameter the schema does not name, each under its own name."""
    extras = data.get(key) or {}
    for name in extras:
        errors[(name,)] = [tk._("Unknown parameter")]
    data.pop(key, None)


def row_after(value: Any, context: Any) -> tuple[str | None, int]:
    """A validator: the ``next`` of a previous answer of ``koreanap_contaminant_rows``, a
    ``[value, _id]`` pair (value text or null; ``_id`` a whole number), or its JSON text."""
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not (value[0] is None or isinstance(value[0], str))
            or (isinstance(value[0], str) and len(value[0]) > _MAX_TEXT)
            or not isinstance(value[1], int) or isinstance(value[1], bool)
            or not 0 <= value[1] < 2 ** 63):
        raise tk.Invalid(tk._("Must be the next of the previous answer: [value, _id]"))
    return value[0], value[1]
