"""Validators of the error-report schemas (used directly, not registered)."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

# In a Python str from JSON, any surrogate code point is a lone one (json
# pairs the valid ones into one character); PostgreSQL cannot store it.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def as_text(value: Any) -> str:
    """``value`` as text PostgreSQL can store; Invalid otherwise.

    Numbers become text; lists, objects and booleans are refused rather than
    stored as their printed form; a NUL byte or a lone UTF-16 surrogate is
    refused rather than failing in the database.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    elif isinstance(value, bytes):  # only from Python callers
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise tk.Invalid(tk._("Must be UTF-8 text"))
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text, not a list or an object"))
    if _UNSTORABLE.search(value):
        raise tk.Invalid(tk._(
            "Contains a character that is not allowed (a NUL byte or a lone UTF-16 "
            "surrogate)"))
    return value


def text(key, data, errors, context) -> None:
    """A validator: :func:`as_text`, instead of CKAN's unicode_safe.

    It stops the field's other validators on a refusal (navl would run
    them on the list or object otherwise).
    """
    value = data.get(key)
    if value is None or value is tk.missing:
        return
    try:
        data[key] = as_text(value)
    except tk.Invalid as error:
        errors[key].append(error.error)
        raise tk.StopOnError


def length_between(minimum: int, maximum: int):
    """A validator: the text has ``minimum``..``maximum`` characters (after stripping)."""

    def validator(value: Any, context: Any) -> Any:
        if value is None or value is tk.missing:
            return value
        text = str(value).strip()
        if len(text) < minimum:
            raise tk.Invalid(tk._("Write at least {minimum:,} characters (you wrote {count:,})")
                             .format(minimum=minimum, count=len(text)))
        if len(text) > maximum:
            raise tk.Invalid(tk._("Write at most {maximum:,} characters (you wrote {count:,})")
                             .format(maximum=maximum, count=len(text)))
        return text

    return validator


def choice(values: tuple[str, ...]):
    """A validator: the value is one of ``values`` (message lists them)."""

    def validator(value: Any, context: Any) -> Any:
        if value not in values:
            raise tk.Invalid(tk._("Must be one of: {values}").format(values=", ".join(values)))
        return value

    return validator
