"""The quality dashboard's figures of the catalogue's own tables (issue 18 part 2).

Everything is computed at request time from the tables that already hold it:
CKAN's packages and resources, ``koreanap_resource_validation`` (each table's
latest validation) and ``koreanap_dataset_quality`` (each dataset's latest
metadata score). Nothing is stored twice. The error-report centre adds its own
figures through a chained ``koreanap_quality_figures`` and uses :func:`scope` and
:func:`visible` here, so both count the same datasets.

Scores over time come from ``koreanap_dataset_quality_history`` (every score given):
for each month, the mean of each dataset's latest score at the month's end.
"""
from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from .pipeline import model as kmodel

# Worst first: one status per dataset, the worst of its tables' (as model.dataset_status).
VALIDATION_STATES = ("invalid", "error", "pending", "valid")
NOT_VALIDATED = "not_validated"
# The score's bands (koreanap_validation.metadata.score.BANDS), best first.
BANDS = ("excellent", "good", "sufficient", "bad")
PER_ROWS = 10_000


@dataclass(frozen=True)
class Scope:
    """Which datasets a caller's figures count: public ones, plus private ones of
    ``org_ids`` (organizations the caller is a member of), or all (``everything``)."""

    everything: bool = False
    org_ids: frozenset[str] = frozenset()


def scope(user: str | None) -> Scope:
    """The scope of ``user`` (a name or None): as CKAN's own rule for reading a private
    dataset, a sysadmin reads all, a member of its organization reads it."""
    if not user:
        return Scope()
    account = model.User.get(user)
    if account is None or account.state != "active":
        return Scope()
    if account.sysadmin:
        return Scope(everything=True)
    rows = model.Session.execute(
        sa.select(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .where(model.Member.table_name == "user", model.Member.table_id == account.id,
               model.Member.state == "active", model.Group.state == "active",
               model.Group.is_organization.is_(True)))
    return Scope(org_ids=frozenset(row[0] for row in rows))


def visible(where: Scope) -> sa.ColumnElement[bool]:
    """The condition on ``model.Package`` for the active datasets ``where`` counts."""
    clause = sa.and_(model.Package.state == "active", model.Package.type == "dataset")
    if where.everything:
        return clause
    readable = model.Package.private.is_(False)
    if where.org_ids:
        readable = sa.or_(readable, model.Package.owner_org.in_(sorted(where.org_ids)))
    return sa.and_(clause, readable)


def organizations(ids: set[str]) -> list[dict[str, str]]:
    """``[{"id", "name", "title"}]`` of these active organizations, by title."""
    if not ids:
        return []
    rows = model.Session.execute(
        sa.select(model.Group.id, model.Group.name, model.Group.title)
        .where(model.Group.id.in_(sorted(ids)), model.Group.state == "active",
               model.Group.is_organization.is_(True)))
    found = [{"id": r.id, "name": r.name, "title": r.title or r.name} for r in rows]
    return sorted(found, key=lambda org: (org["title"], org["name"]))


def _empty() -> dict[str, Any]:
    """A group before counting (``score._sum`` is dropped by :func:`_finish`)."""
    return {
        "datasets": 0,
        "validation": dict.fromkeys((*VALIDATION_STATES, NOT_VALIDATED), 0),
        "score": {"scored": 0, "mean": None, "max": None, "bands": dict.fromkeys(BANDS, 0),
                  "last_computed": None, "_sum": 0},
        "errors": {"tables_checked": 0, "rows_checked": 0, "errors_found": 0,
                   "per_10000_rows": None, "partial_tables": 0},
        "rules": {"active": 0, "from_reports": 0},
    }


def figures(where: Scope) -> dict[str, Any]:
    """Core figures per organization id (``None``: datasets without one) and overall.

    :returns: ``{"catalogue": group, "by_org": {org_id: group}, "private_datasets": n}``
        (how many private datasets were counted); a group holds
        ``datasets``, ``validation`` (datasets per state, ``not_validated`` for none
        yet), ``score`` (``scored``, ``mean`` total, ``max``, ``bands``,
        ``last_computed``) and ``errors`` (``tables_checked``, ``rows_checked``,
        ``errors_found``, ``per_10000_rows``, ``partial_tables``: tables whose check
        stopped at the error limit, so their errors are a lower bound) and ``rules``
        (``active`` validation rules, ``from_reports``: those made from an error report)
    """
    readable = model.Session.execute(sa.select(
        model.Package.id, model.Package.owner_org, model.Package.private)
        .where(visible(where))).all()
    packages = {row.id: row.owner_org for row in readable}
    by_org: dict[str | None, dict[str, Any]] = {}
    overall = _empty()

    def groups(package_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        org = packages[package_id]
        return overall, by_org.setdefault(org, _empty())

    for package_id in packages:
        for group in groups(package_id):
            group["datasets"] += 1

    # Each dataset's state is the worst of its active tables' latest validation.
    resources = (sa.select(
        kmodel.resource_validation.c.package_id, kmodel.resource_validation.c.status,
        (kmodel.resource_validation.c.report["resources"][0]["rows"].astext).label("rows"),
        (kmodel.resource_validation.c.report["resources"][0]["checked"].astext)
        .label("checked"),
        (kmodel.resource_validation.c.report["resources"][0]["partial"].astext)
        .label("partial"),
        sa.func.coalesce(sa.func.jsonb_array_length(
            kmodel.resource_validation.c.report["errors"]), 0).label("errors"))
        .join(model.Resource, model.Resource.id == kmodel.resource_validation.c.resource_id)
        .join(model.Package, model.Package.id == kmodel.resource_validation.c.package_id)
        .where(model.Resource.state == "active", visible(where)))
    states: dict[str, set[str]] = {}
    for row in model.Session.execute(resources):
        states.setdefault(row.package_id, set()).add(row.status)
        rows = int(row.rows) if row.rows and row.rows.isdigit() else 0
        if row.checked != "true" or rows <= 0:
            continue
        for group in groups(row.package_id):
            errors = group["errors"]
            errors["tables_checked"] += 1
            errors["rows_checked"] += rows
            errors["errors_found"] += int(row.errors or 0)
            errors["partial_tables"] += row.partial == "true"
    for package_id in packages:
        found = states.get(package_id, set())
        state = next((s for s in VALIDATION_STATES if s in found), NOT_VALIDATED)
        for group in groups(package_id):
            group["validation"][state] += 1

    scores = (sa.select(kmodel.dataset_quality.c.package_id, kmodel.dataset_quality.c.total,
                        kmodel.dataset_quality.c.max, kmodel.dataset_quality.c.band,
                        kmodel.dataset_quality.c.computed)
              .join(model.Package, model.Package.id == kmodel.dataset_quality.c.package_id)
              .where(visible(where)))
    for row in model.Session.execute(scores):
        for group in groups(row.package_id):
            score = group["score"]
            score["scored"] += 1
            score["_sum"] += row.total
            score["max"] = max(score["max"] or 0, row.max)
            if row.band in score["bands"]:
                score["bands"][row.band] += 1
            if row.computed and (score["last_computed"] is None
                                 or row.computed > score["last_computed"]):
                score["last_computed"] = row.computed

    rules = (sa.select(kmodel.validation_rule.c.package_id,
                       kmodel.validation_rule.c.report_code)
             .join(model.Package, model.Package.id == kmodel.validation_rule.c.package_id)
             .where(kmodel.validation_rule.c.retired.is_(None), visible(where)))
    for row in model.Session.execute(rules):
        for group in groups(row.package_id):
            group["rules"]["active"] += 1
            group["rules"]["from_reports"] += row.report_code is not None

    for group in (overall, *by_org.values()):
        _finish(group)
    return {"catalogue": overall, "by_org": by_org,
            "private_datasets": sum(1 for row in readable if row.private)}


def empty_group() -> dict[str, Any]:
    """The figures of a group with no dataset (an organization with none the caller sees)."""
    group = _empty()
    _finish(group)
    return group


def display_zone() -> datetime.tzinfo:
    """``ckan.display_timezone`` (months are counted there), UTC when unknown."""
    import zoneinfo

    import ckan.plugins.toolkit as tk

    name = tk.config.get("ckan.display_timezone") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def month_keys(months: int, at: datetime.datetime) -> list[str]:
    """The last ``months`` months up to ``at``'s (in the display time zone), oldest first,
    as ``YYYY-MM``."""
    local = at.astimezone(display_zone())
    year, month = local.year, local.month
    keys = []
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def month_of(value: datetime.datetime) -> str:
    """``YYYY-MM`` of a stored time (aware) in the display time zone."""
    return value.astimezone(display_zone()).strftime("%Y-%m")


def month_end(key: str) -> datetime.datetime:
    """The end of month ``YYYY-MM`` in the display time zone, as a stored time (aware,
    UTC)."""
    year, month = (int(part) for part in key.split("-"))
    year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    start = datetime.datetime(year, month, 1, tzinfo=display_zone())
    return start.astimezone(datetime.UTC)


def score_series(where: Scope, months: list[str]) -> dict[str, Any]:
    """The mean metadata score at the end of each month, over the datasets ``where``
    counts that had been scored by then (each with its latest score at that time).

    :returns: ``{"catalogue": series, "by_org": {org_id: series}}``, a series being
        ``[{"month", "scored", "mean"}]`` oldest first (``mean`` None when no dataset
        had a score yet)
    """
    history = kmodel.dataset_quality_history
    rows = model.Session.execute(
        sa.select(history.c.package_id, history.c.total, history.c.computed,
                  model.Package.owner_org)
        .join(model.Package, model.Package.id == history.c.package_id)
        .where(visible(where)).order_by(history.c.computed, history.c.id))
    scores: dict[str, list[tuple[datetime.datetime, int]]] = {}
    owners: dict[str, str | None] = {}
    for row in rows:
        scores.setdefault(row.package_id, []).append((row.computed, row.total))
        owners[row.package_id] = row.owner_org
    ends = [month_end(month) for month in months]
    sums: dict[str | None, list[list[int]]] = {}  # key "": the catalogue

    def add(key: str | None, index: int, total: int) -> None:
        counted = sums.setdefault(key, [[0, 0] for _ in months])[index]
        counted[0] += 1
        counted[1] += total

    for package_id, given in scores.items():
        times = [computed for computed, _total in given]  # in time order (the query's)
        for index, end in enumerate(ends):
            scored_before = bisect.bisect_left(times, end)
            if scored_before:
                total = given[scored_before - 1][1]
                add("", index, total)
                add(owners[package_id], index, total)

    def series(key: str | None) -> list[dict[str, Any]]:
        counted = sums.get(key)
        if counted is None:
            return empty_series(months)
        return [{"month": month, "scored": n,
                 "mean": round(total / n, 1) if n else None}
                for month, (n, total) in zip(months, counted, strict=True)]

    return {"catalogue": series(""),
            "by_org": {key: series(key) for key in sums if key != ""}}


def empty_series(months: list[str]) -> list[dict[str, Any]]:
    """The score series of a group without any score."""
    return [{"month": month, "scored": 0, "mean": None} for month in months]


def _finish(group: dict[str, Any]) -> None:
    score = group["score"]
    total = score.pop("_sum")
    score["mean"] = round(total / score["scored"], 1) if score["scored"] else None
    if isinstance(score["last_computed"], datetime.datetime):
        score["last_computed"] = score["last_computed"].astimezone(datetime.UTC).isoformat()
    errors = group["errors"]
    if errors["rows_checked"]:
        errors["per_10000_rows"] = round(
            errors["errors_found"] * PER_ROWS / errors["rows_checked"], 2)
