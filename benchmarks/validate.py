"""Validation speed and memory: frictionless-py row by row vs `koreanap validate`.

    venv/bin/python benchmarks/validate.py [--rows 1000000] [--small-rows 100000]

Builds the food-contaminants package with a large survey_results table
(scripts/build_food_contaminants.py --rows), injects known faults of every
row rule kind at known rows (benchmarks/faults.py), then, each in its own
process so time and peak memory are its own:

(a) frictionless-py: ``Resource.validate`` of survey_results with the same
    Table Schema and our checks named in a checklist (value domains,
    personal data, contaminant rules), as ``frictionless validate`` would;
(b) our command: ``koreanap validate PACKAGE --format json`` (every
    resource of the package, all rules, metadata off);
(c) our command and (d) frictionless-py on a --small-rows copy, to
    compare peak memory.

Prints wall time, rows/s and peak resident memory of each, the ratio a/b
(target: at least 10), and for every injected fault whether each path found
it at its row; then whether both found the very same (rule, row, field) set.
Exit 1 when a fault is missed or the two disagree. Needs no CKAN.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faults  # noqa: E402

PACKAGE = ROOT / "datapackages" / "food-contaminants"
VENV_BIN = Path(sys.executable).parent
CHECKS = ["koreanap-value-domain", "koreanap-personal-data", "koreanap-contaminant-results"]

BASELINE = """
import json, sys
import koreanap_validation.checks  # registers the frictionless plugin
from frictionless import Checklist, Package
package = Package(sys.argv[1])
checklist = Checklist.from_descriptor({"checks": [{"type": t} for t in sys.argv[3:]]})
report = package.get_resource("survey_results").validate(checklist=checklist,
                                                         limit_errors=1_000_000)
errors = []
for task in report.tasks:
    for e in task.errors:
        errors.append({"rule": e.type, "row": getattr(e, "row_number", None),
                       "field": getattr(e, "field_name", None)})
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    json.dump(errors, fh)
"""


def build(folder: Path, rows: int) -> Path:
    """A copy of the package with ``rows`` built survey rows."""
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("survey_results.csv"))
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_food_contaminants.py"),
                    "--out", str(folder / "data"), "--rows", str(rows), "--overwrite"],
                   check=True, stdout=subprocess.DEVNULL)
    return folder


def _high_water_mib(pid: int) -> int | None:
    """The process's peak resident memory so far (VmHWM), in MiB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def timed(command: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int, int]:
    """Run a command; (wall seconds, peak resident MiB, exit code).

    The peak is the child's own VmHWM, sampled every 20 ms until it exits
    (rusage's maxrss would count what the child inherited from this process).
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _high_water_mib(process.pid) or 0)
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, peak, process.returncode


def ours(folder: Path, out: Path) -> tuple[float, int, list[dict]]:
    with out.open("w", encoding="utf-8") as fh:
        seconds, peak, _ = timed([str(VENV_BIN / "koreanap"), "validate", str(folder),
                                  "--format", "json", "--metadata", "off",
                                  "--limit-errors", "1000000", "--no-progress"], stdout=fh)
    report = json.loads(out.read_text(encoding="utf-8"))
    errors = [e for e in report["errors"] if e["resource"] == "survey_results"]
    engine = {r["name"]: r["engine"] for r in report["resources"]}["survey_results"]
    if engine != "fast":
        sys.exit(f"survey_results was validated by the {engine} path, not the fast one")
    return seconds, peak, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=10,
                        help="faults of each kind (default 10)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="koreanap-bench-") as tmp:
        tmp_path = Path(tmp)
        print(f"building {args.rows:,} and {args.small_rows:,} survey rows ...", flush=True)
        big = build(tmp_path / "big", args.rows)
        small = build(tmp_path / "small", args.small_rows)
        injected = faults.inject(big / "data" / "survey_results.csv", args.per_kind)
        faults.inject(small / "data" / "survey_results.csv", args.per_kind)
        print(f"injected {len(injected)} faults of {len(faults.KINDS)} kinds", flush=True)

        out = tmp_path / "baseline.json"
        print("(a) frictionless-py row by row ...", flush=True)
        a_seconds, a_peak, _ = timed([sys.executable, "-c", BASELINE,
                                      str(big / "datapackage.json"), str(out), *CHECKS])
        a_errors = json.loads(out.read_text(encoding="utf-8"))
        print("(b) koreanap validate ...", flush=True)
        b_seconds, b_peak, b_errors = ours(big, tmp_path / "ours.json")
        print(f"(c) koreanap validate, {args.small_rows:,} rows ...", flush=True)
        c_seconds, c_peak, _ = ours(small, tmp_path / "ours-small.json")
        print(f"(d) frictionless-py, {args.small_rows:,} rows ...", flush=True)
        d_seconds, d_peak, _ = timed([sys.executable, "-c", BASELINE,
                                      str(small / "datapackage.json"), str(out), *CHECKS])

    print()
    print(f"{'run':44} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for label, seconds, peak, rows in (
            ("(a) frictionless-py, survey_results only", a_seconds, a_peak, args.rows),
            ("(b) koreanap validate, whole package", b_seconds, b_peak, args.rows),
            (f"(c) koreanap validate, {args.small_rows:,} rows", c_seconds, c_peak,
             args.small_rows),
            (f"(d) frictionless-py, {args.small_rows:,} rows", d_seconds, d_peak,
             args.small_rows)):
        print(f"{label:44} {seconds:8.2f} {rows / seconds:10,.0f} {peak:9,}")
    ratio = a_seconds / b_seconds
    print(f"\nspeed-up a/b: {ratio:.1f}x (target >= 10x)")
    times = args.rows // max(args.small_rows, 1)
    print(f"peak memory {args.rows:,} vs {args.small_rows:,} rows: koreanap {b_peak} vs "
          f"{c_peak} MiB (+{b_peak - c_peak}), frictionless {a_peak} vs {d_peak} MiB "
          f"(+{a_peak - d_peak}) for {times}x the rows")

    print(f"\n{'fault':15} {'row':>8}  {'rule':34} frictionless  koreanap")
    missed_a = faults.missed(injected, a_errors)
    missed_b = faults.missed(injected, b_errors)
    for fault in injected:
        mark = ["found" if fault not in m else "MISSED" for m in (missed_a, missed_b)]
        print(f"{fault['kind']:15} {fault['row']:8}  {fault['rule']:34} {mark[0]:12}  {mark[1]}")
    a_set = {(e["rule"], e["row"], e["field"]) for e in a_errors}
    b_set = {(e["rule"], e["row"], e["field"]) for e in b_errors}
    print(f"\nerrors: frictionless {len(a_set)}, koreanap {len(b_set)}; "
          f"same (rule, row, field) set: {a_set == b_set}")
    for extra, who in ((a_set - b_set, "only frictionless"), (b_set - a_set, "only koreanap")):
        for item in sorted(extra, key=str)[:10]:
            print(f"  {who}: {item}")
    ok = not missed_a and not missed_b and a_set == b_set
    print(f"faults missed: frictionless {len(missed_a)}, koreanap {len(missed_b)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
