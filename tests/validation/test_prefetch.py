"""A package's largest table is read from the moment the package opens (fast.Prefetch):
the same report, the file opened once, and no reading thread left behind."""
import json
import threading
from pathlib import Path

import pytest

from koreanap_validation import domains, fast
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


@pytest.fixture
def openings(monkeypatch):
    """Every table large enough to prefetch; records which table each reader was opened
    for and on which thread."""
    monkeypatch.setattr(fast, "PREFETCH_FROM", 1)
    seen: list[tuple[str, str]] = []
    original = fast._open_reader

    def recorded(resource, *args, **kwargs):
        seen.append((resource.name, threading.current_thread().name))
        return original(resource, *args, **kwargs)

    monkeypatch.setattr(fast, "_open_reader", recorded)
    return seen


def without_prefetch(folder: Path, monkeypatch, **options) -> dict:
    with monkeypatch.context() as m:
        m.setattr(fast, "PREFETCH_FROM", 1 << 62)
        return validate_package(folder, **options)


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
