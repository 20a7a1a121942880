"""Benchmark loading a large ``survey_results`` table into the DataStore.

Builds an N-row ``survey_results.csv`` with ``scripts/build_food_contaminants.py``
(same generator and Table Schema as the food-contaminants package; kept in
``var/bench-publish/`` and reused), loads CKAN in-process from an ini
(normally ``var/bench-publish.ini``, written by ``benchmarks/run-publish``),
makes one dataset and resource, and times what ``koreanap publish`` does
for a valid table in the catalogue: ``datastore_create`` with the Table
Schema's types, then ``COPY`` of every row (the DataStore's trigger fills
``_full_text``), then ``ANALYZE``. ``--validate`` also times the validation
of the table with the package's rules (the step before publishing).

Prints the time and rows/s against the target (under 60 s for 1,000,000 rows).
Exit codes: 0 measured (even when the target is missed), 1 setup failed, 2 usage.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "food-contaminants"
TARGET_SECONDS = 60.0
DATASET = "bench-survey-results"


def build_rows(rows: int, folder: Path) -> Path:
    """The package with an N-row survey_results.csv (built once, then reused)."""
    marker = folder / "rows.txt"
    csv = folder / "data" / "survey_results.csv"
    if marker.is_file() and marker.read_text().strip() == str(rows) and csv.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("survey_results.csv"))
    print("building {:,} rows into {} …".format(rows, csv), flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_food_contaminants.py"),
                    "--rows", str(rows), "--out", str(folder / "data"), "--overwrite"],
                   check=True, stdout=subprocess.DEVNULL)
    print("  built in {:.1f} s".format(time.perf_counter() - start), flush=True)
    marker.write_text(str(rows))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", required=True, help="CKAN ini of the benchmark instance")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=1, help="loads to time (default 1)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "bench-publish",
                        help="where the built packages are kept (default: var/bench-publish)")
    parser.add_argument("--validate", action="store_true",
                        help="also time validating the table with the package's rules")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.runs < 1:
        parser.error("--rows and --runs must be positive")

    folder = build_rows(args.rows, args.work_dir / str(args.rows))
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    survey = next(r for r in descriptor["resources"] if r["name"] == "survey_results")
    csv = folder / survey["path"]

    if args.validate:
        from koreanap_validation.engine import validate_package

        start = time.perf_counter()
        report = validate_package(descriptor, basepath=str(folder))
        took = time.perf_counter() - start
        print("validation of the package ({:,} survey rows): {:.1f} s, {} ({:,.0f} rows/s)"
              .format(args.rows, took, "valid" if report["valid"] else "INVALID",
                      args.rows / took), flush=True)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk

        from ckanext.koreanap.pipeline import loader

        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = {"ignore_auth": True, "user": site["name"]}
        try:
            tk.get_action("organization_show")(dict(context), {"id": "bench-publish"})
        except tk.ObjectNotFound:
            tk.get_action("organization_create")(dict(context), {"name": "bench-publish"})
        try:
            dataset = tk.get_action("package_show")(dict(context), {"id": DATASET})
        except tk.ObjectNotFound:
            dataset = tk.get_action("package_create")(dict(context), {
                "name": DATASET, "title": "Benchmark: survey results",
                "owner_org": "bench-publish",
                "resources": [{"url": "https://example.org/survey_results.csv",
                               "name": "survey_results", "format": "CSV"}]})
        resource_id = dataset["resources"][0]["id"]
        size = os.path.getsize(csv)
        print("DataStore load of {:,} rows ({:.1f} MB) with COPY:".format(
            args.rows, size / 1e6), flush=True)
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            rows = loader.load_csv(resource_id, str(csv), survey["schema"])
            took = time.perf_counter() - start
            verdict = "PASS" if took < TARGET_SECONDS * args.rows / 1_000_000 else "FAIL"
            print("  run {}: {:,} rows in {:.1f} s = {:,.0f} rows/s (target < {:.0f} s: {})"
                  .format(run, rows, took, rows / took,
                          TARGET_SECONDS * args.rows / 1_000_000, verdict), flush=True)
        found = tk.get_action("datastore_search")(dict(context), {
            "resource_id": resource_id, "limit": 1, "include_total": True})
        print("  datastore_search total: {:,}; types: {}".format(found["total"], ", ".join(
            "{}={}".format(f["id"], f["type"]) for f in found["fields"][1:6])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
