"""Pages of the error-report centre (Blueprint ``koreanap_reports``).

- ``/dataset/<id>/report-error`` and ``/dataset/<id>/resource/<rid>/report-error``:
  the report form (anyone, unless configured otherwise)
- ``/error-report/<code>``: the public tracking page
- ``/quality/error-reports`` (+ ``.csv``): the evaluator workspace
- ``/quality/error-reports/<code>``: one report, with the actions on it
"""
from __future__ import annotations

import csv
import io
import logging
import time

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, jsonify, request
from flask_wtf.csrf import ValidationError as CSRFError
from flask_wtf.csrf import validate_csrf

from .. import csvcells, visitor
from ..languages import N_
from . import config, jobs, ratelimit, redis_state, workflow
from .logic.schema import HONEYPOT as _HONEYPOT
from .logic.validators import as_text
from .ratelimit import TooManyReports

log = logging.getLogger(__name__)

koreanap_reports = Blueprint("koreanap_reports", __name__)

_FORM_FIELDS = ("category", "description", "resource_id", "location_row", "location_column",
                "reporter_name", "reporter_email", "consent")
_FILTERS = ("status", "owner_org", "category", "urgent", "overdue")
# The rule form's kinds (koreanap_validation.rules.KINDS) with their labels.
_RULE_KINDS = (("allowed_values", N_("Allowed values")), ("pattern", N_("Pattern")),
               ("range", N_("Range")), ("required", N_("Required")),
               ("unique", N_("Unique")), ("row_condition", N_("Row condition")))


def _csrf_message() -> str:
    return tk._("The form expired or was not sent from this site; reload the page and send it "
                "again.")


def _csrf_ok() -> bool:
    # CKAN exempts views from CSRFProtect for visitors without a session
    # login; the report form is mostly used by them, so check it here.
    if not tk.config.get("WTF_CSRF_ENABLED"):
        return True
    try:
        validate_csrf(request.form.get(tk.config.get("WTF_CSRF_FIELD_NAME")))
    except CSRFError:
        return False
    return True


def _retry_after(error: TooManyReports) -> dict:
    return {"Retry-After": str(error.retry_after)}


def _is_api_report() -> bool:
    return (request.endpoint == "api.action" and request.method == "POST"
            and (request.view_args or {}).get("logic_function")
            == "koreanap_error_report_create")


# Per process: when a request last looked for notifications in the outbox.
_last_outbox_check: float | None = None


def _hand_outbox_to_worker() -> None:
    """At most every outbox_check_interval seconds, hand kept notifications to the worker."""
    global _last_outbox_check
    moment = time.monotonic()
    if (_last_outbox_check is not None
            and moment - _last_outbox_check < config.outbox_check_interval()):
        return
    _last_outbox_check = moment
    if redis_state.usable():
        jobs.try_hand_outbox_to_worker()  # Redis still down: tried again after the interval


def register_app_hooks(app) -> None:
    """429 for a flood of reports: JSON for the API, a readable page otherwise.

    CKAN's API view turns any unknown exception into a 500, so the API's
    limit is checked (and the report counted) before the view runs; the
    action keeps that count when it stores the report and gives it back
    when it refuses it, and a request that never reached the action gets it
    back after the response.
    """

    def too_many(error: TooManyReports):
        if request.path.startswith("/api/"):
            response = jsonify({"success": False, "error": {
                "__type": "Rate Limit", "message": error.description}})
            return response, 429, _retry_after(error)
        body = tk.render("error_document_template.html", {
            "code": 429, "content": error.description, "name": error.name})
        return body, 429, _retry_after(error)

    def api_rate_limit():
        _hand_outbox_to_worker()
        if not _is_api_report():
            return None
        user = tk.current_user
        try:
            if not (user.is_authenticated and getattr(user, "sysadmin", False)):
                tk.g.koreanap_reports_charge = ratelimit.charge(request.remote_addr or "")
        except TooManyReports as error:
            return too_many(error)
        except Exception:  # an API client gets JSON, never CKAN's HTML error page
            log.exception("error-report rate limit failed")
            return jsonify({"success": False, "error": {
                "__type": "Internal Server Error", "message": "Internal Server Error"}}), 500
        tk.g.koreanap_reports_rate_checked = True
        return None

    def refund_unused_charge(response):
        charge = tk.g.get("koreanap_reports_charge")
        if charge is not None and not charge.settled:  # e.g. the JSON body did not parse
            charge.refund()
        return response

    app.register_error_handler(TooManyReports, too_many)
    app.before_request(api_rate_limit)
    app.after_request(refund_unused_charge)


def report_form(id: str, resource_id: str | None = None):
    """The "report an error" form for a dataset or one of its resources."""
    context = visitor.context()
    try:
        as_text(id)  # a NUL byte would reach PostgreSQL through package_show
        package = tk.get_action("package_show")(dict(context), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.Invalid):
        return tk.abort(404, tk._("Dataset not found"))
    resources = {r["id"]: r for r in package.get("resources", [])}
    if resource_id and resource_id not in resources:
        return tk.abort(404, tk._("Resource not found"))
    try:
        tk.check_access("koreanap_error_report_create", dict(context), {})
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))

    data = {"resource_id": resource_id or request.args.get("resource_id", "")}
    errors: dict = {}
    status = 200
    headers: dict = {}
    if request.method == "POST":
        data = {field: request.form.get(field, "") for field in _FORM_FIELDS}
        data["consent"] = bool(request.form.get("consent"))
        if resource_id:
            data["resource_id"] = resource_id
        if not _csrf_ok():
            errors, status = {"form": [_csrf_message()]}, 400
        elif request.form.get(_HONEYPOT):
            errors, status = {"form": [tk._("The form could not be accepted")]}, 400
        else:
            try:
                report = tk.get_action("koreanap_error_report_create")(
                    dict(context), {**data, "package_id": package["id"]})
            except tk.ValidationError as error:
                errors, status = error.error_dict, 400
            except TooManyReports as error:
                errors, status = {"form": [error.description]}, 429
                headers = _retry_after(error)
            except tk.ObjectNotFound as error:
                return tk.abort(404, str(error))
            else:
                tk.h.flash_success(tk._("Your report was received. Tracking code: %(code)s")
                                   % {"code": report["code"]})
                return tk.redirect_to("koreanap_reports.track", code=report["code"])
    body = tk.render("koreanap/error_report/form.html", {
        "pkg": package, "pkg_dict": package, "resource": resources.get(resource_id or ""),
        "resources": package.get("resources", []), "data": data, "errors": errors,
        "honeypot": _HONEYPOT,
    })
    return body, status, headers


def track(code: str):
    """The public tracking page of one report (no contact details)."""
    try:
        report = tk.get_action("koreanap_error_report_show")(visitor.context(), {"id": code})
    except (tk.ObjectNotFound, tk.ValidationError):  # no such code, or not one at all
        return tk.abort(404, tk._("Error report not found"))
    return tk.render("koreanap/error_report/track.html", {
        "report": report, "rules": _rules_of(report)})


def _rules_of(report: dict, include_retired: bool = False) -> list[dict]:
    """The validation rules made from ``report`` that the visitor may see."""
    if not report.get("package_id"):
        return []
    try:
        return tk.get_action("koreanap_rule_list")(visitor.context(), {
            "package_id": report["package_id"], "report": report["code"],
            "include_retired": include_retired})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number(text: str | None):
    """A number typed in the rule form (kept as text when it is none: the rule's own
    check then says what is wrong)."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def _rule_from_form(form) -> dict:
    """The rule the evaluator's form describes (``koreanap:rules`` form, no id)."""
    kind = form.get("rule_kind", "")
    rule: dict = {"resource": form.get("rule_resource", ""), "kind": kind}
    if kind != "row_condition":
        rule["field"] = form.get("rule_field", "").strip()
    if kind == "allowed_values":
        rule["values"] = _lines(form.get("rule_values"))
    elif kind == "pattern":
        rule["pattern"] = form.get("rule_pattern", "").strip()
    elif kind == "range":
        for key in ("minimum", "maximum"):
            value = _number(form.get(f"rule_{key}"))
            if value is not None:
                rule[key] = value
    elif kind == "row_condition":
        values = _lines(form.get("rule_if_values"))
        condition = {"field": form.get("rule_if_field", "").strip()}
        condition.update({"equals": values[0]} if len(values) == 1 else {"in": values})
        then = {"field": form.get("rule_then_field", "").strip()}
        if form.get("rule_then") == "values":
            then["values"] = _lines(form.get("rule_then_values"))
        else:
            then["is"] = form.get("rule_then", "")
        rule.update({"if": condition, "then": then})
    return rule


def _rule_form(report: dict) -> dict | None:
    """What the "turn into a rule" form needs (None when the user may not add a rule or
    the report is not confirmed): the dataset's tables and their fields, and the
    proposal from the report (its table, column and row: :func:`..rules.proposal`)."""
    from ..rules import proposal, schema_fields

    if not workflow.confirmed(report["status"], report.get("resolution")) \
            or not report.get("package_id"):
        return None
    context = visitor.context()
    try:
        tk.check_access("koreanap_rule_create", dict(context),
                        {"package_id": report["package_id"]})
        package = tk.get_action("package_show")(dict(context), {"id": report["package_id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    tables = {name: sorted(fields) for name, fields in schema_fields(package).items()
              if fields}
    if not tables:
        return None
    resource = next((r.get("datapackage_name") for r in package.get("resources") or []
                     if r["id"] == report.get("resource_id")), None)
    resource = resource if resource in tables else next(iter(tables))
    field = (report.get("location_column") or "").strip()
    return {"tables": tables, "resource": resource, "field": field,
            "proposal": proposal(package, resource, field, report.get("location_row"))}


def _filters() -> dict:
    data = {key: request.args.get(key, "") for key in _FILTERS}
    return {key: value for key, value in data.items() if value}


def _queue(filters: dict, **extra) -> dict:
    try:
        return tk.get_action("koreanap_error_report_list")(visitor.context(), {**filters, **extra})
    except tk.NotAuthorized as error:
        tk.abort(403, str(error))
    except tk.ObjectNotFound as error:
        tk.abort(404, str(error))
    except tk.ValidationError as error:
        tk.abort(400, "; ".join("{}: {}".format(k, " ".join(map(str, v)))
                                for k, v in error.error_dict.items()))


def workspace():
    """The evaluators' queue, with counts, median time to answer and overdue per org."""
    if not visitor.name():
        return tk.abort(403, tk._("Log in to see the error-report queue"))
    filters = _filters()
    page = max(1, tk.h.get_page_number(request.args))
    per_page = 50
    result = _queue(filters, include_stats=True, limit=per_page,
                    offset=(page - 1) * per_page)
    orgs = tk.get_action("organization_list")(
        {"ignore_auth": True}, {"all_fields": True, "limit": 1000})
    return tk.render("koreanap/error_report/workspace.html", {
        "result": result, "filters": filters, "page": page, "per_page": per_page,
        "organizations": orgs, "csv_query": request.query_string.decode("ascii", "replace"),
    })


_CSV_COLUMNS = ("code", "created", "status", "category", "urgent", "organization_title",
                "package_name", "resource_name", "location_row", "location_column",
                "description", "assignee", "accepted_at", "due_at", "overdue",
                "answered_at", "resolution", "public_answer")


def workspace_csv():
    """The queue (same filters) as CSV, formulas neutralised."""
    if not visitor.name():
        return tk.abort(403, tk._("Log in to export error reports"))
    filters = _filters()
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheets read the Korean text as UTF-8
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    offset = 0
    while True:
        page = _queue(filters, limit=1000, offset=offset)
        for report in page["results"]:
            writer.writerow([csvcells.cell(report.get(column)) for column in _CSV_COLUMNS])
        offset += 1000
        if offset >= page["count"]:
            break
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=error-reports.csv"})


def manage(code: str):
    """One report with its private details, event log and the actions on it."""
    context = visitor.context()
    errors: dict = {}
    status = 200
    preview = None
    if request.method == "POST":
        action = request.form.get("action", "")
        form = request.form
        if not _csrf_ok():
            errors, status = {"form": [_csrf_message()]}, 400
        else:
            try:
                if action == "comment":
                    tk.get_action("koreanap_error_report_comment")(
                        dict(context), {"id": code, "text": form.get("text", "")})
                elif action == "make_private":
                    tk.get_action("koreanap_error_report_make_private")(
                        dict(context), {"id": code})
                elif action in ("rule_preview", "rule_create"):
                    data = {"package_id": form.get("package_id", ""),
                            "rule": _rule_from_form(form), "report": code}
                    if action == "rule_preview":
                        preview = tk.get_action("koreanap_rule_preview")(dict(context), data)
                    else:
                        made = tk.get_action("koreanap_rule_create")(dict(context), data)
                        tk.h.flash_success(tk._("Rule {id} saved: {rule}").format(
                            id=made["id"], rule=tk.h.koreanap_rule_text(made["rule"])))
                        return tk.redirect_to("koreanap_reports.manage", code=code)
                elif action == "rule_retire":
                    tk.get_action("koreanap_rule_retire")(dict(context), {
                        "id": form.get("rule_id", ""), "reason": form.get("reason", "")})
                elif action == "update":
                    data = {key: form[key] for key in ("status", "resolution", "answer")
                            if form.get(key)}
                    if "assignee" in form:
                        data["assignee"] = form["assignee"]
                    tk.get_action("koreanap_error_report_update")(
                        dict(context), {"id": code, **data})
                else:
                    errors, status = {"form": [tk._("Unknown action")]}, 400
            except tk.NotAuthorized as error:
                return tk.abort(403, str(error))
            except tk.ObjectNotFound as error:
                return tk.abort(404, str(error))
            except tk.ValidationError as error:
                errors, status = error.error_dict, 409
            if not errors and preview is None:
                tk.h.flash_success(tk._("Saved"))
                return tk.redirect_to("koreanap_reports.manage", code=code)
    try:
        report = tk.get_action("koreanap_error_report_show")(
            dict(context), {"id": code, "include_private": True})
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    except tk.ValidationError:
        return tk.abort(404, tk._("Error report not found"))
    body = tk.render("koreanap/error_report/manage.html", {
        "report": report, "errors": errors, "form": request.form,
        "allowed": workflow.TRANSITIONS.get(report["status"], ()),
        "rule_form": _rule_form(report), "rules": _rules_of(report, include_retired=True),
        "preview": preview, "rule_kinds": _RULE_KINDS,
    })
    return body, status


koreanap_reports.add_url_rule("/dataset/<id>/report-error", view_func=report_form,
                              methods=["GET", "POST"])
koreanap_reports.add_url_rule("/dataset/<id>/resource/<resource_id>/report-error",
                              view_func=report_form, endpoint="report_resource_form",
                              methods=["GET", "POST"])
koreanap_reports.add_url_rule("/error-report/<code>", view_func=track)
koreanap_reports.add_url_rule("/quality/error-reports", view_func=workspace)
koreanap_reports.add_url_rule("/quality/error-reports.csv", view_func=workspace_csv)
koreanap_reports.add_url_rule("/quality/error-reports/<code>", view_func=manage,
                              methods=["GET", "POST"])
