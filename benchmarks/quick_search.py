"""Latency of the contaminant quick search on a 1,000,000-row DataStore table.

Builds the survey rows once with ``scripts/build_food_contaminants.py --rows N``
(kept in ``var/bench-quick-search/``), loads CKAN in-process from an ini
(normally ``var/bench-quick-search.ini``, written by
``benchmarks/run-quick-search``), makes the dataset ``food-contaminants`` with
its DataStore tables (``datastore_create`` for the columns, then one
PostgreSQL ``COPY`` through the DataStore write URL for the rows; the
reference tables from the data package), creates the quick-search indexes
with ``koreanap_contaminant_index``, then calls ``koreanap_contaminant_search``
(validation, permission check, rows, total and summary, as the page asks
for them) for six typical filter combinations and prints p50/p95/max against
the target p95 < 100 ms.

Exit codes: 0 every combination met the target, 1 one did not, 2 usage error.
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "food-contaminants"
TARGET_MS = 100.0
DATASET = "food-contaminants"
ORG = "bench-quick-search"
_TYPES = {"string": "text", "integer": "int8", "number": "numeric"}

# Six filter combinations a data user makes (the page also asks for the chart).
COMBINATIONS = [
    ("substance + year", {"substance_code": "HMT02", "survey_year": 2019}),
    ("substance group + food group", {"substance_group": "MYC", "food_group_code": "FG01"}),
    ("substance + country, by value", {"substance_code": "HMT01", "producer_country": "CN",
                                       "sort": "value desc"}),
    ("food item + region of collection", {"food_item_code": "FI001",
                                          "collection_region_code": "11"}),
    ("place of collection + year, page 5", {"collection_place_code": "traditional_market",
                                            "survey_year": 2020, "offset": 200}),
    ("over the maximum level only", {"exceeds_only": True}),
]


def _descriptor() -> dict:
    return json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))


def build_rows(rows: int, folder: Path) -> Path:
    """The survey CSV with ``rows`` rows (built once, then reused)."""
    csv_path = folder / "survey_results.csv"
    stamp = folder / "rows"
    if csv_path.exists() and stamp.exists() and stamp.read_text().strip() == str(rows):
        return csv_path
    folder.mkdir(parents=True, exist_ok=True)
    print("Building {:,} survey rows in {} ...".format(rows, folder), flush=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_food_contaminants.py"),
                    "--rows", str(rows), "--out", str(folder), "--overwrite"], check=True,
                   stdout=subprocess.DEVNULL)
    stamp.write_text(str(rows))
    return csv_path


def _fields(resource: dict) -> list[dict]:
    return [{"id": f["name"], "type": _TYPES.get(f.get("type"), "text")}
            for f in resource["schema"]["fields"]]


def _reference_records(resource: dict) -> list[dict]:
    numeric = {f["name"] for f in resource["schema"]["fields"]
               if f.get("type") in ("integer", "number")}
    with open(PACKAGE / resource["path"], encoding="utf-8", newline="") as fh:
        return [{k: (None if (v == "" and k in numeric) else v) for k, v in row.items()}
                for row in csv.DictReader(fh)]


def load(tk, context: dict, csv_path: Path, reload: bool) -> str:
    """The dataset with its tables; the survey rows COPYed in when new or ``reload``."""
    from ckanext.datastore.backend.postgres import get_write_engine

    try:
        tk.get_action("organization_show")(dict(context), {"id": ORG})
    except tk.ObjectNotFound:
        tk.get_action("organization_create")(dict(context), {"name": ORG})
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": DATASET})
    except tk.ObjectNotFound:
        dataset = tk.get_action("package_create")(dict(context), {
            "name": DATASET, "title": "Benchmark: food contaminants", "owner_org": ORG})
    existing = {r["name"]: r for r in dataset["resources"]}
    survey_id = None
    for resource in _descriptor()["resources"]:
        name = resource["name"]
        have = existing.get(name)
        if have and have.get("datastore_active") and not (reload and name == "survey_results"):
            survey_id = have["id"] if name == "survey_results" else survey_id
            continue
        data = {"fields": _fields(resource), "force": True}
        if have:
            tk.get_action("datastore_delete")(dict(context), {"resource_id": have["id"],
                                                              "force": True})
            data["resource_id"] = have["id"]
        else:
            data["resource"] = {"package_id": dataset["id"], "name": name, "format": "CSV"}
        if name != "survey_results":
            data["records"] = _reference_records(resource)
        created = tk.get_action("datastore_create")(dict(context), data)
        if name != "survey_results":
            continue
        survey_id = created["resource_id"]
        start = time.perf_counter()
        columns = ", ".join('"{}"'.format(f["id"]) for f in data["fields"])
        connection = get_write_engine().raw_connection()
        try:
            cursor = connection.cursor()
            with open(csv_path, encoding="utf-8", newline="") as fh:
                cursor.copy_expert('COPY "{}" ({}) FROM STDIN WITH (FORMAT csv, HEADER true)'
                                   .format(survey_id, columns), fh)
            rows = cursor.rowcount
            connection.commit()
        finally:
            connection.close()
        print("COPY: {:,} rows in {:.1f} s".format(rows, time.perf_counter() - start),
              flush=True)
    return survey_id


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    low = int(k)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", required=True, help="CKAN ini of the benchmark instance")
    parser.add_argument("--rows", type=int, default=1_000_000, help="survey rows (1,000,000)")
    parser.add_argument("--runs", type=int, default=100, help="calls per combination (100)")
    parser.add_argument("--reload", action="store_true", help="COPY the rows in again")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench-quick-search",
                        help="where the built rows are kept (default: var/bench-quick-search)")
    parser.add_argument("--no-index", action="store_true",
                        help="measure without the quick-search indexes (drops them)")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.runs < 1:
        parser.error("--rows and --runs must be at least 1")
    csv_path = build_rows(args.rows, args.work_dir)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk
        import sqlalchemy as sa
        from ckanext.datastore.backend.postgres import get_write_engine

        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = {"user": site["name"]}
        resource_id = load(tk, context, csv_path, args.reload)
        with get_write_engine().begin() as conn:
            if args.no_index:
                for (name,) in conn.execute(sa.text(
                        "SELECT indexname FROM pg_indexes WHERE tablename = :t "
                        "AND indexname LIKE '%\\_kq%'"), {"t": resource_id}):
                    conn.execute(sa.text('DROP INDEX "{}"'.format(name)))
            conn.execute(sa.text('ANALYZE "{}"'.format(resource_id)))
        if not args.no_index:
            start = time.perf_counter()
            made = tk.get_action("koreanap_contaminant_index")(dict(context), {})
            print("Indexes: {} created in {:.1f} s".format(
                len(made["created"]), time.perf_counter() - start), flush=True)
        total = tk.get_action("koreanap_contaminant_search")(
            {"user": ""}, {"limit": 0, "include_summary": False})["total"]
        print("\nkoreanap_contaminant_search on {:,} rows, {} calls each (rows + total + "
              "summary; the chart as the page asks for it in the last column):".format(
                  total, args.runs))
        print("| filter combination | rows matched | p50 ms | p95 ms | max ms | "
              "p95 with chart ms | p95 < {:.0f} ms |".format(TARGET_MS))
        print("|---|---:|---:|---:|---:|---:|---|")
        failed = 0
        for label, params in COMBINATIONS:
            timings, with_chart = [], []
            matched = 0
            for run in range(args.runs + 3):
                start = time.perf_counter()
                result = tk.get_action("koreanap_contaminant_search")(
                    {"user": ""}, dict(params))
                took = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                tk.get_action("koreanap_contaminant_search")(
                    {"user": ""}, dict(params, include_chart=True))
                took_chart = (time.perf_counter() - start) * 1000
                if run >= 3:  # the first calls warm caches and connections
                    timings.append(took)
                    with_chart.append(took_chart)
                matched = result["total"]
            p95 = _percentile(timings, 0.95)
            ok = p95 < TARGET_MS
            failed += not ok
            print("| {} | {:,} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {} |".format(
                label, matched, statistics.median(timings), p95, max(timings),
                _percentile(with_chart, 0.95), "PASS" if ok else "FAIL"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
