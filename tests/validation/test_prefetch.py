"""A package's largest table is read from the moment the package opens (fast.Prefetch),
or from before the rules load (readahead.start_early, as ``koreanap validate`` does):
the same report, the file opened once, and no reading thread left behind."""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from koreanap_client.console import main
from koreanap_validation import domains, fast, readahead
from koreanap_validation.engine import validate_package
from koreanap_validation.internal import RuleCannotRun

FIELDS = [{"name": "id", "type": "integer", "constraints": {"unique": True}},
          {"name": "flag", "type": "string", "koreanap:domain": "yn"},
          {"name": "note", "type": "string"}]
SMALL = "id,flag,note\n1,Y,\n2,N,\n"
# larger than SMALL, with a duplicate key, a value outside the domain and personal data
BIG = "id,flag,note\n" + "".join(
    f"{n},{'Y' if n % 7 else 'X'},{'010-2345-6789' if n == 40 else ''}\n"
    for n in range(1, 200)) + "5,N,\n"


def write(folder: Path, big: bytes = BIG.encode("utf-8"), big_fields: list = FIELDS) -> Path:
    """Two tables: ``small`` first, then ``big`` (the one prefetched)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.csv").write_text(SMALL, encoding="utf-8")
    (folder / "big.csv").write_bytes(big)
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "small", "path": "small.csv", "format": "csv", "schema": {"fields": FIELDS}},
        {"name": "big", "path": "big.csv", "format": "csv",
         "schema": {"fields": big_fields}}]}), encoding="utf-8")
    return folder


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "koreanap-read-ahead"]


class Openings(list):
    """(table, thread) of each reader opened (a table is its file's stem); ``early``:
    those opened by a reading readahead.start_early started."""

    def __init__(self) -> None:
        super().__init__()
        self.early: list[tuple[str, str]] = []


@pytest.fixture
def openings(monkeypatch):
    """Every table large enough to prefetch; records the readers opened."""
    monkeypatch.setattr(readahead, "PREFETCH_FROM", 1)
    seen = Openings()
    original = readahead.open_reader

    def recorder(*lists):
        def recorded(path, *args, **kwargs):
            for found in lists:
                found.append((Path(path).stem, threading.current_thread().name))
            return original(path, *args, **kwargs)
        return recorded

    monkeypatch.setattr(readahead, "open_reader", recorder(seen, seen.early))
    monkeypatch.setattr(fast, "open_reader", recorder(seen))
    return seen


def without_prefetch(folder: Path, monkeypatch, **options) -> dict:
    with monkeypatch.context() as m:
        m.setattr(readahead, "PREFETCH_FROM", 1 << 62)
        return validate_package(folder, **options)


def early_reading(folder: Path) -> tuple[dict, readahead.EarlyRead | None]:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor, readahead.start_early(descriptor, str(folder))


def test_the_largest_table_is_read_ahead_once_with_the_same_report(tmp_path, openings,
                                                                     monkeypatch):
    folder = write(tmp_path / "p")
    report = validate_package(folder)
    assert {r["name"]: r["engine"] for r in report["resources"]} == {"small": "fast",
                                                                      "big": "fast"}
    # the big table opened once, by the read-ahead thread; the small one as before
    assert openings == [("big", "koreanap-read-ahead"), ("small", "MainThread")]
    assert not readers()
    assert report == without_prefetch(folder, monkeypatch)
    rules = {(e["rule"], e["row"]) for e in report["errors"]}
    assert {("unique-error", 201), ("koreanap-value-domain", 8),
            ("koreanap-personal-data", 41)} <= rules
    slow = validate_package(folder, engine="frictionless")
    assert sorted(map(str, slow["errors"])) == sorted(map(str, report["errors"]))


@pytest.fixture
def encoding_checks(monkeypatch):
    """(table, thread) of each encoding check: beside a reading, or the engine's own."""
    from koreanap_validation import engine

    seen: list[tuple[str, str]] = []

    def recorder(original):
        def recorded(path):
            seen.append((Path(path).stem, threading.current_thread().name))
            return original(path)
        return recorded

    monkeypatch.setattr(readahead, "check_encoding", recorder(readahead.check_encoding))
    monkeypatch.setattr(engine, "check_encoding", recorder(engine.check_encoding))
    return seen


@pytest.mark.parametrize("early", [False, True])
def test_the_read_table_is_checked_for_utf8_beside_its_reading(tmp_path, openings,
                                                               encoding_checks, monkeypatch,
                                                               early):
    """The prefetched table's encoding is checked once, in a thread of its own (started
    with the early reading when there is one); the report is the same."""
    folder = write(tmp_path / "p")
    if early:
        descriptor, started = early_reading(folder)
        report = validate_package(descriptor, basepath=str(folder), early=started)
    else:
        report = validate_package(folder)
    assert encoding_checks == [("big", "koreanap-encoding-check"), ("small", "MainThread")]
    assert report == without_prefetch(folder, monkeypatch)


def test_a_table_changed_to_cp949_after_the_early_start_is_checked_again(
        tmp_path, openings, encoding_checks, monkeypatch):
    folder = write(tmp_path / "p")
    descriptor, early = early_reading(folder)
    (folder / "big.csv").write_bytes((BIG + "9,Y,한글\n").encode("cp949"))
    report = validate_package(descriptor, basepath=str(folder), early=early)
    assert [e["encoding"] for e in report["errors"] if e["rule"] == "koreanap-encoding"] \
        in (["cp949"], ["euc-kr"])
    # the early check read the old file; the table's own prefetch checked the new one
    assert encoding_checks.count(("big", "koreanap-encoding-check")) == 2
    assert report == without_prefetch(folder, monkeypatch)


def test_an_encoding_check_hands_over_what_it_raised(tmp_path):
    check = readahead.EncodingCheck(str(tmp_path / "missing.csv"))
    with pytest.raises(FileNotFoundError):
        check.result()


def test_a_table_the_thread_cannot_read_falls_back_to_frictionless(tmp_path, openings,
                                                                    monkeypatch):
    """A header unlike the schema: the thread's opening refuses it, frictionless reads it."""
    folder = write(tmp_path / "p", big=BIG.replace("id,flag,note", "id,note,flag").encode())
    report = validate_package(folder)
    assert {r["name"]: r["engine"] for r in report["resources"]}["big"] == "frictionless"
    assert ("big", "koreanap-read-ahead") in openings
    assert not readers()
    assert report == without_prefetch(folder, monkeypatch)


def test_a_table_not_in_utf8_is_reported_as_before(tmp_path, openings, monkeypatch):
    folder = write(tmp_path / "p", big=(BIG + "9,Y,한글\n").encode("cp949"))
    report = validate_package(folder)
    assert "koreanap-encoding" in {e["rule"] for e in report["errors"]}
    assert not readers()
    assert report == without_prefetch(folder, monkeypatch)


def test_a_changed_dialect_is_not_read_with_the_prefetched_reader(tmp_path, openings,
                                                                    monkeypatch):
    """What the reader was opened with changed before the table's turn: it is opened again."""
    folder = write(tmp_path / "p")
    original = fast.Prefetch.__init__

    def then_change(self, resource, *args, **kwargs):
        original(self, resource, *args, **kwargs)
        resource.schema.get_field("note").name = "remark"  # the header no longer matches

    monkeypatch.setattr(fast.Prefetch, "__init__", then_change)
    report = validate_package(folder)
    assert openings.count(("big", "MainThread")) == 1  # opened again, and refused
    assert {r["name"]: r["engine"] for r in report["resources"]}["big"] == "frictionless"
    assert not readers()


def test_no_thread_is_left_when_a_rule_fails(tmp_path, openings, monkeypatch):
    def explode(value, _codelist):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(domains.DOMAINS, "yn", explode)
    with pytest.raises(RuleCannotRun):
        validate_package(write(tmp_path / "p"))
    assert ("big", "koreanap-read-ahead") in openings
    assert not readers()


@pytest.mark.parametrize("options", [{"engine": "frictionless"}, {"limit_rows": 10},
                                     {"checklist": {"checks": []}}])
def test_no_prefetch_when_the_fast_path_is_not_used(tmp_path, openings, options):
    validate_package(write(tmp_path / "p"), **options)
    assert not openings
    assert not readers()


def test_an_early_reading_is_taken_over_with_the_same_report(tmp_path, openings,
                                                             monkeypatch):
    folder = write(tmp_path / "p")
    descriptor, early = early_reading(folder)
    assert early is not None
    report = validate_package(descriptor, basepath=str(folder), early=early)
    # the big table opened once, by the early reading; no second opening for the prefetch
    assert openings == [("big", "koreanap-read-ahead"), ("small", "MainThread")]
    assert openings.early == [("big", "koreanap-read-ahead")]
    assert not readers()
    assert report == without_prefetch(folder, monkeypatch)


def test_an_early_reading_of_a_file_changed_since_is_not_used(tmp_path, openings,
                                                              monkeypatch):
    folder = write(tmp_path / "p")
    descriptor, early = early_reading(folder)
    big = folder / "big.csv"
    big.write_text(big.read_text(encoding="utf-8") + "300,X,\n", encoding="utf-8")
    stat = big.stat()
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later time for sure
    report = validate_package(descriptor, basepath=str(folder), early=early)
    # the early reading, then the prefetch's own
    assert openings == [("big", "koreanap-read-ahead")] * 2 + [("small", "MainThread")]
    assert openings.early == [("big", "koreanap-read-ahead")]
    assert ("koreanap-value-domain", 202) in {(e["rule"], e["row"]) for e in report["errors"]}
    assert not readers()
    assert report == without_prefetch(folder, monkeypatch)


def test_an_early_reading_is_closed_when_frictionless_reads_every_table(tmp_path, openings):
    folder = write(tmp_path / "p")
    descriptor, early = early_reading(folder)
    report = validate_package(descriptor, basepath=str(folder), early=early,
                              engine="frictionless")
    assert {r["engine"] for r in report["resources"]} == {"frictionless"}
    assert not readers()


@pytest.mark.parametrize("change", [
    {"dialect": {"delimiter": ";"}},  # left to the engine, which reads dialects
    {"path": "../p/{name}.csv"},  # outside the package
    {"path": "/tmp/{name}.csv"},
    {"path": "https://example.org/{name}.csv"},
    {"encoding": "cp949"},
    {"format": "tsv"},
    {"schema": "schema.json"},  # not inline
])
def test_no_early_reading_of_what_it_does_not_read_as_the_engine_would(tmp_path, openings,
                                                                       change):
    folder = write(tmp_path / "p")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:  # each large enough here
        resource.update({key: value.replace("{name}", resource["name"])
                         if isinstance(value, str) else value
                         for key, value in change.items()})
    assert readahead.start_early(descriptor, str(folder)) is None
    assert not openings


def test_the_command_reads_the_largest_table_before_the_rules_load(tmp_path, openings,
                                                                    monkeypatch):
    import koreanap_client.console as console

    folder = write(tmp_path / "p")
    steps: list[str] = []
    started, loading = readahead.start_early, console._rules_loading

    def start(*args, **kwargs):
        steps.append("reading started")
        return started(*args, **kwargs)

    def load():
        steps.append("rules loaded")
        return loading()

    monkeypatch.setattr(readahead, "start_early", start)
    monkeypatch.setattr(console, "_rules_loading", load)
    result = CliRunner().invoke(main, ["validate", str(folder), "--format", "json",
                                       "--metadata", "off"])
    assert result.exit_code == 1, result.output
    assert steps == ["reading started", "rules loaded"]
    assert openings.early == [("big", "koreanap-read-ahead")]
    assert openings == [("big", "koreanap-read-ahead"), ("small", "MainThread")]
    assert not readers()
    assert json.loads(result.stdout) == without_prefetch(folder, monkeypatch)


def test_what_runs_before_the_rules_load_imports_no_frictionless():
    """The command's input checks and early reading run while the rules are not loaded."""
    code = ("import sys, koreanap_validation.inputs, koreanap_validation.internal, "
            "koreanap_validation.readahead; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('frictionless', 'attrs')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("taken, batch_bytes", [("all", readahead.BATCH_BYTES),
                                                 ("one", 4096)])
def test_a_reader_left_open_is_closed_when_python_ends(tmp_path, taken, batch_bytes):
    """A program that reads a table to its end (or one batch of it) and never
    closes the reader still ends normally: its reading thread is stopped
    before Python's, not killed inside pyarrow's reader (which aborted it:
    "terminate called without an active exception", exit 134)."""
    table = tmp_path / "t.csv"
    table.write_text("id,flag,note\n" + "".join(f"{n},Y,x\n" for n in range(1000)),
                     encoding="utf-8")
    code = ("import sys\n"
            "from koreanap_validation import readahead\n"
            "ahead = readahead.ReadAhead(lambda: readahead.open_reader(\n"
            "    sys.argv[1], ['id', 'flag', 'note'], ',', '\"', int(sys.argv[3]))[0],\n"
            "    depth=4)\n"
            "rows = 0\n"
            "while True:\n"
            "    try:\n"
            "        rows += ahead.next().num_rows\n"
            "    except StopIteration:\n"
            "        break  # and Python ends at once, as the reader frees itself\n"
            "    print(rows, flush=True)\n"
            "    if sys.argv[2] == 'one':\n"
            "        break\n")
    for _ in range(5):  # it aborted in most runs, not all (a race with Python's end)
        done = subprocess.run([sys.executable, "-c", code, str(table), taken,
                               str(batch_bytes)], capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, "")
        rows = int(done.stdout.split()[-1])
        assert rows == 1000 if taken == "all" else 0 < rows < 1000


def test_the_readers_left_open_are_closed_at_exit(tmp_path):
    """What Python runs at its end (atexit) stops and joins every reading
    thread still open: one that handed over its end, one waiting to hand over
    its next batch."""
    table = tmp_path / "t.csv"
    table.write_text("id,flag,note\n" + "".join(f"{n},Y,x\n" for n in range(50)),
                     encoding="utf-8")

    def reader():
        return readahead.open_reader(str(table), ["id", "flag", "note"], ",", '"')[0]

    drained, waiting, closed = (readahead.ReadAhead(reader) for _ in range(3))
    with pytest.raises(StopIteration):
        while True:
            drained.next()
    closed.close()
    assert {drained, waiting} <= set(readahead._OPEN)
    readahead._close_open()
    assert not drained._thread.is_alive() and not waiting._thread.is_alive()
