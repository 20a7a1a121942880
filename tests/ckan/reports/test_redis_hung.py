"""A hung Redis (SIGSTOP: it takes connections, never answers) costs reports one socket
timeout per web process and outbox interval, not one per Redis call of every report."""
import os
import signal

import ckan.lib.redis
import ckan.model as model
import pytest
import redis.connection
from ckan.lib import jobs
from sqlalchemy import text

REPORT = {"package_id": "rice-cadmium", "category": "wrong_value",
          "description": "값이 틀렸습니다 / the value is wrong"}


@pytest.fixture
def hung_redis(own_redis, ckan_config, monkeypatch):
    """The test's own Redis, with socket timeouts in ckan.redis.url, stopped by SIGSTOP."""
    monkeypatch.setitem(ckan_config, "ckan.redis.url",
                        own_redis.url + "?socket_connect_timeout=1&socket_timeout=1")
    monkeypatch.setattr(ckan.lib.redis, "_connection_pool", None)
    monkeypatch.setattr(jobs, "_queues", {})
    os.kill(own_redis.process.pid, signal.SIGSTOP)
    try:
        yield own_redis
    finally:
        os.kill(own_redis.process.pid, signal.SIGCONT)


@pytest.fixture
def redis_connects(monkeypatch):
    """How many connections redis-py opened (each wait on a hung Redis starts with one:
    a timed-out connection is dropped)."""
    opened = []
    connect = redis.connection.AbstractConnection.connect

    def counting(self, *args, **kwargs):
        opened.append(self)
        return connect(self, *args, **kwargs)
    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counting)
    return opened


@pytest.mark.ckan_config("ckanext.koreanap.reports.outbox_check_interval", "60")
def test_reports_wait_on_a_hung_redis_once_then_use_postgresql(app, catalogue, hung_redis,
                                                               redis_connects):
    """Three API reports with Redis hung are stored, counted in PostgreSQL and their
    notifications kept in the outbox, after one wait on Redis in all (without the
    skip, each report waited twice: rate limit, then queue)."""
    for number in range(3):
        response = app.post("/api/3/action/koreanap_error_report_create", json=REPORT,
                            extra_environ={"REMOTE_ADDR": "10.0.6.{}".format(number)})
        assert response.status_code == 200, response.body[:1000]
    assert len(redis_connects) == 1
    count = model.Session.execute(text(
        "select count(*) from koreanap_error_report_outbox")).scalar()
    assert count == 3
    counted = model.Session.execute(text(
        "select coalesce(sum(count), 0) from koreanap_error_report_rate")).scalar()
    assert counted == 3  # the first one's Redis count timed out too
