"""The ``koreanap validate`` and ``koreanap fix-encoding`` commands and their safe input handling.

Exit codes (as in ``koreanap validate --help``): 0 valid; 1 invalid or
malformed/unsafe package; 2 usage or unreadable input.
"""
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from koreanap_client.console import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "command"
SCHEMA = FIXTURES / "schema.json"
PACKAGES = ["cultural-heritage-3d", "food-contaminants", "ogp-nap4-commitments",
            "priority-datasets"]
PHONE = "010-1234-5678"


def run(*args):
    """Run the command in-process; stdout and stderr kept apart."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def write_package(folder: Path, resources: list, files: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "test-package", "resources": resources}), encoding="utf-8")
    return folder


def faulty_package(tmp_path: Path) -> Path:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    rows = ("id,name,flag\n1,가,Y\n2,전화 " + PHONE + ",N\n3,다,<script>alert(1)</script>\n")
    return write_package(tmp_path / "faulty", [
        {"name": "people", "path": "data/people.csv", "format": "csv", "schema": schema}],
        {"data/people.csv": rows})


# -- real packages ----------------------------------------------------------

@pytest.mark.parametrize("name", PACKAGES)
def test_real_package_is_valid(name):
    """Each of the four data packages validates with exit 0 and a VALID summary."""
    result = run("validate", REPO / "datapackages" / name)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("VALID")


def test_real_package_by_descriptor_path():
    """A datapackage.json path works as well as its folder."""
    result = run("validate", REPO / "datapackages/ogp-nap4-commitments/datapackage.json")
    assert result.exit_code == 0


def test_no_ckan_imported():
    """The validate path runs without importing ckan (publishers have no CKAN)."""
    code = ("import sys; from click.testing import CliRunner;"
            "from koreanap_client.console import main;"
            f"r = CliRunner().invoke(main, ['validate', {str(FIXTURES / 'good.csv')!r},"
            f" '--schema', {str(SCHEMA)!r}]);"
            "assert r.exit_code == 0, r.output;"
            "bad = [m for m in sys.modules if m == 'ckan' or m.startswith('ckan.')];"
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_entry_point_subprocess():
    """The installed koreanap script validates a CSV with --schema (exit 0)."""
    exe = Path(sys.executable).parent / "koreanap"
    proc = subprocess.run([exe, "validate", FIXTURES / "good.csv", "--schema", SCHEMA],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "VALID" in proc.stdout


def _program(*args, **kwargs):
    """The ``koreanap`` program as installed (``cli``: it ends without Python's teardown)."""
    return subprocess.run([sys.executable, "-c",
                           "from koreanap_client.console import cli; cli()", *map(str, args)],
                          capture_output=True, text=True, **kwargs)


def test_the_program_ends_with_the_commands_exit_code_and_all_its_output(tmp_path):
    """Exit codes 0, 1 and 2 as documented, and a report too large for a pipe's buffer
    arrives whole on standard output and in an --output file."""
    assert _program("validate", FIXTURES / "good.csv", "--schema", SCHEMA).returncode == 0
    folder = faulty_package(tmp_path)
    rows = "".join(f"{n},전화 {PHONE},N\n" for n in range(4, 3000))
    with (folder / "data" / "people.csv").open("a", encoding="utf-8") as fh:
        fh.write(rows)
    proc = _program("validate", folder, "--format", "json", "--limit-errors", "10000")
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout) > 1 << 16  # larger than a pipe's buffer
    assert len(json.loads(proc.stdout)["errors"]) == 2998
    out = tmp_path / "report.json"
    proc = _program("validate", folder, "--format", "json", "--limit-errors", "10000",
                    "--output", out)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        _program("validate", folder, "--format", "json", "--limit-errors", "10000").stdout)
    proc = _program("validate", tmp_path / "missing")
    assert proc.returncode == 2
    assert proc.stderr.startswith("koreanap: error: ")
    assert _program("--version").stdout.startswith("koreanap, version ")


# -- a package with known faults ----------------------------------------------

def test_faulty_package_text(tmp_path):
    """Text report: rules grouped with counts, row and field, masked phone, raw absent; exit 1."""
    result = run("validate", faulty_package(tmp_path))
    assert result.exit_code == 1
    out = result.stdout
    assert "koreanap-personal-data: 1 error" in out
    assert "koreanap-value-domain: 1 error" in out
    assert 'resource "people", row 3, field "name"' in out
    assert 'row 4, field "flag"' in out
    assert "010-****-5678" in out
    assert PHONE not in out
    assert out.strip().splitlines()[-1].startswith("INVALID: 2 errors in 2 rules")


def test_faulty_package_json(tmp_path):
    """JSON report parses, has the documented keys and the masked value only."""
    result = run("validate", faulty_package(tmp_path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"version", "valid", "errors", "counts", "notes", "resources",
                           "metadata"}
    assert report["version"] == 1 and report["valid"] is False
    assert report["counts"] == {"koreanap-personal-data": 1, "koreanap-value-domain": 1}
    for error in report["errors"]:
        assert set(error) >= {"rule", "resource", "row", "field", "message", "value"}
    personal = [e for e in report["errors"] if e["rule"] == "koreanap-personal-data"][0]
    assert (personal["resource"], personal["row"], personal["field"]) == ("people", 3, "name")
    assert "010-****-5678" in personal["value"]
    assert PHONE not in result.stdout
    assert report["resources"][0]["rows"] == 3


def test_faulty_package_html_escaped(tmp_path):
    """HTML report is one page with rule, row, masked value, and <script> escaped."""
    out_file = tmp_path / "report.html"
    result = run("validate", faulty_package(tmp_path), "--format", "html",
                 "--output", out_file)
    assert result.exit_code == 1
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "koreanap-value-domain" in page and "010-****-5678" in page
    assert "<td><code>4</code></td>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert PHONE not in page
    assert "INVALID" in result.stderr  # the summary still reaches the terminal


def test_max_examples(tmp_path):
    """--max-examples limits the examples per rule and says how many more."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    rows = "id,name,flag\n" + "".join(f"{i},x,Q\n" for i in range(1, 8))
    folder = write_package(tmp_path / "p", [
        {"name": "t", "path": "t.csv", "schema": schema}], {"t.csv": rows})
    result = run("validate", folder, "--max-examples", "2")
    assert result.exit_code == 1
    assert "koreanap-value-domain: 7 errors" in result.stdout
    assert result.stdout.count("  - resource") == 2
    assert "… and 5 more" in result.stdout


def test_progress_on_stderr(tmp_path):
    """--progress prints rows read per resource on stderr, not in the report."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    rows = "id,name,flag\n" + "".join(f"{i},x,Y\n" for i in range(1, 25_001))
    folder = write_package(tmp_path / "p", [
        {"name": "big", "path": "big.csv", "schema": schema}], {"big.csv": rows})
    result = run("validate", folder, "--progress")
    assert result.exit_code == 0
    assert "big: 25,000 rows done" in result.stderr
    assert "rows" not in result.stdout.splitlines()[0]
    row_by_row = run("validate", folder, "--progress", "--engine", "frictionless")
    assert row_by_row.exit_code == 0
    assert "big: 10,000 rows" in row_by_row.stderr
    assert "big: 25,000 rows done" in row_by_row.stderr


# -- bad input ----------------------------------------------------------------

def test_missing_path(tmp_path):
    """A path that does not exist: exit 2 naming it."""
    result = run("validate", tmp_path / "nothing-here")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr and "nothing-here" in result.stderr


def test_folder_without_descriptor(tmp_path):
    """A folder without datapackage.json is not a data package: exit 2."""
    (tmp_path / "a.csv").write_text("x\n1\n")
    result = run("validate", tmp_path)
    assert result.exit_code == 2
    assert "not a data package" in result.stderr and "datapackage.json" in result.stderr


def test_csv_without_schema():
    """A single CSV without --schema is a usage error: exit 2."""
    result = run("validate", FIXTURES / "good.csv")
    assert result.exit_code == 2
    assert "--schema" in result.stderr


def test_malformed_descriptor(tmp_path):
    """A descriptor that is not JSON: exit 1 naming file, line and column."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    shutil.copy(FIXTURES / "malformed.json", folder / "datapackage.json")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "datapackage.json is not valid JSON: line 4, column 18" in result.stderr


def test_malformed_descriptor_json_report(tmp_path):
    """With --format json a malformed package still gives a parseable package-error report."""
    folder = tmp_path / "pkg"
    folder.mkdir()
    shutil.copy(FIXTURES / "malformed.json", folder / "datapackage.json")
    result = run("validate", folder, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["counts"] == {"package-error": 1}


@pytest.mark.parametrize("path, reason", [
    ("../../etc/passwd", "escapes the package"),
    ("data/../../secret.csv", "escapes the package"),
    ("/etc/passwd", "is absolute"),
    ("C:\\Windows\\win.ini", "is absolute"),
])
def test_resource_path_escaping(tmp_path, path, reason):
    """Absolute or ../ resource paths are refused before reading: exit 1, path named."""
    folder = write_package(tmp_path / "pkg", [{"name": "evil", "path": path}], {})
    (tmp_path / "secret.csv").write_text("a\n1\n")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert f'resource "evil" path "{path}" {reason}' in result.stderr


def test_resource_symlink_escaping(tmp_path):
    """A resource reached through a link pointing outside the package is refused: exit 1."""
    (tmp_path / "outside.csv").write_text("a\n1\n")
    folder = write_package(tmp_path / "pkg", [{"name": "linked", "path": "data.csv"}], {})
    (folder / "data.csv").symlink_to(tmp_path / "outside.csv")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "through a link" in result.stderr


def test_remote_resource_refused(tmp_path):
    """A remote resource path is refused without --allow-remote: exit 2, nothing fetched."""
    folder = write_package(tmp_path / "pkg", [
        {"name": "far", "path": "https://example.invalid/data.csv"}], {})
    result = run("validate", folder)
    assert result.exit_code == 2
    assert 'resource "far" path "https://example.invalid/data.csv" is remote' in result.stderr
    assert "--allow-remote" in result.stderr


def test_remote_path_refused():
    """A URL as PATH is refused without --allow-remote: exit 2."""
    result = run("validate", "https://example.invalid/datapackage.json")
    assert result.exit_code == 2
    assert "remote URL" in result.stderr and "--allow-remote" in result.stderr


def test_zip_package(tmp_path):
    """A zip of a package (in a top folder) validates like the folder."""
    src = REPO / "datapackages" / "ogp-nap4-commitments"
    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in src.rglob("*"):
            if file.is_file():
                zf.write(file, "ogp/" + file.relative_to(src).as_posix())
    result = run("validate", archive)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("entry", ["../evil.txt", "/tmp/evil.txt", "a/../../evil.txt"])
def test_zip_traversal(tmp_path, entry):
    """A zip with traversal or absolute entries is refused before extracting: exit 1."""
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("datapackage.json", '{"resources": []}')
        info = zipfile.ZipInfo(entry)
        zf.writestr(info, "x")
    result = run("validate", archive)
    assert result.exit_code == 1
    assert f'entry "{entry}"' in result.stderr and "refused" in result.stderr
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb(tmp_path):
    """A zip unpacking past --max-unpacked-bytes is refused before extracting: exit 1."""
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("datapackage.json", '{"resources": []}')
        zf.writestr("zeros.csv", b"0" * 5_000_000)
    assert archive.stat().st_size < 100_000
    result = run("validate", archive, "--max-unpacked-bytes", 1_000_000)
    assert result.exit_code == 1
    assert "bomb.zip: unpacks to more than 1,000,000 bytes" in result.stderr


def test_zip_without_descriptor(tmp_path):
    """A zip with no datapackage.json is not a data package: exit 2."""
    archive = tmp_path / "plain.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.csv", "x\n1\n")
    result = run("validate", archive)
    assert result.exit_code == 2
    assert "not a data package" in result.stderr


def test_corrupt_zip(tmp_path):
    """A .zip that is not a zip: exit 2 with a one-line message."""
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    result = run("validate", archive)
    assert result.exit_code == 2
    assert "broken.zip" in result.stderr


def test_ten_megabyte_line(tmp_path):
    """A 10 MB single line is refused with file and line, without blowing up memory: exit 1."""
    big = tmp_path / "oneline.csv"
    big.write_text("id,name,flag\n" + "1,a,Y" * 2_000_000, encoding="utf-8")
    result = run("validate", big, "--schema", SCHEMA)
    assert result.exit_code == 1
    assert "oneline.csv: line 2 is longer than 1,048,576 bytes" in result.stderr


def test_empty_file():
    """An empty CSV is invalid (exit 1): the report names the resource and says it is empty."""
    result = run("validate", FIXTURES / "empty.csv", "--schema", SCHEMA)
    assert result.exit_code == 1
    assert "source is empty" in result.stdout and "file is empty" in result.stdout


def test_bom_passes_with_note():
    """A UTF-8 BOM passes (exit 0) with a note in the report."""
    result = run("validate", FIXTURES / "bom.csv", "--schema", SCHEMA)
    assert result.exit_code == 0
    assert "byte-order mark" in result.stdout
    assert "VALID: no errors (1 resource, 2 rows read, 1 note)" in result.stdout


def test_mixed_line_endings():
    """CRLF and LF mixed in one file are read as rows (exit 0, 3 rows)."""
    result = run("validate", FIXTURES / "mixed-endings.csv", "--schema", SCHEMA,
                 "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["resources"][0]["rows"] == 3


def test_semicolon_delimiter_detected():
    """A ';' file that declares no dialect: exit 1 naming the delimiter and the fix; rows read."""
    result = run("validate", FIXTURES / "semicolon.csv", "--schema", SCHEMA,
                 "--format", "json")
    assert result.exit_code == 1, result.stdout
    report = json.loads(result.stdout)
    assert report["resources"][0]["rows"] == 2
    (error,) = [e for e in report["errors"] if e["rule"] == "koreanap-dialect"]
    assert 'delimited by ";"' in error["message"] and '"delimiter": ";"' in error["message"]


def test_semicolon_delimiter_declared(tmp_path):
    """The same ';' file passes when its dialect declares the delimiter."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    folder = write_package(tmp_path / "p", [
        {"name": "semi", "path": "semi.csv", "schema": schema,
         "dialect": {"csv": {"delimiter": ";"}}}],
        {"semi.csv": (FIXTURES / "semicolon.csv").read_text(encoding="utf-8")})
    result = run("validate", folder, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["resources"][0]["rows"] == 2


def test_schema_malformed(tmp_path):
    """A schema that is not JSON: exit 1 naming it, line and column."""
    bad = tmp_path / "schema.json"
    bad.write_text('{"fields": [\n}', encoding="utf-8")
    result = run("validate", FIXTURES / "good.csv", "--schema", bad)
    assert result.exit_code == 1
    assert "schema" in result.stderr and "line 2, column 1" in result.stderr


def test_bad_option_is_usage_error():
    """An unknown --format is a usage error (exit 2)."""
    result = run("validate", FIXTURES / "good.csv", "--format", "pdf")
    assert result.exit_code == 2


# -- fix-encoding ---------------------------------------------------------------

def test_fix_encoding_writes_copy(tmp_path):
    """A CP949 file gets a UTF-8 copy (exit 0) that then validates."""
    src = tmp_path / "data.csv"
    src.write_bytes("id,name,flag\n1,서울,Y\n".encode("cp949"))
    assert run("validate", src, "--schema", SCHEMA).exit_code == 1
    result = run("fix-encoding", src)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "data.utf8.csv"
    assert out.read_text(encoding="utf-8") == "id,name,flag\n1,서울,Y\n"
    assert run("validate", out, "--schema", SCHEMA).exit_code == 0


def test_fix_encoding_not_needed():
    """A file already in UTF-8 needs no fix: exit 1 saying so."""
    result = run("fix-encoding", FIXTURES / "good.csv")
    assert result.exit_code == 1
    assert "already UTF-8" in result.stderr


def test_fix_encoding_out_exists(tmp_path):
    """An existing --out without --overwrite is a usage error (exit 2); with it, exit 0."""
    src = tmp_path / "data.csv"
    src.write_bytes("이름\n서울\n".encode("cp949"))
    out = tmp_path / "out.csv"
    out.write_text("old")
    result = run("fix-encoding", src, "--out", out)
    assert result.exit_code == 2 and "--overwrite" in result.stderr
    assert run("fix-encoding", src, "--out", out, "--overwrite").exit_code == 0
    assert out.read_text(encoding="utf-8") == "이름\n서울\n"


def test_fix_encoding_undecodable(tmp_path):
    """A file not in the --encoding given: exit 1, nothing written."""
    src = tmp_path / "data.csv"
    src.write_bytes(b"\xff\xfe\xfa\xfb" * 10)
    result = run("fix-encoding", src, "--encoding", "utf-8")
    assert result.exit_code == 1
    assert "data.csv is not" in result.stderr
    assert not (tmp_path / "data.utf8.csv").exists()


def test_fix_encoding_missing_file(tmp_path):
    """A missing FILE is a usage error (exit 2)."""
    assert run("fix-encoding", tmp_path / "nope.csv").exit_code == 2


# -- metadata (rule 7) in the command -------------------------------------------

def test_metadata_reported_without_failing_by_default():
    """By default the DCAT/SHACL result and the score are in the report, not errors."""
    result = run("validate", REPO / "datapackages" / "ogp-nap4-commitments", "--format", "json")
    assert result.exit_code == 0, result.stdout
    found = json.loads(result.stdout)["metadata"]
    assert found["conforms"] is False
    assert any(r["path"] == "dct:license" for r in found["results"])
    assert found["score"]["max"] == 405 and 0 < found["score"]["total"] < 405
    assert found["score"]["band"] in ("excellent", "good", "sufficient", "bad")


def test_metadata_strict_makes_violations_errors():
    """--metadata strict turns each SHACL violation into a koreanap-metadata error (exit 1)."""
    result = run("validate", REPO / "datapackages" / "ogp-nap4-commitments", "--metadata", "strict",
                 "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    messages = [e["message"] for e in report["errors"] if e["rule"] == "koreanap-metadata"]
    assert messages and all(m.startswith("dct:license") for m in messages)


def test_metadata_text_section_and_off():
    """The text report has a metadata section with the score; --metadata off leaves it out."""
    shown = run("validate", REPO / "datapackages" / "food-contaminants")
    assert "metadata: DCAT conforms to the shapes; score " in shown.stdout
    hidden = run("validate", REPO / "datapackages" / "food-contaminants", "--metadata", "off")
    assert "metadata:" not in hidden.stdout


def test_line_length_scan_finds_the_same_line_as_splitting(tmp_path, monkeypatch):
    """The numpy scan of line lengths refuses exactly the files, lines and lengths that
    splitting every chunk into lines does (\\n, \\r\\n and \\r endings, lines across chunks)."""
    import random

    from koreanap_validation import inputs

    def by_splitting(path, limit):
        carry, line_no = 0, 1
        with open(path, "rb") as fh:
            while chunk := fh.read(inputs._CHUNK):
                pieces = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
                for index, piece in enumerate(pieces):
                    length = len(piece) + (carry if index == 0 else 0)
                    if length > limit:
                        return f"line {line_no + index} is longer than {limit:,} bytes " \
                               f"(at least {length:,})"
                carry = len(pieces[-1]) + (carry if len(pieces) == 1 else 0)
                line_no += len(pieces) - 1
        return None

    monkeypatch.setattr(inputs, "_CHUNK", 64)
    rng = random.Random(14)
    refused = 0
    for trial in range(1500):
        lines = [b"x" * rng.choice([0, 1, 30, 63, 64, 65, 130]) for _ in range(rng.randint(0, 8))]
        ending = rng.choice([b"\r\n", b"\r"]) if rng.random() < 0.2 else b"\n"
        path = tmp_path / f"{trial}.csv"
        path.write_bytes(ending.join(lines) + (ending if rng.random() < 0.5 else b""))
        limit = rng.choice([10, 63, 64, 99])
        expected = by_splitting(path, limit)
        if expected is None:
            inputs.check_line_lengths(path, limit, "f")
        else:
            refused += 1
            with pytest.raises(inputs.InputError, match=re.escape(expected)):
                inputs.check_line_lengths(path, limit, "f")
    assert refused > 100
