"""Whole numbers typed in a form or sent to an action: the one reading and range check
for every schema (page sizes, offsets, survey years, months).

A whole number is an int or its decimal text (up to 12 digits, a leading minus, spaces
around it); a bool, a float or ``2.5`` is not one, so ``limit=2.7`` is refused rather
than read as 2.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

_WHOLE = re.compile(r"\s*-?[0-9]{1,12}\s*")


def whole_number(value: Any) -> int:
    """``value`` as an int; ValueError when it is no whole number."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    raise ValueError(value)


def int_between(minimum: int, maximum: int):
    """A validator: a whole number from ``minimum`` to ``maximum`` (both included)."""

    def validator(value: Any, context: Any) -> int:
        try:
            number = whole_number(value)
        except ValueError:
            raise tk.Invalid(tk._("Must be a whole number"))
        if not minimum <= number <= maximum:
            raise tk.Invalid(tk._("Must be between {minimum} and {maximum}").format(
                minimum=minimum, maximum=maximum))
        return number

    return validator
