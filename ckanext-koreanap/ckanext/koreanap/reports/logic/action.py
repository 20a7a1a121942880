"""The koreanap_error_report_* API actions (parameters documented in README.md)."""
from __future__ import annotations

import datetime
import statistics
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.model.types import make_uuid
from flask import has_request_context
from sqlalchemy import and_, func, or_

from ...languages import N_
from .. import access, config, jobs, ratelimit, workflow
from ..model import ErrorReport, ErrorReportEvent, new_tracking_code, now
from . import schema

_NOT_FOUND_DATASET = N_("Dataset not found")
_NOT_FOUND_RESOURCE = N_("Resource not found in this dataset")


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _is_overdue(report: ErrorReport, at: datetime.datetime) -> bool:
    return (report.status in workflow.OPEN_STATUSES and report.due_at is not None
            and report.due_at < at)


def _dictize(reports: list[ErrorReport], private: bool | list[bool],
             packages: dict | None = None, user: str | None = None) -> list[dict]:
    """Report dicts; ``private`` (one flag, or one per report) adds what only managers see.

    On public dicts the dataset and resource are left out (None) when ``user``
    may not read the dataset (private, deleted or gone), so a tracking code
    never reveals a private dataset's name or title.
    """
    flags = private if isinstance(private, list) else [private] * len(reports)
    package_ids = {r.package_id for r in reports} - set(packages or {})
    packages = dict(packages or {})
    if package_ids:
        packages.update({p.id: p for p in model.Session.query(model.Package)
                         .filter(model.Package.id.in_(package_ids))})
    resource_ids = {r.resource_id for r in reports if r.resource_id}
    resources = {r.id: r for r in model.Session.query(model.Resource)
                 .filter(model.Resource.id.in_(resource_ids))} if resource_ids else {}
    at = now()
    out = []
    readable: dict[str, bool] = {}
    for report, show_private in zip(reports, flags, strict=True):
        package = packages.get(report.package_id)
        if not show_private:
            if report.package_id not in readable:
                readable[report.package_id] = _may_read(user, package)
            if not readable[report.package_id]:
                package = None
        resource = resources.get(report.resource_id) if report.resource_id and package else None
        answered = report.status == "answered"
        item: dict[str, Any] = {
            "id": report.id,
            "code": report.code,
            "package_id": package.id if package else None,
            "package_name": package.name if package else None,
            "package_title": (package.title or package.name) if package else None,
            "resource_id": report.resource_id if package else None,
            "resource_name": (resource.name or resource.url) if resource else None,
            "category": report.category,
            "category_label": workflow.label(workflow.CATEGORIES, report.category),
            "status": report.status,
            "status_label": workflow.label(workflow.STATUSES, report.status),
            "urgent": report.urgent,
            "created": _iso(report.created),
            "accepted_at": _iso(report.accepted_at),
            "due_at": _iso(report.due_at),
            "answered_at": _iso(report.answered_at),
            "overdue": _is_overdue(report, at),
            "resolution": report.resolution if answered else None,
            "resolution_label": (workflow.label(workflow.RESOLUTIONS, report.resolution)
                                 if answered else None),
            "public_answer": report.public_answer if answered else None,
        }
        if show_private:
            assignee = model.User.get(report.assignee_id) if report.assignee_id else None
            org = model.Group.get(report.owner_org) if report.owner_org else None
            item.update({
                "package_id": report.package_id,
                "resource_id": report.resource_id,
                "owner_org": report.owner_org,
                "organization_name": org.name if org else None,
                "organization_title": (org.title or org.name) if org else None,
                "description": report.description,
                "location_row": report.location_row,
                "location_column": report.location_column,
                "reporter_name": report.reporter_name,
                "reporter_email": report.reporter_email,
                "consent": report.consent,
                "assignee": assignee.name if assignee else None,
                "resolution": report.resolution,
                "public_answer": report.public_answer,
                "modified": _iso(report.modified),
            })
        out.append(item)
    return out


def _events(report: ErrorReport) -> list[dict]:
    rows = (model.Session.query(ErrorReportEvent)
            .filter(ErrorReportEvent.report_id == report.id)
            .order_by(ErrorReportEvent.created, ErrorReportEvent.id).all())
    names = {}
    for row in rows:
        if row.actor_id and row.actor_id not in names:
            user = model.User.get(row.actor_id)
            names[row.actor_id] = user.name if user else row.actor_id
    return [{"created": _iso(row.created), "actor": names.get(row.actor_id),
             "kind": row.kind, "from_status": row.from_status, "to_status": row.to_status,
             "text": row.text, "data": row.data or {}} for row in rows]


def _may_read(user: str | None, package: model.Package | None) -> bool:
    """Whether ``user`` may see this dataset (its name and title)."""
    if package is None or package.state != "active":
        return False
    if not package.private:
        return True
    try:
        tk.check_access("package_show", {"user": user or ""}, {"id": package.id})
    except tk.NotAuthorized:
        return False
    return True


def _package(id_or_name: str) -> model.Package | None:
    """The dataset with this id or name, in one query (Package.get may take two)."""
    rows = (model.Session.query(model.Package)
            .filter(or_(model.Package.id == id_or_name, model.Package.name == id_or_name))
            .all())
    rows.sort(key=lambda package: package.id != id_or_name)  # an id match wins
    return rows[0] if rows else None


def _actor_id(context) -> str | None:
    user = access.user_object(context.get("user"))
    return user.id if user else None


def _client_address() -> str | None:
    return tk.request.remote_addr if has_request_context() else None


def _charge(user: model.User | None) -> ratelimit.Charge | None:
    """This report's count against the caller's address (None: not limited).

    The API counts it before the action runs (views.register_app_hooks), so
    that its 429 is JSON; the action then keeps or refunds that charge.
    """
    if user and user.sysadmin:
        return None
    if has_request_context() and tk.g.get("koreanap_reports_rate_checked"):
        return tk.g.get("koreanap_reports_charge")
    return ratelimit.charge(_client_address() or "")


def koreanap_error_report_create(context, data_dict):
    """File an error report about a dataset (optionally one of its resources).

    :param package_id: the dataset's id or name
    :param resource_id: one of the dataset's resources (optional)
    :param category: wrong_value, missing_values, out_of_date, broken_link,
        format_encoding, personal_data, metadata_wrong or other
    :param description: what is wrong (10 to 5,000 characters)
    :param location_row: where in the data: row (optional, up to 200 characters)
    :param location_column: where in the data: column (optional)
    :param reporter_name: the reporter's name (optional, never shown publicly)
    :param reporter_email: an address to be told of progress (optional, never
        shown publicly; needs ``consent``)
    :param consent: true if the reporter agrees to be contacted
    :returns: the report's public fields, with its tracking ``code``
    """
    tk.check_access("koreanap_error_report_create", context, data_dict)
    user = access.user_object(context.get("user"))
    charge = _charge(user)
    try:
        result = _create(context, data_dict, user)
    except BaseException:
        if charge:
            charge.refund()  # only stored reports count toward the limit
        raise
    if charge:
        charge.keep()
    jobs.enqueue(jobs.notify_new_report, result["id"])
    return result


def _create(context, data_dict, user: model.User | None) -> dict:
    """Check and store one report (committed); its public dict."""
    if data_dict.get(schema.HONEYPOT):  # only bots fill the field people never see
        raise tk.ValidationError({schema.HONEYPOT: [tk._("The form could not be accepted")]})
    data, errors = tk.navl_validate(data_dict, schema.create(), context)
    if data.get("reporter_email") and not data.get("consent"):
        errors.setdefault("consent", []).append(
            tk._("Tick the consent to be contacted, or leave the e-mail empty"))
    if errors:
        raise tk.ValidationError(errors)

    package = _package(data["package_id"])
    if package is None or package.state != "active" or package.type != "dataset":
        raise tk.ObjectNotFound(tk._(_NOT_FOUND_DATASET))
    if package.private:  # a public dataset is readable by everyone: skip the auth round trip
        try:
            tk.check_access("package_show", {"user": context.get("user")}, {"id": package.id})
        except tk.NotAuthorized:
            raise tk.ObjectNotFound(tk._(_NOT_FOUND_DATASET))
    resource_id = data.get("resource_id")
    if resource_id:
        resource = model.Resource.get(resource_id)
        if resource is None or resource.package_id != package.id or resource.state != "active":
            raise tk.ObjectNotFound(tk._(_NOT_FOUND_RESOURCE))
        resource_id = resource.id

    at = now()
    report = ErrorReport(
        id=make_uuid(), created=at, modified=at,
        code=new_tracking_code(), package_id=package.id, resource_id=resource_id,
        owner_org=package.owner_org, category=data["category"],
        description=data["description"], location_row=data.get("location_row"),
        location_column=data.get("location_column"),
        reporter_name=data.get("reporter_name"), reporter_email=data.get("reporter_email"),
        consent=bool(data.get("consent")), reporter_user_id=user.id if user else None,
        status="pending", urgent=data["category"] in workflow.URGENT_CATEGORIES)
    # One flush writes both rows (the event's foreign key orders the inserts).
    model.Session.add(report)
    model.Session.add(ErrorReportEvent(report_id=report.id, actor_id=report.reporter_user_id,
                                       created=at, kind="created", to_status="pending",
                                       data={"urgent": report.urgent}))
    result = _dictize([report], False, packages={package.id: package},
                      user=context.get("user"))[0]
    model.Session.commit()
    return result


@tk.side_effect_free
@validate(schema.show)
def koreanap_error_report_show(context, data_dict):
    """One report by id or tracking code.

    :param id: the report's id or tracking code (``ER-XXXXX-XXXXX``)
    :param include_private: true for the description, location, reporter's
        contact details and the event log (evaluators and the organization's
        editors and admins only; 403 otherwise)
    :returns: the report
    """
    tk.check_access("koreanap_error_report_show", context, data_dict)
    report = access.get_report(data_dict["id"])
    private = bool(data_dict.get("include_private"))
    result = _dictize([report], private, user=context.get("user"))[0]
    if private:
        result["events"] = _events(report)
    return result


@tk.side_effect_free
@validate(schema.list_)
def koreanap_error_report_list(context, data_dict):
    """The reports the caller may see, sorted by deadline (then by age).

    Evaluators see every report, editors and admins their organizations'
    reports, everyone a dataset's answered reports (``package_id``).

    :param package_id: only this dataset's reports (id or name)
    :param owner_org: only this organization's reports (id or name)
    :param status: pending, accepted, in_progress, answered or spam
    :param category: only this category
    :param urgent: true for urgent (personal data) reports only
    :param overdue: true for reports past their answer deadline only
    :param include_stats: true adds ``stats``: counts per status, median days to
        answer over the last 90 days, overdue reports per organization
    :param limit: page size, 1 to 1,000 (default 50)
    :param offset: reports to skip (default 0)
    :returns: ``{"count": n, "results": [...]}`` (+ ``stats``)
    """
    tk.check_access("koreanap_error_report_list", context, data_dict)
    user = context.get("user")
    query = model.Session.query(ErrorReport)
    public_only = False
    private_flags = None
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        manager = package is not None and (access.is_evaluator(user)
                                           or access.manages_org(user, package.owner_org))
        # A private dataset the caller may not read answers exactly like a
        # missing one, so its name cannot be confirmed.
        if package is None or not (manager or _may_read(user, package)):
            raise tk.ObjectNotFound(tk._(_NOT_FOUND_DATASET))
        query = query.filter(ErrorReport.package_id == package.id)
        if not manager:
            public_only = True
            query = query.filter(ErrorReport.status == "answered")
    elif not access.is_evaluator(user):
        query = query.filter(ErrorReport.owner_org.in_(access.managed_org_ids(user)))
    if data_dict.get("owner_org"):
        org = model.Group.get(data_dict["owner_org"])
        query = query.filter(ErrorReport.owner_org == (org.id if org else None))
    for field in ("status", "category"):
        if data_dict.get(field):
            query = query.filter(getattr(ErrorReport, field) == data_dict[field])
    if data_dict.get("urgent") is not None:
        query = query.filter(ErrorReport.urgent.is_(bool(data_dict["urgent"])))
    at = now()
    overdue_clause = and_(ErrorReport.status.in_(workflow.OPEN_STATUSES),
                          ErrorReport.due_at < at)
    if data_dict.get("overdue") is True:
        query = query.filter(overdue_clause)
    elif data_dict.get("overdue") is False:
        query = query.filter(~overdue_clause | ErrorReport.due_at.is_(None))

    count = query.count()
    rows = (query.order_by(ErrorReport.urgent.desc(), ErrorReport.due_at.asc().nulls_last(),
                           ErrorReport.created.asc(), ErrorReport.id)
            .limit(data_dict["limit"]).offset(data_dict["offset"]).all())
    if not public_only:
        private_flags = [True] * len(rows)
    result = {"count": count, "results": _dictize(rows, private_flags or False, user=user)}
    if data_dict.get("include_stats"):
        result["stats"] = _stats(query.order_by(None), at)
    return result


def _stats(query, at: datetime.datetime) -> dict:
    """Counts per status, median days to answer (last 90 days), overdue per organization."""
    by_status = dict.fromkeys(workflow.STATUS_VALUES, 0)
    for status, n in (query.with_entities(ErrorReport.status, func.count())
                      .group_by(ErrorReport.status)):
        by_status[status] = n
    since = at - datetime.timedelta(days=90)
    spans = [
        (answered - accepted).total_seconds() / 86400
        for accepted, answered in query.with_entities(
            ErrorReport.accepted_at, ErrorReport.answered_at).filter(
                ErrorReport.answered_at >= since, ErrorReport.accepted_at.isnot(None))
    ]
    overdue = {}
    for org_id, n in (query.with_entities(ErrorReport.owner_org, func.count())
                      .filter(ErrorReport.status.in_(workflow.OPEN_STATUSES),
                              ErrorReport.due_at < at)
                      .group_by(ErrorReport.owner_org)):
        org = model.Group.get(org_id) if org_id else None
        overdue[(org.title or org.name) if org else "-"] = n
    return {
        "by_status": by_status,
        "median_days_to_answer": round(statistics.median(spans), 1) if spans else None,
        "answered_last_90_days": len(spans),
        "overdue_by_organization": dict(sorted(overdue.items(), key=lambda kv: -kv[1])),
    }


def _conflict(field: str, message: str):
    return tk.ValidationError({field: [message]})


@validate(schema.update)
def koreanap_error_report_update(context, data_dict):
    """Change a report's status, assignee or answer; each change is an event.

    Status changes: pending → accepted or spam; accepted → in_progress,
    answered or spam; in_progress → answered; spam → pending. Accepting starts
    the answer deadline. Any other change answers 409 with a message.

    :param id: the report's id or tracking code
    :param status: the new status
    :param resolution: resolved or rejected (needed to answer)
    :param answer: the public answer (needed to answer; for a rejection, the reason)
    :param assignee: user name or id of who handles it ("" clears it)
    :returns: the report with its private fields
    """
    tk.check_access("koreanap_error_report_update", context, data_dict)
    report = access.get_report(data_dict["id"])
    actor = _actor_id(context)
    events = []
    changed_status = None

    if "assignee" in data_dict:
        name = data_dict["assignee"]
        assignee = access.user_object(name) if name else None
        if name and assignee is None:
            raise tk.ValidationError({"assignee": [tk._("No such user")]})
        new_id = assignee.id if assignee else None
        if new_id != report.assignee_id:
            report.assignee_id = new_id
            events.append(ErrorReportEvent(report_id=report.id, actor_id=actor,
                                           kind="assigned",
                                           data={"assignee": assignee.name if assignee
                                                 else None}))

    if data_dict.get("resolution"):
        report.resolution = data_dict["resolution"]
    if data_dict.get("answer"):
        report.public_answer = data_dict["answer"]
        events.append(ErrorReportEvent(report_id=report.id, actor_id=actor, kind="answer",
                                       text=report.public_answer))

    status = data_dict.get("status")
    if status and status != report.status:
        if not workflow.can_move(report.status, status):
            allowed = ", ".join(workflow.TRANSITIONS.get(report.status, ())) or "-"
            raise _conflict("status", tk._(
                "Cannot move a report from {current} to {wanted} (allowed: {allowed})").format(
                    current=report.status, wanted=status, allowed=allowed))
        at = now()
        if status == "answered":
            if not report.resolution:
                raise _conflict("resolution", tk._("Choose resolved or rejected to answer"))
            if not report.public_answer:
                raise _conflict("answer",
                                tk._("Write the answer (for a rejection, the reason)"))
            report.answered_at = at
        if status == "accepted":
            report.accepted_at = at
            report.due_at = at + datetime.timedelta(days=config.deadline_days())
        events.append(ErrorReportEvent(report_id=report.id, actor_id=actor, kind="status",
                                       from_status=report.status, to_status=status,
                                       data={"resolution": report.resolution}
                                       if status == "answered" else {}))
        report.status = status
        changed_status = status

    if not events:
        model.Session.rollback()
        raise tk.ValidationError({"id": [tk._("Nothing to change")]})
    report.modified = now()
    model.Session.add_all(events)
    model.Session.commit()
    if changed_status and report.reporter_email and report.consent:
        jobs.enqueue(jobs.notify_reporter, report.id, changed_status)
    return koreanap_error_report_show(
        {**context, "ignore_auth": True}, {"id": report.id, "include_private": True})


@validate(schema.comment)
def koreanap_error_report_comment(context, data_dict):
    """Add an internal comment (seen by evaluators and the organization only).

    :param id: the report's id or tracking code
    :param text: the comment (1 to 5,000 characters)
    :returns: the report with its private fields and events
    """
    tk.check_access("koreanap_error_report_comment", context, data_dict)
    report = access.get_report(data_dict["id"])
    model.Session.add(ErrorReportEvent(report_id=report.id, actor_id=_actor_id(context),
                                       kind="comment", text=data_dict["text"]))
    report.modified = now()
    model.Session.commit()
    return koreanap_error_report_show(
        {**context, "ignore_auth": True}, {"id": report.id, "include_private": True})


@validate(schema.make_private)
def koreanap_error_report_make_private(context, data_dict):
    """Make the reported dataset private at once (e.g. exposed personal data).

    CKAN keeps visibility per dataset, so the whole dataset holding the
    resource is hidden; the report records who did it.

    :param id: the report's id or tracking code
    :returns: the report with its private fields and events
    """
    tk.check_access("koreanap_error_report_make_private", context, data_dict)
    report = access.get_report(data_dict["id"])
    package = model.Package.get(report.package_id)
    if package is None:
        raise tk.ObjectNotFound(tk._(_NOT_FOUND_DATASET))
    if not package.owner_org:
        raise tk.ValidationError({"id": [
            tk._("A dataset without an organization cannot be private")]})
    if not package.private:
        tk.get_action("package_patch")(
            {"user": context.get("user"), "ignore_auth": True},
            {"id": package.id, "private": True})
    model.Session.add(ErrorReportEvent(report_id=report.id, actor_id=_actor_id(context),
                                       kind="made_private",
                                       data={"package": package.name,
                                             "resource_id": report.resource_id}))
    report.modified = now()
    model.Session.commit()
    return koreanap_error_report_show(
        {**context, "ignore_auth": True}, {"id": report.id, "include_private": True})


@tk.chained_action
@tk.side_effect_free
def koreanap_catalogue_figures(up_func, context: dict, data_dict: dict[str, Any]) -> dict:
    """The catalogue's key figures (``koreanap`` plugin) plus ``reports``: the error
    reports on public datasets, spam left out.

    ``reports`` holds ``received``, ``answered``, ``answered_in_time`` (answered by
    the deadline) and ``open_overdue`` (open and past the deadline now).
    """
    figures = up_func(context, data_dict)
    public = (model.Session.query(ErrorReport)
              .join(model.Package, model.Package.id == ErrorReport.package_id)
              .filter(model.Package.state == "active", model.Package.private.is_(False),
                      ErrorReport.status != "spam"))
    answered = public.filter(ErrorReport.status == "answered")
    figures["reports"] = {
        "received": public.count(),
        "answered": answered.count(),
        "answered_in_time": answered.filter(ErrorReport.due_at.isnot(None),
                                            ErrorReport.answered_at <= ErrorReport.due_at).count(),
        "open_overdue": public.filter(ErrorReport.status.in_(workflow.OPEN_STATUSES),
                                      ErrorReport.due_at < now()).count(),
    }
    return figures


def _report_group() -> dict[str, Any]:
    return {"received": 0, "pending": 0, "open": 0, "answered": 0, "answered_in_time": 0,
            "answered_late": 0, "in_time_share": None, "median_days_to_answer": None,
            "overdue": 0, "_spans": [], "by_month": {}}


def _finish_reports(group: dict[str, Any], months: list[str]) -> dict[str, Any]:
    spans = group.pop("_spans")
    if spans:
        group["median_days_to_answer"] = round(statistics.median(spans), 1)
    if group["answered"]:
        group["in_time_share"] = round(100 * group["answered_in_time"] / group["answered"], 1)
    counted = group["by_month"]
    group["by_month"] = [dict({"month": month, "received": 0, "answered": 0},
                              **counted.get(month, {})) for month in months]
    return group


@tk.chained_action
@tk.side_effect_free
def koreanap_quality_figures(up_func, context: dict, data_dict: dict[str, Any]) -> dict:
    """The quality dashboard's figures (``koreanap`` plugin) plus ``reports`` in the
    catalogue's and each organization's figures, and ``deadline_days``.

    Reports on the datasets the caller's figures count, spam left out: ``received``,
    ``pending`` (not accepted yet), ``open`` (accepted, not answered), ``answered``,
    ``answered_in_time`` / ``answered_late`` (against the deadline set when the report
    was accepted), ``in_time_share`` (percent of answered), ``median_days_to_answer``
    (from acceptance to the answer), ``overdue`` (open and past the deadline now) and
    ``by_month`` (``[{"month": "YYYY-MM", "received", "answered"}]``, the last
    ``months`` months in the display time zone, from the reports' event log).
    """
    from ... import quality

    figures = up_func(context, data_dict)
    where = quality.scope(context.get("user"))
    at = now()
    months = quality.month_keys(figures["months"], at)
    overall = _report_group()
    by_org: dict[str | None, dict[str, Any]] = {}

    def groups(org_id: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        return overall, by_org.setdefault(org_id, _report_group())

    rows = (model.Session.query(ErrorReport.status, ErrorReport.accepted_at,
                                ErrorReport.due_at, ErrorReport.answered_at,
                                model.Package.owner_org)
            .join(model.Package, model.Package.id == ErrorReport.package_id)
            .filter(quality.visible(where), ErrorReport.status != "spam"))
    for status, accepted_at, due_at, answered_at, org_id in rows:
        for group in groups(org_id):
            group["received"] += 1
            if status == "pending":
                group["pending"] += 1
            elif status in workflow.OPEN_STATUSES:
                group["open"] += 1
                group["overdue"] += bool(due_at and due_at < at)
            elif status == "answered":
                group["answered"] += 1
                if due_at and answered_at and answered_at <= due_at:
                    group["answered_in_time"] += 1
                else:
                    group["answered_late"] += 1
                if accepted_at and answered_at:
                    group["_spans"].append((answered_at - accepted_at).total_seconds() / 86400)

    # The series comes from the event log: a report's "created" event and its move
    # to answered, each counted in the month it happened.
    events = (model.Session.query(ErrorReportEvent.created, ErrorReportEvent.kind,
                                  model.Package.owner_org)
              .join(ErrorReport, ErrorReport.id == ErrorReportEvent.report_id)
              .join(model.Package, model.Package.id == ErrorReport.package_id)
              .filter(quality.visible(where), ErrorReport.status != "spam",
                      or_(ErrorReportEvent.kind == "created",
                          and_(ErrorReportEvent.kind == "status",
                               ErrorReportEvent.to_status == "answered"))))
    wanted = set(months)
    for created, kind, org_id in events:
        month = quality.month_of(created)
        if month not in wanted:
            continue
        what = "received" if kind == "created" else "answered"
        for group in groups(org_id):
            counts = group["by_month"].setdefault(month, {})
            counts[what] = counts.get(what, 0) + 1

    figures["deadline_days"] = config.deadline_days()
    figures["catalogue"]["reports"] = _finish_reports(overall, months)
    for org in figures["organizations"]:
        org["reports"] = _finish_reports(by_org.get(org["id"]) or _report_group(), months)
    return figures


@tk.chained_action
def koreanap_rule_create(up_func, context: dict, data_dict: dict[str, Any]) -> dict:
    """Adding a rule (``koreanap`` plugin) with its ``report``: the report must be a
    confirmed one (accepted, in progress, or answered and not rejected) about the same
    dataset; the report's event log then records the rule (event ``rule``)."""
    code = data_dict.get("report")
    if not code:
        return up_func(context, data_dict)
    tk.check_access("koreanap_rule_create", context, data_dict)
    report = model.Session.query(ErrorReport).filter(
        ErrorReport.code == str(code).strip().upper()).first()
    package = model.Package.get(str(data_dict.get("package_id") or ""))
    if report is None:
        raise tk.ValidationError({"report": [tk._("Error report not found")]})
    if package is None or report.package_id != package.id:
        raise tk.ValidationError({"report": [tk._(
            "This error report is about another dataset")]})
    if not workflow.confirmed(report.status, report.resolution):
        raise tk.ValidationError({"report": [tk._(
            "Only a confirmed error report (accepted, in progress or answered as "
            "resolved) can become a rule")]})
    result = up_func(context, dict(data_dict, report=report.code))
    model.Session.add(ErrorReportEvent(
        report_id=report.id, actor_id=_actor_id(context), kind="rule",
        text=result["description"], data={"rule_id": result["id"]}))
    model.Session.commit()
    return result
