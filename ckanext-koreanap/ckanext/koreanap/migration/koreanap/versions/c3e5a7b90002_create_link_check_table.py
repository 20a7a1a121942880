"""Create koreanap_link_check: what the link check found at each distribution URL.

One row per resource and URL (a resource's download URL, and its access URL
when that differs): whether it answered, the HTTP status, how it was
checked (HEAD, a ranged GET, or the stored upload) and when. A table of its
own, not resource extras: recording a check must not change the dataset
(no new activity, no new "modified" date, nothing for the next publish to
compare), as for the validation status.

Revision ID: c3e5a7b90002
Revises: b2d4f6a80001
Create Date: 2026-12-04
"""
from alembic import op

revision = "c3e5a7b90002"
down_revision = "b2d4f6a80001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE koreanap_link_check (
            resource_id text NOT NULL,
            url text NOT NULL,
            package_id text NOT NULL,
            ok boolean NOT NULL,
            status integer,
            method text NOT NULL,
            message text,
            checked timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
            PRIMARY KEY (resource_id, url)
        );
        CREATE INDEX koreanap_link_check_package ON koreanap_link_check (package_id);
        """
    )


def downgrade():
    op.execute("DROP TABLE koreanap_link_check")
