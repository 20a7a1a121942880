"""A small, fixed catalogue that the read-only search tests query.

Built once per module (the tests only read it), with the plugins from
test.ini loaded while it is built; each test then loads them again through
``with_plugins``. Tests that change data use ``clean_db`` instead.
"""
import ckan.lib.search as search
import ckan.plugins as plugins
import pytest
from ckan.cli.db import _run_migrations
from ckan.common import config
from ckan.tests import factories

from ..conftest import MIGRATED_PLUGINS

# Publishing the real data packages, as the publishing tests do (test_judged_queries.py).
from ..publish.conftest import clean_publish, publish, sysadmin  # noqa: F401, I001


def _dataset(org, **kwargs):
    kwargs.setdefault("license_id", "cc-by")
    return factories.Dataset(owner_org=org["id"], **kwargs)


def build_corpus():
    """Create the test catalogue; returns names of what it made."""
    member = factories.User(name="mfds-member")
    outsider = factories.User(name="outsider")
    mfds = factories.Organization(
        name="mfds", title="식품의약품안전처",
        users=[{"name": member["name"], "capacity": "member"}])
    cha = factories.Organization(name="cha", title="문화재청")
    group = factories.Group(name="food-safety")
    creator = factories.Sysadmin(name="corpus-admin")
    ctx = {"user": creator["name"]}
    _dataset(mfds, name="rice-cadmium", title="쌀 중 카드뮴은 기준 이하 / Cadmium in rice",
             notes="Heavy metal survey of rice samples from traditional markets.",
             tags=[{"name": "카드뮴"}, {"name": "heavy-metals"}],
             groups=[{"name": group["name"]}],
             resources=[{"url": "http://example.org/rice.csv", "format": "CSV",
                         "name": "검사 결과", "description": "survey results"}],
             commitment="KR0043",  # a field of the dataset schema (scheming), not an extra
             extras=[{"key": "survey_year", "value": "2019"}],
             context=ctx)
    _dataset(mfds, name="mycotoxins", title="Mycotoxins in cereals",
             notes="Aflatoxin contamination of grains; 곡류 중 곰팡이독소 조사",
             tags=[{"name": "mycotoxins"}], license_id="cc-zero",
             resources=[{"url": "http://example.org/m.json", "format": "JSON"}],
             commitment="KR0043",
             extras=[{"key": "survey_year", "value": "2020"}],
             context=ctx)
    _dataset(cha, name="heritage-3d", title="문화유산 3D 스캔 데이터",
             notes="Scans of national treasures prepared for 3D printing. 국보 3차원 스캔 자료.",
             tags=[{"name": "3D"}, {"name": "문화유산"}], license_id="other-at",
             resources=[{"url": "http://example.org/a.stl", "format": "STL"},
                        {"url": "http://example.org/a.ply", "format": "PLY"}],
             commitment="KR0045",
             context=ctx)
    _dataset(cha, name="imported-foods", title="Imported foods inspection",
             notes="Mentions cadmium only in the description.",
             tags=[{"name": "imports"}], context=ctx)
    _dataset(mfds, name="lead-in-fish", title="Lead in fish (private)",
             notes="cadmium and lead", private=True, context=ctx)
    _dataset(cha, name="cha-private", title="Unreleased scans", notes="cadmium",
             private=True, context=ctx)
    _dataset(mfds, name="arsenic-draft", title="Draft arsenic survey", state="draft",
             context=ctx)
    return {"member": member["name"], "outsider": outsider["name"],
            "sysadmin": creator["name"]}


@pytest.fixture(scope="module")
def corpus(reset_db):
    names = config["ckan.plugins"]
    names = names.split() if isinstance(names, str) else list(names)
    loaded = [n for n in names if not plugins.plugin_loaded(n)]
    plugins.load(*loaded)
    try:
        reset_db()
        for plugin in MIGRATED_PLUGINS:
            _run_migrations(plugin)
        search.clear_all()
        users = build_corpus()
    finally:
        plugins.unload(*reversed(loaded))
    return users
