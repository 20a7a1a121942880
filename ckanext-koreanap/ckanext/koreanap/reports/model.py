"""The tables of the error-report centre (created by the koreanap_reports migrations).

A report row holds the current state; every change is also an event row
(who, when, what), and nothing is ever deleted: spam is a status. The outbox
keeps notifications that could not be queued (Redis down) until a worker
queues them; the rate table is the rate limit's fallback while Redis is down.
"""
from __future__ import annotations

import datetime
import secrets

from ckan.model import types as ckan_types
from ckan.model.base import BaseModel
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Table,
    UnicodeText,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Crockford's base-32 letters: no I, L, O, U, so a code read aloud is unambiguous.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The default where the database writes the time itself.
_NOW = text("now()")


def now() -> datetime.datetime:
    """The current time in UTC (stored as timestamptz)."""
    return datetime.datetime.now(datetime.UTC)


def new_tracking_code() -> str:
    """A random public tracking code such as ``ER-7F3KQ-9XM2P`` (50 bits)."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return "ER-{}-{}".format(chars[:5], chars[5:])


class ErrorReport(BaseModel):
    __table__ = Table(
        "koreanap_error_report",
        BaseModel.metadata,
        Column("id", UnicodeText, primary_key=True, default=ckan_types.make_uuid),
        Column("code", UnicodeText, nullable=False, unique=True),
        Column("package_id", UnicodeText, nullable=False),
        Column("resource_id", UnicodeText),
        Column("owner_org", UnicodeText),
        Column("category", UnicodeText, nullable=False),
        Column("description", UnicodeText, nullable=False),
        Column("location_row", UnicodeText),
        Column("location_column", UnicodeText),
        Column("reporter_name", UnicodeText),
        Column("reporter_email", UnicodeText),
        Column("consent", Boolean, nullable=False, default=False, server_default=false()),
        Column("reporter_user_id", UnicodeText),
        Column("status", UnicodeText, nullable=False, default="pending",
               server_default="pending"),
        Column("urgent", Boolean, nullable=False, default=False, server_default=false()),
        Column("assignee_id", UnicodeText),
        Column("resolution", UnicodeText),
        Column("public_answer", UnicodeText),
        Column("created", DateTime(timezone=True), nullable=False, default=now,
               server_default=_NOW),
        Column("modified", DateTime(timezone=True), nullable=False, default=now,
               server_default=_NOW),
        Column("accepted_at", DateTime(timezone=True)),
        Column("due_at", DateTime(timezone=True)),
        Column("answered_at", DateTime(timezone=True)),
        Index("koreanap_error_report_package_idx", "package_id", "status"),
        Index("koreanap_error_report_org_idx", "owner_org", "status"),
        Index("koreanap_error_report_queue_idx", "status", "due_at", "created"),
        extend_existing=True,
    )


class ErrorReportEvent(BaseModel):
    __table__ = Table(
        "koreanap_error_report_event",
        BaseModel.metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("report_id", UnicodeText, ForeignKey("koreanap_error_report.id"),
               nullable=False),
        Column("created", DateTime(timezone=True), nullable=False, default=now,
               server_default=_NOW),
        Column("actor_id", UnicodeText),
        Column("kind", UnicodeText, nullable=False),
        Column("from_status", UnicodeText),
        Column("to_status", UnicodeText),
        Column("text", UnicodeText),
        Column("data", JSONB, nullable=False, default=dict, server_default="{}"),
        Index("koreanap_error_report_event_report_idx", "report_id", "created", "id"),
        extend_existing=True,
    )


class ErrorReportOutbox(BaseModel):
    __table__ = Table(
        "koreanap_error_report_outbox",
        BaseModel.metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("report_id", UnicodeText, ForeignKey("koreanap_error_report.id"),
               nullable=False),
        Column("job", UnicodeText, nullable=False),
        Column("args", JSONB, nullable=False, default=list, server_default="[]"),
        Column("created", DateTime(timezone=True), nullable=False, default=now,
               server_default=_NOW),
        Column("error", UnicodeText),
        extend_existing=True,
    )


class ErrorReportRate(BaseModel):
    __table__ = Table(
        "koreanap_error_report_rate",
        BaseModel.metadata,
        Column("key", UnicodeText, primary_key=True),
        Column("count", Integer, nullable=False),
        Column("expires", DateTime(timezone=True), nullable=False),
        Index("koreanap_error_report_rate_expires_idx", "expires"),
        extend_existing=True,
    )
