"""Fixtures of the error-report centre tests: a small catalogue with roles,
a real SMTP server on loopback, a real Redis-backed RQ worker and a Redis of
the test's own that it may stop and start."""
from __future__ import annotations

import email
import email.policy
import re
import socket
import subprocess
import threading
import time

import ckan.lib.redis
import ckan.model as model
import pytest
import redis
import rq
from aiosmtpd.controller import Controller
from ckan.lib import jobs
from ckan.tests import factories
from sqlalchemy import text

from ckanext.koreanap.reports import redis_state

PASSWORD = "correct-horse-123"
REPORT_TABLES = ("koreanap_error_report_outbox", "koreanap_error_report_event",
                 "koreanap_error_report", "koreanap_error_report_rate")


@pytest.fixture
def clean_db(clean_db):
    """The shared clean_db, then the report tables empty (CKAN keeps plugin tables' rows)."""
    model.Session.execute(text("TRUNCATE {}".format(", ".join(REPORT_TABLES))))
    model.Session.commit()


@pytest.fixture
def catalogue(clean_db, clean_redis):
    """Two organizations with a dataset each, their staff, an evaluator and an outsider."""
    users = {name: factories.User(name=name, email=name + "@example.org", password=PASSWORD)
             for name in ("mfds-admin", "mfds-editor", "cha-admin", "evaluator", "outsider")}
    sysadmin = factories.Sysadmin(name="root", password=PASSWORD)
    mfds = factories.Organization(name="mfds", title="식품의약품안전처", users=[
        {"name": "mfds-admin", "capacity": "admin"},
        {"name": "mfds-editor", "capacity": "editor"}])
    cha = factories.Organization(name="cha", title="문화재청", users=[
        {"name": "cha-admin", "capacity": "admin"}])
    factories.Group(name="quality-evaluators", users=[
        {"name": "evaluator", "capacity": "member"}])
    ctx = {"user": sysadmin["name"]}
    rice = factories.Dataset(
        owner_org=mfds["id"], name="rice-cadmium", title="쌀 중 카드뮴",
        resources=[{"url": "http://example.org/rice.csv", "format": "CSV", "name": "검사 결과"}],
        context=ctx)
    scans = factories.Dataset(
        owner_org=cha["id"], name="heritage-3d", title="문화유산 3D",
        resources=[{"url": "http://example.org/a.stl", "format": "STL", "name": "scan"}],
        context=ctx)
    return {"users": users, "sysadmin": sysadmin, "mfds": mfds, "cha": cha,
            "rice": rice, "scans": scans}


class _Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append({"to": list(envelope.rcpt_tos),
                                  "subject": str(message["Subject"]),
                                  "body": message.get_content()})
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(ckan_config, monkeypatch):
    """A real SMTP server on loopback that CKAN's mailer sends to; yields its inbox."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:{}".format(port))
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "noreply@koreanap.invalid")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp(ckan_config, monkeypatch):
    """An SMTP address on loopback where nothing listens (a mail server that is down)."""
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:{}".format(free_port()))


@pytest.fixture
def run_jobs():
    """Run every queued job with a real RQ worker on Redis, in this process, until idle."""

    def run():
        queue = jobs.get_queue()
        worker = rq.SimpleWorker([queue], connection=queue.connection)
        worker.work(burst=True)
        model.Session.remove()

    return run


def csrf_token(body: str) -> str:
    """The CSRF token of the first form in a page."""
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF token in the page"
    return match.group(1)


def api(app, action: str, user: str | None = None, expect: int = 200, **data):
    """POST to /api/3/action/<action> as ``user`` (an API token) or anonymously."""
    headers = {}
    if user:
        token = factories.APIToken(user=user)["token"]
        headers["Authorization"] = token
    response = app.post("/api/3/action/" + action, json=data, headers=headers)
    assert response.status_code == expect, response.body
    return response.json


def login(app, name: str) -> None:
    """Log in through CKAN's login form, so the session cookie carries the user."""
    body = app.get("/user/login", status=200).body
    response = app.post("/user/login", data={
        "_csrf_token": csrf_token(body), "login": name, "password": PASSWORD})
    assert response.status_code == 200 and "/user/_logout" in response.body, name


class RedisServer:
    """A redis-server of the test's own on a free loopback port (nothing saved to disk)."""

    def __init__(self, port: int):
        self.port = port
        self.url = "redis://127.0.0.1:{}/0".format(port)
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start on port {}".format(self.port))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(ckan_config, monkeypatch):
    """CKAN (rate limit, job queue) on a Redis of this test's own, which it may stop."""
    server = RedisServer(free_port())
    server.start()
    monkeypatch.setitem(ckan_config, "ckan.redis.url", server.url)
    # CKAN keeps one connection pool and its queues per process: start afresh.
    monkeypatch.setattr(ckan.lib.redis, "_connection_pool", None)
    monkeypatch.setattr(jobs, "_queues", {})
    # Nor does a Redis failure of an earlier test make this one skip Redis.
    monkeypatch.setattr(redis_state, "_failed_at", None)
    try:
        yield server
    finally:
        server.stop()
