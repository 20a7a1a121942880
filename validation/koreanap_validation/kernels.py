"""The few pyarrow compute functions the column-at-a-time path calls.

They are called through pyarrow's function registry (``call_function``)
and options classes, not through the ``pyarrow.compute`` module: importing
that module builds a Python wrapper for each of its ~300 functions, about
0.04 s of every ``koreanap validate`` run, on the thread every other step
waits for. ``pyarrow.compute`` re-exports these very objects from
``pyarrow._compute``. The Array methods that import ``pyarrow.compute`` on
first use (``filter``, ``take``) are not called on this path either:
:func:`filter` and :func:`take` are.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa
from pyarrow._compute import (
    CastOptions,
    MatchSubstringOptions,
    SetLookupOptions,
    call_function,
)


def matches(strings: Any, pattern: str) -> Any:
    """Booleans: each string matches the RE2 ``pattern`` (anywhere, unless anchored)."""
    return call_function("match_substring_regex", [strings], MatchSubstringOptions(pattern))


def is_in(values: Any, value_set: Any) -> Any:
    """Booleans: each value is one of ``value_set`` (an array)."""
    return call_function("is_in", [values], SetLookupOptions(value_set))


def or_(left: Any, right: Any) -> Any:
    return call_function("or", [left, right])


def invert(flags: Any) -> Any:
    return call_function("invert", [flags])


def and_not(left: Any, right: Any) -> Any:
    return call_function("and_not", [left, right])


def to_float(strings: Any) -> Any:
    """The strings as 64-bit floats (an error for any that is not a number)."""
    return call_function("cast", [strings], CastOptions.safe(pa.float64()))


def filter(values: Any, flags: Any) -> Any:  # noqa: A001 - pyarrow's own name
    """The values whose flag is true."""
    return call_function("filter", [values, flags])


def take(values: Any, indices: Any) -> Any:
    """The values at ``indices``."""
    return call_function("take", [values, indices])
