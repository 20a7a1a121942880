"""Create koreanap_search_index, the PostgreSQL search index.

Revision ID: a1c3e5f70001
Revises:
Create Date: 2026-11-27
"""
from alembic import op

revision = "a1c3e5f70001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE koreanap_search_index (
            index_id text PRIMARY KEY,
            -- compact key for the facet table's joins
            doc_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            package_id text NOT NULL,
            site_id text NOT NULL,
            entity_type text,
            dataset_type text,
            name text,
            state text,
            capacity text,
            permission_labels text[] NOT NULL DEFAULT '{}',
            metadata_modified text,
            metadata_created text,
            title_string text,
            -- every filterable field as {"field": ["value", ...]}
            fields jsonb NOT NULL DEFAULT '{}',
            -- the document exactly as CKAN built it (returned through fl)
            document jsonb NOT NULL,
            search_vector tsvector NOT NULL,
            indexed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX koreanap_search_index_fields_idx "
               "ON koreanap_search_index USING gin (fields jsonb_path_ops)")
    op.execute("CREATE INDEX koreanap_search_index_vector_idx "
               "ON koreanap_search_index USING gin (search_vector)")
    op.execute("CREATE INDEX koreanap_search_index_labels_idx "
               "ON koreanap_search_index USING gin (permission_labels)")
    op.execute("CREATE INDEX koreanap_search_index_package_idx "
               "ON koreanap_search_index (package_id)")
    op.execute("CREATE INDEX koreanap_search_index_name_idx "
               "ON koreanap_search_index (name)")
    # The orders package_search asks for (NULLS LAST, index_id as tie-break).
    op.execute("CREATE INDEX koreanap_search_index_modified_idx ON koreanap_search_index "
               "(metadata_modified DESC NULLS LAST, index_id)")
    op.execute("CREATE INDEX koreanap_search_index_created_idx ON koreanap_search_index "
               "(metadata_created DESC NULLS LAST, index_id)")
    op.execute("CREATE INDEX koreanap_search_index_title_idx "
               "ON koreanap_search_index (lower(title_string) NULLS LAST, index_id)")
    # One row per (document, string field, value): facet counts read this
    # narrow table instead of unpacking every matching document's fields.
    op.execute(
        """
        CREATE TABLE koreanap_search_facet (
            doc_id bigint NOT NULL
                REFERENCES koreanap_search_index (doc_id) ON DELETE CASCADE,
            field text NOT NULL,
            value text NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX koreanap_search_facet_field_idx "
               "ON koreanap_search_facet (field, value, doc_id)")
    op.execute("CREATE INDEX koreanap_search_facet_doc_idx ON koreanap_search_facet (doc_id)")


def downgrade():
    op.execute("DROP TABLE koreanap_search_facet")
    op.execute("DROP TABLE koreanap_search_index")
