"""Background jobs (CKAN's RQ queue): the e-mails of the error-report centre.

A report is committed before any job is enqueued, so a failing mail server
never loses or blocks a report; a failed send is logged on the report as a
``notification_failed`` event and the job raises so RQ retries it.

A notification that cannot be queued (Redis down) goes to the PostgreSQL
outbox (``koreanap_error_report_outbox``) instead. When Redis is back, the
job worker (``ckan koreanap-jobs worker``, every maintenance interval) and the
web processes (at most every ``outbox_check_interval`` seconds on a request)
notice (:func:`hand_outbox_to_worker`) and queue one :func:`drain_outbox_job`;
the worker runs it and queues each kept notification as if it had just been
sent. ``ckan koreanap-reports drain-outbox`` does the same by hand.
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs
from ckan.lib import mailer
from redis.exceptions import RedisError
from sqlalchemy import text

from . import config, redis_state, workflow
from .model import ErrorReport, ErrorReportEvent, ErrorReportOutbox

log = logging.getLogger(__name__)

# Jobs that have not ended yet; another drain job is not queued beside them.
_PENDING_STATUSES = ("queued", "scheduled", "started", "deferred")


def _queue(fn, report_id: str, *args) -> None:
    delays = config.mail_retry_delays()
    rq_kwargs = {}
    if delays:
        from rq import Retry
        rq_kwargs["retry"] = Retry(max=len(delays), interval=delays)
    tk.enqueue_job(fn, [report_id, *args], title="koreanap error report " + fn.__name__,
                   rq_kwargs=rq_kwargs)


def enqueue(fn, report_id: str, *args) -> None:
    """Queue a notification job; if Redis refuses (or failed moments ago, see
    redis_state), keep it in the outbox."""
    try:
        if not redis_state.usable():
            raise redis_state.Skipped()
        _queue(fn, report_id, *args)
    except Exception as error:  # the report is already safe; only the mail is late
        if isinstance(error, RedisError):
            redis_state.failed(error)
        log.warning("could not queue %s for report %s (%s); kept in the outbox",
                    fn.__name__, report_id, error)
        _keep_in_outbox(fn, report_id, list(args), error)


def _keep_in_outbox(fn, report_id: str, args: list, error: Exception) -> None:
    message = "{}: {}".format(type(error).__name__, error)[:500]
    try:
        model.Session.add(ErrorReportOutbox(report_id=report_id, job=fn.__name__,
                                            args=args, error=message))
        model.Session.add(ErrorReportEvent(
            report_id=report_id, kind="notification_deferred",
            text="could not queue the notification ({}); kept until the queue is back"
            .format(message)[:500], data={"job": fn.__name__}))
        model.Session.commit()
    except Exception:  # PostgreSQL is gone as well: nothing left to keep it in
        model.Session.rollback()
        log.exception("could not keep %s for report %s in the outbox", fn.__name__, report_id)


def drain_outbox(limit: int = 1000) -> tuple[int, int]:
    """Queue the notifications kept in the outbox, oldest first.

    Rows are locked (``SKIP LOCKED``) so that two drains never queue one
    notification twice; a row is deleted in the transaction that follows its
    successful enqueue (should that commit fail, it is queued again later:
    at least once, never lost).

    :param limit: rows to take in one go
    :returns: (notifications queued, notifications still in the outbox)
    """
    rows = (model.Session.query(ErrorReportOutbox)
            .order_by(ErrorReportOutbox.id)
            .with_for_update(skip_locked=True)
            .limit(limit).all())
    queued = 0
    try:
        for row in rows:
            fn = _NOTIFICATIONS.get(row.job)
            if fn is None:
                log.error("outbox row %s names an unknown job %r; left in place", row.id, row.job)
                continue
            try:
                _queue(fn, row.report_id, *(row.args or []))
            except Exception as error:
                log.warning("the job queue is still unavailable (%s); the outbox waits", error)
                break
            model.Session.delete(row)
            model.Session.add(ErrorReportEvent(
                report_id=row.report_id, kind="notification_queued",
                text="queued from the outbox", data={"job": row.job}))
            queued += 1
        model.Session.commit()
    except BaseException:
        model.Session.rollback()
        raise
    left = model.Session.query(ErrorReportOutbox).count()
    model.Session.commit()
    if queued:
        log.info("queued %d notification(s) from the outbox; %d left", queued, left)
    return queued, left


def drain_outbox_job() -> None:
    """The job worker's side of the outbox: queue what it holds."""
    drain_outbox()


def _drain_job_id() -> str:
    # Job ids are global in Redis; the site id keeps two catalogues apart.
    return "{}-koreanap-reports-drain-outbox".format(tk.config.get("ckan.site_id"))


def hand_outbox_to_worker() -> bool:
    """If the outbox holds notifications, queue one drain job for the worker.

    Cheap when the outbox is empty (one query on its own connection, so the
    request's transaction is untouched). Raises if the queue is still down.

    :returns: whether the outbox held anything
    """
    with model.meta.engine.connect() as conn:
        waiting = conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM koreanap_error_report_outbox)")).scalar()
    if not waiting:
        return False
    job = ckan_jobs.get_queue().fetch_job(_drain_job_id())
    if job is not None and job.get_status(refresh=False) in _PENDING_STATUSES:
        return True
    tk.enqueue_job(drain_outbox_job, title="koreanap error reports: queue the outbox",
                   rq_kwargs={"job_id": _drain_job_id()})
    return True


def try_hand_outbox_to_worker() -> None:
    """:func:`hand_outbox_to_worker`, a failure logged to be tried again later (a Redis
    failure also noted in ``redis_state``, so this process skips Redis for a while)."""
    try:
        hand_outbox_to_worker()
    except Exception as error:
        if isinstance(error, RedisError):
            redis_state.failed(error)
        log.warning("error-report outbox not handed to the worker yet: %s", error)


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


# The jobs the outbox may hold, by name.
_NOTIFICATIONS = {fn.__name__: fn for fn in (notify_new_report, notify_reporter)}
