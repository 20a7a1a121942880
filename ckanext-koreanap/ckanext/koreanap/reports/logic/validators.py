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
            raise tk.Invalid(
                "{:,}자 이상 입력하세요 / Write at least {:,} characters (you wrote {:,})"
                .format(minimum, minimum, len(text)))
        if len(text) > maximum:
            raise tk.Invalid(
                "{:,}자 이하로 입력하세요 / Write at most {:,} characters (you wrote {:,})"
                .format(maximum, maximum, len(text)))
        return text

    return validator


def choice(values: tuple[str, ...]):
    """A validator: the value is one of ``values`` (message lists them)."""

    def validator(value: Any, context: Any) -> Any:
        if value not in values:
            raise tk.Invalid("다음 중 하나여야 합니다 / Must be one of: {}".format(
                ", ".join(values)))
        return value

    return validator


def int_between(minimum: int, maximum: int):
    """A validator: an integer in ``minimum``..``maximum``."""

    def validator(value: Any, context: Any) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise tk.Invalid("정수여야 합니다 / Must be a whole number")
        if not minimum <= number <= maximum:
            raise tk.Invalid("{}..{} 범위여야 합니다 / Must be between {} and {}".format(
                minimum, maximum, minimum, maximum))
        return number

    return validator
