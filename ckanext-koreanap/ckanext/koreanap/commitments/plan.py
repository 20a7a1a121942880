"""The plan's commitments and milestones, read from its data package.

The tables are the ``commitments`` and ``milestones`` resources of
``datapackages/ogp-nap4-commitments`` (or the package named by
``ckanext.koreanap.commitments.package``). They are small (13 and 62 rows)
and change only with a new plan, so they are read once per file change.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ckan.plugins.toolkit as tk

DEFAULT_PACKAGE = (Path(__file__).resolve().parents[4] / "datapackages"
                   / "ogp-nap4-commitments")


class PlanUnavailable(Exception):
    """The plan's data package cannot be read (the message says why)."""


@dataclass
class Milestone:
    sequence: int
    activity: str
    start: str  # an ISO date, a month or the plan's own words
    end: str


@dataclass
class Commitment:
    commitment_id: str
    plan_order: int
    ogp_id: str
    title: str
    lead_agency: str
    lead_division: str
    period: str
    start_date: str
    end_date: str
    values: list[str]
    summary: str
    milestones: list[Milestone] = field(default_factory=list)


def package_path() -> Path:
    """The configured data package folder (``datapackage.json`` in it)."""
    configured = tk.config.get("ckanext.koreanap.commitments.package") or ""
    path = Path(configured) if configured else DEFAULT_PACKAGE
    return path.parent if path.name == "datapackage.json" else path


def _when(row: dict, prefix: str) -> str:
    return (row.get(f"{prefix}_date") or row.get(f"{prefix}_month")
            or row.get(f"{prefix}_text") or "").strip()


def _table(folder: Path, descriptor: dict, name: str) -> list[dict]:
    for resource in descriptor.get("resources") or []:
        if resource.get("name") == name:
            path = (folder / str(resource.get("path") or "")).resolve()
            if folder.resolve() not in path.parents:
                raise PlanUnavailable(f'the "{name}" table is outside {folder}')
            with path.open(encoding="utf-8-sig", newline="") as fh:
                return list(csv.DictReader(fh))
    raise PlanUnavailable(f'{folder / "datapackage.json"} has no "{name}" table')


@lru_cache(maxsize=4)
def _load(folder: str, stamp: tuple) -> list[Commitment]:
    base = Path(folder)
    descriptor = json.loads((base / "datapackage.json").read_text(encoding="utf-8"))
    milestones: dict[str, list[Milestone]] = {}
    for row in _table(base, descriptor, "milestones"):
        milestones.setdefault(row["commitment_id"], []).append(Milestone(
            sequence=int(row.get("sequence") or 0), activity=row.get("activity") or "",
            start=_when(row, "start"), end=_when(row, "end")))
    plan = []
    for row in _table(base, descriptor, "commitments"):
        plan.append(Commitment(
            commitment_id=row["commitment_id"], plan_order=int(row.get("plan_order") or 0),
            ogp_id=row.get("ogp_id") or "", title=row.get("title") or "",
            lead_agency=row.get("lead_agency") or "", lead_division=row.get("lead_division") or "",
            period=row.get("period_text") or "", start_date=row.get("start_date") or "",
            end_date=row.get("end_date") or "",
            values=[v.strip() for v in (row.get("ogp_values") or "").split(";") if v.strip()],
            summary=row.get("description_summary") or "",
            milestones=sorted(milestones.get(row["commitment_id"], []),
                              key=lambda m: m.sequence)))
    return sorted(plan, key=lambda c: c.plan_order)


def commitments() -> list[Commitment]:
    """Every commitment of the plan in plan order, with its milestones.

    :raises PlanUnavailable: the package is missing or unreadable
    """
    folder = package_path()
    try:
        # re-read when the descriptor or any table changes
        files = [folder / "datapackage.json", *sorted(folder.rglob("*.csv"))]
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        return _load(str(folder), stamp)
    except PlanUnavailable:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise PlanUnavailable(f"the plan's data package {folder} cannot be read: {exc}") from exc
