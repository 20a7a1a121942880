"""Faults on a real, running catalogue (tests/faults/conftest.py starts it): each test
breaks one service of the private stack, restores it in a ``finally``, and checks
that nothing was lost and the site works again (issue 13, "A fault suite").

Visitors, the publisher and the checks speak to the stack over HTTP and read its
PostgreSQL directly; only the services' own processes run CKAN.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import time
import uuid

import requests

from .conftest import ARTIFACTS, CKAN_DB, DATASTORE_DB, PACKAGE, ROOT, wait_for

REPORTS_WHILE_REDIS_IS_DOWN = 20
ROWS = {"commitments.csv": 13, "milestones.csv": 62}  # the package's tables, loaded whole
DEADLOCK_ROUNDS = 4
# A publish of this small package takes seconds; the deadlock hung for 52 to 712 s.
PUBLISH_BOUND_S = 90
# A request that takes this long with Redis hung is taken as hung (the Redis socket
# timeouts are 3 s; a report meets at most two).
HANG_S = 30


def _report(stack, description: str, token=None):
    return stack.action("koreanap_error_report_create", token=token, package_id=PACKAGE,
                        category="wrong_value", description=description)


def _stored_codes(stack, marker: str) -> list[str]:
    return [code for (code,) in stack.sql(
        "SELECT code FROM koreanap_error_report WHERE description LIKE %s ORDER BY created",
        marker + "%")]


def _events(stack, code: str, kind: str) -> int:
    return stack.sql(
        "SELECT count(*) FROM koreanap_error_report_event e JOIN koreanap_error_report r "
        "ON r.id = e.report_id WHERE r.code = %s AND e.kind = %s", code, kind)[0][0]


def _poke(stack) -> None:
    """One ordinary request: web processes hand the outbox to the worker on requests."""
    requests.get(stack.url + "/api/3/action/status_show", timeout=30)


def _datastore_rows(stack, dataset) -> dict[str, int]:
    return {r["url"].rsplit("/", 1)[-1]:
            stack.result("datastore_search", resource_id=r["id"], limit=0)["total"]
            for r in stack.result("package_show", id=dataset["id"])["resources"]}


def test_redis_stopped_during_twenty_reports(stack, dataset, ledger):
    """With Redis stopped, 10 API and 10 form reports are all stored; once Redis is back
    each one's notification reaches the mail catcher exactly once, through the outbox."""
    marker = "redis-down-{}".format(uuid.uuid4().hex[:8])
    form_url = "{}/dataset/{}/report-error".format(stack.url, PACKAGE)
    visitor = requests.Session()
    page = visitor.get(form_url, timeout=60)
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    worker_pid = stack.worker.pid
    stack.stop_redis()
    try:
        for number in range(REPORTS_WHILE_REDIS_IS_DOWN // 2):
            ledger.sent()
            response = _report(stack, "{} api {}".format(marker, number))
            assert response.status_code == 200, response.text[:500]
            assert response.json()["result"]["code"].startswith("ER-")
        for number in range(REPORTS_WHILE_REDIS_IS_DOWN // 2):
            ledger.sent()
            response = visitor.post(form_url, data={
                "_csrf_token": csrf, "category": "wrong_value",
                "description": "{} form {}".format(marker, number)},
                allow_redirects=False, timeout=60)
            assert response.status_code == 302, response.text[:500]
        codes = _stored_codes(stack, marker)
        assert len(codes) == REPORTS_WHILE_REDIS_IS_DOWN
        kept = stack.sql(
            "SELECT count(*) FROM koreanap_error_report_outbox o JOIN koreanap_error_report r "
            "ON r.id = o.report_id WHERE r.description LIKE %s", marker + "%")[0][0]
        assert kept == REPORTS_WHILE_REDIS_IS_DOWN
    finally:
        if stack.redis is None:
            stack.start_redis()

    def all_delivered():
        _poke(stack)
        return all(stack.mails_for(code) for code in codes)
    try:
        wait_for(all_delivered, "the 20 notifications in the mail catcher", every=1)
    finally:
        ledger.kept(sum(1 for code in codes if stack.mails_for(code)))
    assert {code: len(stack.mails_for(code)) for code in codes} == dict.fromkeys(codes, 1)
    assert stack.sql("SELECT count(*) FROM koreanap_error_report_outbox")[0][0] == 0
    assert stack.worker.pid == worker_pid and stack.worker.poll() is None, \
        "the job worker did not live through the Redis outage"


def _lock_key(dataset_id: str) -> int:
    """The per-dataset advisory lock the validation job takes (pipeline/validate.py)."""
    return int.from_bytes(hashlib.sha256(dataset_id.encode()).digest()[:8], "big", signed=True)


def test_worker_killed_mid_validation(stack, dataset):
    """A worker SIGKILLed while its job validates the dataset leaves the status "error",
    no transaction open and every DataStore table whole; validating again works."""
    resource = dataset["resources"][0]
    # Held here, the dataset's lock keeps the started job inside its validation.
    holder = stack.hold("SELECT pg_advisory_lock(%s)", _lock_key(dataset["id"]))
    try:
        stack.result("koreanap_package_validate", id=dataset["id"])
        wait_for(lambda: stack.result("koreanap_validation_show", id=resource["id"])
                 .get("worker"), "the worker to start the validation job")
        stack.kill_worker()
    finally:
        holder.close()
        stack.ensure_worker()
    # Under load the first look may come while the replacement worker starts: the status
    # must leave "pending" for "error" soon after, with no new validation asked for.
    shown = wait_for(lambda: (lambda row: row if row["status"] != "pending" else None)(
        stack.result("koreanap_validation_show", id=resource["id"])),
        "the killed job's status to leave pending", limit=60)
    assert shown["status"] == "error"
    assert "run the validation again" in shown["message"]
    assert stack.sql("SELECT count(*) FROM pg_stat_activity WHERE datname IN (%s, %s) "
                     "AND state LIKE 'idle in transaction%%'", CKAN_DB, DATASTORE_DB) == [(0,)]
    assert _datastore_rows(stack, dataset) == ROWS

    stack.result("koreanap_package_validate", id=dataset["id"])
    wait_for(lambda: stack.result("koreanap_dataset_validation_show", id=dataset["id"])
             ["status"] == "valid", "the dataset to validate again")
    assert _datastore_rows(stack, dataset) == ROWS


def test_redis_stopped_while_a_job_runs_keeps_the_worker(stack, dataset):
    """Redis stopped while the worker's job validates: the job's results reach
    PostgreSQL, the worker process stays, and once Redis is back it runs the next job.
    (rq could not record the job's end and its worker stopped: later jobs, the outbox's
    mails too, waited for someone to start a worker.)"""
    resource = dataset["resources"][0]
    met_redis_away = "Redis failed while the worker ran a job"
    seen = _said(met_redis_away)
    holder = stack.hold("SELECT pg_advisory_lock(%s)", _lock_key(dataset["id"]))
    try:
        try:
            stack.result("koreanap_package_validate", id=dataset["id"])
            wait_for(lambda: stack.result("koreanap_validation_show", id=resource["id"])
                     .get("worker"), "the worker to start the validation job")
            worker = stack.worker
            stack.stop_redis()
        finally:
            holder.close()  # the job goes on and ends while Redis is away
        wait_for(lambda: stack.sql(
            "SELECT status FROM koreanap_resource_validation WHERE resource_id = %s",
            resource["id"])[0][0] != "pending", "the job to record its result", limit=60)
        # The worker meets Redis away when it records the job's end; it says so in its
        # log and waits (an rq worker stopped there).
        wait_for(lambda: _said(met_redis_away) > seen or worker.poll() is not None,
                 "the worker to meet Redis away", limit=60)
        assert worker.poll() is None, "the worker stopped with Redis away"
    finally:
        if stack.redis is None:
            stack.start_redis()
    try:
        stack.result("koreanap_package_validate", id=dataset["id"])
        wait_for(lambda: stack.result("koreanap_dataset_validation_show", id=dataset["id"])
                 ["status"] == "valid", "the dataset to validate again once Redis is back")
        assert worker.poll() is None and stack.worker is worker
    finally:
        stack.ensure_worker()


def _said(text: str) -> int:
    """How many times the worker's log (kept over the run) has ``text``."""
    log = ARTIFACTS / "worker.log"
    return log.read_text(encoding="utf-8", errors="replace").count(text) if log.exists() else 0


def _waiting_on_a_lock(stack, holder_pid: int) -> bool:
    return bool(stack.sql(
        "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
        "AND pid <> %s", DATASTORE_DB, holder_pid, database=DATASTORE_DB))


def test_worker_killed_mid_load(stack, dataset, tmp_path):
    """A worker SIGKILLed while it loads a replaced file into the DataStore leaves the
    old table whole (never emptied or half filled) and the status "error"; validating
    again loads the new file."""
    import psycopg2

    resource = next(r for r in stack.result("package_show", id=dataset["id"])["resources"]
                    if r["url"].endswith("/commitments.csv"))
    changed = tmp_path / "commitments.csv"
    shutil.copy(ROOT / "datapackages" / PACKAGE / "data" / "commitments.csv", changed)
    _touch(None, csv=changed)
    # A reader of the table (an open transaction) makes the job's load wait for its
    # lock inside the load: the moment to kill the worker.
    holder = psycopg2.connect(host=str(stack.socket_dir), port=stack.pg_port,
                              user="postgres", dbname=DATASTORE_DB)
    try:
        with holder.cursor() as cursor:
            cursor.execute('SELECT count(*) FROM "{}"'.format(resource["id"]))
            assert cursor.fetchone() == (ROWS["commitments.csv"],)
            holder_pid = holder.get_backend_pid()
        with open(changed, "rb") as fh:
            response = requests.post(
                stack.url + "/api/3/action/resource_patch", data={"id": resource["id"]},
                files={"upload": ("commitments.csv", fh, "text/csv")},
                headers={"Authorization": stack.token}, timeout=120)
        assert response.status_code == 200, response.text[:500]
        wait_for(lambda: _waiting_on_a_lock(stack, holder_pid),
                 "the job's DataStore load to wait for the table", every=0.1)
        stack.kill_worker()
    finally:
        holder.close()
        stack.ensure_worker()
    # Under load the first look may come while the replacement worker starts: the status
    # must leave "pending" for "error" soon after, with no new validation asked for.
    shown = wait_for(lambda: (lambda row: row if row["status"] != "pending" else None)(
        stack.result("koreanap_validation_show", id=resource["id"])),
        "the killed job's status to leave pending", limit=60)
    assert shown["status"] == "error"
    assert "run the validation again" in shown["message"]
    assert stack.result("datastore_search", resource_id=resource["id"], limit=0)["total"] \
        == ROWS["commitments.csv"]

    stack.result("koreanap_package_validate", id=dataset["id"])
    wait_for(lambda: stack.result("koreanap_dataset_validation_show", id=dataset["id"])
             ["status"] == "valid", "the dataset to validate again")
    assert _datastore_rows(stack, dataset) == ROWS
    assert stack.result("koreanap_validation_show", id=resource["id"])["file_sha256"] \
        == hashlib.sha256(changed.read_bytes()).hexdigest()


def test_site_recovers_after_postgresql_restart(stack, dataset, ledger):
    """After PostgreSQL restarts, the very next pages, API calls and reports succeed in
    every web process, and the worker still sends the report's notification."""
    assert requests.get(stack.url + "/dataset/", timeout=60).status_code == 200
    stack.restart_postgres()
    # Several rounds, so that each gunicorn process meets its pre-restart connections.
    for _ in range(6):
        for path in ("/dataset/", "/dataset/" + PACKAGE, "/api/3/action/package_search?q=OGP"):
            response = requests.get(stack.url + path, timeout=60)
            assert response.status_code == 200, "{} answered {}".format(
                path, response.status_code)
    ledger.sent()
    response = _report(stack, "after the PostgreSQL restart")
    assert response.status_code == 200, response.text[:500]
    code = response.json()["result"]["code"]
    wait_for(lambda: stack.mails_for(code), "the notification of " + code)
    ledger.kept()


def test_smtp_down_notification_is_retried_then_delivered(stack, dataset, ledger):
    """With the mail server down the notification fails and is logged on the report;
    a retry delivers it, once, after the server is back."""
    stack.stop_mail()
    try:
        ledger.sent()
        response = _report(stack, "while the mail server is down")
        assert response.status_code == 200, response.text[:500]
        code = response.json()["result"]["code"]
        wait_for(lambda: _events(stack, code, "notification_failed"),
                 "a failed send logged on " + code)
    finally:
        if stack.mail is None:
            stack.start_mail()
    wait_for(lambda: stack.mails_for(code), "the retried notification of " + code)
    ledger.kept()
    wait_for(lambda: _events(stack, code, "notification_sent"), "the sent mail logged")
    assert _events(stack, code, "notification_sent") == 1
    assert len(stack.mails_for(code)) == 1


def _without_milestones(folder, target):
    shutil.copytree(folder, target)
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "milestones"]
    (target / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             encoding="utf-8")
    return target


def _touch(folder, csv=None):
    """New bytes, same rows (LF <-> CRLF): the publish replaces the resource and queues
    its validation."""
    csv = csv or folder / "data" / "commitments.csv"
    data = csv.read_bytes()
    csv.write_bytes(data.replace(b"\r\n", b"\n") if b"\r\n" in data
                    else data.replace(b"\n", b"\r\n"))


def test_reupload_beside_the_validation_job_finishes(stack, dataset, tmp_path):
    """Re-uploads that remove and restore a DataStore table, each sent while the worker
    validates the dataset, all finish within the bound (issue 13 item 1, end to end)."""
    import ckanapi

    from koreanap_client.publishing import Publisher
    from koreanap_validation.inputs import open_input

    full = tmp_path / "full"
    shutil.copytree(ROOT / "datapackages" / PACKAGE, full)
    smaller = _without_milestones(full, tmp_path / "smaller")
    hung, timings, failures = [], [], []
    try:
        for round_ in range(DEADLOCK_ROUNDS):
            folder = smaller if round_ % 2 == 0 else full
            _touch(full)
            _touch(smaller)
            stack.result("koreanap_package_validate", id=dataset["id"])  # the job runs now
            done = threading.Event()

            def watchdog(done=done, round_=round_):
                if not done.wait(PUBLISH_BOUND_S):
                    hung.append(round_)
                    stack.kill_worker()  # ends the worker's side of any lock wait
            threading.Thread(target=watchdog, daemon=True).start()
            started = time.monotonic()
            lines: list[str] = []
            try:
                with ckanapi.RemoteCKAN(stack.url, apikey=stack.token) as remote, \
                        open_input(str(folder)) as prepared:
                    Publisher(remote, echo=lines.append, retries=1, backoff=0).publish(
                        prepared.descriptor, prepared.basepath)
            except Exception as error:  # noqa: BLE001 - reported below with the round
                failures.append("round {}: {}: {}\n{}".format(
                    round_, type(error).__name__, error, "\n".join(lines[-10:])))
            finally:
                done.set()
                timings.append("{:.1f}s".format(time.monotonic() - started))
            if hung:
                break
    finally:
        stack.ensure_worker()
    print("publish times:", ", ".join(timings))
    assert not hung, "round {} hung for more than {} s ({})".format(
        hung[0], PUBLISH_BOUND_S, ", ".join(timings))
    assert not failures, "\n".join(failures)
    assert stack.result("koreanap_dataset_validation_show", id=dataset["id"])["status"] \
        == "valid"
    assert _datastore_rows(stack, dataset) == ROWS


def test_hung_redis_cannot_hang_a_report(stack, dataset, ledger):
    """With Redis hung (SIGSTOP: it takes connections but never answers), API and form
    reports are answered and stored, not hung (the socket timeouts of ckan.redis.url);
    once Redis runs again each notification is delivered exactly once."""
    marker = "redis-hung-{}".format(uuid.uuid4().hex[:8])
    form_url = "{}/dataset/{}/report-error".format(stack.url, PACKAGE)
    visitor = requests.Session()
    page = visitor.get(form_url, timeout=60)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    stack.pause_redis()
    try:
        for number in range(2):
            ledger.sent()
            # The timeout is a hang detector: a report waits for at most two Redis
            # socket timeouts (the rate limit, then the queue), never for Redis itself.
            response = stack.action("koreanap_error_report_create", token=None,
                                    package_id=PACKAGE, category="wrong_value",
                                    description="{} api {}".format(marker, number),
                                    timeout=HANG_S)
            assert response.status_code == 200, response.text[:500]
            ledger.sent()
            response = visitor.post(form_url, data={
                "_csrf_token": csrf, "category": "wrong_value",
                "description": "{} form {}".format(marker, number)},
                allow_redirects=False, timeout=HANG_S)
            assert response.status_code == 302, response.text[:500]
        codes = _stored_codes(stack, marker)
        assert len(codes) == 4
    finally:
        stack.resume_redis()

    def delivered_and_idle():
        _poke(stack)
        return all(stack.mails_for(code) for code in codes) and stack.queue_idle()
    try:
        wait_for(delivered_and_idle, "the notifications and an idle queue", every=1)
    finally:
        ledger.kept(sum(1 for code in codes if len(stack.mails_for(code)) == 1))
    assert {code: len(stack.mails_for(code)) for code in codes} == dict.fromkeys(codes, 1)
