"""CSV cells that a spreadsheet shows as text: the one rule for every CSV export.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by spreadsheet programs as a formula (CSV injection); such a cell gets a
leading apostrophe, which they show as text. A plain number (``-0.5``,
``+3``, ``1e-3``) is left as it is: it cannot carry a formula, and it stays a
number for whoever computes on the file.
"""
import re
from decimal import Decimal
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> str:
    """``value`` as a CSV cell (``None`` is empty) that never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text[:1] in _FORMULA_STARTS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
