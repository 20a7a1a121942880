"""The page cache (pagecache.py) shares only what CKAN marks public, gives each
visitor a CSRF token of their own, and any write makes every kept page stale.

Against the real app of test.ini (real PostgreSQL and Redis) with the cache
turned on, as scripts/serve runs it.
"""
import re
import threading
import time

import pytest
import redis
from ckan.tests import factories, helpers
from ckan.tests.helpers import CKANTestApp
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ckanext.koreanap import pagecache

HEADER = pagecache.HEADER
ON = pytest.mark.ckan_config("ckanext.koreanap.page_cache.seconds", 60)
TOKEN = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


@pytest.fixture
def fresh_cache(app):
    """The cache of this process starts empty (the site's data is new for each test)."""
    pagecache.cache().store.clear()
    return app


def _get(app, url, **kwargs):
    response = app.get(url, **kwargs)
    return response, response.headers.get(HEADER)


def _dataset(**fields):
    return factories.Dataset(owner_org=factories.Organization()["id"], **fields)


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_anonymous_page_is_rendered_once_then_shared_until_a_write(fresh_cache):
    """The second visitor gets the kept page; an API write through the site makes it
    stale, and the next visitor sees the change."""
    app = fresh_cache
    sysadmin = factories.SysadminWithToken()
    dataset = _dataset(title="캐시 전 제목")
    url = "/dataset/" + dataset["name"]

    first, state = _get(app, url)
    assert first.status_code == 200 and state == "miss"
    second, state = _get(CKANTestApp(app.app), url)
    assert state == "hit"
    assert "캐시 전 제목" in second.body
    assert TOKEN.sub("", second.body) == TOKEN.sub("", first.body)
    assert "public" in second.headers["Cache-Control"]

    patched = app.post("/api/3/action/package_patch",
                       json={"id": dataset["id"], "title": "캐시 후 제목"},
                       headers={"Authorization": sysadmin["token"]})
    assert patched.status_code == 200, patched.body

    third, state = _get(CKANTestApp(app.app), url)
    assert state == "miss"
    assert "캐시 후 제목" in third.body


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(fresh_cache):
    """A kept page carries the visitor's own token, not its renderer's: two visitors
    get different tokens, and a form posted with the kept page's token is accepted."""
    _dataset()
    renderer, visitor = CKANTestApp(fresh_cache.app), CKANTestApp(fresh_cache.app)
    first, _ = _get(renderer, "/dataset/")
    kept, state = _get(visitor, "/dataset/")
    assert state == "hit"
    mine, theirs = TOKEN.search(kept.body).group(1), TOKEN.search(first.body).group(1)
    assert mine != theirs

    session = visitor.client.get_cookie("ckan", domain="127.0.0.1").value
    with fresh_cache.flask_app.test_request_context("/", headers={"Cookie": "ckan=" + session}):
        validate_csrf(mine)  # what CKAN's CSRF protection checks on a form post
    with fresh_cache.flask_app.test_request_context("/"):
        with pytest.raises(ValidationError):
            validate_csrf(mine)  # in anyone else's session it is refused


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_write_outside_any_request_makes_kept_pages_stale(fresh_cache):
    """An action run by a job or a command (no web request) replaces the site version
    in Redis, which every web process checks."""
    app = fresh_cache
    sysadmin = factories.Sysadmin()
    dataset = _dataset(title="작업 전")
    url = "/dataset/" + dataset["name"]
    _get(app, url)
    assert _get(app, url)[1] == "hit"

    helpers.call_action("package_patch", context={"user": sysadmin["name"]},
                        id=dataset["id"], title="작업 후")

    page, state = _get(app, url)
    assert state == "miss"
    assert "작업 후" in page.body


def _validation_of(app, resource_id):
    response, state = _get(app, "/api/3/action/koreanap_validation_show?id=" + resource_id)
    return response.json["result"], state, response.headers["Cache-Control"]


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_job_recording_its_progress_without_an_action_makes_kept_answers_stale(
        fresh_cache):
    """A validation job writes its state through CKAN's session, not an action: its
    commit (Core SQL or plain text SQL alike) still makes every kept answer stale."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.koreanap.pipeline import model as kmodel

    app = fresh_cache
    dataset = _dataset(resources=[{"url": "http://example.com/a.csv", "format": "CSV"}])
    resource_id = dataset["resources"][0]["id"]
    kmodel.set_status(resource_id, dataset["id"], "valid", message="first")
    model.Session.commit()
    _validation_of(app, resource_id)
    row, state, _ = _validation_of(app, resource_id)
    assert (row["message"], state) == ("first", "hit")

    kmodel.set_status(resource_id, dataset["id"], "invalid", message="second")
    model.Session.commit()  # as pipeline/validate.py does, outside any request
    row, state, _ = _validation_of(app, resource_id)
    assert (row["status"], row["message"], state) == ("invalid", "second", "miss")
    assert _validation_of(app, resource_id)[1] == "hit"

    model.Session.execute(sa.text(
        "UPDATE koreanap_resource_validation SET message = 'third' WHERE resource_id = :r"),
        {"r": resource_id})
    model.Session.commit()
    row, state, _ = _validation_of(app, resource_id)
    assert (row["message"], state) == ("third", "miss")

    model.Session.execute(sa.text("SELECT 1"))
    model.Session.commit()  # a commit that wrote nothing changes nothing
    assert _validation_of(app, resource_id)[1] == "hit"


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_answer_showing_a_running_job_is_never_kept(fresh_cache):
    """A pending row's state is read from the queue and the worker's process, which no
    write marks (a worker killed mid-job writes nothing): such an answer is rendered for
    every visitor, and CKAN tells proxies not to keep it either."""
    from ckan import model

    from ckanext.koreanap.pipeline import model as kmodel

    dataset = _dataset(resources=[{"url": "http://example.com/a.csv", "format": "CSV"}])
    resource_id = dataset["resources"][0]["id"]
    kmodel.set_status(resource_id, dataset["id"], "pending", job_id="no-such-job",
                      worker="nowhere:1")
    model.Session.commit()
    for _ in range(2):
        row, state, cache_control = _validation_of(fresh_cache, resource_id)
        assert (row["status"], state) == ("pending", "miss")
        assert "public" not in cache_control


@ON
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_users_are_never_served_kept_pages_nor_give_theirs_away(fresh_cache):
    """A request with an API token or a logged-in session goes to CKAN every time, and
    what CKAN answered it is never given to anyone else."""
    app = fresh_cache
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization()
    private = factories.Dataset(owner_org=org["id"], private=True, title="비공개 데이터")
    url = "/api/3/action/package_search?include_private=true&q=name:" + private["name"]

    for _ in range(2):
        answer, state = _get(app, url, headers={"Authorization": sysadmin["token"]})
        assert state is None
        assert answer.json["result"]["count"] == 1
    anonymous, state = _get(CKANTestApp(app.app), url)
    assert state == "miss"
    assert anonymous.json["result"]["count"] == 0

    browser = CKANTestApp(app.app)
    browser.post("/user/login", data={"login": sysadmin["name"], "password": "correct123"})
    for _ in range(2):
        page, state = _get(browser, "/dataset/")
        assert state is None
        assert "비공개 데이터" in page.body
    assert "비공개 데이터" not in _get(CKANTestApp(app.app), "/dataset/")[0].body


@ON
@pytest.mark.usefixtures("clean_db")
def test_errors_are_not_kept(fresh_cache):
    """A 404 is rendered for every visitor (the dataset may be about to exist)."""
    for _ in range(2):
        response, state = _get(fresh_cache, "/dataset/no-such-dataset-here", status=404)
        assert response.status_code == 404
        assert state == "miss"


@ON
@pytest.mark.ckan_config("ckan.cache_enabled", False)
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_pages_ckan_does_not_let_proxies_share_are_not_kept(fresh_cache):
    """With ckan.cache_enabled off CKAN marks pages private: rendered every time."""
    for _ in range(2):
        response, state = _get(fresh_cache, "/dataset/")
        assert "private" in response.headers["Cache-Control"]
        assert state == "miss"
    assert _get(fresh_cache, "/dataset/")[1] == "miss"


@pytest.mark.ckan_config("ckanext.koreanap.page_cache.seconds", 1)
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_an_entry_is_served_no_longer_than_its_age_limit(fresh_cache):
    """A change made without any action (plain SQL) is seen once the kept page is older
    than ckanext.koreanap.page_cache.seconds."""
    assert _get(fresh_cache, "/dataset/")[1] == "miss"
    assert _get(fresh_cache, "/dataset/")[1] == "hit"
    time.sleep(1.1)
    assert _get(fresh_cache, "/dataset/")[1] == "miss"


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_turned_off_by_default_in_tests(app):
    """scripts/test writes page_cache.seconds = 0: pages are rendered every time."""
    assert pagecache.cache() is None
    for _ in range(2):
        assert _get(app, "/dataset/")[1] is None


def test_without_redis_nothing_is_kept_or_served():
    """Redis unreachable: no version, so no page is served from memory and what was
    kept is dropped (no write could have replaced the version meanwhile)."""
    dead = pagecache.SiteVersion(
        lambda: redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5), "x")
    cache = pagecache.PageCache(seconds=60, max_bytes=1 << 20, version=dead)
    cache.store.put("page", pagecache.Entry("v", time.monotonic(), 200, [], b"old"))
    assert cache.current_version() is None
    assert len(cache.store) == 0
    cache.store.put("page", pagecache.Entry("v", time.monotonic(), 200, [], b"old"))
    cache.changed()
    assert len(cache.store) == 0


def test_threads_asking_for_the_same_missing_page_wait_for_one_render():
    """The first thread to miss renders; the others wait on it and then find the page."""
    store = pagecache.Store(1 << 20)
    order = []

    def render():
        assert store.claim("page") is None
        order.append("rendering")
        time.sleep(0.2)
        store.put("page", pagecache.Entry("v", time.monotonic(), 200, [], b"page"))
        store.release("page")

    def wait():
        time.sleep(0.05)
        event = store.claim("page")
        assert event is not None
        event.wait(pagecache.WAIT_S)
        order.append(store.get("page", "v", 60).body)

    threads = [threading.Thread(target=render)] + [threading.Thread(target=wait)
                                                   for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["rendering"] + [b"page"] * 4


def test_the_budget_keeps_the_most_recently_used_pages():
    """Past its byte budget a process drops the least recently used page first, and a
    page larger than a sixteenth of the budget is never kept."""
    store = pagecache.Store(1600)  # sixteen 100-byte pages
    for n in range(16):
        store.put(f"p{n}", pagecache.Entry("v", time.monotonic(), 200, [], b"x" * 100))
    assert store.get("p0", "v", 60) is not None  # p0 is now the most recently used
    store.put("p16", pagecache.Entry("v", time.monotonic(), 200, [], b"x" * 100))
    assert store.get("p1", "v", 60) is None
    assert store.get("p0", "v", 60) is not None
    store.put("big", pagecache.Entry("v", time.monotonic(), 200, [], b"y" * 101))
    assert store.get("big", "v", 60) is None
    assert store.get("p0", "v", 60) is not None
    assert store.get("p0", "w", 60) is None  # another site version: stale
