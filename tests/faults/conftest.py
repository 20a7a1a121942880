"""The fault suite's stack: a private PostgreSQL cluster, Redis, mail catcher, CKAN
web server (gunicorn, as scripts/serve runs it) and job worker, all started here.

Faults stop, kill or restart these services, never the shared ones (PostgreSQL on
5432 and Redis on 6379 serve other test runs): the cluster is a throwaway
``initdb`` in a temporary folder, on a free port, with its socket in that folder;
Redis runs with no persistence. The databases, ini file and migrations come from
scripts/lib.sh (ensure_databases, write_ini, migrate) pointed at them. Everything
is torn down after the suite, also when set-up fails half way; service logs are
kept in test-artifacts/faults/.

The suite ends with one line, printed by :func:`pytest_terminal_summary`:
``faults survived N/M, reports lost K``.
"""
from __future__ import annotations

import contextlib
import email
import email.header
import email.policy
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "faults"
VENV_BIN = Path(sys.executable).parent
SITE_ID = "koreanap-faults"
CKAN_DB, DATASTORE_DB = "ckan_faults", "datastore_faults"
# Upper bounds for a service to come up or for work to finish: limits that end a
# broken run, not measured timings.
START_LIMIT_S = 120
WAIT_LIMIT_S = 90
# Options of the suite's CKAN on top of the embedded template: the outbox is
# looked at on every request, failed mails are retried within seconds, one
# address may send the suite's reports, and a held lock makes a job give up
# within seconds.
SUITE_OPTIONS = {
    "ckanext.koreanap.reports.outbox_check_interval": "1",
    "ckanext.koreanap.reports.mail_retry_delays": "2 2 4 8 8",
    "ckanext.koreanap.reports.rate_limit": "1000",
    "ckanext.koreanap.jobs.lock_timeout": "5",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check, what: str, limit: float = WAIT_LIMIT_S, every: float = 0.25):
    """Call ``check`` until it returns something true; fail after ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("gave up after {} s waiting for {}".format(limit, what))
        time.sleep(every)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name),
                   key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL's {} is missing (scripts/test installs postgresql)".format(name))
    return found[-1]


def _stop_group(process: subprocess.Popen | None, grace: float = 20) -> None:
    """SIGTERM a process started in its own session and all of its group; SIGKILL if it stays."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        kill_session(process.pid)
        process.wait(timeout=30)


def kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid`` (rq's work horses leave the worker's
    process group but not its session)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(stat.parent.name), signal.SIGKILL)


class Stack:
    """The private services and how each fault is switched on and off."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.pgdata = tmp / "pgdata"
        self.socket_dir = tmp / "run"
        self.mail_dir = tmp / "mail"
        self.storage = tmp / "storage"
        self.ini = tmp / "faults.ini"
        self.pg_port, self.redis_port, self.web_port, self.mail_port = (
            free_port(), free_port(), free_port(), free_port())
        self.url = "http://127.0.0.1:{}".format(self.web_port)
        self.redis: subprocess.Popen | None = None
        self.mail: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.pg_started = False
        self.token = ""
        self._as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # -- PostgreSQL ---------------------------------------------------------------
    def _pg(self, *args: str) -> None:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_LIMIT_S)
        if result.returncode:
            raise RuntimeError("{} failed: {}{}".format(args[0], result.stdout, result.stderr))

    def init_postgres(self) -> None:
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(mode=0o700)
            if self._as_postgres:
                shutil.chown(folder, "postgres", "postgres")
        self._pg(_pg_bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        self.start_postgres()

    def _pg_ctl(self, *action: str) -> None:
        options = ("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off").format(
                       self.pg_port, self.socket_dir)
        self._pg(_pg_bin("pg_ctl"), "-D", str(self.pgdata), "-l",
                 str(self.socket_dir / "postgresql.log"), "-w", "-t", "60", "-o", options,
                 *action)

    def start_postgres(self) -> None:
        self._pg_ctl("start")
        self.pg_started = True

    def restart_postgres(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def stop_postgres(self) -> None:
        if self.pg_started:
            with contextlib.suppress(Exception):
                self._pg_ctl("-m", "immediate", "stop")
            self.pg_started = False

    def sql(self, query: str, *params, database: str = CKAN_DB) -> list[tuple]:
        """Rows of ``query`` run on the private cluster as its superuser (autocommit)."""
        import psycopg2

        connection = psycopg2.connect(host=str(self.socket_dir), port=self.pg_port,
                                      user="postgres", dbname=database)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def hold(self, query: str, *params, database: str = CKAN_DB):
        """A connection that ran ``query`` and keeps its locks until closed."""
        import psycopg2

        connection = psycopg2.connect(host=str(self.socket_dir), port=self.pg_port,
                                      user="postgres", dbname=database)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(query, params)
        return connection

    # -- Redis ----------------------------------------------------------------------
    def start_redis(self) -> None:
        log = open(ARTIFACTS / "redis.log", "ab")
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: port_open(self.redis_port), "redis-server on port {}".format(
            self.redis_port), START_LIMIT_S)

    def stop_redis(self) -> None:
        self.resume_redis()  # a stopped (SIGSTOP) process would not see the SIGTERM
        _stop_group(self.redis)
        self.redis = None

    def pause_redis(self) -> None:
        """Hang Redis: its socket still takes connections, nothing answers."""
        os.kill(self.redis.pid, signal.SIGSTOP)

    def resume_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            os.kill(self.redis.pid, signal.SIGCONT)

    def queue_idle(self) -> bool:
        """Whether the job queue has nothing waiting, scheduled or running."""
        import redis
        import rq

        connection = redis.Redis(port=self.redis_port, socket_timeout=5)
        queue = rq.Queue("ckan:{}:default".format(SITE_ID), connection=connection)
        return not (len(queue) or queue.started_job_registry.count
                    or queue.scheduled_job_registry.count)

    # -- the mail catcher ------------------------------------------------------------------
    def start_mail(self) -> None:
        log = open(ARTIFACTS / "mail.log", "ab")
        self.mail = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "mail_catcher.py"), "--port",
             str(self.mail_port), str(self.mail_dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: port_open(self.mail_port), "the mail catcher", START_LIMIT_S)

    def stop_mail(self) -> None:
        _stop_group(self.mail)
        self.mail = None

    def mails(self) -> list[email.message.EmailMessage]:
        """Every message the mail catcher has kept, oldest first."""
        found = []
        for path in sorted(self.mail_dir.glob("*.eml")):
            with open(path, "rb") as fh:
                found.append(email.message_from_binary_file(fh, policy=email.policy.default))
        return found

    def mails_for(self, code: str) -> list[email.message.EmailMessage]:
        return [m for m in self.mails() if code in str(m["subject"])]

    # -- CKAN --------------------------------------------------------------------------
    def configure(self) -> None:
        """Databases, ini and migrations through scripts/lib.sh, on the private cluster."""
        psql = "{} -h {} -p {} -U postgres".format(_pg_bin("psql"), self.socket_dir, self.pg_port)
        script = """
            source scripts/lib.sh
            # The private cluster's superuser, not the shared cluster's postgres user.
            psql_admin() {{ {psql} -v ON_ERROR_STOP=1 -qAt "$@"; }}
            ensure_databases {db} {ds}
            write_ini {ini} tests/faults {site} {db} {ds} 0 127.0.0.1 {web} 127.0.0.1:{mail}
            migrate {ini}
        """.format(psql=psql, db=CKAN_DB, ds=DATASTORE_DB, ini=self.ini, site=SITE_ID,
                   web=self.web_port, mail=self.mail_port)
        env = {**os.environ, "KOREANAP_DB_HOST": "127.0.0.1:{}".format(self.pg_port),
               "KOREANAP_REDIS_HOST": "127.0.0.1:{}".format(self.redis_port),
               "KOREANAP_VENV": str(VENV_BIN.parent)}
        result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
        if result.returncode:
            raise RuntimeError("set-up through scripts/lib.sh failed:\n" + result.stdout
                               + result.stderr)
        text = self.ini.read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines():
            if line.startswith("ckan.storage_path"):
                line = "ckan.storage_path = {}".format(self.storage)
            lines.append(line)
            if line.startswith("ckan.site_id"):
                lines += ["{} = {}".format(k, v) for k, v in SUITE_OPTIONS.items()]
        self.ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.storage.mkdir()
        token_file = self.tmp / "admin-token"
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "sysadmin.py"), str(self.ini), "admin",
             str(token_file)], cwd=ROOT, capture_output=True, text=True, timeout=300)
        if result.returncode:
            raise RuntimeError("scripts/sysadmin.py failed:\n" + result.stdout + result.stderr)
        self.token = token_file.read_text().strip()

    def start_web(self) -> None:
        log = open(ARTIFACTS / "ckan.log", "ab")
        self.web = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "scripts" / "gunicorn.conf.py"),
             "--bind", "127.0.0.1:{}".format(self.web_port), "--chdir", str(ROOT)],
            env={**os.environ, "CKAN_INI": str(self.ini), "KOREANAP_WORKERS": "2",
                 "KOREANAP_THREADS": "4"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        log.close()

        def answers():
            if self.web.poll() is not None:
                raise AssertionError("CKAN exited with {}; see {}".format(
                    self.web.returncode, ARTIFACTS / "ckan.log"))
            with contextlib.suppress(requests.RequestException):
                return requests.get(self.url + "/api/3/action/status_show", timeout=5).ok
            return False
        wait_for(answers, "CKAN on " + self.url, START_LIMIT_S, every=0.5)

    def start_worker(self) -> None:
        log = open(ARTIFACTS / "worker.log", "ab")
        self.worker = subprocess.Popen(
            [str(VENV_BIN / "ckan"), "-c", str(self.ini), "koreanap-jobs", "worker"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        log.close()

    def kill_worker(self) -> None:
        """SIGKILL the worker and its work horse, as an out-of-memory kill would."""
        if self.worker is not None:
            kill_session(self.worker.pid)
            self.worker.wait(timeout=30)
            self.worker = None

    def ensure_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.start_worker()

    # -- the API --------------------------------------------------------------------------
    def action(self, name: str, token: str | None = "", timeout: float = 60, **data):
        """POST an API action (as the sysadmin unless ``token`` is None); the response."""
        headers = {"Authorization": token or self.token} if token is not None else {}
        url = "{}/api/3/action/{}".format(self.url, name)
        return requests.post(url, json=data, headers=headers, timeout=timeout)

    def result(self, name: str, **data):
        response = self.action(name, **data)
        assert response.status_code == 200, "{} answered {}: {}".format(
            name, response.status_code, response.text[:500])
        return response.json()["result"]

    def teardown(self) -> None:
        for stop in (lambda: _stop_group(self.worker), lambda: _stop_group(self.web),
                     self.stop_mail, self.stop_redis, self.stop_postgres):
            with contextlib.suppress(Exception):
                stop()
        with contextlib.suppress(OSError):
            shutil.copy(self.socket_dir / "postgresql.log", ARTIFACTS / "postgresql.log")
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="package")
def stack():
    """The running private stack; torn down (and its folder removed) after the suite."""
    for name in ("ckan.log", "worker.log", "mail.log", "redis.log", "postgresql.log"):
        with contextlib.suppress(FileNotFoundError):
            (ARTIFACTS / name).unlink()
    tmp = Path(tempfile.mkdtemp(prefix="koreanap-faults-"))
    tmp.chmod(0o755)  # the cluster's owner (postgres) reaches its folders inside
    services = Stack(tmp)
    try:
        services.init_postgres()
        services.start_redis()
        services.start_mail()
        services.configure()
        services.start_web()
        services.start_worker()
        yield services
    finally:
        services.teardown()


PACKAGE = "ogp-nap4-commitments"


def publish(stack: Stack, folder: Path) -> subprocess.CompletedProcess:
    """``koreanap publish FOLDER`` to the stack's CKAN (it waits for the worker's validation)."""
    return subprocess.run(
        [str(VENV_BIN / "koreanap"), "publish", str(folder), "--ckan-url", stack.url,
         "--no-progress", "--retries", "1"],
        env={**os.environ, "KOREANAP_API_TOKEN": stack.token}, capture_output=True,
        text=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="package")
def dataset(stack):
    """The commitments package published to the stack (validated and loaded by its worker).
    Its organization's admin (the sysadmin who created it) gets the notifications."""
    result = publish(stack, ROOT / "datapackages" / PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = stack.result("package_show", id=PACKAGE)
    assert stack.result("koreanap_dataset_validation_show", id=shown["id"])["status"] == "valid"
    return shown


# -- the summary line ---------------------------------------------------------------------
_OUTCOMES: dict[str, bool] = {}
_LOST: dict[str, int] = {}


@pytest.fixture
def ledger(request):
    """Count reports lost by one fault: ``ledger.sent(n)``, then ``ledger.kept(n)`` once
    they are confirmed stored and their mail delivered. The difference is reported lost
    (also when the test fails half way)."""
    class Ledger:
        def __init__(self):
            self.sent_count = self.kept_count = 0

        def sent(self, n: int = 1) -> None:
            self.sent_count += n

        def kept(self, n: int = 1) -> None:
            self.kept_count += n

    book = Ledger()
    yield book
    _LOST[request.node.nodeid] = book.sent_count - book.kept_count


def _is_fault(nodeid: str) -> bool:
    return nodeid.replace("\\", "/").startswith("tests/faults/")


def pytest_runtest_logreport(report):
    """A fault survives when its set-up, test and teardown all pass."""
    if not _is_fault(report.nodeid):
        return
    if report.failed:
        _OUTCOMES[report.nodeid] = False
    elif report.when == "call":
        _OUTCOMES.setdefault(report.nodeid, True)


def pytest_terminal_summary(terminalreporter):
    if not _OUTCOMES:
        return
    survived = sum(_OUTCOMES.values())
    terminalreporter.write_line("faults survived {}/{}, reports lost {}".format(
        survived, len(_OUTCOMES), sum(_LOST.values())), bold=True,
        red=survived < len(_OUTCOMES) or any(_LOST.values()))
