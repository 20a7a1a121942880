"""Create koreanap_resource_validation and koreanap_dataset_quality.

One row per resource: its validation status (pending/valid/invalid/error),
the report, the file it was made from (sha256) and the job that made it.
One row per dataset: its metadata quality score.

Revision ID: b2d4f6a80001
Revises:
Create Date: 2026-11-27
"""
from alembic import op

revision = "b2d4f6a80001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE koreanap_resource_validation (
            resource_id text PRIMARY KEY,
            package_id text NOT NULL,
            status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'valid', 'invalid', 'error')),
            report jsonb,
            message text,
            file_sha256 text,
            job_id text,
            -- host:pid of the process running the job (to tell a dead worker)
            worker text,
            datastore_rows bigint,
            created timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
            finished timestamp
        );
        CREATE INDEX koreanap_resource_validation_package
            ON koreanap_resource_validation (package_id);
        CREATE TABLE koreanap_dataset_quality (
            package_id text PRIMARY KEY,
            total integer NOT NULL,
            max integer NOT NULL,
            band text NOT NULL,
            detail jsonb,
            computed timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
        );
        """
    )


def downgrade():
    op.execute("DROP TABLE koreanap_dataset_quality; DROP TABLE koreanap_resource_validation")
