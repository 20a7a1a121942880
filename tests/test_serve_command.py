"""The README's serve command brings up a working catalogue, and re-running it changes nothing.

This runs the real scripts/serve on a spare port (so a catalogue already
served on 5000 is left alone), against real PostgreSQL and Redis, in a
virtualenv made from scratch by the very function serve calls (lib.sh's
``ensure_venv``), not the test venv: a runtime dependency that only the test
requirements install fails here, as it would for a new user. It publishes the
four data packages with `koreanap publish` over HTTP, so the command's
HTTP-only behaviour (a wrong token) is tested here too.
"""
import email
import email.policy
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PORT = os.environ.get("KOREANAP_TEST_SERVE_PORT", "5055")
BASE = "http://127.0.0.1:" + PORT
MAIL_DIR = ROOT / "var" / "mail-{}".format(PORT)


WORKERS = 2


@pytest.fixture(scope="module")
def serve_venv(tmp_path_factory):
    """A virtualenv with only what scripts/serve installs, made from nothing by its own
    function (pip's cache of wheels is reused; nothing from the test venv is)."""
    venv = tmp_path_factory.mktemp("serve") / "venv"
    result = subprocess.run(
        ["bash", "-c", 'source scripts/lib.sh && ensure_venv'], cwd=ROOT,
        env={**os.environ, "KOREANAP_VENV": str(venv)}, capture_output=True, text=True,
        timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    yield venv
    shutil.rmtree(venv, ignore_errors=True)


def _serve(*args, timeout=900, venv=None, **settings):
    env = {**os.environ, "KOREANAP_PORT": PORT, "KOREANAP_WORKERS": str(WORKERS), **settings}
    if venv is not None:
        env["KOREANAP_VENV"] = str(venv)
    return subprocess.run(["bash", str(ROOT / "scripts" / "serve"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _in_venv(venv, *command, timeout=600, **env):
    """Run one of the venv's commands (``koreanap``, ``python``) from the repository root."""
    return subprocess.run([str(venv / "bin" / command[0]), *command[1:]], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout)


PACKAGES = sorted(p.parent for p in (ROOT / "datapackages").glob("*/datapackage.json"))


def _children(pid):
    """The ids of the processes whose parent is ``pid``."""
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _get(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def _api(action, **params):
    _, body = _get("/api/3/action/{}?{}".format(action, urllib.parse.urlencode(params)))
    return json.loads(body)["result"]


@pytest.fixture(scope="module")
def served(serve_venv):
    try:  # stop what the first run started even when it fails half-way
        first = _serve(venv=serve_venv)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        second = _serve(venv=serve_venv)
        yield first, second
    finally:
        _serve("stop", timeout=60, venv=serve_venv)


def test_serve_venv_imports_every_plugin(serve_venv):
    """In serve's own venv, every CKAN plugin, the DCAT profile and the command import."""
    script = (
        "from importlib.metadata import entry_points\n"
        "names = []\n"
        "for group in ('ckan.plugins', 'ckan.rdf.profiles', 'console_scripts'):\n"
        "    for ep in entry_points(group=group):\n"
        "        if ep.value.startswith('ckanext.koreanap'):\n"
        "            ep.load(); names.append(ep.name)\n"
        "print(' '.join(sorted(names)))\n")
    result = _in_venv(serve_venv, "python", "-c", script)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = set(result.stdout.split())
    declared = {"koreanap", "koreanap_search", "koreanap_reports", "koreanap_3d_view",
                "koreanap_contaminants", "koreanap_commitments", "koreanap_dcat"}
    assert declared <= loaded, declared - loaded


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_serve_venv_validates_each_package(serve_venv, package):
    """In serve's own venv, `koreanap validate` finds each shipped package valid (exit 0)."""
    result = _in_venv(serve_venv, "koreanap", "validate", str(package), "--no-progress")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "VALID" in result.stdout


def test_serve_venv_publish_dry_run(serve_venv, served):
    """In serve's own venv, `koreanap publish --dry-run` validates a package and
    compares it with the served catalogue without changing it."""
    token = (ROOT / "var" / "admin-token").read_text().strip()
    package = ROOT / "datapackages" / "ogp-nap4-commitments"
    before = _api("package_show", id=package.name)["metadata_modified"]
    result = _in_venv(serve_venv, "koreanap", "publish", str(package), "--dry-run",
                      "--ckan-url", BASE, "--no-progress", KOREANAP_API_TOKEN=token)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert ": unchanged" in result.stdout
    assert _api("package_show", id=package.name)["metadata_modified"] == before


def test_error_report_mail_lands_in_the_mail_folder(served):
    """A report filed on the served catalogue reaches the organization's admin as an
    .eml file in the mail catcher's folder, sent by the real job worker."""
    before = set(MAIL_DIR.glob("*.eml"))
    body = json.dumps({"package_id": "food-contaminants", "category": "wrong_value",
                       "description": "카드뮴 값의 단위가 표와 다릅니다 (serve test)"})
    request = urllib.request.Request(
        BASE + "/api/3/action/koreanap_error_report_create", data=body.encode("utf-8"),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        code = json.loads(response.read())["result"]["code"]
    deadline = time.monotonic() + 30
    found = []
    while time.monotonic() < deadline and not found:
        for path in set(MAIL_DIR.glob("*.eml")) - before:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if code in message.get_body(preferencelist=("plain",)).get_content():
                found.append(message)
        time.sleep(0.5)
    assert found, "no .eml for report {} in {} within 30 s".format(code, MAIL_DIR)
    assert found[0]["X-Envelope-To"] == "admin@localhost.invalid"
    assert found[0]["From"].addresses[0].addr_spec == "noreply@koreanap.invalid"


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
    for word in ("created", "updated", "replaced", "removed"):
        assert ": " + word not in second.stdout
    resources = sum(len(json.loads((p / "datapackage.json").read_text("utf-8"))["resources"])
                    for p in PACKAGES)
    # Per package: its organization, its dataset and each of its resources.
    assert second.stdout.count(": unchanged") == 2 * len(PACKAGES) + resources


def test_quick_search_is_indexed(served):
    """The survey table is indexed for the quick search; a re-run finds the indexes there."""
    first, second = served
    # "indexed ..." on a new catalogue; an existing one may already have them
    assert "indexed " in first.stdout or "indexes already exist on" in first.stdout
    assert "indexes already exist on" in second.stdout


def test_four_packages_are_published_valid_and_scored(served):
    """Each data package is a dataset whose resources are all valid, with a metadata score."""
    for package in PACKAGES:
        state = _api("koreanap_dataset_validation_show", id=package.name)
        assert state["status"] == "valid", state
        assert {r["status"] for r in state["resources"]} == {"valid"}
        assert state["score"]["max"] == 405 and state["score"]["total"] > 0


def test_tables_are_previewable_from_the_datastore(served):
    """The survey table is in the DataStore (the preview and the DataStore API work)."""
    dataset = _api("package_show", id="food-contaminants")
    survey = next(r for r in dataset["resources"] if r["datapackage_name"] == "survey_results")
    assert survey["datastore_active"] is True
    found = _api("datastore_search", resource_id=survey["id"], limit=1)
    assert found["total"] == 60000


def test_wrong_token_is_refused_with_a_clear_403(served):
    """koreanap publish with a wrong token says 403 and changes nothing."""
    env = dict(os.environ, KOREANAP_API_TOKEN="not-a-token")
    before = _api("package_show", id="ogp-nap4-commitments")["metadata_modified"]
    result = subprocess.run(
        [sys.executable, "-m", "koreanap_client.console", "publish",
         str(ROOT / "datapackages" / "ogp-nap4-commitments"), "--ckan-url", BASE,
         "--no-progress"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "403 not authorized" in result.stderr
    assert "the catalogue was not changed" in result.stderr
    assert _api("package_show", id="ogp-nap4-commitments")["metadata_modified"] == before


@pytest.mark.parametrize("path, expect", [
    ("/", "제4차 열린정부 국가실행계획"),
    ("/dataset/", "food-contaminants"),
    ("/dataset/food-contaminants", "식품 중 유해물질 오염도"),
    ("/dataset/food-contaminants/validation", "koreanap-report"),
    ("/organization/ckanext-koreanap", "food-contaminants"),
    ("/api/3/action/package_search?q=" + urllib.parse.quote("곰팡이독소"),
     '"name": "food-contaminants"'),
])
def test_pages_answer_200(served, path, expect):
    """Home, dataset list, dataset, organization and API search all answer 200."""
    status, body = _get(path)
    assert status == 200
    assert expect in body


def test_the_search_api_ranks_the_survey_first_for_its_substance(served):
    """곰팡이독소 (mycotoxins) finds the food survey first; the plan's package, whose
    milestone is about disclosing them, may follow."""
    status, body = _get("/api/3/action/package_search?q=" + urllib.parse.quote("곰팡이독소"))
    assert status == 200
    names = [r["name"] for r in json.loads(body)["result"]["results"]]
    assert names[0] == "food-contaminants" and set(names) <= {
        "food-contaminants", "ogp-nap4-commitments"}, names


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


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_worker_count_is_refused_before_anything_starts(value):
    """A KOREANAP_WORKERS that is not a whole number from 1 is refused with its name."""
    result = _serve("status", timeout=60, KOREANAP_WORKERS=value)
    assert result.returncode != 0
    assert "KOREANAP_WORKERS must be a whole number" in result.stderr
    assert "'{}'".format(value) in result.stderr


def test_stop_ends_the_server_and_all_its_workers(served):
    """CKAN runs as a gunicorn master with KOREANAP_WORKERS workers; `stop` ends every one."""
    pidfile = ROOT / "var" / "ckan-{}.pid".format(PORT)
    master = int(pidfile.read_text())
    assert "gunicorn" in (pathlib.Path("/proc") / str(master) / "cmdline").read_text()
    workers = _children(master)
    assert len(workers) == WORKERS
    catcher = int((ROOT / "var" / "mail-catcher-{}.pid".format(PORT)).read_text())
    assert _alive(catcher)
    result = _serve("stop", timeout=60)
    assert result.returncode == 0, result.stderr
    assert not pidfile.exists()
    assert [pid for pid in [master, *workers, catcher] if _alive(pid)] == []
