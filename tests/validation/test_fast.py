"""The column-at-a-time path (validation/koreanap_validation/fast.py) finds what frictionless
finds, where."""
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from koreanap_validation import personal
from koreanap_validation.engine import validate_package

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import faults  # noqa: E402  (benchmarks/faults.py, shared with the benchmark)

PACKAGE = ROOT / "datapackages" / "food-contaminants"


def both(source, **options):
    """Validate with both engines; return (auto report, frictionless report)."""
    auto = validate_package(source, engine="auto", limit_errors=100_000, **options)
    slow = validate_package(source, engine="frictionless", limit_errors=100_000, **options)
    return auto, slow


def where(report):
    return sorted((e["rule"], e["resource"] or "", e["row"] or 0, e["field"] or "",
                   e["message"], e.get("value") or "") for e in report["errors"])


def engines(report):
    return {r["name"]: r["engine"] for r in report["resources"]}


@pytest.fixture(scope="module")
def faulty_survey(tmp_path_factory):
    """The food-contaminants package with 6,000 built survey rows and known faults."""
    folder = tmp_path_factory.mktemp("fc") / "food-contaminants"
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("survey_results.csv"))
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_food_contaminants.py"),
                    "--out", str(folder / "data"), "--rows", "6000", "--overwrite"],
                   check=True, capture_output=True)
    injected = faults.inject(folder / "data" / "survey_results.csv", per_kind=2)
    return folder, injected


def test_injected_faults_found_by_both_engines_at_the_same_rows(faulty_survey):
    """Every injected fault of every rule kind is reported at its row, identically by both paths."""
    folder, injected = faulty_survey
    auto, slow = both(folder)
    assert engines(auto)["survey_results"] == "fast"
    assert engines(slow)["survey_results"] == "frictionless"
    assert faults.missed(injected, auto["errors"]) == []
    assert faults.missed(injected, slow["errors"]) == []
    assert where(auto) == where(slow)
    assert {f["kind"] for f in injected} == set(faults.KINDS) | {faults.HEADER_FAULT["kind"]}


def test_vectorised_prefilter_loses_no_error(faulty_survey, monkeypatch):
    """The contaminant rule read only on the rows its column-wise pre-filter flags gives the
    very same errors and notes as reading every distinct row."""
    from koreanap_validation import fast
    folder, _ = faulty_survey
    filtered = validate_package(folder, limit_errors=100_000)
    monkeypatch.setattr(fast, "PREFILTER", False)
    every = validate_package(folder, limit_errors=100_000)
    assert where(filtered) == where(every)
    assert filtered["notes"] == every["notes"]
    assert {e["rule"] for e in filtered["errors"]} >= {
        "koreanap-contaminant-lod-loq", "koreanap-contaminant-detection",
        "koreanap-contaminant-unit", "koreanap-contaminant-exceedance"}


def test_limit_errors_keeps_the_first_rows(faulty_survey):
    """With an error limit both paths keep the same first errors and mark the table partial."""
    folder, _ = faulty_survey
    auto = validate_package(folder, limit_errors=5)
    slow = validate_package(folder, limit_errors=5, engine="frictionless")
    assert [e["row"] for e in auto["errors"]] == [e["row"] for e in slow["errors"]]
    # the limit counts the table's errors; the header's own error (row 1) comes first
    assert [e["rule"] for e in auto["errors"]][:1] == ["koreanap-header"]
    assert len(auto["errors"]) == 5 + 1
    assert {r["name"]: r["partial"] for r in auto["resources"]}["survey_results"] is True
    # stopping early also stops the thread that reads batches ahead
    assert not [t for t in threading.enumerate() if t.name == "koreanap-read-ahead"]


def test_keys_sorted_in_runs_over_many_batches_find_the_same_duplicates(faulty_survey,
                                                                        monkeypatch):
    """Read in ~40 small batches, the key hashes are sorted in runs of three batches by
    their own threads: the duplicate keys (across runs, within one, in the unsorted rest)
    are those frictionless finds."""
    from koreanap_validation import fast
    folder, injected = faulty_survey
    slow = validate_package(folder, engine="frictionless", limit_errors=100_000)
    monkeypatch.setattr(fast, "BATCH_BYTES", 16 << 10)
    monkeypatch.setattr(fast, "RUN_BATCHES", 3)
    started = []
    sort = fast._KeyHashes._sort
    monkeypatch.setattr(fast._KeyHashes, "_sort",
                        lambda self, slot, run: (started.append(len(run)), sort(self, slot, run)))
    auto = validate_package(folder, engine="auto", limit_errors=100_000)
    assert engines(auto)["survey_results"] == "fast"
    assert len(started) >= 10  # the runs were sorted by their threads
    assert where(auto) == where(slow)
    keys = [e for e in auto["errors"] if e["rule"] == "primary-key"
            and e["resource"] == "survey_results"]
    assert len(keys) >= 2
    assert not [t for t in threading.enumerate() if t.name == "koreanap-key-sort"]


def test_key_hashes_repeated_whatever_the_runs():
    """The repeated hashes are found exactly, 0 ("no key") aside, whether the runs were
    sorted by their threads, one could not be (then all are sorted at once), or none began."""
    import numpy as np

    from koreanap_validation import fast

    rng = np.random.default_rng(14)
    chunks = [rng.integers(1, 2**63, 1000, dtype=np.int64).view(np.uint64) for _ in range(11)]
    chunks[0][5] = chunks[9][7]  # across runs
    chunks[3][1] = chunks[4][2]  # within a run
    chunks[10][0] = chunks[10][1]  # in the unsorted rest
    chunks[2][0] = chunks[6][0] = 0  # no key, twice
    expected = sorted({int(chunks[9][7]), int(chunks[4][2]), int(chunks[10][1])})

    def repeated(failing: bool, run_batches: int) -> list[int]:
        hashes = fast._KeyHashes()
        if failing:  # as when a run's sort raises MemoryError: it keeps no sorted run
            hashes._sort = lambda slot, run: None
        for chunk in chunks:
            hashes.append(chunk.copy())
        return sorted(int(h) for h in hashes.repeated())

    for failing in (False, True):
        for run_batches in (1, 4, 20):
            fast.RUN_BATCHES, saved = run_batches, fast.RUN_BATCHES
            try:
                assert repeated(failing, run_batches) == expected, (failing, run_batches)
            finally:
                fast.RUN_BATCHES = saved
    assert len(fast._KeyHashes().repeated()) == 0


@pytest.mark.parametrize("count", [0, 1, 64, 65, 3000])
def test_hashes_among_the_repeated_ones_whatever_their_count(count):
    """The membership test of the repeated hashes gives numpy's isin answer, few or many."""
    import numpy as np

    from koreanap_validation import fast

    rng = np.random.default_rng(count)
    hashes = rng.integers(0, 2**64, 20_000, dtype=np.uint64)
    repeated = np.sort(np.concatenate([rng.choice(hashes, count),
                                       rng.integers(0, 2**64, count, dtype=np.uint64)]))
    if count:
        repeated[-1] = np.iinfo(np.uint64).max  # past every hash: searchsorted's end
    assert (fast._among(hashes, repeated) == np.isin(hashes, repeated)).all()


def test_invalid_small_table_and_faulty_survey_same_report_order(faulty_survey, tmp_path):
    """A package with an invalid small table (a key both referenced and repeated, a cell
    against its pattern, a missing required cell) and a faulted survey gets, from both
    engines, the very same errors in the same order, the same notes and the same verdict."""
    folder = tmp_path / "food-contaminants"
    shutil.copytree(faulty_survey[0], folder)
    with (folder / "data" / "food_groups.csv").open("a", encoding="utf-8") as fh:
        fh.write("FG01,중복,Duplicate\nFG1X,패턴,Against the pattern\nFG98,,\n")
    auto, slow = both(folder)
    assert engines(auto)["survey_results"] == "fast"
    shown = [(e["rule"], e["resource"], e["row"], e["field"], e["message"])
             for e in auto["errors"]]
    assert shown == [(e["rule"], e["resource"], e["row"], e["field"], e["message"])
                     for e in slow["errors"]]
    assert auto["notes"] == slow["notes"]
    assert auto["valid"] is slow["valid"] is False
    # the small table's errors come first, in its place among the resources
    food_groups = [i for i, e in enumerate(auto["errors"]) if e["resource"] == "food_groups"]
    survey = [i for i, e in enumerate(auto["errors"]) if e["resource"] == "survey_results"]
    assert food_groups and survey and max(food_groups) < min(survey)


SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True}},
        {"name": "code", "type": "string", "constraints": {"required": True}},
        {"name": "note", "type": "string"},
        {"name": "flag", "type": "string", "koreanap:domain": "yn"},
        {"name": "when", "type": "date"},
    ],
    "primaryKey": ["code", "flag"],
}


def package(folder: Path, text: str, schema=SCHEMA) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.csv").write_bytes(text.encode("utf-8"))
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "p", "resources": [{"name": "t", "path": "t.csv", "format": "csv",
                                    "schema": schema}]}), encoding="utf-8")
    return folder


CASES = {
    "types-and-constraints": "id,code,note,flag,when\n1,A,,Y,2020-01-01\nx,,,y,2020-02-30\n",
    "unique-on-parsed-values": "id,code,note,flag,when\n1,A,,Y,\n01,B,,Y,\n2,C,,N,\n2,D,,N,\n",
    "primary-key-and-none": ("id,code,note,flag,when\n1,A,,Y,\n2,A,,Y,\n3,,,,\n4,A,,N,\n"
                             "5,,,,\n"),
    "blank-row": "id,code,note,flag,when\n1,A,,Y,\n,,,,\n2,B,,N,\n",
    "quoted-newline": 'id,code,note,flag,when\n1,A,"two\nlines 010-2345-6789",Y,\n2,B,x,N,\n',
    "korean-and-full-width": ("id,code,note,flag,when\n1,A,연락처 ０１０-２３４５-６７８９,Y,\n"
                              "2,B,메일 kim@example.org,N,\n3,C,주민 711231-1234564,N,\n"),
    "empty-line": "id,code,note,flag,when\n1,A,,Y,\n\n2,B,,N,\n",
    "bom": "\ufeffid,code,note,flag,when\n1,A,,Y,\n1,B,,Q,\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_small_tables_same_errors_both_engines(tmp_path, case):
    """Edge cases (parsed-value keys, blank rows, quoted newlines, Unicode digits, BOM) match."""
    folder = package(tmp_path / case, CASES[case])
    auto, slow = both(folder)
    assert engines(auto)["t"] == "fast"
    assert where(auto) == where(slow)
    assert auto["errors"], "each case holds at least one error"


NUMERIC_SCHEMA = {"fields": [
    {"name": "amount", "type": "number", "koreanap:domain": "amount"},
    {"name": "count", "type": "integer", "koreanap:domain": "count"},
    {"name": "share", "type": "number", "koreanap:domain": "rate"},
    {"name": "lat", "type": "number", "koreanap:domain": "latitude"},
    {"name": "lon", "type": "number", "koreanap:domain": "longitude"},
    {"name": "rate_text", "type": "string", "koreanap:domain": "rate"},
]}
# values on, just inside and just outside each domain's bounds, non-finite
# numbers, missing and full-width cells, and too many digits for a float
NUMERIC_ROWS = [
    "0,0,0,33.0,124.5,0", "-0,-0,100,38.7,131.9,100", "-0.0,1,100.0000000000000000001,"
    "38.70000000000000000001,131.9000000000000000001,100.5", "1e-400,-1,-1e-400,32.99,"
    "124.49,-1", "NaN,nan,Infinity,-Infinity,inf,NaN", "4.2,2.0,50,37.5,127.0,５０",
    ",,,,,", "1e400,99999999999999999999999999,1e-5,33.000000000000000001,124.5,x",
    "0.5,3,99.99999999999999999999,38.699999999999999999,131.89999999999999999,99",
]


def test_numeric_domain_prefilter_loses_no_error(tmp_path, monkeypatch):
    """Numeric domains read column-wise (only rows outside each domain's open range go to
    the rule) give the same errors as frictionless and as reading every value, on and
    around the bounds."""
    from koreanap_validation import fast
    text = "amount,count,share,lat,lon,rate_text\n" + "\n".join(NUMERIC_ROWS) + "\n"
    folder = package(tmp_path / "n", text, NUMERIC_SCHEMA)
    auto, slow = both(folder)
    assert engines(auto)["t"] == "fast"
    assert where(auto) == where(slow)
    monkeypatch.setattr(fast, "PREFILTER", False)
    assert where(validate_package(folder, limit_errors=100_000)) == where(auto)
    flagged = {(e["row"], e["field"]) for e in auto["errors"]
               if e["rule"] == "koreanap-value-domain"}
    assert (4, "share") in flagged and (4, "lat") in flagged and (2, "lat") not in flagged


PLAIN_SCHEMA = {"fields": [
    {"name": "level", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
    {"name": "year", "type": "integer", "constraints": {"minimum": 2018, "maximum": 2020}},
    {"name": "tenth", "type": "number", "constraints": {"minimum": 0.1}},
    {"name": "free", "type": "number", "floatNumber": True},
    {"name": "code", "type": "string", "constraints": {"pattern": "FG[0-9]{2}"}},
    {"name": "digits", "type": "string", "constraints": {"pattern": "\\d+"}},
    {"name": "kind", "type": "string", "constraints": {"enum": ["A", "B"]}},
], "missingValues": ["", "-", "0"]}
# cells on and around the bounds, text only one of pyarrow and Python reads
# as a number, missing values ("0" among them), and cells that match a pattern
# in Python but not in RE2 (a trailing newline) or the other way (\d, Unicode)
PLAIN_CELLS = {
    "level": ["0", "-0", "0.0", "1e-400", "-1e-400", "100", "99.99999999999999999999",
              "100.00000000000000000001", "1.", ".5", "+1", " 1", "1_000", "１", "NaN",
              "1e999", "-", "100.0", "abc"],
    "year": ["2018", "2017", "2019.0", "+2019", "02019", "1e3", "2020", "2021", " 2019", "0"],
    "tenth": ["0.1", "0.10000000000000000001", "0.09999999999999999999", "1", "0.1e0"],
    "free": ["1.5", "1e400", "-0", "x", "0.30000000000000000001"],
    "code": ["FG01", '"FG02\n"', "FG1", "fg01", "FG٠١", "-", "0"],
    "digits": ["123", "١٢٣", "12a", '"12\n"'],
    "kind": ["A", "B", "C", "a", "-"],
}


def test_column_wise_readings_match_frictionless(tmp_path, monkeypatch):
    """Plain number and string columns read with pyarrow (bounds, missing values, patterns
    RE2 and Python read differently) give frictionless' errors, also with every column read
    column-wise (as a column with many distinct values is)."""
    from koreanap_validation import fast
    names = [f["name"] for f in PLAIN_SCHEMA["fields"]]
    rows = []
    for turn in range(max(len(v) for v in PLAIN_CELLS.values()) * 3):
        rows.append(",".join(PLAIN_CELLS[n][(turn + i) % len(PLAIN_CELLS[n])]
                             for i, n in enumerate(names)))
    folder = package(tmp_path / "plain", ",".join(names) + "\n" + "\n".join(rows) + "\n",
                     PLAIN_SCHEMA)
    monkeypatch.setattr(fast, "VECTOR_FROM", 0)
    auto, slow = both(folder)
    assert engines(auto)["t"] == "fast"
    assert where(auto) == where(slow)
    failed = {(e["field"], e["value"]) for e in auto["errors"]}
    assert ("level", "100.00000000000000000001") in failed and ("year", "2021") in failed
    assert ("level", "100.0") not in failed
    assert ("tenth", "0.09999999999999999999") in failed and ("digits", "12a") in failed
    assert ("code", "FG02\n") not in failed and ("digits", "١٢٣") not in failed


@pytest.mark.parametrize("text,reason", [
    ("id,code,note,flag,when\n1,A,,Y,,extra\n2,B,,N,\n", "an extra cell"),
    ("id,code,note,flag,when\n1,A,,Y\n", "a missing cell"),
    ("id,code,flag,note,when\n1,A,Y,,\n", "a header unlike the schema"),
])
def test_irregular_tables_fall_back_to_frictionless(tmp_path, text, reason):
    """A table pyarrow cannot read as the schema says is validated row by row instead."""
    folder = package(tmp_path / "p", text)
    auto, slow = both(folder)
    assert engines(auto)["t"] == "frictionless", reason
    assert where(auto) == where(slow)
    assert auto["errors"], reason


def test_user_checklist_uses_frictionless(tmp_path):
    """A caller's checklist may hold any check, so it is run row by row."""
    folder = package(tmp_path / "p", "id,code,note,flag,when\n1,A,,Y,\n")
    report = validate_package(folder, checklist={"checks": [{"type": "koreanap-value-domain"}]})
    assert engines(report)["t"] == "frictionless"


@pytest.mark.parametrize("text", [
    "711231-1234564", "7112311234564", "010-2345-6789", "01023456789", "+82-10-2345-6789",
    "02-123-4567", "kim.min@example.org", "연락 010 2345 6789",
    "x\x0b010-2345-6789", "주민번호 711231 - 1234564",
    "kim@우리기관.kr", "홍길동@example.kr", "７１１２３１－１２３４５６４", "750101-5000009",
])
def test_candidate_pattern_matches_all_personal_data(text):
    """Every text the Python search finds personal data in matches the RE2 pre-filter."""
    assert personal.find_personal_data(text), "the example holds personal data"
    matched = pc.match_substring_regex(pa.array([text]), personal.CANDIDATE_PATTERN)
    assert matched[0].as_py() is True


@pytest.mark.parametrize("value", ["1012345678", "212345678", "501013234566",
                                   "7112311234564", "１０１２３４５６７８"])
def test_number_candidate_pattern_matches_numbers_holding_personal_data(value):
    """Every integer cell find_in_number reports matches the number columns' pre-filter."""
    assert personal.find_in_number(int(value), hints=["phone", "rrn"])
    matched = pc.match_substring_regex(pa.array([value]), personal.NUMBER_CANDIDATE_PATTERN)
    assert matched[0].as_py() is True


def test_the_fast_path_does_not_import_pyarrow_compute(tmp_path):
    """Importing pyarrow.compute costs ~0.04 s of every run: the fast path calls pyarrow's
    function registry instead (kernels.py), also for a duplicate key and plain numbers."""
    folder = tmp_path / "p"
    folder.mkdir()
    rows = "".join(f"{n},{n / 4},A{n % 300:03d}\n" for n in range(1, 700)) + "5,1.5,B1\n,-,A001\n"
    (folder / "t.csv").write_text("id,v,code\n" + rows, encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "t.csv", "format": "csv", "schema": {
            "fields": [{"name": "id", "type": "integer"},
                       {"name": "v", "type": "number", "constraints": {"minimum": 0}},
                       {"name": "code", "type": "string", "constraints": {"pattern": "A[0-9]{3}"}}],
            "primaryKey": ["id"], "missingValues": ["", "-"]}}]}), encoding="utf-8")
    code = (
        "import sys\n"
        "from koreanap_validation import fast\n"
        "from koreanap_validation.engine import validate_package\n"
        "fast.VECTOR_FROM = 0\n"
        f"report = validate_package({str(folder)!r})\n"
        "import json\n"
        "print(json.dumps([report['resources'][0]['engine'],"
        " sorted({e['rule'] for e in report['errors']}), 'pyarrow.compute' in sys.modules]))\n")
    engine, rules, imported = json.loads(subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert engine == "fast"
    assert {"primary-key", "constraint-error"} <= set(rules)
    assert imported is False
