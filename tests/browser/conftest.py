"""Real-browser tests: Debian's headless Chromium, driven by Selenium, against
a real CKAN started here.

``live_ckan`` runs ``ckan run`` and a job worker (``ckan koreanap-jobs worker``: the
worker validates and loads what is published) in subprocesses, on a free local port with a
copy of the ini that pytest got (``--ckan-ini``), so it uses this run's
databases and plugins. Only the site URL differs, and the dataset the quick
search (``/contaminants``) reads: it reads one dataset by name, so each run
publishes and names its own (``food_contaminants``). Data are created through
that server's API as a sysadmin made for the run; names carry a per-run suffix
so nothing depends on what earlier tests left in the database.

``steps`` saves a screenshot after every step to ``test-artifacts/browser/``
and, when a step fails, a screenshot named ``…-FAILED.png`` and an error that
names the step.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from ckanapi import RemoteCKAN
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
STARTUP_LIMIT_S = 180  # upper bound for CKAN to answer, not a measured timing
FOOD_CONTAMINANTS = ROOT / "datapackages" / "food-contaminants"
# Every 30th of the package's 60,000 survey rows, plus the few over their
# maximum level (so the summary has some to count): about 2,000 rows with
# every substance and year, quick to validate and load on every run.
SURVEY_EVERY = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _quick_search_dataset(run_id: str) -> str:
    return f"food-contaminants-{run_id}"


def _live_ini(source: Path, target: Path, url: str, port: int, run_id: str) -> None:
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^ckanext\.koreanap\.contaminants\.dataset\s*=.*\n", "", text)
    text, n = re.subn(
        r"(?m)^ckan\.site_url\s*=.*$",
        f"ckan.site_url = {url}\n"
        f"ckanext.koreanap.contaminants.dataset = {_quick_search_dataset(run_id)}", text)
    assert n == 1, f"{source} has no single ckan.site_url line"
    text = re.sub(r"(?m)^ckan\.devserver\.port\s*=.*$", f"ckan.devserver.port = {port}", text)
    # Pages as served: the test ini turns the page cache off for in-process tests; the
    # browser sees the declared default, so every flow here also runs through kept pages.
    text = re.sub(r"(?m)^ckanext\.koreanap\.page_cache\.seconds\s*=.*\n", "", text)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o600)


@pytest.fixture(scope="package")
def live_ckan(request, tmp_path_factory, run_id, reset_redis):
    """The base URL of a CKAN served from this run's ini (stopped after these tests)."""
    # Earlier tests leave scheduled jobs (the DataStore's delayed record counts) that
    # the worker below would run before the ones these tests wait for.
    reset_redis()
    ini = request.config.getoption("--ckan-ini")
    assert ini, "run through scripts/test (pytest --ckan-ini=...)"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    live_ini = tmp_path_factory.mktemp("live-ckan") / "live.ini"
    _live_ini(Path(ini).resolve(), live_ini, url, port, run_id)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "ckan-server.log"
    ckan = Path(sys.executable).with_name("ckan")
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(ckan), "-c", str(live_ini), "run", "--host", "127.0.0.1", "--port", str(port),
             "--disable-reloader"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    # Published resources are validated and loaded by the job worker only (as in serve).
    with open(ARTIFACTS / "ckan-worker.log", "wb") as log:
        worker = subprocess.Popen([str(ckan), "-c", str(live_ini), "koreanap-jobs", "worker"],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                  cwd=ROOT)
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
        for process in (worker, server):
            # the whole session: RQ runs each job in a child process of the worker
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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


def _survey_subset(folder: Path) -> list[dict[str, str]]:
    """Write the survey rows the tests publish to ``folder``; the rows as read from the CSV."""
    source = FOOD_CONTAMINANTS / "data" / "survey_results.csv"
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = [row for i, row in enumerate(reader)
                if i % SURVEY_EVERY == 0 or row["exceeds_ml"] == "Y"]
    with (folder / "survey_results.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.fixture(scope="package")
def food_contaminants(api, organization, run_id, tmp_path_factory):
    """The food-contaminants data package published to the live CKAN as this run's dataset.

    Published as ``koreanap publish`` does (the Publisher, then the catalogue's
    validation, DataStore load and table previews, synchronously), with the
    survey cut short (see SURVEY_EVERY) and a title that names 카드뮴 and the
    run. The quick search of the live CKAN reads this dataset.

    :returns: dict with ``dataset`` (package_show), ``survey`` (the survey rows
        published, as dicts of the CSV's text), ``title_ko`` and ``title_en``
    """
    from koreanap_client.publishing import Publisher, PublishError

    folder = tmp_path_factory.mktemp("food-contaminants")
    shutil.copytree(FOOD_CONTAMINANTS / "data", folder / "data",
                    ignore=shutil.ignore_patterns("survey_results.csv"))
    survey = _survey_subset(folder / "data")
    descriptor = json.loads((FOOD_CONTAMINANTS / "datapackage.json").read_text(encoding="utf-8"))
    title_ko = f"식품 중 카드뮴 등 유해물질 오염도 (브라우저 시험 {run_id})"
    title_en = f"Cadmium and other harmful substances in foods (browser test {run_id})"
    descriptor.update(name=_quick_search_dataset(run_id), title=f"{title_ko} / {title_en}",
                      title_ko=title_ko, title_en=title_en)
    lines: list[str] = []
    try:
        Publisher(api, echo=lines.append, retries=1, backoff=0).publish(
            descriptor, str(folder), organization=organization["name"])
    except PublishError as error:
        pytest.fail("publishing food-contaminants failed: {}\n{}".format(
            error.explain(), "\n".join(lines)))
    dataset = api.action.package_show(id=descriptor["name"])
    return {"dataset": dataset, "survey": survey, "title_ko": title_ko, "title_en": title_en}


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
    # Chromium's network events, read by the third-party guard below.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    _DRIVERS.append(driver)
    return driver


# Every browser this run started (the third-party guard reads their network logs).
_DRIVERS: list[webdriver.Chrome] = []


def requested_urls(driver) -> list[str]:
    """The http(s)/ws(s) URLs the browser asked for since the last call (the log drains)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if urlsplit(url).scheme in ("http", "https", "ws", "wss"):
                urls.append(url)
    return urls


@pytest.fixture(autouse=True)
def no_third_party_requests(request):
    """Fail a browser test whose pages asked any host but the site's own for anything
    (an avatar from gravatar.com, a font or script from a CDN, ...). A test whose page opens
    a resource that is itself hosted elsewhere names that host with ``foreign_host``."""
    for driver in _DRIVERS:
        requested_urls(driver)  # what earlier tests asked for is theirs
    yield
    if "live_ckan" not in request.fixturenames:
        return
    allowed = {urlsplit(request.getfixturevalue("live_ckan")).netloc}
    allowed |= {host for mark in request.node.iter_markers("foreign_host") for host in mark.args}
    foreign = sorted({url for driver in _DRIVERS for url in requested_urls(driver)
                      if urlsplit(url).netloc not in allowed})
    assert not foreign, f"pages asked hosts other than {sorted(allowed)}: {foreign}"


@pytest.fixture(scope="package")
def browser():
    """Headless Chromium with WebGL (software rendering)."""
    driver = _chromium()
    yield driver
    driver.quit()
    _DRIVERS.remove(driver)


@pytest.fixture(scope="package")
def browser_without_webgl():
    """Headless Chromium with WebGL switched off, as in browsers that lack it."""
    driver = _chromium("--disable-3d-apis")
    yield driver
    driver.quit()
    _DRIVERS.remove(driver)


def click(driver, element) -> None:
    """Scroll ``element`` to the middle of the window at once, then click it (the theme
    scrolls smoothly, and a click during the scroll lands on whatever passes by)."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


_STATIC_REQUEST = re.compile(r"\] +\d{3} /(webassets|base|api/i18n)/")


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
                f"{type(error).__name__}: {str(error).strip().splitlines()[:1]}\n"
                f"{self._where()}") from error
        self._shot(name)

    def _where(self) -> str:
        """What CI's output needs to tell why a step failed, since its screenshots and
        logs stay on the machine: the page, its alerts, the live server's last lines."""
        lines = []
        with contextlib.suppress(Exception):
            lines.append(f"page: {self.driver.current_url} ({self.driver.title})")
            alerts = [" ".join(a.text.split())[:300] for a in self.driver.find_elements(
                By.CSS_SELECTOR, ".alert, .error-block")]
            lines += ["alert: " + text for text in dict.fromkeys(alerts) if text][:5]
        with contextlib.suppress(OSError):
            log = (ARTIFACTS / "ckan-server.log").read_text(encoding="utf-8", errors="replace")
            lines.append("last lines of the live CKAN's log (page requests and errors):")
            lines += [line[:300] for line in log.splitlines()
                      if not _STATIC_REQUEST.search(line)][-15:]
        return "\n".join(lines)


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
