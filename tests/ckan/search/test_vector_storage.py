"""The search vector is kept in its row (ranking reads every match's vector), on a
fresh database and after the migration on an index written before it, which keeps
every vector, match and score as it was."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.db import _run_migrations
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]

# The revision before the vector moved into the row.
BEFORE = "c6e8a0b20003"
# A description whose vector (600 distinct words) passes the 2 kB at which
# PostgreSQL starts moving values out of a row.
LONG = "검체번호 specimen number " + " ".join("sample%d" % i for i in range(600))


def _column(name="search_vector"):
    """(storage, compression) of a column: 'm' main, 'x' extended, 'p' pglz."""
    model.Session.remove()
    return tuple(model.Session.execute(sa.text(
        "SELECT attstorage, attcompression FROM pg_attribute"
        " WHERE attrelid = CAST('koreanap_search_index' AS regclass)"
        " AND attname = :name"), {"name": name}).one())


def _file():
    model.Session.remove()
    return model.Session.execute(sa.text(
        "SELECT pg_relation_filenode('koreanap_search_index')")).scalar()


def _vectors():
    """name -> the vector's text."""
    model.Session.remove()
    return dict(model.Session.execute(sa.text(
        "SELECT name, CAST(search_vector AS text) FROM koreanap_search_index")).all())


def _ranked(q):
    result = helpers.call_action("package_search", q=q, fl=["name", "score"])
    return result["count"], [(r["name"], r["score"]) for r in result["results"]]


def _migrate(version="head", forward=True):
    model.Session.remove()  # the migration waits for every lock on the table
    _run_migrations("koreanap_search", version, forward)


def _datasets():
    factories.Dataset(name="long-survey", title="검체 조사 / Specimen survey", notes=LONG)
    factories.Dataset(name="short-survey", title="Specimen number list", notes="검체번호 목록")
    factories.Dataset(name="other", title="Rice", notes="쌀")


def test_a_fresh_index_keeps_vectors_in_the_row():
    """After the migrations the vector's column is MAIN with pglz (which leaves most
    vectors as they are), as are the narrow columns filters read (else a long vector
    would push them out of the row); the document is not."""
    assert _column() == ("m", "p")
    assert _column("permission_labels") == ("m", "")
    assert _column("index_id") == ("m", "")
    assert _column("document") == ("x", "")
    _datasets()
    assert _ranked("검체번호")[0] == 2


def test_the_migration_rewrites_an_existing_index_keeping_every_score():
    """An index written before the migration is rewritten by it (a new file, so every
    row is stored anew) with the same vectors, matches, order and scores; the
    downgrade gives the old storage back."""
    _migrate(BEFORE, forward=False)
    assert _column() == ("x", "")
    _datasets()
    before = _vectors()
    ranked = {q: _ranked(q) for q in ("검체번호", "specimen number", "쌀", "survey")}
    assert ranked["검체번호"][0] == 2
    old_file = _file()

    _migrate()
    assert _column() == ("m", "p")
    assert _file() != old_file
    assert _vectors() == before
    assert {q: _ranked(q) for q in ranked} == ranked

    _migrate(BEFORE, forward=False)
    assert _column() == ("x", "")
    assert _vectors() == before
    _migrate()
