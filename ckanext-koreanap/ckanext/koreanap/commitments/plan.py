"""The plan's commitments and milestones, read from its data package.

The tables are the ``commitments`` and ``milestones`` resources of
``datapackages/ogp-nap4-commitments`` (or the package named by
``ckanext.koreanap.commitments.package``). They are small (13 and 62 rows)
and change only with a new plan, so they are read once per file change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import config, planpackage
from ..planpackage import PlanUnavailable

__all__ = ["Commitment", "Milestone", "PlanUnavailable", "commitments", "package_path"]


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
    return planpackage.folder(config.commitments_package())


def _when(row: dict, prefix: str) -> str:
    return (row.get(f"{prefix}_date") or row.get(f"{prefix}_month")
            or row.get(f"{prefix}_text") or "").strip()


def commitments() -> list[Commitment]:
    """Every commitment of the plan in plan order, with its milestones.

    :raises PlanUnavailable: the package is missing or unreadable
    """
    configured = config.commitments_package()
    try:
        milestones: dict[str, list[Milestone]] = {}
        for row in planpackage.table("milestones", configured):
            milestones.setdefault(row["commitment_id"], []).append(Milestone(
                sequence=int(row.get("sequence") or 0), activity=row.get("activity") or "",
                start=_when(row, "start"), end=_when(row, "end")))
        plan = [Commitment(
            commitment_id=row["commitment_id"], plan_order=int(row.get("plan_order") or 0),
            ogp_id=row.get("ogp_id") or "", title=row.get("title") or "",
            lead_agency=row.get("lead_agency") or "", lead_division=row.get("lead_division") or "",
            period=row.get("period_text") or "", start_date=row.get("start_date") or "",
            end_date=row.get("end_date") or "",
            values=[v.strip() for v in (row.get("ogp_values") or "").split(";") if v.strip()],
            summary=row.get("description_summary") or "",
            milestones=sorted(milestones.get(row["commitment_id"], []),
                              key=lambda m: m.sequence))
            for row in planpackage.table("commitments", configured)]
    except (ValueError, KeyError) as exc:
        raise PlanUnavailable(f"the plan's data package {package_path()} cannot be read: "
                              f"{exc}") from exc
    return sorted(plan, key=lambda c: c.plan_order)
