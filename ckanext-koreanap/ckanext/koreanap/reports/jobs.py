"""Background jobs (CKAN's RQ queue): the e-mails of the error-report centre.

A report is committed before any job is enqueued, so a failing mail server
never loses or blocks a report; a failed send is logged on the report as a
``notification_failed`` event and the job raises so RQ retries it.
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from . import config, workflow
from .model import ErrorReport, ErrorReportEvent

log = logging.getLogger(__name__)


def enqueue(fn, report_id: str, *args) -> None:
    """Queue a notification job; if Redis refuses, log it on the report."""
    delays = config.mail_retry_delays()
    rq_kwargs = {}
    if delays:
        from rq import Retry
        rq_kwargs["retry"] = Retry(max=len(delays), interval=delays)
    try:
        tk.enqueue_job(fn, [report_id, *args], title="koreanap error report " + fn.__name__,
                       rq_kwargs=rq_kwargs)
    except Exception as error:  # the report is already safe; only the mail is late
        log.exception("could not queue %s for report %s", fn.__name__, report_id)
        _log_event(report_id, "notification_failed",
                   "could not queue the notification: {}".format(error)[:500])


def _log_event(report_id: str, kind: str, text: str, **data) -> None:
    model.Session.add(ErrorReportEvent(report_id=report_id, kind=kind, text=text, data=data))
    model.Session.commit()


def _site_url(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path


def _org_admins(org_id: str) -> list[model.User]:
    if not org_id:
        return []
    return (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == org_id,
                    model.Member.table_name == "user",
                    model.Member.capacity == "admin",
                    model.Member.state == "active",
                    model.User.state == "active",
                    model.User.email.isnot(None),
                    model.User.email != "")
            .order_by(model.User.name)
            .all())


def _send(report: ErrorReport, audience: str, recipients, subject: str, body: str) -> None:
    try:
        for name, email in recipients:
            mailer.mail_recipient(name, email, subject, body)
    except Exception as error:
        _log_event(report.id, "notification_failed",
                   "mail to {} failed: {}".format(audience, error)[:500], audience=audience)
        raise
    _log_event(report.id, "notification_sent", "mail sent to {}".format(audience),
               audience=audience, count=len(recipients))


def notify_new_report(report_id: str) -> None:
    """Tell the admins of the dataset's organization that a report arrived."""
    report = model.Session.get(ErrorReport, report_id)
    if report is None:
        return
    package = model.Package.get(report.package_id)
    admins = _org_admins(report.owner_org)
    if not admins:
        _log_event(report.id, "notification_skipped",
                   "no organization admin with an e-mail address", audience="publisher")
        return
    title = package.title or package.name if package else report.package_id
    urgent = "[긴급/URGENT] " if report.urgent else ""
    subject = "{}새 오류신고 / New error report {}: {}".format(urgent, report.code, title)
    body = (
        "데이터셋 '{title}'에 오류신고가 접수되었습니다.\n"
        "An error report was filed about the dataset '{title}'.\n\n"
        "유형 / Category: {category}\n"
        "처리 / Handle it: {url}\n"
    ).format(title=title, category=workflow.label(workflow.CATEGORIES, report.category),
             url=_site_url("/quality/error-reports/" + report.code))
    _send(report, "publisher", [(u.fullname or u.name, u.email) for u in admins],
          subject, body)


def notify_reporter(report_id: str, status: str) -> None:
    """Tell the reporter (if they left an address and consented) the new status."""
    report = model.Session.get(ErrorReport, report_id)
    if report is None or not report.reporter_email or not report.consent:
        return
    subject = "오류신고 {} 처리 상태: {} / Error report status".format(
        report.code, workflow.label(workflow.STATUSES, status))
    lines = [
        "오류신고 {} 의 상태가 바뀌었습니다. / Your error report {} has a new status.".format(
            report.code, report.code),
        "",
        "상태 / Status: {}".format(workflow.label(workflow.STATUSES, status)),
    ]
    if status == "answered":
        lines.append("결과 / Result: {}".format(
            workflow.label(workflow.RESOLUTIONS, report.resolution)))
        lines.append("답변 / Answer: {}".format(report.public_answer or ""))
    lines += ["", "확인 / Track it: " + _site_url("/error-report/" + report.code)]
    _send(report, "reporter", [(report.reporter_name or "", report.reporter_email)],
          subject, "\n".join(lines) + "\n")
