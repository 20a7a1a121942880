"""Validation status per resource, quality score per dataset, and the rules a
dataset's tables must follow beyond their Table Schema.

Tables are created by the ``koreanap`` migrations (never at import); the
declarations below are the schema those migrations build, and a test compares
the migrated database with them. The status lives here, not in the resource,
so recording a job's result does not change the dataset (no new activity, no
"updated" on the next publish).

Times are ``timestamp with time zone``: written and read as aware UTC
datetimes (:func:`now`; rows are read back in UTC whatever the session's
time zone).
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.model.base import BaseModel
from sqlalchemy.dialects.postgresql import JSONB, insert

STATUSES = ("pending", "valid", "invalid", "error")

# A time: an instant, stored with its time zone (timestamptz), given as aware UTC.
_TIME = sa.DateTime(timezone=True)
# The column default where the database writes the time itself.
_NOW = sa.text("now()")

resource_validation = sa.Table(
    "koreanap_resource_validation", BaseModel.metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False, default="pending",
              server_default="pending"),
    sa.Column("report", JSONB),
    sa.Column("message", sa.UnicodeText),
    sa.Column("file_sha256", sa.UnicodeText),
    sa.Column("job_id", sa.UnicodeText),
    # host:pid of the process running the job (to tell a dead worker)
    sa.Column("worker", sa.UnicodeText),
    sa.Column("datastore_rows", sa.BigInteger),
    sa.Column("created", _TIME, nullable=False, server_default=_NOW),
    sa.Column("finished", _TIME),
    sa.CheckConstraint("status IN ('pending', 'valid', 'invalid', 'error')",
                       name="koreanap_resource_validation_status_check"),
    sa.Index("koreanap_resource_validation_package", "package_id"),
)

dataset_quality = sa.Table(
    "koreanap_dataset_quality", BaseModel.metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("max", sa.Integer, nullable=False),
    sa.Column("band", sa.UnicodeText, nullable=False),
    sa.Column("detail", JSONB),
    sa.Column("computed", _TIME, nullable=False, server_default=_NOW),
)

# Every score given (the dashboard's scores over time); the row above is the latest.
dataset_quality_history = sa.Table(
    "koreanap_dataset_quality_history", BaseModel.metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("max", sa.Integer, nullable=False),
    sa.Column("band", sa.UnicodeText, nullable=False),
    sa.Column("computed", _TIME, nullable=False, server_default=_NOW),
    sa.Index("koreanap_dataset_quality_history_package", "package_id", "computed"),
)

link_check = sa.Table(
    "koreanap_link_check", BaseModel.metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("url", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("method", sa.UnicodeText, nullable=False),
    sa.Column("message", sa.UnicodeText),
    sa.Column("checked", _TIME, nullable=False, server_default=_NOW),
    sa.Index("koreanap_link_check_package", "package_id"),
)

validation_rule = sa.Table(
    "koreanap_validation_rule", BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("resource_name", sa.UnicodeText, nullable=False),
    sa.Column("definition", JSONB, nullable=False),
    sa.Column("report_code", sa.UnicodeText),
    sa.Column("created_by", sa.UnicodeText),
    sa.Column("created", _TIME, nullable=False, server_default=_NOW),
    sa.Column("retired", _TIME),
    sa.Column("retired_by", sa.UnicodeText),
    sa.Column("retired_reason", sa.UnicodeText),
    sa.Index("koreanap_validation_rule_package", "package_id"),
    sa.Index("koreanap_validation_rule_report", "report_code"),
)


def now() -> datetime.datetime:
    """The time stored in ``created`` / ``finished`` … (aware, UTC)."""
    return datetime.datetime.now(datetime.UTC)


def _in_utc(row: Any) -> dict[str, Any]:
    """A row as a dict, its times in UTC (a timestamptz comes back in the session's
    time zone)."""
    return {k: v.astimezone(datetime.UTC) if isinstance(v, datetime.datetime) else v
            for k, v in row.items()}


def set_status(resource_id: str, package_id: str, status: str,
               unless_requested_after: datetime.datetime | None = None,
               **values: Any) -> None:
    """Insert or update a resource's row (``report``, ``message``, ``job_id`` …).

    :param unless_requested_after: a job's start time: leave the row alone when
        it was marked pending after it (a newer job will record that resource)
    """
    assert status in STATUSES, status
    row = {"resource_id": resource_id, "package_id": package_id, "status": status, **values}
    if status == "pending":
        row.setdefault("created", now())
        row.setdefault("finished", None)
    else:
        row.setdefault("finished", now())
    stmt = insert(resource_validation).values(**row)
    where = None
    if unless_requested_after is not None:
        where = sa.or_(resource_validation.c.status != "pending",
                       resource_validation.c.created.is_(None),
                       resource_validation.c.created <= unless_requested_after)
    stmt = stmt.on_conflict_do_update(
        index_elements=["resource_id"],
        set_={k: stmt.excluded[k] for k in row if k != "resource_id"}, where=where)
    model.Session.execute(stmt)


def _failed(message: str) -> dict[str, Any]:
    """The columns of a row that ends in ``error`` with ``message`` (no report)."""
    return {"status": "error", "message": message[:500], "report": None, "finished": now()}


def fail_pending(package_id: str, message: str, requested_before: datetime.datetime) -> None:
    """Mark a dataset's pending rows ``error`` with ``message`` (a job that had to give
    up), except rows marked pending after ``requested_before`` (a newer job's)."""
    model.Session.execute(sa.update(resource_validation).where(
        resource_validation.c.package_id == package_id,
        resource_validation.c.status == "pending",
        sa.or_(resource_validation.c.created.is_(None),
               resource_validation.c.created <= requested_before)).values(**_failed(message)))


def pending_rows(limit: int = 500) -> list[dict[str, Any]]:
    """Rows still ``pending`` with a job (``resource_id``, ``package_id``, ``job_id``,
    ``worker``, ``created``), oldest first."""
    c = resource_validation.c
    rows = model.Session.execute(sa.select(
        c.resource_id, c.package_id, c.status, c.job_id, c.worker, c.created).where(
        c.status == "pending", c.job_id.isnot(None)).order_by(c.created).limit(limit))
    return [_in_utc(r) for r in rows.mappings()]


def fail_stale(resource_id: str, job_id: str, message: str) -> bool:
    """Mark a resource's row ``error`` with ``message`` if it is still pending on the job
    ``job_id`` (a newer request's row is left alone); whether it was."""
    c = resource_validation.c
    done = model.Session.execute(sa.update(resource_validation).where(
        c.resource_id == resource_id, c.status == "pending", c.job_id == job_id).values(
        **_failed(message)))
    return bool(done.rowcount)


def get_status(resource_id: str) -> dict[str, Any] | None:
    """A resource's row as a dict, or None when it was never validated."""
    row = model.Session.execute(sa.select(resource_validation).where(
        resource_validation.c.resource_id == resource_id)).mappings().first()
    return _in_utc(row) if row else None


def statuses_of(package_id: str, with_report: bool = False) -> dict[str, dict[str, Any]]:
    """``{resource_id: row}`` for every validated resource of a dataset."""
    cols = [c for c in resource_validation.c if with_report or c.name != "report"]
    active = sa.select(model.resource_table.c.id).where(
        model.resource_table.c.package_id == package_id,
        model.resource_table.c.state == "active")
    # Rows of deleted resources are kept (history) but no longer count.
    rows = model.Session.execute(sa.select(*cols).where(
        resource_validation.c.package_id == package_id,
        resource_validation.c.resource_id.in_(active))).mappings()
    return {r["resource_id"]: _in_utc(r) for r in rows}


def asset_facts(package_id: str) -> dict[str, dict[str, Any]]:
    """``{resource_id: {"status", "asset"}}`` for a dataset's validated resources:
    ``asset`` is what the 3D asset rule measured of the resource's file
    (``report -> 'asset'``, None when it was not measured). Only that part of
    each report is read."""
    active = sa.select(model.resource_table.c.id).where(
        model.resource_table.c.package_id == package_id,
        model.resource_table.c.state == "active")
    rows = model.Session.execute(sa.select(
        resource_validation.c.resource_id, resource_validation.c.status,
        resource_validation.c.report["asset"].label("asset")).where(
        resource_validation.c.package_id == package_id,
        resource_validation.c.resource_id.in_(active))).mappings()
    return {r["resource_id"]: {"status": r["status"], "asset": r["asset"]} for r in rows}


def mark_running(package_id: str, worker: str) -> None:
    """Record which process validates a dataset's pending resources."""
    model.Session.execute(sa.update(resource_validation).where(
        resource_validation.c.package_id == package_id,
        resource_validation.c.status == "pending").values(worker=worker))


def delete_status(resource_id: str) -> None:
    """Forget a deleted resource's status."""
    model.Session.execute(sa.delete(resource_validation).where(
        resource_validation.c.resource_id == resource_id))


def set_quality(package_id: str, score: dict[str, Any]) -> None:
    """Store a dataset's metadata score (``score_metadata`` output) as its latest, and in
    its history when it differs from the latest (a validation job scores the dataset
    every time; the history keeps changes, not repeats)."""
    row = {"package_id": package_id, "total": score["total"], "max": score["max"],
           "band": score["band"], "detail": score, "computed": now()}
    changed = ("total", "max", "band")
    # the latest score is the history's last row too (both are written here)
    last = model.Session.execute(
        sa.select(*(dataset_quality.c[k] for k in changed))
        .where(dataset_quality.c.package_id == package_id)).first()
    stmt = insert(dataset_quality).values(**row)
    stmt = stmt.on_conflict_do_update(index_elements=["package_id"],
                                      set_={k: stmt.excluded[k] for k in row})
    model.Session.execute(stmt)
    if last is None or tuple(last) != tuple(row[k] for k in changed):
        model.Session.execute(insert(dataset_quality_history).values(
            package_id=package_id, computed=row["computed"], **{k: row[k] for k in changed}))


def get_quality(package_id: str) -> dict[str, Any] | None:
    """A dataset's score row (``total``, ``max``, ``band``, ``detail``), or None."""
    row = model.Session.execute(sa.select(dataset_quality).where(
        dataset_quality.c.package_id == package_id)).mappings().first()
    return _in_utc(row) if row else None


def dataset_status(statuses: dict[str, dict[str, Any]]) -> str | None:
    """One status for a dataset: the worst of its resources' (invalid > error > pending)."""
    found = {s["status"] for s in statuses.values()}
    for status in ("invalid", "error", "pending", "valid"):
        if status in found:
            return status
    return None


def set_links(package_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace a dataset's link-check rows (``resource_id``, ``url``, ``ok``,
    ``status``, ``method``, ``message``); URLs no longer checked are dropped."""
    model.Session.execute(sa.delete(link_check).where(link_check.c.package_id == package_id))
    for row in rows:
        model.Session.execute(insert(link_check).values(
            package_id=package_id, checked=row.get("checked") or now(),
            **{k: row.get(k) for k in ("resource_id", "url", "ok", "status", "method",
                                       "message")}))


def links_of(package_id: str) -> list[dict[str, Any]]:
    """A dataset's link-check rows of its active resources, oldest resource first."""
    active = sa.select(model.resource_table.c.id).where(
        model.resource_table.c.package_id == package_id,
        model.resource_table.c.state == "active")
    rows = model.Session.execute(sa.select(link_check).where(
        link_check.c.package_id == package_id,
        link_check.c.resource_id.in_(active))).mappings()
    return [_in_utc(r) for r in rows]


def published_rows() -> int:
    """DataStore rows of the active resources of public, active datasets, as last loaded."""
    query = (sa.select(sa.func.coalesce(sa.func.sum(resource_validation.c.datastore_rows), 0))
             .select_from(resource_validation
                          .join(model.Resource,
                                model.Resource.id == resource_validation.c.resource_id)
                          .join(model.Package,
                                model.Package.id == resource_validation.c.package_id))
             .where(model.Resource.state == "active", model.Package.state == "active",
                    model.Package.private.is_(False)))
    return int(model.Session.execute(query).scalar() or 0)


def add_rule(rule_id: str, package_id: str, resource_name: str, definition: dict[str, Any],
             report_code: str | None, created_by: str | None) -> dict[str, Any]:
    """Store a new active rule; ``definition`` is the rule without ``id``, ``resource``
    and ``report`` (those are columns)."""
    row = {"id": rule_id, "package_id": package_id, "resource_name": resource_name,
           "definition": definition, "report_code": report_code, "created_by": created_by,
           "created": now()}
    model.Session.execute(insert(validation_rule).values(**row))
    return row


def get_rule(rule_id: str) -> dict[str, Any] | None:
    """One rule's row, or None."""
    row = model.Session.execute(sa.select(validation_rule).where(
        validation_rule.c.id == rule_id)).mappings().first()
    return _in_utc(row) if row else None


def rules_of(package_id: str, *, include_retired: bool = False,
             report_code: str | None = None) -> list[dict[str, Any]]:
    """A dataset's rule rows, oldest first (active ones only unless ``include_retired``)."""
    query = sa.select(validation_rule).where(validation_rule.c.package_id == package_id)
    if not include_retired:
        query = query.where(validation_rule.c.retired.is_(None))
    if report_code:
        query = query.where(validation_rule.c.report_code == report_code)
    rows = model.Session.execute(query.order_by(validation_rule.c.created,
                                                validation_rule.c.id)).mappings()
    return [_in_utc(r) for r in rows]


def retire_rule(rule_id: str, user: str | None, reason: str) -> None:
    """Mark an active rule retired (it stays, with who, when and why)."""
    model.Session.execute(sa.update(validation_rule).where(
        validation_rule.c.id == rule_id, validation_rule.c.retired.is_(None)).values(
        retired=now(), retired_by=user, retired_reason=reason))


def package_rules(package_id: str, report_url=None) -> list[dict[str, Any]]:
    """A dataset's active rules in the data package's ``koreanap:rules`` form.

    :param report_url: ``report_url(code) -> str``, the address of an error report
        (each rule from a report then carries ``report_url``)
    """
    out = []
    for row in rules_of(package_id):
        rule = {"id": row["id"], "resource": row["resource_name"], **row["definition"]}
        if row["report_code"]:
            rule["report"] = row["report_code"]
            if report_url:
                rule["report_url"] = report_url(row["report_code"])
        out.append(rule)
    return out

