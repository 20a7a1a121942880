"""Every time of the koreanap tables becomes timestamp with time zone (issue 17 item 5).

They were naive timestamps holding UTC (the code wrote naive UTC, the defaults were
now() AT TIME ZONE 'utc'); each value is read as UTC, so it keeps its instant, and the
defaults become now(). The error-report and search tables were timestamptz already.

Revision ID: f6b8d0e30005
Revises: e5a7c9d20004
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "f6b8d0e30005"
down_revision = "e5a7c9d20004"
branch_labels = None
depends_on = None

# {table: {column: whether the database fills it in (a default of now)}}
TIMES = {
    "koreanap_resource_validation": {"created": True, "finished": False},
    "koreanap_dataset_quality": {"computed": True},
    "koreanap_dataset_quality_history": {"computed": True},
    "koreanap_link_check": {"checked": True},
    "koreanap_validation_rule": {"created": True, "retired": False},
}


def upgrade():
    for table, columns in TIMES.items():
        for column, defaulted in columns.items():
            op.alter_column(
                table, column, type_=sa.DateTime(timezone=True),
                existing_type=sa.DateTime(), existing_nullable=not defaulted,
                postgresql_using=f"{column} AT TIME ZONE 'UTC'",
                **({"server_default": sa.text("now()")} if defaulted else {}))


def downgrade():
    for table, columns in TIMES.items():
        for column, defaulted in columns.items():
            op.alter_column(
                table, column, type_=sa.DateTime(),
                existing_type=sa.DateTime(timezone=True), existing_nullable=not defaulted,
                postgresql_using=f"{column} AT TIME ZONE 'UTC'",
                **({"server_default": sa.text("(now() AT TIME ZONE 'utc')")}
                   if defaulted else {}))
