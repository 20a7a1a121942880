"""Create koreanap_search_generation: advanced after each commit that wrote the
search index, so facet counts can be kept until the index changes
(search/facet_cache.py; issue 16 item 7).

IF NOT EXISTS: CKAN's clean_db drops the tables it reflects, not sequences, and
then runs the migrations again.

Revision ID: c6e8a0b20003
Revises: b4d6f8a10002
Create Date: 2026-12-07
"""
from alembic import op

revision = "c6e8a0b20003"
down_revision = "b4d6f8a10002"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE IF NOT EXISTS koreanap_search_generation")


def downgrade():
    op.execute("DROP SEQUENCE IF EXISTS koreanap_search_generation")
