"""The search index's tables, declared: the schema the ``koreanap_search``
migrations build, compared with the migrated database by a test
(``tests/ckan/publish/test_schema_matches_declaration.py``).

They have a MetaData of their own, not CKAN's: the index belongs to the
``koreanap_search`` plugin, which a site may leave out (it then uses Solr), so
CKAN's own table handling (``ckan db clean``, the tests' ``clean_db``) must
not count on them. :mod:`.backend` writes and reads them in SQL of its own,
by these tables' names.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

metadata = sa.MetaData()

index = sa.Table(
    "koreanap_search_index", metadata,
    sa.Column("index_id", sa.Text, primary_key=True),
    # compact key for the facet table's joins
    sa.Column("doc_id", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
    sa.Column("package_id", sa.Text, nullable=False),
    sa.Column("site_id", sa.Text, nullable=False),
    sa.Column("entity_type", sa.Text),
    sa.Column("dataset_type", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("state", sa.Text),
    sa.Column("capacity", sa.Text),
    sa.Column("permission_labels", ARRAY(sa.Text), nullable=False,
              server_default=sa.text("'{}'::text[]")),
    sa.Column("metadata_modified", sa.Text),
    sa.Column("metadata_created", sa.Text),
    sa.Column("title_string", sa.Text),
    # every filterable field as {"field": ["value", ...]}
    sa.Column("fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    # the document exactly as CKAN built it (returned through fl)
    sa.Column("document", JSONB, nullable=False),
    # STORAGE MAIN, as are the narrow columns above (migration
    # d8f0b2c40004; SQLAlchemy does not declare storage): ranking reads every
    # match's vector, so it stays in the row
    sa.Column("search_vector", TSVECTOR, nullable=False),
    sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.text("now()")),
)
sa.Index("koreanap_search_index_fields_idx", index.c.fields, postgresql_using="gin",
         postgresql_ops={"fields": "jsonb_path_ops"})
sa.Index("koreanap_search_index_vector_idx", index.c.search_vector, postgresql_using="gin")
sa.Index("koreanap_search_index_labels_idx", index.c.permission_labels,
         postgresql_using="gin")
sa.Index("koreanap_search_index_package_idx", index.c.package_id)
sa.Index("koreanap_search_index_name_idx", index.c.name)
# The orders package_search asks for (NULLS LAST, index_id as tie-break).
# The default order's index also carries what every anonymous search filters on,
# so an index-only scan answers deep pages and counts without the wide rows.
sa.Index("koreanap_search_index_modified_idx",
         index.c.metadata_modified.desc().nulls_last(), index.c.index_id,
         postgresql_include=["doc_id", "capacity", "state", "site_id", "dataset_type",
                             "permission_labels"])
sa.Index("koreanap_search_index_created_idx",
         index.c.metadata_created.desc().nulls_last(), index.c.index_id)
sa.Index("koreanap_search_index_title_idx",
         sa.func.lower(index.c.title_string).nulls_last(), index.c.index_id)

# One row per (document, string field, value): facet counts read this narrow
# table instead of unpacking every matching document's fields.
facet = sa.Table(
    "koreanap_search_facet", metadata,
    sa.Column("doc_id", sa.BigInteger,
              sa.ForeignKey("koreanap_search_index.doc_id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)
sa.Index("koreanap_search_facet_field_idx", facet.c.field, facet.c.value, facet.c.doc_id)
sa.Index("koreanap_search_facet_doc_idx", facet.c.doc_id)

# Advanced after each commit that wrote the index: facet counts are kept
# until it moves (search/facet_cache.py).
generation = sa.Sequence("koreanap_search_generation", metadata=metadata)

# The synonym sets a site's sysadmins add (search/synonyms.py) to the table
# shipped in search/synonyms.csv; each with its source, as the shipped ones.
synonym = sa.Table(
    "koreanap_search_synonym", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("terms", ARRAY(sa.Text), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.text("now()")),
)
