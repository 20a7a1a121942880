"""Input schemas of the actions in :mod:`.action`."""
from __future__ import annotations

from ckan.logic.schema import validator_args

from ...wholenumbers import int_between


@validator_args
def id_only(not_empty, unicode_safe):
    """``id`` of the dataset or resource."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def package_validate(not_empty, unicode_safe, ignore):
    """``id``; ``background`` is dropped (older clients send it; the job always validates)."""
    return {"id": [not_empty, unicode_safe], "background": [ignore]}


@validator_args
def datastore_load(not_empty, unicode_safe):
    """``id`` of the resource."""
    return {"id": [not_empty, unicode_safe]}


@validator_args
def package_upload(not_empty, unicode_safe, ignore_missing):
    """``owner_org``, the ``upload`` (zip or descriptor) and the descriptor's ``files``."""
    return {"owner_org": [not_empty, unicode_safe], "upload": [not_empty],
            "files": [ignore_missing]}


def _plain_text(value, context):
    """Text (a number becomes text); a list, an object or a NUL byte is refused."""
    import ckan.plugins.toolkit as tk

    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text, not a list or an object"))
    if "\x00" in value:
        raise tk.Invalid(tk._(
            "Contains a character that is not allowed (a NUL byte or a lone UTF-16 "
            "surrogate)"))
    return value.strip()


@validator_args
def quality_figures(ignore_missing, default):
    """``organization`` (id or name, optional) and ``months`` of the monthly series."""
    return {"organization": [ignore_missing, _plain_text],
            "months": [default(12), int_between(1, 120)]}


def _rule_object(value, context):
    """A rule: a JSON object, given as one or as its JSON text."""
    import json

    import ckan.plugins.toolkit as tk

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise tk.Invalid(tk._("Not valid JSON: {error}").format(error=error))
    if not isinstance(value, dict):
        raise tk.Invalid(tk._("A rule must be a JSON object"))
    return value


def _reason(value, context):
    """A retirement's reason: text of 1 to 500 characters."""
    import ckan.plugins.toolkit as tk

    value = _plain_text(value, context)
    if not value or len(value) > 500:
        raise tk.Invalid(tk._("Give a reason of 1 to 500 characters"))
    return value


@validator_args
def rule_create(not_empty, ignore_missing, unicode_safe):
    """``package_id``, the ``rule`` (``koreanap:rules`` form without ``id``) and the
    ``report`` it comes from (a code, optional)."""
    return {"package_id": [not_empty, unicode_safe], "rule": [not_empty, _rule_object],
            "report": [ignore_missing, _plain_text]}


@validator_args
def rule_list(not_empty, unicode_safe, ignore_missing, boolean_validator, default):
    """``package_id``; ``include_retired`` (default false); ``report`` (only its rules)."""
    return {"package_id": [not_empty, unicode_safe],
            "include_retired": [default(False), boolean_validator],
            "report": [ignore_missing, _plain_text]}


@validator_args
def rule_retire(not_empty, unicode_safe):
    """``id`` of the rule and the ``reason``."""
    return {"id": [not_empty, unicode_safe], "reason": [not_empty, _reason]}
