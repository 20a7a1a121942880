"""Facet items read in the page's language, not as stored codes.

The search page lists facet values by their ``display_name``, which CKAN sets
to the stored value for any field but organizations, groups and licences: the
commitment facet showed ``KR0043``, OGP values ``access_to_information`` and the
validation state ``valid``. :func:`localize` replaces those with the labels the
dataset schema (ckanext-scheming choices, in the page's language) or the
catalogue's own vocabularies give; a value without a label keeps its code. The
catalogue's own publishers (organizations) are named in the page's language
alone, not by their two-language titles, which CKAN cuts short in a facet.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import helpers


def _schema_labels() -> dict[str, Callable[[str], str | None]]:
    from ckanext.scheming.helpers import (
        scheming_choices_label,
        scheming_field_choices,
        scheming_get_dataset_schema,
    )

    schema = scheming_get_dataset_schema("dataset") or {}
    labels: dict[str, Callable[[str], str | None]] = {}
    for field in schema.get("dataset_fields", ()):
        if "choices" not in field and "choices_helper" not in field:
            continue
        choices = scheming_field_choices(field) or []
        known = {c["value"] for c in choices}

        def label(value: str, choices=choices, known=known) -> str | None:
            return scheming_choices_label(choices, value) if value in known else None

        labels[field["field_name"]] = label
    return labels


def _vocabulary_labels() -> dict[str, Callable[[str], str | None]]:
    def validation(value: str) -> str | None:
        found = helpers.koreanap_status_label(value)
        return found["text"] if found else None

    def lead_agency(value: str) -> str | None:
        from koreanap_client.datapackage import AGENCIES

        from .languages import is_english

        return AGENCIES.get(value, {}).get("en") if is_english() else None

    def organization(value: str) -> str | None:
        from .languages import organization_title

        return organization_title({"name": value})

    return {"validation_status": validation, "lead_agency": lead_agency,
            "organization": organization}


def localize(search_facets: dict[str, Any]) -> dict[str, Any]:
    """Give each facet item whose field has a vocabulary its label as ``display_name``.

    Only for a page or API request: the labels follow the request's language,
    and a search made by a background job keeps the codes.

    :param search_facets: ``package_search``'s ``search_facets`` (changed in place)
    """
    from flask import has_request_context

    if not has_request_context():
        return search_facets
    labels = {**_vocabulary_labels(), **_schema_labels()}
    for field, facet in search_facets.items():
        label = labels.get(field)
        if label is None:
            continue
        for item in facet.get("items", ()):
            text = label(item.get("name"))
            if text:
                item["display_name"] = text
    return search_facets
