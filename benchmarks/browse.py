"""Benchmark a served catalogue under many concurrent visitors.

N visitors (default 50: threads in a few client processes) browse for D
seconds (default 60), as fast as the server answers, each through the page
kinds in an order of its own, over and over (so a visitor sees every kind
once even in a run shorter than its first round): the home page, the
dataset search ``/dataset?q=`` with a Korean or an English query, a dataset
page, the contaminant quick search ``/contaminants`` with filters, and the search API
(``/api/3/action/package_search``). Prints, per page kind, the requests,
throughput, p50/p95/max latency and errors (an answer of 400 or more, or no
answer within 30 s), the load average before and after, and whether every
kind met the target (0 errors, p95 < 1 s). Each visitor keeps the cookies the
site sets, as a browser does, and the "kept" column counts the answers the
site's page cache gave (``X-Koreanap-Page-Cache: hit``, ckanext/koreanap/pagecache.py).

Against a catalogue that is already served (``scripts/serve``)::

    KOREANAP_PORT=5050 bash scripts/serve
    venv/bin/python benchmarks/browse.py --url http://127.0.0.1:5050
    KOREANAP_PORT=5050 bash scripts/serve stop

or let it serve an ini itself, as ``scripts/serve`` would (gunicorn with
``scripts/gunicorn.conf.py``; ``KOREANAP_WORKERS`` and ``KOREANAP_THREADS``
apply), and stop it afterwards: ``--ini var/ckan-5050.ini --port 5079``.

Exit codes: 0 measured (a missed target is a result, not an error), 1 the
catalogue could not be started or answered nothing, 2 usage error.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 1000.0
TIMEOUT = 30.0
KOREAN_QUERIES = ("카드뮴", "문화유산", "오염도", "공약", "식품", "석탑")
ENGLISH_QUERIES = ("cadmium", "heritage", "contaminants", "commitments", "open data", "lead")
# Filters of /contaminants: codes present in the food-contaminants package.
CONTAMINANT_FILTERS = (
    "",
    "substance_code=HMT02",
    "substance_code=HMT01&food_group_code=FG06",
    "substance_group=MYC&survey_year=2019",
    "food_group_code=FG01&detected=Y",
    "substance_code=HMT01,HMT02&producer_country=KR",
    "exceeds_only=true",
    "collection_place_code=traditional_market&sort=value+desc",
    "substance_code=MYC04&page=2",
)
CACHE_HEADER = "X-Koreanap-Page-Cache"
KINDS = ("home", "dataset_search_ko", "dataset_search_en", "dataset_page", "contaminants",
         "search_api")


def fail(message: str, code: int = 1) -> None:
    print("error: " + message, file=sys.stderr)
    sys.exit(code)


def pick_path(kind: str, rng: random.Random, datasets: list[str]) -> str:
    """A request path of one page kind."""
    if kind == "home":
        return "/"
    if kind == "dataset_search_ko":
        return "/dataset?q=" + quote(rng.choice(KOREAN_QUERIES))
    if kind == "dataset_search_en":
        return "/dataset?q=" + quote(rng.choice(ENGLISH_QUERIES))
    if kind == "dataset_page":
        return "/dataset/" + quote(rng.choice(datasets))
    if kind == "contaminants":
        query = rng.choice(CONTAMINANT_FILTERS)
        return "/contaminants" + ("?" + query if query else "")
    if kind == "search_api":
        words = rng.choice((KOREAN_QUERIES, ENGLISH_QUERIES))
        return "/api/3/action/package_search?rows=10&q=" + quote(rng.choice(words))
    raise ValueError(kind)


def visitor(base: str, datasets: list[str], number: int, deadline: float, pause: float,
            latencies: dict, errors: dict, kept: Counter, lock: threading.Lock) -> None:
    """One visitor: a kept-alive connection, its cookies, the page kinds in a shuffled
    order of its own, repeated (the first round is finished even past the deadline), and
    on average ``pause`` seconds of reading between two pages (uniform 0..2x)."""
    address = urlsplit(base)
    rng = random.Random(number)
    connection = None
    cookies: dict[str, str] = {}
    if pause:  # start out of step, so visitors do not arrive in bursts
        time.sleep(rng.uniform(0, pause))
    order = rng.sample(KINDS, len(KINDS))
    visits = 0
    while time.monotonic() < deadline or visits < len(order):
        kind = order[visits % len(order)]
        visits += 1
        path = pick_path(kind, rng, datasets)
        started = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(address.hostname, address.port,
                                                        timeout=TIMEOUT)
            headers = {"Accept-Language": "ko"}
            if cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                cookies[name.strip()] = value.strip()
            hit = response.getheader(CACHE_HEADER) == "hit"
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            status, hit = type(error).__name__, False
            if connection is not None:
                connection.close()
                connection = None
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            if isinstance(status, int) and status < 400:
                latencies[kind].append(elapsed)
                kept[kind] += hit
            else:
                errors[kind][str(status)] += 1
        if pause:
            time.sleep(rng.uniform(0, 2 * pause))
    if connection is not None:
        connection.close()


def client(base: str, datasets: list[str], numbers: list[int], deadline: float,
           pause: float) -> tuple[dict, dict, Counter]:
    """One client process: a thread per visitor; latencies, errors and answers from the
    page cache by page kind."""
    latencies: dict = defaultdict(list)
    errors: dict = defaultdict(Counter)
    kept: Counter = Counter()
    lock = threading.Lock()
    threads = [threading.Thread(target=visitor, args=(
        base, datasets, number, deadline, pause, latencies, errors, kept, lock))
        for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return dict(latencies), dict(errors), kept


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _get_json(base: str, path: str) -> dict:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    try:
        connection.request("GET", path)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def public_datasets(base: str) -> list[str]:
    """Names of up to 20 public datasets (the dataset pages visited)."""
    found = _get_json(base, "/api/3/action/package_search?rows=20&fl=name")
    return [d["name"] for d in found["result"]["results"]]


def report(latencies: dict, errors: dict, wall: float, kept: Counter | None = None) -> bool:
    """Print the table; True when every kind met the target."""
    kept = kept or Counter()
    print("{:<18} {:>8} {:>7} {:>8} {:>8} {:>8} {:>7} {:>6}  {}".format(
        "page kind", "requests", "req/s", "p50 ms", "p95 ms", "max ms", "errors", "kept",
        "target"))
    met = True
    total = 0
    for kind in KINDS:
        values = latencies.get(kind, [])
        failed = sum(errors.get(kind, Counter()).values())
        total += len(values) + failed
        if values:
            p95 = percentile(values, 0.95)
            ok = failed == 0 and p95 < TARGET_P95_MS
            line = "{:<18} {:>8} {:>7.1f} {:>8.0f} {:>8.0f} {:>8.0f} {:>7} {:>5.0f}%  {}".format(
                kind, len(values) + failed, (len(values) + failed) / wall,
                statistics.median(values), p95, max(values), failed,
                100 * kept[kind] / len(values), "PASS" if ok else "FAIL")
        else:
            ok = False
            line = "{:<18} {:>8} {:>7.1f} {:>8} {:>8} {:>8} {:>7} {:>6}  FAIL".format(
                kind, failed, failed / wall, "-", "-", "-", failed, "-")
        met = met and ok
        print(line)
        if failed:
            print("{:<18} errors: {}".format("", dict(errors[kind])))
    print("total: {} requests, {:.1f} req/s over {:.1f} s".format(total, total / wall, wall))
    return met


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a served catalogue, e.g. http://127.0.0.1:5050")
    where.add_argument("--ini", type=Path,
                       help="serve this ini for the run (gunicorn, as scripts/serve does)")
    parser.add_argument("--port", type=int, default=5079,
                        help="port for --ini (default 5079)")
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5,
                        help="client processes the visitors are spread over (default 5)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="mean seconds a visitor reads a page before the next one "
                             "(uniform 0..2x; default 0: as fast as the server answers)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var",
                        help="where the log of a server started for --ini goes (default: var)")
    args = parser.parse_args(argv)
    if args.visitors < 1 or args.duration <= 0 or args.clients < 1 or args.pause < 0:
        fail("--visitors, --clients and --duration must be positive", 2)
    if args.ini is not None and not args.ini.is_file():
        fail("{} does not exist".format(args.ini), 2)
    args.clients = min(args.clients, args.visitors)

    process = None
    if args.ini is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from error_reports import start_ckan  # the same start-up as that benchmark

        log = args.work_dir / "log" / "bench-browse.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        base = "http://127.0.0.1:{}".format(args.port)
        print("Starting CKAN on {} (log: {})".format(base, log), flush=True)
        process = start_ckan(args.ini, args.port, log)
    else:
        base = args.url.rstrip("/")
    try:
        try:
            datasets = public_datasets(base)
        except (OSError, ValueError, KeyError, http.client.HTTPException) as error:
            fail("{} did not answer package_search: {}".format(base, error))
        if not datasets:
            fail("the catalogue has no public dataset: publish the demo content first")
        for kind in KINDS:  # warm each kind once (templates, caches)
            _warm = random.Random(0)
            address = urlsplit(base)
            connection = http.client.HTTPConnection(address.hostname, address.port,
                                                    timeout=120)
            connection.request("GET", pick_path(kind, _warm, datasets))
            connection.getresponse().read()
            connection.close()
        print("{} visitors ({} client processes) for {:.0f} s against {}, pause {} s; "
              "{} datasets".format(args.visitors, args.clients, args.duration, base,
                                   args.pause, len(datasets)), flush=True)
        print("load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f} on {} CPUs".format(
            *os.getloadavg(), os.cpu_count()), flush=True)
        started = time.monotonic()
        deadline = started + args.duration
        groups = [list(range(args.visitors))[k::args.clients] for k in range(args.clients)]
        with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
            results = pool.starmap(client, [(base, datasets, numbers, deadline, args.pause)
                                            for numbers in groups])
        wall = time.monotonic() - started
        latencies: dict = defaultdict(list)
        errors: dict = defaultdict(Counter)
        kept: Counter = Counter()
        for part_latencies, part_errors, part_kept in results:
            kept.update(part_kept)
            for kind, values in part_latencies.items():
                latencies[kind].extend(values)
            for kind, counts in part_errors.items():
                errors[kind].update(counts)
        met = report(latencies, errors, wall, kept)
        print("load average (1/5/15 min) after: {:.2f} {:.2f} {:.2f} on {} CPUs".format(
            *os.getloadavg(), os.cpu_count()))
        print("target (0 errors, p95 < {:.0f} ms for every kind): {}".format(
            TARGET_P95_MS, "PASS" if met else "FAIL"))
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except Exception:  # noqa: BLE001 - stop it whatever happened
                process.kill()


if __name__ == "__main__":
    main()
