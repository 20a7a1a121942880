"""Pages ``/commitments`` and ``/commitments/<id>`` (blueprint ``koreanap_commitments``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ..languages import is_english
from . import plan

koreanap_commitments = Blueprint("koreanap_commitments", __name__)

COMMITMENT_FIELD = "commitment"  # the dataset schema's field holding the OGP id


def _search(data_dict: dict[str, Any]) -> dict[str, Any]:
    """package_search as the visitor; an index that cannot answer gives no datasets."""
    context = {"user": tk.current_user.name if tk.current_user else None}
    try:
        return tk.get_action("package_search")(context, data_dict)
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized):
        return {"count": 0, "results": [], "facets": {}}
    except Exception as exc:  # noqa: BLE001 - search errors are SearchError subclasses
        if type(exc).__name__ in ("SearchError", "SearchQueryError"):
            return {"count": 0, "results": [], "facets": {}}
        raise


def _dataset_counts() -> dict[str, int]:
    result = _search({"rows": 0, "facet.field": [COMMITMENT_FIELD], "facet.limit": -1})
    return {str(k): int(v) for k, v in (result.get("facets") or {}).get(COMMITMENT_FIELD,
                                                                        {}).items()}


def _datasets_of(ogp_id: str) -> list[dict[str, Any]]:
    if not ogp_id:
        return []
    result = _search({"fq": '{}:"{}"'.format(COMMITMENT_FIELD, ogp_id), "rows": 100,
                      "sort": "title_string asc"})
    return result.get("results") or []


def _plan_or_error() -> list[plan.Commitment] | str:
    try:
        return plan.commitments()
    except plan.PlanUnavailable as exc:
        return str(exc)


@koreanap_commitments.route("/commitments")
def index() -> str:
    """Every commitment, filtered by lead agency and OGP value."""
    found = _plan_or_error()
    if isinstance(found, str):
        return tk.render("koreanap/commitments/index.html", extra_vars={
            "unavailable": found, "commitments": [], "agencies": [], "values": [],
            "agency": "", "value": "", "counts": {}, "total": 0, "english": is_english(),
            "translated": False})
    agency = (tk.request.args.get("agency") or "").strip()
    value = (tk.request.args.get("value") or "").strip()
    english = is_english()
    # filter values stay the plan's English names (links keep working in both languages);
    # the choices read in the page's language
    labels = {c.lead_agency: c.text("lead_agency", english) for c in found if c.lead_agency}
    agencies = sorted(labels.items(), key=lambda item: item[1])
    value_labels = {v: label for c in found for v, label in c.value_labels(english).items()}
    values = sorted(value_labels.items(), key=lambda item: item[1])
    for name, given, allowed in (("agency", agency, list(labels)),
                                 ("value", value, list(value_labels))):
        if given and given not in allowed:
            return tk.abort(400, tk._('Unknown {name} "{given}": choose one from the list')
                            .format(name=name, given=given))
    shown = [c for c in found if (not agency or c.lead_agency == agency)
             and (not value or value in c.values)]
    return tk.render("koreanap/commitments/index.html", extra_vars={
        "unavailable": None, "commitments": shown, "agencies": agencies, "values": values,
        "agency": agency, "value": value, "counts": _dataset_counts(), "total": len(found),
        "english": english, "translated": any(c.any_translated(english) for c in shown)})


@koreanap_commitments.route("/commitments/<commitment_id>")
def read(commitment_id: str) -> str:
    """One commitment: its details, milestones and the datasets that publish it."""
    found = _plan_or_error()
    if isinstance(found, str):
        return tk.abort(503, found)
    wanted = commitment_id.strip().lower()
    for commitment in found:
        if wanted in (commitment.commitment_id.lower(), commitment.ogp_id.lower()):
            return tk.render("koreanap/commitments/read.html", extra_vars={
                "commitment": commitment, "datasets": _datasets_of(commitment.ogp_id),
                "english": is_english()})
    return tk.abort(404, tk._("No commitment {id} in the plan").format(id=commitment_id))
