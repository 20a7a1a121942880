"""Fixtures for tests that run against CKAN (real PostgreSQL and Redis).

CKAN's own ``with_plugins`` loads the plugins of test.ini before every test
and unloads them after it, and its ``app`` builds a new WSGI app (loading the
plugins once more); together about 1.6 s of every test. Here both keep one
*stack*, test.ini's plugins and one app built with them, for as long as the
tests leave them alone: a test with a ``ckan_config`` or ``with_plugins``
mark changes what plugins see, and one with an ``own_app`` mark changes the
app itself, so either gets CKAN's per-test behaviour and the next unmarked
test builds the stack again. Each test still gets its own test
client (cookies), and CKAN's ``ckan_config`` still restores the config after
every test.

The search index lives in PostgreSQL only while ``koreanap_search`` is
loaded, so ``clean_db`` here loads the plugins first and then adds the
plugins' tables, which CKAN's own ``clean_db`` drops without re-creating.
"""
import ckan.plugins as plugins
import pytest
from ckan.common import config
from ckan.config.middleware import make_app as build_wsgi_app
from ckan.tests.helpers import CKANTestApp

MIGRATED_PLUGINS = ("activity", "koreanap_search", "koreanap", "koreanap_reports")


class _Stack:
    """test.ini's plugins, loaded, and the WSGI app built with them."""
    wsgi_app = None  # None: to be built again before the next unmarked test


def _configured_plugins():
    names = config["ckan.plugins"]
    return names.split() if isinstance(names, str) else list(names)


def _marked(request):
    """Whether the test changes the config, the plugins or the app (CKAN's per-test
    stack)."""
    return any(True for name in ("ckan_config", "with_plugins", "own_app")
               for _ in request.node.iter_markers(name))


def _standard_stack():
    """The kept WSGI app, building it (and loading the plugins) if it is gone."""
    if _Stack.wsgi_app is None or plugins.core._PLUGINS != _configured_plugins():
        config["testing"] = True
        _Stack.wsgi_app = build_wsgi_app(config)
    return _Stack.wsgi_app


@pytest.fixture(scope="session", autouse=True)
def _stack_before_any_snapshot():
    """Build the stack before the first test's ``ckan_config`` snapshot, so that
    the config every test is restored to is the one the loaded plugins made
    (their declared defaults among it)."""
    _standard_stack()


@pytest.fixture
def with_plugins(ckan_config, monkeypatch, request):
    """test.ini's plugins, loaded (kept between unmarked tests)."""
    if not _marked(request):
        _standard_stack()
        yield
        return
    extra = [name for mark in request.node.iter_markers("with_plugins") for name in mark.args]
    if not all(isinstance(name, str) for name in extra):
        raise TypeError("with_plugins marks here take plugin names only")
    _Stack.wsgi_app = None
    monkeypatch.setitem(ckan_config, "ckan.plugins", _configured_plugins() + extra)
    plugins.load_all()
    yield
    plugins.unload_all()


@pytest.fixture
def app(make_app, request):
    """A test client of the kept app, or of a new one for a marked test."""
    if _marked(request):
        _Stack.wsgi_app = None
        return make_app()
    return CKANTestApp(_standard_stack())


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, then every plugin migration (the index table among them)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
