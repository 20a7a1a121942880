"""Create koreanap_search_synonym: the synonym sets a site's sysadmins add to the
table shipped in search/synonyms.csv (issue 16 item 3).

Revision ID: b4d6f8a10002
Revises: a1c3e5f70001
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "b4d6f8a10002"
down_revision = "a1c3e5f70001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "koreanap_search_synonym",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("terms", ARRAY(sa.Text), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
    )


def downgrade():
    op.drop_table("koreanap_search_synonym")
