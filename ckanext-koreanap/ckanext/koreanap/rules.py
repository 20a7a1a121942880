"""A dataset's validation rules in the catalogue: beyond its Table Schema, most made
from a confirmed error report (issue 18 part 1).

The vocabulary, the check and the messages are ``koreanap_validation.rules`` (one copy,
also used offline by ``koreanap validate``); this module stores rules with the dataset
(:mod:`.model`, ``koreanap_validation_rule``), checks a new rule against the dataset's
current tables, and gives the rules to every validation and export of the dataset in the
data package's ``koreanap:rules`` form.
"""
from __future__ import annotations

import csv
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk

from .pipeline import model as kmodel

# How many breaking rows a preview lists (it counts them all).
PREVIEW_ROWS = 20
# A proposal lists a field's values as the allowed ones only up to this many.
PROPOSED_VALUES = 20
# Keys of a rule that are columns of the table, not part of its stored definition.
_COLUMNS = ("id", "resource", "report", "report_url")


class RuleRefused(ValueError):
    """A rule that cannot be stored: ``field`` names the input, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def report_url(code: str) -> str:
    """The public tracking page of an error report."""
    return "{}/error-report/{}".format((tk.config.get("ckan.site_url") or "").rstrip("/"), code)


def for_package(package_id: str) -> list[dict[str, Any]]:
    """The dataset's active rules in ``koreanap:rules`` form (with report links)."""
    return kmodel.package_rules(package_id, report_url=report_url)


def _schema(resource: dict[str, Any]) -> dict[str, Any] | None:
    schema = resource.get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError:
            return None
    return schema if isinstance(schema, dict) else None


def schema_fields(package: dict[str, Any]) -> dict[str, dict[str, str] | None]:
    """``{resource name: {field: type}}`` of a dataset's data-package resources (None for a
    resource without a Table Schema)."""
    found: dict[str, dict[str, str] | None] = {}
    for resource in package.get("resources") or []:
        name = resource.get("datapackage_name")
        if not name:
            continue
        schema = _schema(resource)
        fields = schema.get("fields") if schema else None
        found[name] = ({f["name"]: f.get("type") or "string" for f in fields
                        if isinstance(f, dict) and f.get("name")} if fields else None)
    return found


def checked(package: dict[str, Any], rule: Any) -> dict[str, Any]:
    """The rule as it would be stored (an ``id`` added), once it is well formed and fits
    the dataset's current schema.

    :raises RuleRefused: what is wrong, naming the input field
    """
    from koreanap_validation import rules as vocabulary

    if not isinstance(rule, dict):
        raise RuleRefused("rule", tk._("A rule must be a JSON object"))
    rule = {k: v for k, v in rule.items() if k not in ("id", "report", "report_url")}
    rule["id"] = "R-" + uuid.uuid4().hex[:8]
    problems = vocabulary.rule_problems([rule])
    if problems:
        raise RuleRefused("rule", "; ".join(problems))
    fields = schema_fields(package)
    problem = vocabulary.fit_problem(rule, fields.get(rule["resource"]))
    if problem:
        raise RuleRefused("rule", problem)
    return rule


def _resource_of(package: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in package.get("resources") or []
                 if r.get("datapackage_name") == name), None)


def _csv_path(resource: dict[str, Any]) -> str | None:
    """The local file of a CSV resource stored in the catalogue, or None."""
    from .pipeline import staging

    if (resource.get("format") or "").lower() != "csv":
        return None
    return staging.stored_file(resource)


def _rows(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def descriptions(rule: dict[str, Any]) -> dict[str, str]:
    """The rule stated in English (``description``) and in Korean (``description_ko``)."""
    from koreanap_validation import rules as vocabulary

    from .languages import in_korean

    return {"description": vocabulary.describe(rule),
            "description_ko": vocabulary.describe(rule, {
                key: in_korean(sentence) for key, sentence in vocabulary.PHRASES.items()})}


def preview(package: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    """Which rows of the resource's current file break ``rule`` (a checked rule).

    :returns: ``{"description", "rows_checked", "breaking"}`` (the count), ``"rows"``
        (the first :data:`PREVIEW_ROWS` as ``{"row", "message"}``), and ``"readable"``:
        False when the file is not stored here or is no CSV (nothing was checked)
    """
    from koreanap_validation import rules as vocabulary

    out: dict[str, Any] = {**descriptions(rule), "rows_checked": 0,
                           "breaking": 0, "rows": [], "readable": False}
    resource = _resource_of(package, rule["resource"])
    path = _csv_path(resource) if resource else None
    if not path:
        return out
    rows_read = 0

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal rows_read
        for row in _rows(path):
            rows_read += 1
            yield row

    try:
        for number, message in vocabulary.breaking_rows(rule, counting()):
            out["breaking"] += 1
            if len(out["rows"]) < PREVIEW_ROWS:
                out["rows"].append({"row": number, "message": message})
    except (OSError, UnicodeDecodeError, csv.Error):
        return out
    out.update(rows_checked=rows_read, readable=True)
    return out


def _row_number(text: str | None) -> int | None:
    """The row a report names ("5", "row 5", "5행"): its first whole number, if it is a
    data row (the header is row 1)."""
    found = re.search(r"[0-9]+", text or "")
    number = int(found.group()) if found and len(found.group()) < 10 else None
    return number if number and number >= 2 else None


def proposal(package: dict[str, Any], resource_name: str, field: str | None,
             row_text: str | None) -> dict[str, Any]:
    """What the report's table, row and field suggest for a rule.

    :returns: ``{"row": number or None, "cells": [[field, text], …] (the reported row as
        the table's current file has it, [] when it cannot be read), "kind": a proposed
        kind or "", "values": proposed allowed values}``. An empty reported cell
        proposes ``required``; a field with few other values proposes them as the
        allowed values (the reported cell's value left out).
    """
    out: dict[str, Any] = {"row": _row_number(row_text), "cells": [], "kind": "",
                           "values": []}
    if out["row"] is None:
        return out  # no row to show: the file is not read
    resource = _resource_of(package, resource_name)
    path = _csv_path(resource) if resource else None
    if not path:
        return out
    reported: dict[str, Any] | None = None
    others: Counter[str] = Counter()
    try:
        for number, row in enumerate(_rows(path), start=2):
            if number == out["row"]:
                reported = row
                continue
            value = (row.get(field) or "").strip() if field else ""
            if value and (value in others or len(others) <= PROPOSED_VALUES):
                others[value] += 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return out
    if reported is None:
        return out
    out["cells"] = [[name, value if isinstance(value, str) else ""]
                    for name, value in reported.items() if name is not None]
    if not field or field not in reported:
        return out
    cell = (reported.get(field) or "").strip()
    if not cell:
        out["kind"] = "required"
        return out
    allowed = sorted((v for v in others if v != cell), key=lambda v: (-others[v], v))
    if allowed and len(others) <= PROPOSED_VALUES:
        out.update(kind="allowed_values", values=allowed)
    return out


def store(package: dict[str, Any], rule: dict[str, Any], report_code: str | None,
          user_id: str | None) -> dict[str, Any]:
    """Store a checked rule with the dataset (the caller commits)."""
    definition = {k: v for k, v in rule.items() if k not in _COLUMNS}
    kmodel.add_rule(rule["id"], package["id"], rule["resource"], definition, report_code,
                    user_id)
    return shown(kmodel.get_rule(rule["id"]))


def shown(row: dict[str, Any], fields: dict[str, dict[str, str] | None] | None = None
          ) -> dict[str, Any]:
    """A rule row as the API shows it: the rule (``koreanap:rules`` form), its
    ``description``, who made or retired it and when, and, given the dataset's current
    ``fields`` (:func:`schema_fields`), ``problem``: why it no longer fits (or None)."""
    from koreanap_validation import rules as vocabulary

    rule = {"id": row["id"], "resource": row["resource_name"], **row["definition"]}
    if row.get("report_code"):
        rule["report"] = row["report_code"]
    out = {"id": row["id"], "package_id": row["package_id"], "rule": rule,
           **descriptions(rule), "report": row.get("report_code"),
           "created_by": row.get("created_by"), "retired_by": row.get("retired_by"),
           "retired_reason": row.get("retired_reason"), "active": row.get("retired") is None}
    for key in ("created", "retired"):
        value = row.get(key)
        out[key] = value.isoformat() if value else None
    if fields is not None and out["active"]:
        out["problem"] = vocabulary.fit_problem(rule, fields.get(rule["resource"]))
    return out
