"""The search vector is kept in its row, compressed with lz4 (ranking reads every
match's vector), on a fresh database and after the migration on an index written
before it, which keeps every vector, match and score as it was."""
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
# A description whose vector (600 distinct words) passes 2 kB, so it is compressed.
LONG = "검체번호 specimen number " + " ".join("sample%d" % i for i in range(600))


def _column(name="search_vector"):
    """(storage, compression) of a column: 'm' main, 'x' extended, 'l' lz4."""
    model.Session.remove()
    return tuple(model.Session.execute(sa.text(
        "SELECT attstorage, attcompression FROM pg_attribute"
        " WHERE attrelid = CAST('koreanap_search_index' AS regclass)"
        " AND attname = :name"), {"name": name}).one())


def _vectors():
    """name -> (how the vector is compressed, its text)."""
    model.Session.remove()
    return {name: (compression, text) for name, compression, text in model.Session.execute(
        sa.text("SELECT name, pg_column_compression(search_vector), CAST(search_vector AS text)"
                " FROM koreanap_search_index")).all()}


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


def test_a_fresh_index_keeps_vectors_in_the_row_with_lz4():
    """After the migrations, the vector's column is MAIN with lz4, as are the narrow
    columns filters read (else a long vector would push them out of the row), the
    document is not; and a long vector is written lz4-compressed."""
    assert _column() == ("m", "l")
    assert _column("permission_labels") == ("m", "")
    assert _column("document") == ("x", "")
    _datasets()
    vectors = _vectors()
    assert vectors["long-survey"][0] == "lz4"
    assert vectors["other"][0] is None  # small: not compressed at all


def test_the_migration_rewrites_an_existing_index_keeping_every_score():
    """Vectors written before the migration (out of line, pglz or none) are rewritten
    as lz4 in the row by it, with the same text, matches, order and scores; and the
    downgrade gives the old storage back."""
    _migrate(BEFORE, forward=False)
    assert _column() == ("x", "")
    _datasets()
    before = _vectors()
    assert before["long-survey"][0] != "lz4"
    ranked = {q: _ranked(q) for q in ("검체번호", "specimen number", "쌀", "survey")}
    assert ranked["검체번호"][0] == 2

    _migrate()
    assert _column() == ("m", "l")
    after = _vectors()
    assert after["long-survey"][0] == "lz4"
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
    assert {q: _ranked(q) for q in ranked} == ranked

    _migrate(BEFORE, forward=False)
    assert _column() == ("x", "")
    _migrate()
