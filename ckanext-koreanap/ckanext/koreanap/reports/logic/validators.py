"""Validators of the error-report schemas (used directly, not registered)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


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


def int_between(minimum: int, maximum: int):
    """A validator: an integer in ``minimum``..``maximum``."""

    def validator(value: Any, context: Any) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise tk.Invalid(tk._("Must be a whole number"))
        if not minimum <= number <= maximum:
            raise tk.Invalid(tk._("Must be between {minimum} and {maximum}").format(
                minimum=minimum, maximum=maximum))
        return number

    return validator
