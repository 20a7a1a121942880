"""Create koreanap_dataset_quality_history: every metadata score a dataset was given, so
the quality dashboard can show scores over time (koreanap_dataset_quality keeps only the
latest). The scores already stored are its first rows.

Revision ID: e5a7c9d20004
Revises: d4f6b8c10003
Create Date: 2026-12-06
"""
from alembic import op

revision = "e5a7c9d20004"
down_revision = "d4f6b8c10003"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE koreanap_dataset_quality_history (
            id bigserial PRIMARY KEY,
            package_id text NOT NULL,
            total integer NOT NULL,
            max integer NOT NULL,
            band text NOT NULL,
            computed timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
        );
        CREATE INDEX koreanap_dataset_quality_history_package
            ON koreanap_dataset_quality_history (package_id, computed);
        INSERT INTO koreanap_dataset_quality_history (package_id, total, max, band, computed)
            SELECT package_id, total, max, band, coalesce(computed, now() AT TIME ZONE 'utc')
            FROM koreanap_dataset_quality;
        """
    )


def downgrade():
    op.execute("DROP TABLE koreanap_dataset_quality_history")
