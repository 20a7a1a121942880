"""The metadata score is real: links are checked and recorded, the catalogue scores the
DCAT it serves, the four packages are excellent, and ``koreanap validate`` gives the
package the same score as the catalogue gives the dataset (issue 15 part 5)."""
import http.server
import threading

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph

from koreanap_validation.engine import check_package_metadata
from koreanap_validation.metadata.score import score_graph

from .conftest import PACKAGES, work_off_queue

pytestmark = pytest.mark.usefixtures("with_plugins")

SLUGS = ("food-contaminants", "cultural-heritage-3d", "priority-datasets",
         "ogp-nap4-commitments")


@pytest.fixture
def all_four(sysadmin, publish):
    """The four packages of datapackages/, published (validation, load, link check, score)."""
    for slug in SLUGS:
        publish(PACKAGES / slug, sysadmin["name"])
    return sysadmin


def test_the_four_published_packages(all_four, app):
    """Publishing the four packages takes about 20 s, so one test reads what they show;
    each check below is its own function and names itself in a failure."""
    for slug in SLUGS:
        _catalogue_and_command_give_the_same_excellent_score(slug)
    _links_are_recorded_for_every_resource()
    _served_ttl_scores_what_the_catalogue_stored(app)
    _dataset_page_shows_the_link_state(app)  # anonymous: before the token's request
    _validation_page_shows_rules_links_and_indicators(all_four, app)


def _catalogue_and_command_give_the_same_excellent_score(slug):
    """Each dataset scores at least 351 (excellent) in the catalogue, and every indicator
    has the points koreanap validate gives the package on disk."""
    state = call_action("koreanap_dataset_validation_show", id=slug)
    assert state["score"]["total"] >= 351 and state["score"]["band"] == "excellent", state
    from ckanext.koreanap.pipeline import model as kmodel

    served = kmodel.get_quality(state["id"])["detail"]
    command = check_package_metadata(PACKAGES / slug)["score"]
    assert {i["id"]: i["points"] for i in served["indicators"]} == {
        i["id"]: i["points"] for i in command["indicators"]}
    assert served["total"] == command["total"] == state["score"]["total"]


def _links_are_recorded_for_every_resource():
    """After publishing, every resource's download URL has a recorded check that answered
    (the catalogue's own uploads: their stored file), with a date."""
    for slug in SLUGS:
        dataset = call_action("package_show", id=slug)
        rows = call_action("koreanap_link_check_show", id=slug)
        assert {r["resource_id"] for r in rows} == {r["id"] for r in dataset["resources"]}
        assert all(r["ok"] and r["method"] == "storage" and r["checked"] for r in rows), rows


def _served_ttl_scores_what_the_catalogue_stored(app):
    """Scoring the dataset's served /dataset/<id>.ttl with its recorded link checks gives
    the stored score (the score is of what the catalogue serves)."""
    from ckanext.koreanap import linkcheck

    dataset = call_action("package_show", id="priority-datasets")
    graph = Graph().parse(data=app.get("/dataset/priority-datasets.ttl").body, format="turtle")
    served = score_graph(graph, links=linkcheck.links_by_url(dataset["id"]))
    state = call_action("koreanap_dataset_validation_show", id="priority-datasets")
    assert served["total"] == state["score"]["total"]


def test_missing_upload_lowers_the_score_after_an_on_demand_check(all_four):
    """A stored file that disappears is found by the on-demand link check (a job): that
    resource's link fails and the URL indicators lose its share."""
    import os

    from ckanext.koreanap.pipeline.staging import stored_file

    dataset = call_action("package_show", id="ogp-nap4-commitments")
    before = call_action("koreanap_dataset_validation_show", id=dataset["id"])["score"]
    os.unlink(stored_file(dataset["resources"][1]))
    result = call_action("koreanap_link_check", {"user": all_four["name"]},
                         id=dataset["name"])
    assert result["job_id"]
    work_off_queue()
    rows = {r["resource_id"]: r for r in call_action("koreanap_link_check_show",
                                                     id=dataset["id"])}
    assert not rows[dataset["resources"][1]["id"]]["ok"]
    after = call_action("koreanap_dataset_validation_show", id=dataset["id"])["score"]
    assert after["total"] == before["total"] - 25 - 15


def _validation_page_shows_rules_links_and_indicators(all_four, app):
    """The validation page lists, per resource, the rule counts and the link check, and
    the score per indicator with its reason and how to raise it."""
    from ckan.tests import factories
    from flask import g

    token = factories.APIToken(user=all_four["id"])["token"]
    # the publish fixture's request context shares flask's g, where flask-login keeps
    # the first request's (anonymous) user: forget it so the token counts
    g.pop("_login_user", None)
    page = app.get("/dataset/ogp-nap4-commitments/validation",
                   headers={"Authorization": token}, status=200).body
    assert page.count('class="table table-sm koreanap-rule-counts"') == 2
    assert page.count('class="koreanap-link" data-ok="true"') == 2
    assert 'data-indicator="dcat_ap_compliance" class="koreanap-short"' in page
    assert "fix every SHACL violation" in page  # how to raise the one it misses
    assert 'data-indicator="access_url_status" class="koreanap-full"' in page
    assert 'action="/dataset/ogp-nap4-commitments/check-links"' in page


def _dataset_page_shows_the_link_state(app):
    """The dataset page says how many links answered and when they were checked, and the
    score's band in the page's language."""
    from .test_printability import _page

    page = _page(app, "/dataset/food-contaminants")
    assert 'class="koreanap-links" data-ok="8" data-total="8"' in page
    # the score's band in the page's language (the glossary's 우수 · 양호 · 보통 · 미흡)
    assert "(우수)" in page and "(excellent)" not in page
    assert "(excellent)" in _page(app, "/en/dataset/food-contaminants")
    # validation, score, links and the download in a block of their own, a row each
    from bs4 import BeautifulSoup

    block = BeautifulSoup(page, "html.parser").find("section", id="koreanap-quality")
    assert block.find("h2").get_text(strip=True) == "데이터 품질과 내려받기"
    assert [dt.get_text(strip=True) for dt in block.find_all("dt")] == [
        "검증", "메타데이터 품질 점수", "응답하는 링크"]
    assert block.find("a", href="/dataset/food-contaminants/datapackage.zip")


# ------------------------------------------------------------------ HTTP check


class _Handler(http.server.BaseHTTPRequestHandler):
    """HEAD is refused on /no-head (405); GET answers 206 for a range; /gone is 404."""

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(405 if self.path == "/no-head" else
                           404 if self.path == "/gone" else 200)
        self.end_headers()

    def do_GET(self):
        seen.append((self.path, self.headers.get("Range"), self.headers.get("Host")))
        self.send_response(206 if self.headers.get("Range") else 200)
        self.send_header("Content-Length", "1")
        self.end_headers()
        self.wfile.write(b"x")


seen = []


@pytest.fixture
def files_host(monkeypatch):
    """A local HTTP server standing for a public host ``files.example.test``: the name is
    resolved (and checked) by the fetcher's own check, which answers this server's
    address for it; everything else (the request, the Host header) is real."""
    from ckanext.koreanap.pipeline import fetch

    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real = fetch.checked_address

    def checked(url):
        if "files.example.test" in url:
            return "127.0.0.1"
        return real(url)

    monkeypatch.setattr(fetch, "checked_address", checked)
    seen.clear()
    yield "http://files.example.test:{}".format(server.server_address[1])
    server.shutdown()


@pytest.mark.ckan_config("ckanext.koreanap.linkcheck.timeout", "3")
def test_check_url_head_then_ranged_get(files_host):
    """HEAD 200 answers; HEAD 405 falls back to a GET of one byte (Range) that answers
    206; a 404 does not answer. The request names the URL's host."""
    from ckanext.koreanap.linkcheck import check_url

    assert check_url(files_host + "/ok") == {"ok": True, "status": 200, "method": "HEAD",
                                             "message": None}
    fallback = check_url(files_host + "/no-head")
    assert (fallback["ok"], fallback["status"], fallback["method"]) == (True, 206, "GET")
    assert seen[-1][:2] == ("/no-head", "bytes=0-0")
    assert seen[-1][2].startswith("files.example.test")
    gone = check_url(files_host + "/gone")
    assert (gone["ok"], gone["status"], gone["message"]) == (False, 404, "HTTP 404")


def test_check_url_keeps_the_ssrf_rules():
    """A loopback or private address is refused, not requested (the upload's SSRF rules)."""
    from ckanext.koreanap.linkcheck import check_url

    for url in ("http://127.0.0.1:5000/x.csv", "http://10.0.0.1/x.csv", "file:///etc/passwd"):
        found = check_url(url, timeout=1)
        assert (found["ok"], found["method"]) == (False, "refused"), found
