"""Create koreanap_validation_rule: rules a dataset's tables must follow beyond their
Table Schema, most made from a confirmed error report.

One row per rule: the dataset, the data-package resource name it applies to (names
outlive re-uploads, resource ids do not), the rule itself in the data package's
``koreanap:rules`` form (validation/README.md), the error report it came from, who made
it and when, and, once retired, who retired it, when and why. Retired rules stay (the
history); only active ones are applied and exported.

Revision ID: d4f6b8c10003
Revises: c3e5a7b90002
Create Date: 2026-12-06
"""
from alembic import op

revision = "d4f6b8c10003"
down_revision = "c3e5a7b90002"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        CREATE TABLE koreanap_validation_rule (
            id text PRIMARY KEY,
            package_id text NOT NULL,
            resource_name text NOT NULL,
            definition jsonb NOT NULL,
            report_code text,
            created_by text,
            created timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
            retired timestamp,
            retired_by text,
            retired_reason text
        );
        CREATE INDEX koreanap_validation_rule_package ON koreanap_validation_rule (package_id);
        CREATE INDEX koreanap_validation_rule_report ON koreanap_validation_rule (report_code);
        """
    )


def downgrade():
    op.execute("DROP TABLE koreanap_validation_rule")
