"""The plan's commitments and milestones, read from its data package.

The tables are the ``commitments`` and ``milestones`` resources of
``datapackages/ogp-nap4-commitments`` (or the package named by
``ckanext.koreanap.commitments.package``). They are small (13 and 62 rows)
and change only with a new plan, so they are read once per file change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from koreanap_client import planpackage
from koreanap_client.planpackage import PlanUnavailable

from .. import config

__all__ = ["Commitment", "Milestone", "PlanUnavailable", "commitments", "package_path"]


RENAMED = planpackage.RENAMED


class _Texts:
    """The plan's text is English; ``<field>_ko`` holds this project's Korean translation
    (flagged ``koreanap:translationOf`` in the package), empty where there is none."""

    def text(self, name: str, english: bool) -> str:
        """The field in English, or in Korean where a translation exists."""
        korean = getattr(self, name + "_ko", "")
        return getattr(self, name) if english or not korean else korean

    def translated(self, name: str, english: bool) -> bool:
        """Whether :meth:`text` gives this project's translation, not the plan's words."""
        return not english and bool(getattr(self, name + "_ko", ""))


@dataclass
class Milestone(_Texts):
    sequence: int
    activity: str
    start: str  # an ISO date, a month or the plan's own words
    end: str
    activity_ko: str = ""


@dataclass
class Commitment(_Texts):
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
    title_ko: str = ""
    lead_agency_ko: str = ""
    lead_division_ko: str = ""
    summary_ko: str = ""
    values_ko: list[str] = field(default_factory=list)

    def value_names(self, english: bool) -> list[str]:
        """The OGP values in English, or in Korean where this project translated them
        (the same items in the same order)."""
        return list(self.values_ko if self.translated("values", english) else self.values)

    def value_labels(self, english: bool) -> dict[str, str]:
        """Each OGP value as the plan names it (the filter's value), to its name on the page."""
        return dict(zip(self.values, self.value_names(english), strict=True))

    def any_translated(self, english: bool) -> bool:
        """Whether a Korean page of this commitment shows any of this project's
        translation (and so must say so)."""
        return any(self.translated(name, english) for name in
                   ("title", "lead_agency", "lead_division", "summary", "values")) or any(
            m.translated("activity", english) for m in self.milestones)

    def renamed(self, english: bool) -> str:
        """Today's name of the lead agency when it was renamed since the plan, else ""."""
        return RENAMED.get(self.text("lead_agency", english), "")


def package_path() -> Path:
    """The configured data package folder (``datapackage.json`` in it)."""
    return planpackage.folder(config.commitments_package())


def _when(row: dict, prefix: str) -> str:
    return (row.get(f"{prefix}_date") or row.get(f"{prefix}_month")
            or row.get(f"{prefix}_text") or "").strip()


def _items(cell: str | None) -> list[str]:
    """The items of a '; '-separated cell."""
    return [v.strip() for v in (cell or "").split(";") if v.strip()]


def _translated_items(row: dict) -> list[str]:
    """``ogp_values_ko``'s items, or none when they do not pair one to one with
    ``ogp_values``' (the English is shown then, not a misaligned translation)."""
    english, korean = _items(row.get("ogp_values")), _items(row.get("ogp_values_ko"))
    return korean if len(korean) == len(english) else []


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
                start=_when(row, "start"), end=_when(row, "end"),
                activity_ko=row.get("activity_ko") or ""))
        plan = [Commitment(
            commitment_id=row["commitment_id"], plan_order=int(row.get("plan_order") or 0),
            ogp_id=row.get("ogp_id") or "", title=row.get("title") or "",
            lead_agency=row.get("lead_agency") or "", lead_division=row.get("lead_division") or "",
            period=row.get("period_text") or "", start_date=row.get("start_date") or "",
            end_date=row.get("end_date") or "",
            values=_items(row.get("ogp_values")), values_ko=_translated_items(row),
            summary=row.get("description_summary") or "",
            title_ko=row.get("title_ko") or "", lead_agency_ko=row.get("lead_agency_ko") or "",
            lead_division_ko=row.get("lead_division_ko") or "",
            summary_ko=row.get("description_summary_ko") or "",
            milestones=sorted(milestones.get(row["commitment_id"], []),
                              key=lambda m: m.sequence))
            for row in planpackage.table("commitments", configured)]
    except (ValueError, KeyError) as exc:
        raise PlanUnavailable(f"the plan's data package {package_path()} cannot be read: "
                              f"{exc}") from exc
    return sorted(plan, key=lambda c: c.plan_order)
