"""`koreanap publish` refuses before touching a catalogue: invalid package, no token, no network.

These need no CKAN: the catalogue URL points at a closed local port, so any
attempt to publish would fail loudly. Publishing into a real catalogue is
tested in tests/ckan/publish and through scripts/serve (tests/test_serve_command.py).
"""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "ogp-nap4-commitments"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _publish(*args, token="a-token"):
    env = dict(os.environ)
    env.pop("KOREANAP_API_TOKEN", None)
    if token:
        env["KOREANAP_API_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "koreanap_client.console", "publish", *args,
                           "--no-progress"], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def broken_package(tmp_path):
    target = tmp_path / "ogp-nap4-commitments"
    shutil.copytree(PACKAGE, target)
    csv = target / "data" / "commitments.csv"
    csv.write_text(csv.read_text("utf-8").replace("nap4-01,1,", "nap4-01,one,", 1), "utf-8")
    return target


def test_invalid_package_prints_the_report_and_publishes_nothing(broken_package):
    """A package failing a rule prints the report (rule, row, field) and exits 1."""
    url = "http://127.0.0.1:{}".format(_closed_port())
    result = _publish(str(broken_package), "--ckan-url", url)
    assert result.returncode == 1
    assert "type-error" in result.stdout and "plan_order" in result.stdout
    assert "is invalid; nothing was published" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_token_is_a_usage_error():
    """Without KOREANAP_API_TOKEN the command says how to set it and exits 2."""
    result = _publish(str(PACKAGE), "--ckan-url", "http://127.0.0.1:9", token=None)
    assert result.returncode == 2
    assert "KOREANAP_API_TOKEN" in result.stderr


def test_unreachable_catalogue_retries_then_says_nothing_changed():
    """Network errors are retried; when the retries give up, nothing was changed and it says so."""
    url = "http://127.0.0.1:{}".format(_closed_port())
    result = _publish(str(PACKAGE), "--ckan-url", url, "--retries", "2", "--backoff", "0")
    assert result.returncode == 1
    assert "network error on organization_show after 2 tries" in result.stderr
    assert "the catalogue was not changed" in result.stderr
    assert "Traceback" not in result.stderr


def test_zip_with_path_traversal_is_refused(tmp_path):
    """A zip with a "../" entry is refused before anything is read or sent."""
    import zipfile

    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("datapackage.json", json.dumps({"name": "x", "resources": []}))
        z.writestr("../evil.csv", "a\n1\n")
    result = _publish(str(archive), "--ckan-url", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "../evil.csv" in result.stderr
