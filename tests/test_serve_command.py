"""The README's serve command brings up a working catalogue, and re-running it changes nothing.

This runs the real scripts/serve on a spare port (so a catalogue already
served on 5000 is left alone), against real PostgreSQL and Redis.
"""
import os
import pathlib
import subprocess
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PORT = os.environ.get("KOREANAP_TEST_SERVE_PORT", "5055")
BASE = "http://127.0.0.1:" + PORT


def _serve(*args, timeout=900):
    env = dict(os.environ, KOREANAP_PORT=PORT)
    return subprocess.run(["bash", str(ROOT / "scripts" / "serve"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _get(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def served():
    first = _serve()
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = _serve()
    try:
        yield first, second
    finally:
        _serve("stop", timeout=60)


def test_serve_prints_the_url_and_a_working_api_token(served):
    """The first run ends by printing the URL and an API token that authenticates."""
    first, _ = served
    assert "The catalogue is up: " + BASE in first.stdout
    token = (ROOT / "var" / "admin-token").read_text().strip()
    assert token in first.stdout
    request = urllib.request.Request(BASE + "/api/3/action/package_search?include_private=true",
                                     headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_second_run_changes_nothing(served):
    """Re-running the serve command publishes nothing new (all content unchanged)."""
    _, second = served
    assert second.returncode == 0, second.stderr[-3000:]
    assert "created" not in second.stdout
    assert second.stdout.count(": unchanged") == 6


@pytest.mark.parametrize("path, expect", [
    ("/", "제4차 열린정부 국가실행계획"),
    ("/dataset/", "demo-food-contaminants"),
    ("/dataset/demo-food-contaminants", "카드뮴"),
    ("/organization/mfds", "demo-food-contaminants"),
    ("/api/3/action/package_search?q=" + urllib.parse.quote("카드뮴"), '"count": 1'),
])
def test_pages_answer_200(served, path, expect):
    """Home, dataset list, dataset, organization and API search all answer 200."""
    status, body = _get(path)
    assert status == 200
    assert expect in body


def test_status_subcommand_reports_the_catalogue(served):
    """`scripts/serve status` runs `koreanap status` against the served catalogue."""
    result = _serve("status", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ckan: 2.12.0" in result.stdout
    assert "koreanap_search" in result.stdout


def test_unknown_argument_is_a_usage_error():
    """An unknown argument prints the usage and exits 2 without touching anything."""
    result = _serve("--frobnicate", timeout=60)
    assert result.returncode == 2
    assert "scripts/serve" in result.stderr
