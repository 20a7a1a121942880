"""Validation speed and memory: `koreanap validate` against frictionless-py and pyarrow.

    venv/bin/python benchmarks/validate.py [--rows 1000000] [--small-rows 100000] [--rounds 5]

Builds the food-contaminants package with a large survey_results table
(scripts/build_food_contaminants.py --rows), keeps a copy of the clean file,
injects known faults of every rule kind at known rows (benchmarks/faults.py:
issue 4's and issue 14's, and a header label with a space), then, each in
its own process so time and peak memory are its own:

(a) frictionless-py: ``Resource.validate`` of survey_results with the same
    Table Schema and our checks named in a checklist (value domains,
    personal data, numbers, region and coordinates, contaminant rules), as
    ``frictionless validate --checklist`` would;
(b) our command: ``koreanap validate PACKAGE --format json`` (every
    resource of the package, all rules, metadata off; the default engine);
(c) our command and (d) frictionless-py on a --small-rows copy, to
    compare peak memory;
(e) ``pyarrow.csv.read_csv`` of the clean survey_results.csv with each
    column typed by its Table Schema type (the floor: reading, no rules);
(f) our command with ``--engine frictionless`` on the small copy;
(g) the floor of (b): what every run of the command's design pays before
    its first rule, in the command's order: the large table's reading
    started (dictionary-encoded batches, as the fast path reads them, with
    its encoding check), the rules loaded (frictionless, pyarrow, numpy, as
    the command loads them), the package opened and its descriptor
    validated by frictionless, then every batch taken. No rule runs.
(b), (e) and (g) run --rounds times, alternately, and their medians are
compared (one pair on two shared cores moves with whatever else runs in that
second). g/e says how near to (e) this design can come at all.
koreanap_validation's and the command's bytecode is compiled first, as an
installed package's is (the machine sets PYTHONDONTWRITEBYTECODE, so without it each run of ours
compiled its source again; the libraries' bytecode is installed).

Prints wall time, rows/s and peak resident memory of each (the exact peak,
from ``wait4`` of a small wrapper process around each run), the ratios a/b
(target: at least 15) and b/e (target: at most 3), the machine's load
average, and for every injected fault whether each path found it at its
row (faults marked exact: that error only). Then whether (a) and (b) found
the same (rule, row, field) set (less koreanap validate's own file rules,
which frictionless has not), and whether (c) and (f), the two engines, gave
the very same errors (rule, row, field, message). Exit 1 when a fault is
missed or two paths disagree. Needs no CKAN.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faults  # noqa: E402

PACKAGE = ROOT / "datapackages" / "food-contaminants"
VENV_BIN = Path(sys.executable).parent
CHECKS = ["koreanap-value-domain", "koreanap-personal-data", "koreanap-number",
          "koreanap-region-coordinates", "koreanap-contaminant-results"]
# koreanap validate's rules on the file itself (not frictionless checks)
ENGINE_RULES = {"koreanap-header", "koreanap-dialect", "koreanap-encoding"}

TYPED_READ = """
import json, sys
import pyarrow as pa
from pyarrow import csv as pacsv
TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
         "boolean": pa.bool_(), "date": pa.date32(), "year": pa.int64()}
package = json.load(open(sys.argv[1], encoding="utf-8"))
resource = [r for r in package["resources"] if r["name"] == "survey_results"][0]
types = {f["name"]: TYPES.get(f["type"], pa.string()) for f in resource["schema"]["fields"]}
table = pacsv.read_csv(sys.argv[2], convert_options=pacsv.ConvertOptions(
    column_types=types, strings_can_be_null=False))
assert table.num_rows == int(sys.argv[3]), table.num_rows
"""

FLOOR = """
import json, os, sys
from koreanap_client.console import _rules_loading
from koreanap_validation import readahead
folder = sys.argv[1]
with open(os.path.join(folder, "datapackage.json"), encoding="utf-8") as fh:
    descriptor = json.load(fh)
readahead.PREFETCH_FROM = 0  # the smoke run's table is small: read it early all the same
early = readahead.start_early(descriptor, folder)  # as koreanap validate starts it
with _rules_loading():  # the rules, loaded as koreanap validate loads them
    from frictionless import Package
    Package(descriptor, basepath=folder).to_descriptor(validate=True)
    rows = 0
    while True:
        try:
            rows += early.ahead.next().num_rows
        except StopIteration:
            break
assert rows == int(sys.argv[2]) and early.encoding.result().valid, rows
early.close()  # as the engine closes it: its thread is done before the process ends
os._exit(0)  # as koreanap validate ends: without Python's teardown
"""

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


# Runs a command as its child and writes (wall seconds, peak resident KiB, exit code) to
# the file named first: wait4's maxrss of that child is its exact peak. The wrapper is a
# small process, so what the child inherits at fork (counted by Linux in maxrss) is small;
# this benchmark's own process is not (it built the package), which is why the command is
# not its direct child.
_MEASURE = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w", encoding="ascii") as fh:
    fh.write("%r %d %d" % (seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status)))
"""


def timed(command: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int, int]:
    """Run a command; (wall seconds, peak resident MiB, exit code).

    Both are measured by a small wrapper process around the command (``_MEASURE``): the
    time from its fork to its exit, and its exact peak from ``wait4`` (sampling
    ``/proc/PID/status`` could miss a peak in the last moments).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".measure", encoding="ascii") as result:
        done = subprocess.run([sys.executable, "-c", _MEASURE, result.name, *command],
                              stdout=stdout, stderr=subprocess.PIPE)
        measured = result.read().split()
    if done.returncode or len(measured) != 3:
        sys.exit(f"{command[0]} could not be measured: {done.stderr.decode()[-2000:]}")
    seconds, peak_kib, code = float(measured[0]), int(measured[1]), int(measured[2])
    if code not in (0, 1):
        sys.exit(f"{command[0]} failed: {done.stderr.decode()[-2000:]}")
    return seconds, peak_kib // 1024, code


def ours(folder: Path, out: Path, engine: str = "auto") -> tuple[float, int, list[dict]]:
    with out.open("w", encoding="utf-8") as fh:
        seconds, peak, _ = timed([str(VENV_BIN / "koreanap"), "validate", str(folder),
                                  "--format", "json", "--metadata", "off", "--engine", engine,
                                  "--limit-errors", "1000000", "--no-progress"], stdout=fh)
    report = json.loads(out.read_text(encoding="utf-8"))
    errors = [e for e in report["errors"] if e["resource"] == "survey_results"]
    used = {r["name"]: r["engine"] for r in report["resources"]}["survey_results"]
    if used != ("fast" if engine == "auto" else engine):
        sys.exit(f"survey_results was validated by the {used} path, not the {engine} one")
    return seconds, peak, errors


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                            "validation", "benchmarks/validate.py", "benchmarks/faults.py"],
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + (" + uncommitted validation changes" if dirty else "")


def warm_bytecode() -> None:
    """Compile koreanap_validation's and the command's modules once, as an
    installed package has them (pip compiles them): with PYTHONDONTWRITEBYTECODE
    set, as on the benchmark machine, every timed run compiled ~8,000 lines of
    source first (about 0.1 s CPU), which pyarrow's and frictionless' installed
    modules never do."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "validation"),
                    str(ROOT / "client")], check=True, env=env, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=100_000)
    parser.add_argument("--per-kind", type=int, default=10,
                        help="faults of each kind (default 10)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="(b) and (e) are run this many times, alternately; their "
                             "medians are compared (default 5)")
    args = parser.parse_args(argv)

    print(f"commit {_commit()}; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs",
          flush=True)
    warm_bytecode()
    with tempfile.TemporaryDirectory(prefix="koreanap-bench-") as tmp:
        tmp_path = Path(tmp)
        print(f"building {args.rows:,} and {args.small_rows:,} survey rows ...", flush=True)
        big = build(tmp_path / "big", args.rows)
        small = build(tmp_path / "small", args.small_rows)
        clean = tmp_path / "clean.csv"
        shutil.copyfile(big / "data" / "survey_results.csv", clean)
        injected = faults.inject(big / "data" / "survey_results.csv", args.per_kind)
        small_injected = faults.inject(small / "data" / "survey_results.csv", args.per_kind)
        print(f"injected {len(injected)} faults of {len(faults.KINDS) + 1} kinds", flush=True)

        out = tmp_path / "baseline.json"
        print("(a) frictionless-py row by row ...", flush=True)
        a_seconds, a_peak, _ = timed([sys.executable, "-c", BASELINE,
                                      str(big / "datapackage.json"), str(out), *CHECKS])
        a_errors = json.loads(out.read_text(encoding="utf-8"))
        # One pair on two shared cores moves with whatever else runs in that
        # second (the typed read took 0.44-1.11 s in runs a minute apart), so
        # (b) and (e) alternate and their medians are compared.
        b_rounds: list[tuple[float, int]] = []
        e_rounds: list[tuple[float, int]] = []
        g_rounds: list[tuple[float, int]] = []
        b_errors = None
        for number in range(1, max(args.rounds, 1) + 1):
            print(f"(b) koreanap validate, (e) pyarrow typed read of the clean file, "
                  f"(g) the floor of (b), round {number} ...", flush=True)
            seconds, peak, found = ours(big, tmp_path / "ours.json")
            if b_errors is not None and found != b_errors:
                sys.exit(f"round {number} of (b) found other errors than round 1")
            b_errors = found
            b_rounds.append((seconds, peak))
            seconds, peak, _ = timed([sys.executable, "-c", TYPED_READ,
                                      str(big / "datapackage.json"), str(clean),
                                      str(args.rows)])
            e_rounds.append((seconds, peak))
            g_rounds.append(timed([sys.executable, "-c", FLOOR, str(big), str(args.rows)])[:2])
        b_seconds = statistics.median(r[0] for r in b_rounds)
        e_seconds = statistics.median(r[0] for r in e_rounds)
        g_seconds = statistics.median(r[0] for r in g_rounds)
        b_peak = max(r[1] for r in b_rounds)  # memory: the worst round
        e_peak = max(r[1] for r in e_rounds)
        print(f"(c) koreanap validate, {args.small_rows:,} rows ...", flush=True)
        c_seconds, c_peak, c_errors = ours(small, tmp_path / "ours-small.json")
        print(f"(d) frictionless-py, {args.small_rows:,} rows ...", flush=True)
        d_seconds, d_peak, _ = timed([sys.executable, "-c", BASELINE,
                                      str(small / "datapackage.json"), str(out), *CHECKS])
        print(f"(f) koreanap validate --engine frictionless, {args.small_rows:,} rows ...",
              flush=True)
        f_seconds, f_peak, f_errors = ours(small, tmp_path / "slow-small.json",
                                           engine="frictionless")

    print(f"\nload average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{'run':52} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for label, seconds, peak, rows in (
            ("(a) frictionless-py, survey_results only", a_seconds, a_peak, args.rows),
            ("(b) koreanap validate, whole package", b_seconds, b_peak, args.rows),
            ("(e) pyarrow.csv.read_csv, typed, clean file", e_seconds, e_peak, args.rows),
            ("(g) the floor of (b): loading and reading, no rule", g_seconds,
             max(r[1] for r in g_rounds), args.rows),
            (f"(c) koreanap validate, {args.small_rows:,} rows", c_seconds, c_peak,
             args.small_rows),
            (f"(d) frictionless-py, {args.small_rows:,} rows", d_seconds, d_peak,
             args.small_rows),
            (f"(f) koreanap validate --engine frictionless, {args.small_rows:,}", f_seconds,
             f_peak, args.small_rows)):
        print(f"{label:52} {seconds:8.2f} {rows / seconds:10,.0f} {peak:9,}")
    print(f"(b), (e) and (g) are the medians of {len(b_rounds)} alternating rounds (peak: "
          "the largest); b/e by round: "
          + ", ".join(f"{b[0]:.2f}/{e[0]:.2f} s = {b[0] / e[0]:.1f}x"
                      for b, e in zip(b_rounds, e_rounds, strict=True))
          + "; g/e by round: "
          + ", ".join(f"{g[0] / e[0]:.1f}x" for g, e in zip(g_rounds, e_rounds, strict=True)))
    ratio = a_seconds / b_seconds
    print(f"\nspeed-up a/b: {ratio:.1f}x (target >= 15x)")
    print(f"b/e, koreanap validate against the typed pyarrow read: "
          f"{b_seconds / e_seconds:.1f}x (target <= 3x)")
    print(f"g/e, the floor of (b) (its loading and reading, no rule) against the typed read: "
          f"{g_seconds / e_seconds:.1f}x; the rules add b/g = {b_seconds / g_seconds:.2f}x")
    print(f"peak memory at {args.rows:,} rows: koreanap {b_peak} MiB, frictionless "
          f"{a_peak} MiB (target: koreanap <= frictionless)")
    times = args.rows // max(args.small_rows, 1)
    print(f"peak memory {args.rows:,} vs {args.small_rows:,} rows: koreanap {b_peak} vs "
          f"{c_peak} MiB (+{b_peak - c_peak}), frictionless {a_peak} vs {d_peak} MiB "
          f"(+{a_peak - d_peak}) for {times}x the rows")

    print(f"\n{'fault':15} {'row':>8}  {'rule':34} frictionless  koreanap")
    missed_a = faults.missed(injected, a_errors, engine=False)
    missed_b = faults.missed(injected, b_errors)
    for fault in injected:
        good = "found" if fault["rule"] else "clean"
        mark = [good if fault not in m else "MISSED" for m in (missed_a, missed_b)]
        if fault.get("engine_only"):
            mark[0] = "-"
        rule = fault["rule"] or f"(none on {fault['field']})"
        print(f"{fault['kind']:15} {fault['row']:8}  {rule:34} {mark[0]:12}  {mark[1]}")
    a_set = {(e["rule"], e["row"], e["field"]) for e in a_errors}
    b_set = {(e["rule"], e["row"], e["field"]) for e in b_errors
             if e["rule"] not in ENGINE_RULES}
    print(f"\nerrors: frictionless {len(a_set)}, koreanap {len(b_set)} (less its file rules); "
          f"same (rule, row, field) set: {a_set == b_set}")
    for extra, who in ((a_set - b_set, "only frictionless"), (b_set - a_set, "only koreanap")):
        for item in sorted(extra, key=str)[:10]:
            print(f"  {who}: {item}")
    c_list = sorted((e["rule"], e["row"] or 0, e["field"] or "", e["message"]) for e in c_errors)
    f_list = sorted((e["rule"], e["row"] or 0, e["field"] or "", e["message"]) for e in f_errors)
    missed_c = faults.missed(small_injected, c_errors)
    missed_f = faults.missed(small_injected, f_errors)
    print(f"two engines on {args.small_rows:,} rows: default {len(c_list)} errors, "
          f"frictionless {len(f_list)}; the very same errors (rule, row, field, message): "
          f"{c_list == f_list}; faults missed: default {len(missed_c)}, "
          f"frictionless {len(missed_f)}")
    for extra, who in ((set(c_list) - set(f_list), "only default"),
                       (set(f_list) - set(c_list), "only --engine frictionless")):
        for item in sorted(extra, key=str)[:10]:
            print(f"  {who}: {item}")
    ok = (not missed_a and not missed_b and a_set == b_set and c_list == f_list
          and not missed_c and not missed_f)
    print(f"faults missed: frictionless {len(missed_a)}, koreanap {len(missed_b)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
