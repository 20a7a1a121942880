"""Benchmark the error-report centre: concurrent anonymous submitters.

Starts CKAN the way ``scripts/serve`` does (gunicorn with
``scripts/gunicorn.conf.py`` on loopback; ``KOREANAP_WORKERS`` and
``KOREANAP_THREADS`` apply) from a copy of a served instance's ini with the
per-address rate limit switched off (every submitter comes from 127.0.0.1)
and its jobs on their own Redis database, then lets N submitters (threads in
a few client processes, default 50) file reports as fast as they can for D
seconds (default 60) through the API
(``koreanap_error_report_create``) or the web form (``--via form``: GET the
form for its CSRF token, then POST). Prints throughput, p50/p95/max latency of
the submissions and ``lost: N``: successful responses minus the rows that
carry this run's marker in ``koreanap_error_report`` (0 means nothing lost).
The run's rows, their events and queued jobs are removed afterwards unless
``--keep``.

    KOREANAP_PORT=5077 bash scripts/serve      # once: databases, migrations, demo data
    venv/bin/python benchmarks/error_reports.py --ini var/ckan-5077.ini
    KOREANAP_PORT=5077 bash scripts/serve stop

Exit codes: 0 measured (a missed target is a result, not an error),
1 the catalogue could not be started or has no dataset, 2 usage error.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 300.0
# Settings of the benchmark's copy of the ini (section [app:main]).
OVERRIDES = {
    "ckanext.koreanap.reports.rate_limit": "0",
    "ckan.redis.url": "redis://127.0.0.1:6379/9",
}


def fail(message: str, code: int = 1) -> None:
    print("error: " + message, file=sys.stderr)
    sys.exit(code)


def write_ini(source: Path, target: Path, port: int) -> str:
    """Copy ``source`` with OVERRIDES and the port; return its sqlalchemy.url."""
    lines = source.read_text(encoding="utf-8").splitlines()
    settings = {**OVERRIDES, "ckan.site_url": "http://127.0.0.1:{}".format(port),
                "ckan.devserver.port": str(port)}
    out, section, done, url = [], None, set(), None
    for line in lines:
        match = re.match(r"^\[(.+)\]\s*$", line)
        if match:
            if section == "app:main":
                out += ["{} = {}".format(k, v) for k, v in settings.items() if k not in done]
            section = match.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line else None
        if section == "app:main" and key in settings:
            line = "{} = {}".format(key, settings[key])
            done.add(key)
        if section == "app:main" and key == "sqlalchemy.url":
            url = line.split("=", 1)[1].strip()
        out.append(line)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    os.chmod(target, 0o600)
    if not url:
        fail("{} has no sqlalchemy.url".format(source))
    return url


def start_ckan(ini: Path, port: int, log: Path) -> subprocess.Popen:
    """Serve ``ini`` as scripts/serve does: gunicorn with scripts/gunicorn.conf.py."""
    process = subprocess.Popen(
        [str(ROOT / "venv" / "bin" / "gunicorn"), "--config",
         str(ROOT / "scripts" / "gunicorn.conf.py"), "--bind", "127.0.0.1:{}".format(port),
         "--chdir", str(ROOT)],
        env=dict(os.environ, CKAN_INI=str(ini)), stdout=log.open("ab"),
        stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:{}/api/3/action/status_show".format(port)
    for _ in range(240):
        if process.poll() is not None:
            fail("CKAN exited at start-up; see {}".format(log))
        try:
            if requests.get(url, timeout=2).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    fail("CKAN did not answer on port {} within 120 s; see {}".format(port, log))
    raise AssertionError


def submitter(base: str, dataset: str, via: str, marker: str, number: int, deadline: float,
              pause: float, keepalive: bool, latencies: list, statuses: Counter,
              lock: threading.Lock) -> None:
    session = requests.Session()  # the form: cookies for its CSRF token
    address = urlsplit(base)
    connection = None  # the API: plain http.client, so the client costs little CPU
    count = 0
    rng = random.Random(number)
    if pause:  # start out of step, so submitters do not arrive in bursts
        time.sleep(rng.uniform(0, pause))
    while time.monotonic() < deadline:
        count += 1
        description = "{} {}-{} 값이 기준과 다릅니다 / the value differs".format(
            marker, number, count)
        try:
            if via == "form":
                form_url = "{}/dataset/{}/report-error".format(base, dataset)
                page = session.get(form_url, timeout=30).text
                token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
                started = time.perf_counter()
                response = session.post(form_url, data={
                    "_csrf_token": token, "category": "wrong_value",
                    "description": description}, allow_redirects=False, timeout=30)
                ok = response.status_code == 302
                status = response.status_code
            else:
                body = json.dumps({"package_id": dataset, "category": "wrong_value",
                                   "description": description}).encode("utf-8")
                headers = {"Content-Type": "application/json"}
                if not keepalive:  # each report a visit of its own
                    headers["Connection"] = "close"
                started = time.perf_counter()  # connecting counts, as for a visitor
                if connection is None:
                    connection = http.client.HTTPConnection(
                        address.hostname, address.port, timeout=30)
                connection.request("POST", "/api/3/action/koreanap_error_report_create",
                                   body, headers)
                response = connection.getresponse()
                data = response.read()
                status = response.status
                ok = status == 200 and json.loads(data).get("success")
                if not keepalive or response.will_close:
                    connection.close()
                    connection = None
            elapsed = (time.perf_counter() - started) * 1000
        except (requests.RequestException, OSError, http.client.HTTPException,
                AttributeError, ValueError) as error:
            ok, elapsed, status = False, None, type(error).__name__
            if connection is not None:
                connection.close()
                connection = None
        with lock:
            statuses["ok" if ok else status] += 1
            if ok:
                latencies.append(elapsed)
        if pause:  # a person filling in the form: on average ``pause`` seconds
            time.sleep(rng.uniform(0, 2 * pause))


def client(base: str, dataset: str, via: str, marker: str, numbers: list[int],
           deadline: float, pause: float, keepalive: bool) -> tuple[list[float], Counter]:
    """One client process: a thread per submitter number; their latencies and statuses."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    threads = [threading.Thread(target=submitter, args=(
        base, dataset, via, marker, number, deadline, pause, keepalive, latencies, statuses,
        lock))
        for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", type=Path, default=ROOT / "var" / "ckan-5077.ini",
                        help="ini of a served instance (written by scripts/serve)")
    parser.add_argument("--port", type=int, default=5078, help="port for the benchmark's CKAN")
    parser.add_argument("--submitters", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5,
                        help="client processes the submitters are spread over (default 5)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--via", choices=("api", "form"), default="api")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="mean seconds each submitter waits between its reports "
                             "(uniform 0..2x; default 0: as fast as it can)")
    parser.add_argument("--keepalive", action="store_true",
                        help="API submitters keep one connection open for all their reports "
                             "(default: a new connection per report, as separate visits)")
    parser.add_argument("--keep", action="store_true", help="keep the run's reports")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var",
                        help="where the benchmark's ini and log/ go (default: var)")
    args = parser.parse_args(argv)
    if not args.ini.is_file():
        fail("{} does not exist: run `KOREANAP_PORT=5077 bash scripts/serve` first".format(
            args.ini), 2)
    if args.submitters < 1 or args.duration <= 0 or args.clients < 1:
        fail("--submitters, --clients and --duration must be positive", 2)
    args.clients = min(args.clients, args.submitters)

    bench_ini = args.work_dir / "bench-reports.ini"
    db_url = write_ini(args.ini, bench_ini, args.port)
    log = args.work_dir / "log" / "bench-reports.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    base = "http://127.0.0.1:{}".format(args.port)
    print("Starting CKAN on {} (log: {})".format(base, log), flush=True)
    process = start_ckan(bench_ini, args.port, log)
    engine = sa.create_engine(db_url)
    marker = "benchmark-" + secrets.token_hex(4)
    try:
        names = requests.get(base + "/api/3/action/package_list", timeout=30).json()["result"]
        if not names:
            fail("the catalogue has no public dataset: publish the demo content first")
        dataset = names[0]
        requests.get("{}/dataset/{}/report-error".format(base, dataset), timeout=60)  # warm
        print("{} submitters for {:.0f} s via the {}, pause {} s, against dataset {} "
              "(marker {})".format(args.submitters, args.duration, args.via, args.pause,
                                   dataset, marker), flush=True)
        print("server: gunicorn, {} worker processes x {} threads; load average (1 min) "
              "before: {:.1f} on {} CPUs".format(
                  os.environ.get("KOREANAP_WORKERS") or os.cpu_count(),
                  os.environ.get("KOREANAP_THREADS") or 4, os.getloadavg()[0],
                  os.cpu_count()), flush=True)
        started = time.monotonic()
        deadline = started + args.duration
        # The submitters are threads spread over a few client processes, so
        # the client's own interpreter lock does not add to the latencies.
        groups = [list(range(args.submitters))[k::args.clients] for k in range(args.clients)]
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            results = pool.starmap(client, [
                (base, dataset, args.via, marker, numbers, deadline, args.pause,
                 args.keepalive)
                for numbers in groups if numbers])
        client_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool, now reaped
        client_cpu = client_cpu.ru_utime + client_cpu.ru_stime
        latencies = [value for part, _ in results for value in part]
        statuses = sum((counts for _, counts in results), Counter())
        wall = time.monotonic() - started
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "select count(*) from koreanap_error_report where description like :m"),
                {"m": marker + " %"}).scalar()
        ok = statuses["ok"]
        failed = {k: v for k, v in statuses.items() if k != "ok"}
        print("successful submissions: {}   failed: {}".format(ok, failed or 0))
        print("throughput: {:.1f} reports/s over {:.1f} s".format(ok / wall, wall))
        if latencies:
            p95 = percentile(latencies, 0.95)
            print("latency ms: p50 {:.1f}   p95 {:.1f}   max {:.1f}   (target p95 < {:.0f}: {})"
                  .format(statistics.median(latencies), p95, max(latencies), TARGET_P95_MS,
                          "PASS" if p95 < TARGET_P95_MS else "FAIL"))
        print("client CPU: {:.2f} ms a report (on the same CPUs as the server)".format(
            1000 * client_cpu / max(1, sum(statuses.values()))))
        print("rows in koreanap_error_report: {}".format(rows))
        print("load average (1 min) after the run: {:.1f} on {} CPUs".format(
            os.getloadavg()[0], os.cpu_count()))
        print("lost: {}".format(ok - rows))
        if not args.keep:
            with engine.begin() as conn:
                ids = "select id from koreanap_error_report where description like :m"
                conn.execute(sa.text("delete from koreanap_error_report_event "
                                     "where report_id in ({})".format(ids)),
                             {"m": marker + " %"})
                conn.execute(sa.text("delete from koreanap_error_report "
                                     "where description like :m"), {"m": marker + " %"})
            subprocess.run([str(ROOT / "venv" / "bin" / "ckan"), "-c", str(bench_ini),
                            "jobs", "clear"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
