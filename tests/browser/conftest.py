"""Real-browser tests: Debian's headless Chromium, driven by Selenium, against
a real CKAN started here.

``live_ckan`` runs ``ckan run`` in a subprocess on a free local port with a
copy of the ini that pytest got (``--ckan-ini``; only the site URL differs),
so it uses this run's databases and plugins. Data are created through that
server's API as a sysadmin made for the run; names carry a per-run suffix so
nothing depends on what earlier tests left in the database.

``steps`` saves a screenshot after every step to ``test-artifacts/browser/``
and, when a step fails, a screenshot named ``…-FAILED.png`` and an error that
names the step.
"""
from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
STARTUP_LIMIT_S = 180  # upper bound for CKAN to answer, not a measured timing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _live_ini(source: Path, target: Path, url: str, port: int) -> None:
    text = source.read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^ckan\.site_url\s*=.*$", f"ckan.site_url = {url}", text)
    assert n == 1, f"{source} has no single ckan.site_url line"
    text = re.sub(r"(?m)^ckan\.devserver\.port\s*=.*$", f"ckan.devserver.port = {port}", text)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o600)


@pytest.fixture(scope="package")
def live_ckan(request, tmp_path_factory):
    """The base URL of a CKAN served from this run's ini (stopped after these tests)."""
    ini = request.config.getoption("--ckan-ini")
    assert ini, "run through scripts/test (pytest --ckan-ini=...)"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    live_ini = tmp_path_factory.mktemp("live-ckan") / "live.ini"
    _live_ini(Path(ini).resolve(), live_ini, url, port)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "ckan-server.log"
    ckan = Path(sys.executable).with_name("ckan")
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(ckan), "-c", str(live_ini), "run", "--host", "127.0.0.1", "--port", str(port),
             "--disable-reloader"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"CKAN exited with {server.returncode} on start; see {log_path}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/api/3/action/status_show", timeout=5).ok:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"CKAN did not answer on {url}; see {log_path}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="package")
def run_id() -> str:
    """A suffix that makes this run's organization and dataset names unique."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="package")
def api(live_ckan, run_id):
    """ckanapi client of the live CKAN, as a sysadmin created for this run."""
    from ckan.tests import factories, helpers

    user = factories.Sysadmin(name=f"browser-admin-{run_id}")
    token = helpers.call_action(
        "api_token_create", context={"user": user["name"], "ignore_auth": True},
        user=user["name"], name="browser tests")["token"]
    with RemoteCKAN(live_ckan, apikey=token, user_agent="koreanap-browser-tests") as ckan:
        yield ckan


@pytest.fixture(scope="package")
def organization(api, run_id):
    """An organization (the Cultural Heritage Administration's stand-in) for test datasets."""
    return api.action.organization_create(
        name=f"browser-test-org-{run_id}", title="브라우저 시험 기관 / Browser test publisher")


def _chromium(*extra: str) -> webdriver.Chrome:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("chromium and chromium-driver are not installed (scripts/test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,1100", "--lang=ko-KR",
                # WebGL without a GPU: Chromium's software renderer.
                "--use-angle=swiftshader", "--enable-unsafe-swiftshader", *extra):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="package")
def browser():
    """Headless Chromium with WebGL (software rendering)."""
    driver = _chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="package")
def browser_without_webgl():
    """Headless Chromium with WebGL switched off, as in browsers that lack it."""
    driver = _chromium("--disable-3d-apis")
    yield driver
    driver.quit()


class Steps:
    """Numbered steps of one test, each ending in a screenshot."""

    def __init__(self, driver, folder: Path):
        self.driver = driver
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def _shot(self, name: str) -> None:
        with contextlib.suppress(Exception):  # a screenshot must not hide the real error
            self.driver.save_screenshot(str(self.folder / f"{name}.png"))

    @contextlib.contextmanager
    def __call__(self, title: str):
        self.count += 1
        name = f"{self.count:02d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        try:
            yield
        except Exception as error:
            self._shot(name + "-FAILED")
            raise AssertionError(
                f"step {self.count} '{title}' failed ({self.folder / name}-FAILED.png): "
                f"{type(error).__name__}: {error}") from error
        self._shot(name)


def _steps(driver, request) -> Steps:
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    return Steps(driver, ARTIFACTS / test)


@pytest.fixture
def steps(browser, request):
    """Steps in the WebGL browser, screenshots under test-artifacts/browser/<test>/."""
    browser.switch_to.default_content()
    return _steps(browser, request)


@pytest.fixture
def steps_without_webgl(browser_without_webgl, request):
    """Steps in the browser without WebGL."""
    return _steps(browser_without_webgl, request)
