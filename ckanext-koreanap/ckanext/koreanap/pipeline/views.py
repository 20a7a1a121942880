"""Pages of the publishing pipeline (one Blueprint, ``koreanap``).

- ``/dataset/<id>/validation``: each resource's status and report (errors by
  rule, row and field; personal values masked by the rules themselves)
- ``/dataset/<id>/validate`` (POST): queue the validation again (editors)
- ``/dataset/<id>/datapackage.json`` and ``/dataset/<id>/datapackage.zip``:
  the dataset as a data package generated from the catalogue
- ``/organization/<id>/upload-package``: the "Upload data package" page
- ``/quality`` and ``/quality.csv``: the public quality dashboard and its figures
  as CSV (action ``koreanap_quality_figures``; issue 18)
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
import zipfile
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request, send_file

from koreanap_client.datapackage import dataset_to_descriptor

from .. import csvcells, visitor
from .staging import resource_rel_path, stored_file

koreanap = Blueprint("koreanap", __name__)


def _package(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("package_show")(visitor.context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this dataset"))


def _when(text: str | None) -> datetime.datetime | None:
    """An action's ISO 8601 time as the datetime the page formats."""
    return datetime.datetime.fromisoformat(text) if text else None


def _shown(action: str, package: dict[str, Any]) -> Any:
    try:
        return tk.get_action(action)(visitor.context(), {"id": package["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this dataset"))


def validation(id: str):
    """The dataset's validation report page."""
    package = _package(id)
    found = _shown("koreanap_dataset_report_show", package)
    rows = found["resources"]
    links: dict[str, list[dict]] = {}
    for link in _shown("koreanap_link_check_show", package):
        links.setdefault(link["resource_id"], []).append(dict(link,
                                                              checked=_when(link["checked"])))
    sections = []
    for resource in package.get("resources", []):
        row = rows.get(resource["id"])
        report = (row or {}).get("report") or {}
        groups: dict[str, list[dict]] = {}
        for error in report.get("errors", []):
            groups.setdefault(error.get("rule") or "", []).append(error)
        summary = (report.get("resources") or [{}])[0]
        sections.append({"resource": resource, "row": row, "groups": groups,
                         "notes": report.get("notes", []), "counts": report.get("counts")
                         or {}, "summary": summary, "links": links.get(resource["id"], [])})
    try:
        tk.check_access("package_update", visitor.context(), {"id": package["id"]})
        can_edit = True
    except tk.NotAuthorized:
        can_edit = False
    score = found["score"]
    return tk.render("koreanap/validation.html", {
        "pkg_dict": package, "sections": sections, "can_edit": can_edit,
        "state": {"status": found["status"],
                  "score": dict(score, computed=_when(score.get("computed")))
                  if score else None}})


def check_links(id: str):
    """Queue the dataset's link check again (the report page's button)."""
    try:
        result = tk.get_action("koreanap_link_check")(visitor.context(), {"id": id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to check this dataset's links"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    if result.get("job_id"):
        tk.h.flash_success(tk._("Link check queued; this page shows the result when it "
                                "is done."))
    else:
        tk.h.flash_error(tk._("The job queue cannot be reached; the links were not checked."))
    return tk.redirect_to("koreanap.validation", id=id)


def validate(id: str):
    """Queue the dataset's validation again (the report page's button)."""
    try:
        tk.get_action("koreanap_package_validate")(visitor.context(), {"id": id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to validate this dataset"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    tk.h.flash_success(tk._("Validation queued; this page shows the result when it is done."))
    return tk.redirect_to("koreanap.validation", id=id)


def datapackage_json(id: str):
    """``datapackage.json`` generated from the catalogue (paths are download URLs)."""
    try:
        descriptor = tk.get_action("koreanap_datapackage_show")(visitor.context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this dataset"))
    body = json.dumps(descriptor, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="datapackage.json"'})


def _zip_path(resource: dict[str, Any]) -> str:
    rel = resource_rel_path(resource)
    return rel


def datapackage_zip(id: str):
    """The whole data package as a zip: ``datapackage.json`` plus every uploaded file."""
    package = _package(id)
    members = []
    for resource in package.get("resources", []):
        local = stored_file(resource)
        if local:
            members.append((resource, local))
    kept = [r for r, _ in members]
    # The rules its datapackage.json carries (the dataset's active rules).
    shown = tk.get_action("koreanap_datapackage_show")(visitor.context(), {"id": package["id"]})
    descriptor = dataset_to_descriptor(dict(package, resources=kept), resource_path=_zip_path,
                                       rules=shown.get("koreanap:rules"))
    handle = tempfile.TemporaryFile(suffix=".zip")
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for resource, local in members:
            archive.write(local, _zip_path(resource))
    handle.seek(0)
    return send_file(handle, mimetype="application/zip", as_attachment=True,
                     download_name="{}.zip".format(package["name"]))


def upload(id: str):
    """The "Upload data package" page of an organization (editors).

    A refused upload shows the form again with the error, answering 400 (bad
    input), 413 (over the size limit), 409 (publishing conflicts with the
    catalogue), 422 (the package failed validation; the report is shown) or
    503 (the catalogue cannot validate now), never 200."""
    context = visitor.context()
    try:
        org = tk.get_action("organization_show")(context, {"id": id,
                                                           "include_datasets": False})
        tk.check_access("koreanap_package_upload", context, {"owner_org": org["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of this organization may upload data packages"))
    extra: dict[str, Any] = {"group_dict": org, "group_type": "organization", "result": None,
                             "errors": None}
    status = 200
    if request.method == "POST":
        data = {"owner_org": org["id"], "upload": request.files.get("upload"),
                "files": request.files.getlist("files")}
        try:
            extra["result"] = tk.get_action("koreanap_package_upload")(context, data)
            if not extra["result"]["published"]:
                status = 422
        except tk.ValidationError as error:
            extra["errors"] = {k: v for k, v in error.error_dict.items() if k != "__type"}
            status = getattr(error, "status", 400)
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only editors of this organization may upload data "
                                      "packages"))
    return Response(tk.render("koreanap/upload.html", extra), status=status)


def _quality_figures():
    """The dashboard's figures as the visitor may see them, or an error response."""
    args = {k: v for k, v in request.args.items() if k in ("organization", "months")}
    try:
        return tk.get_action("koreanap_quality_figures")(visitor.context(), args), None
    except tk.ObjectNotFound:
        return None, tk.abort(404, tk._("Organization not found"))
    except tk.ValidationError as error:
        return None, tk.abort(400, "; ".join("{}: {}".format(k, " ".join(map(str, v)))
                                             for k, v in error.error_dict.items()
                                             if k != "__type"))


# The CSV's columns: (header, path into a group of koreanap_quality_figures).
QUALITY_CSV = (
    ("datasets", ("datasets",)),
    *((f"validation_{state}", ("validation", state)) for state in (
        "valid", "invalid", "error", "pending", "not_validated")),
    ("score_scored", ("score", "scored")), ("score_mean", ("score", "mean")),
    ("score_max", ("score", "max")),
    *((f"score_{band}", ("score", "bands", band)) for band in (
        "excellent", "good", "sufficient", "bad")),
    ("tables_checked", ("errors", "tables_checked")),
    ("rows_checked", ("errors", "rows_checked")), ("errors_found", ("errors", "errors_found")),
    ("errors_per_10000_rows", ("errors", "per_10000_rows")),
    ("partial_tables", ("errors", "partial_tables")),
    ("rules_active", ("rules", "active")), ("rules_from_reports", ("rules", "from_reports")),
)
QUALITY_CSV_REPORTS = tuple((f"reports_{key}", ("reports", key)) for key in (
    "received", "pending", "open", "answered", "answered_in_time", "answered_late",
    "in_time_share", "median_days_to_answer", "overdue"))


def quality_state_label(state: str) -> str:
    """A dataset validation state's name in the page's language (as the facets name it)."""
    from ..helpers import koreanap_status_label

    found = koreanap_status_label(state)
    return found["text"] if found else tk._("Not validated")


def _dig(group: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        group = group.get(key) if isinstance(group, dict) else None
    return group


def _quality_charts(figures: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any]:
    """What assets/src/quality.js draws; the page's tables show the same numbers."""
    labels = [group["title"] for group in groups]
    states = [(state, quality_state_label(state), colour) for state, colour in (
        ("valid", "#2e7d32"), ("invalid", "#c62828"), ("error", "#b25400"),
        ("pending", "#1565c0"), ("not_validated", "#616161"))]
    charts = {"validation": {"labels": labels, "stacked": True, "horizontal": True,
                             "datasets": [{"label": label, "colour": colour,
                                           "data": [g["validation"][state] for g in groups]}
                                          for state, label, colour in states]}}
    scores = figures["catalogue"]["score"]["by_month"]
    if figures["organization"] and groups:
        scores = groups[0]["score"]["by_month"]
    charts["scores"] = {"labels": [m["month"] for m in scores], "stacked": False,
                        "horizontal": False,
                        "datasets": [{"label": tk._("Mean metadata quality score"),
                                      "colour": "#00695c",
                                      "data": [m["mean"] for m in scores]}]}
    if "reports" in figures["catalogue"]:
        answers = (("answered_in_time", tk._("Answered within the deadline"), "#2e7d32"),
                   ("answered_late", tk._("Answered late"), "#ef6c00"),
                   ("open", tk._("Open"), "#1565c0"), ("pending", tk._("Not accepted yet"),
                                                       "#757575"))
        charts["answers"] = {"labels": labels, "stacked": True, "horizontal": True,
                             "datasets": [{"label": label, "colour": colour,
                                           "data": [g["reports"][key] for g in groups]}
                                          for key, label, colour in answers]}
        months = figures["catalogue"]["reports"]["by_month"]
        if figures["organization"] and groups:
            months = groups[0]["reports"]["by_month"]
        charts["months"] = {"labels": [m["month"] for m in months], "stacked": False,
                            "horizontal": False,
                            "datasets": [{"label": tk._("Received"), "colour": "#1565c0",
                                          "data": [m["received"] for m in months]},
                                         {"label": tk._("Answered"), "colour": "#2e7d32",
                                          "data": [m["answered"] for m in months]}]}
    return charts


def quality():
    """The public quality dashboard: each organization's and the catalogue's figures."""
    figures, failed = _quality_figures()
    if failed is not None:
        return failed
    groups = figures["organizations"]
    charts = _quality_charts(figures, groups)
    return tk.render("koreanap/quality.html", {
        "figures": figures, "groups": groups,
        "charts": charts,
        # Inside <script>: "<" escaped, so no title can close the element.
        "charts_json": json.dumps(charts, ensure_ascii=False).replace("<", "\\u003c"),
        "states": [(state, quality_state_label(state)) for state in (
            "valid", "invalid", "error", "pending", "not_validated")]})


def quality_csv():
    """The dashboard's figures as CSV: the catalogue's row, then one per organization."""
    figures, failed = _quality_figures()
    if failed is not None:
        return failed
    columns = QUALITY_CSV + (QUALITY_CSV_REPORTS if "reports" in figures["catalogue"] else ())
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheets read the Korean titles as UTF-8
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "organization", "organization_title",
                     *(name for name, _path in columns)])
    rows = [("catalogue", None, None, figures["catalogue"])]
    rows += [("organization", g["name"], g["title"], g) for g in figures["organizations"]]
    for scope, name, title, group in rows:
        writer.writerow([csvcells.cell(v) for v in (
            scope, name, title, *(_dig(group, path) for _name, path in columns))])
    filename = "quality-{}.csv".format(figures["organization"] or "catalogue")
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="{}"'.format(filename)})


koreanap.add_url_rule("/quality", view_func=quality)
koreanap.add_url_rule("/quality.csv", view_func=quality_csv)
koreanap.add_url_rule("/dataset/<id>/validation", view_func=validation)
koreanap.add_url_rule("/dataset/<id>/validate", view_func=validate, methods=["POST"])
koreanap.add_url_rule("/dataset/<id>/check-links", view_func=check_links, methods=["POST"])
koreanap.add_url_rule("/dataset/<id>/datapackage.json", view_func=datapackage_json)
koreanap.add_url_rule("/dataset/<id>/datapackage.zip", view_func=datapackage_zip)
koreanap.add_url_rule("/organization/<id>/upload-package", view_func=upload,
                      methods=["GET", "POST"])
