"""Redis down: every report is stored, the rate limit counts in PostgreSQL, API errors stay
JSON, and notifications wait in the PostgreSQL outbox until a worker queues them."""
import os
import subprocess
import sys
from pathlib import Path

import ckan.model as model
import pytest
from sqlalchemy import text

from ckanext.koreanap import cli

from .conftest import api, csrf_token

REPORT = {"package_id": "rice-cadmium", "category": "wrong_value",
          "description": "값이 틀렸습니다 / the value is wrong"}


def _scalar(sql, **params):
    return model.Session.execute(text(sql), params).scalar()


def _events(kind):
    return _scalar("select count(*) from koreanap_error_report_event where kind = :kind",
                   kind=kind)


def _api_report(app, address, **extra):
    return app.post("/api/3/action/koreanap_error_report_create", json={**REPORT, **extra},
                    extra_environ={"REMOTE_ADDR": address})


@pytest.mark.ckan_config("ckanext.koreanap.reports.outbox_check_interval", "0")
def test_reports_are_stored_while_redis_is_down_and_mailed_once_it_is_back(
        app, catalogue, own_redis, smtp, run_jobs):
    """With Redis stopped, API and form reports are stored; their mails go out once it is back."""
    body = app.get("/dataset/rice-cadmium/report-error", status=200).body
    own_redis.stop()
    for number in range(5):
        response = _api_report(app, "10.0.9.{}".format(number))
        assert response.status_code == 200, response.body[:1000]
        assert response.json["result"]["code"].startswith("ER-")
    response = app.post("/dataset/rice-cadmium/report-error", data={
        "_csrf_token": csrf_token(body), **REPORT}, follow_redirects=False)
    assert response.status_code == 302, response.body[:1000]
    assert _scalar("select count(*) from koreanap_error_report") == 6
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 6
    assert _events("notification_deferred") == 6
    app.get(response.headers["Location"], status=200)  # still down: the outbox waits
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 6

    own_redis.start()
    app.get(response.headers["Location"], status=200)  # a request hands the outbox over
    run_jobs()  # the worker: the drain job, then the six notifications it queued
    assert [m["to"] for m in smtp.messages] == [["mfds-admin@example.org"]] * 6
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 0
    assert _events("notification_queued") == 6
    assert _events("notification_sent") == 6


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "2")
def test_rate_limit_counts_in_postgresql_while_redis_is_down(app, catalogue, own_redis):
    """With Redis stopped the limit still holds (counted in PostgreSQL, no address stored)."""
    own_redis.stop()
    address = "10.0.8.1"
    assert _api_report(app, address, package_id="no-such-dataset").status_code == 404
    for _ in range(2):
        assert _api_report(app, address).status_code == 200
    response = _api_report(app, address)
    assert response.status_code == 429
    assert response.json["error"]["__type"] == "Rate Limit"
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert _api_report(app, "10.0.8.2").status_code == 200
    keys = model.Session.execute(text("select key from koreanap_error_report_rate")).scalars()
    assert not [key for key in keys if "10.0.8" in key]
    assert _scalar("select count(*) from koreanap_error_report") == 3


def test_api_errors_stay_json_while_redis_is_down(app, catalogue, own_redis):
    """Refusals and lookups answer JSON with their usual status while Redis is down."""
    own_redis.stop()
    for data, status in (({"category": "nonsense"}, 409), ({"package_id": "nope"}, 404),
                         ({"website": "http://spam.example"}, 409)):
        response = _api_report(app, "10.0.7.1", **data)
        assert response.status_code == status
        assert response.json["success"] is False
    api(app, "koreanap_error_report_show", expect=404, id="ER-00000-00000")


def test_drain_outbox_command_queues_what_waits(app, catalogue, own_redis, smtp, run_jobs,
                                                ckan_config):
    """`ckan koreanap-reports drain-outbox` exits 1 while Redis is down, then queues the mails."""
    code = api(app, "koreanap_error_report_create", reporter_email="hong@example.org",
               consent=True, **REPORT)["result"]["code"]
    run_jobs()
    smtp.messages.clear()
    own_redis.stop()
    api(app, "koreanap_error_report_update", user="root", id=code, status="accepted")
    assert model.Session.execute(text(
        "select job, args from koreanap_error_report_outbox")).all() == [
            ("notify_reporter", ["accepted"])]

    def drain():
        return subprocess.run(
            [str(Path(sys.executable).parent / "ckan"), "-c", ckan_config["__file__"],
             "koreanap-reports", "drain-outbox"],
            env={**os.environ, "CKAN_REDIS_URL": own_redis.url},
            capture_output=True, text=True, timeout=300)

    result = drain()
    assert result.returncode == 1, result.stderr[-2000:]
    assert "queued 0 notification(s) from the outbox; 1 still waiting" in result.stdout
    own_redis.start()
    result = drain()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "queued 1 notification(s) from the outbox; 0 still waiting" in result.stdout
    model.Session.remove()
    run_jobs()
    assert [m["to"] for m in smtp.messages] == [["hong@example.org"]]
    assert code in smtp.messages[0]["body"]


@pytest.mark.ckan_config("ckanext.koreanap.reports.outbox_check_interval", "3600")
def test_the_job_workers_maintenance_round_hands_the_outbox_over(app, catalogue, own_redis,
                                                                 smtp, run_jobs):
    """Once Redis is back, the worker queues what the outbox keeps without any web request."""
    own_redis.stop()
    assert _api_report(app, "10.0.9.70").status_code == 200
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 1
    own_redis.start()
    model.Session.remove()
    worker = cli.make_worker(None, 30)
    worker.run_maintenance_tasks()
    run_jobs()  # the drain job the round queued, then the notification
    assert [m["to"] for m in smtp.messages] == [["mfds-admin@example.org"]]
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 0


def test_the_maintenance_round_survives_redis_being_down(app, catalogue, own_redis, smtp):
    """While Redis is still away the round logs and leaves the outbox for the next one."""
    own_redis.stop()
    assert _api_report(app, "10.0.9.71").status_code == 200
    cli._hand_over_outbox()  # raises nothing
    assert _scalar("select count(*) from koreanap_error_report_outbox") == 1
