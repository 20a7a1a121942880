"""Keep each document's search vector in its row (issue 16 item 7).

A page in score order reads the vector of every match (each ts_rank of the
score reads it again). Stored as before (EXTENDED: out of line in the TOAST
table once a row passes 2 kB), each read was an index lookup in the TOAST
table and a copy of two chunks, from a TOAST table several times larger than
a stock server's cache. STORAGE MAIN keeps the vector in the row unless the
row cannot fit a page. Compression stays pglz, named so a server whose
default is lz4 does the same: it gives up on nearly every vector (less than
a quarter smaller), which leaves them in the row as they are and ts_rank
reads them in place; lz4 would make them 12% smaller and decompress each on
every read, which made ranking 1,435 matches twice as slow (10-14 ms
against 5-7 ms, on a 33,000-dataset copy). The stored value is the same, so
matches and scores are exactly as before.

The narrow columns that filters and orders read are MAIN too: once a row's
vector alone passes the 2 kB at which PostgreSQL starts to move values out,
it would move every EXTENDED value out (``index_id``, ``permission_labels``,
``metadata_modified`` ...), and each filter or sort would read them from the
TOAST table. Only ``fields`` and ``document`` (large, read for the page's
rows or through the GIN index) stay EXTENDED.

Existing rows are rewritten (the vector's type is "changed" to itself through
an expression that yields a fresh copy), since a new storage setting applies
only to values written after it. The rewrite takes an exclusive lock on the
table and rebuilds its indexes: 28 s at 100,000 datasets (2 cores, idle).

Revision ID: d8f0b2c40004
Revises: c6e8a0b20003
Create Date: 2026-12-07
"""
from alembic import op

revision = "d8f0b2c40004"
down_revision = "c6e8a0b20003"
branch_labels = None
depends_on = None

NARROW = ("index_id", "package_id", "site_id", "entity_type", "dataset_type", "name", "state",
          "capacity", "permission_labels", "metadata_modified", "metadata_created",
          "title_string")
# ``v || ''`` is a new tsvector equal to ``v`` (the empty one adds no lexeme).
_REWRITE = ("ALTER COLUMN search_vector TYPE tsvector "
            "USING search_vector || CAST('' AS tsvector)")


def _alter(storage: str, compression: str) -> None:
    changes = ["ALTER COLUMN %s SET STORAGE %s" % (c, storage) for c in NARROW + ("search_vector",)]
    changes += ["ALTER COLUMN search_vector SET COMPRESSION %s" % compression, _REWRITE]
    op.execute("ALTER TABLE koreanap_search_index " + ", ".join(changes))


def upgrade():
    _alter("MAIN", "pglz")


def downgrade():
    _alter("EXTENDED", "DEFAULT")
