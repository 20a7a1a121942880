"""E-mail notifications from background jobs: real Redis queue, real SMTP server on loopback."""
from datetime import UTC, datetime

import ckan.model as model
import pytest
from ckan.lib import jobs
from sqlalchemy import text

from .conftest import api, free_port


def _report(app, **extra):
    data = {"package_id": "rice-cadmium", "category": "wrong_value",
            "description": "값이 틀렸습니다 / the value is wrong", **extra}
    return api(app, "koreanap_error_report_create", **data)["result"]["code"]


def _events(kind):
    return model.Session.execute(text(
        "select text from koreanap_error_report_event where kind = :kind order by id"),
        {"kind": kind}).scalars().all()


def test_new_report_mails_the_organization_admins(app, catalogue, smtp, run_jobs):
    """A new report e-mails the dataset organization's admins (not editors) from a job."""
    code = _report(app, category="personal_data")
    assert smtp.messages == []  # nothing is sent inside the request
    run_jobs()
    assert [m["to"] for m in smtp.messages] == [["mfds-admin@example.org"]]
    assert code in smtp.messages[0]["body"]
    assert "URGENT" in smtp.messages[0]["subject"]
    assert _events("notification_sent") == ["mail sent to publisher"]


def test_status_change_mails_a_consenting_reporter(app, catalogue, smtp, run_jobs):
    """Each status change e-mails the reporter who left an address and consented."""
    code = _report(app, reporter_email="hong@example.org", reporter_name="홍길동",
                   consent=True)
    silent = _report(app)
    run_jobs()
    smtp.messages.clear()
    for report in (code, silent):
        api(app, "koreanap_error_report_update", user="mfds-editor", id=report,
            status="accepted")
    api(app, "koreanap_error_report_update", user="mfds-editor", id=code, status="answered",
        resolution="resolved", answer="단위를 고쳤습니다")
    run_jobs()
    assert [m["to"] for m in smtp.messages] == [["hong@example.org"], ["hong@example.org"]]
    assert code in smtp.messages[1]["body"]
    assert "Answered" in smtp.messages[1]["subject"]
    assert "단위를 고쳤습니다" in smtp.messages[1]["body"]


@pytest.mark.ckan_config("ckanext.koreanap.reports.mail_retry_delays", "0 0")
def test_failing_mail_server_loses_nothing_and_is_logged(app, catalogue, dead_smtp, run_jobs):
    """With the mail server down the report is stored, the job retries, each failure is logged."""
    code = _report(app)
    run_jobs()
    stored = model.Session.execute(text(
        "select code, status from koreanap_error_report")).all()
    assert stored == [(code, "pending")]
    failures = _events("notification_failed")
    assert len(failures) == 3  # the first try and two retries
    assert all(f.startswith("mail to publisher failed") for f in failures)
    assert len(jobs.get_queue().failed_job_registry) == 1



def _scheduled_retry():
    """The one notification job waiting for its retry, and its delay in seconds from now."""
    registry = jobs.get_queue().scheduled_job_registry
    ids = registry.get_job_ids()
    assert len(ids) == 1, ids
    delay = (registry.get_scheduled_time(ids[0]) - datetime.now(UTC)).total_seconds()
    return ids[0], delay


def test_failed_mail_is_retried_after_60_300_and_1800_seconds(app, catalogue, dead_smtp, run_jobs):
    """By default a failing mail waits 60 s, 300 s, then 1800 s between tries, then gives up."""
    code = _report(app)
    registry = jobs.get_queue().scheduled_job_registry
    for expected in (60, 300, 1800):
        run_jobs()
        job_id, delay = _scheduled_retry()
        assert expected - 5 <= delay <= expected, (expected, delay)
        registry.requeue(job_id)  # its time has come: what the worker's scheduler does
    run_jobs()
    assert registry.get_job_ids() == []
    assert len(jobs.get_queue().failed_job_registry) == 1
    assert len(_events("notification_failed")) == 4  # the first try and three retries
    assert model.Session.execute(text("select code from koreanap_error_report")).scalars().all() \
        == [code]


def test_retry_delivers_once_the_mail_server_is_back(app, catalogue, smtp, ckan_config,
                                                     monkeypatch, run_jobs):
    """A mail that failed while the server was down is sent by its scheduled retry."""
    live = ckan_config["smtp.server"]
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:{}".format(free_port()))
    code = _report(app)
    run_jobs()
    job_id, _ = _scheduled_retry()
    assert smtp.messages == []
    monkeypatch.setitem(ckan_config, "smtp.server", live)
    jobs.get_queue().scheduled_job_registry.requeue(job_id)
    run_jobs()
    assert [m["to"] for m in smtp.messages] == [["mfds-admin@example.org"]]
    assert code in smtp.messages[0]["body"]
    assert len(_events("notification_failed")) == 1
    assert _events("notification_sent") == ["mail sent to publisher"]
