"""Validation of a dataset's resources, run by the queued job (:mod:`.queue`).

Locks: the job holds a per-dataset advisory lock (so two workers never
validate one dataset at once) and takes it first, before it holds any row
lock; no request takes it. The advisory lock is waited for a little less than
the job timeout; a job that runs out marks its resources ``error`` with a
message to validate again, instead of hanging beside a request (issue 13).

:func:`validate_dataset` lays the dataset's files out as a data package in a
work folder (:mod:`.staging`), validates it with the same rules as ``koreanap
validate``, records a status and report per resource, loads each valid table
into the DataStore (:mod:`.loader`), checks the dataset's links and scores its
served metadata (:mod:`ckanext.koreanap.linkcheck`). The whole package is
validated together because rules read across resources (contaminant look-ups,
3D assets). Nothing of an invalid resource reaches the DataStore; its file is
kept so the publisher can see and fix it.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import posixpath
import shutil
import tempfile
from pathlib import Path

import ckan.plugins.toolkit as tk
from ckan import model

from koreanap_client.datapackage import dataset_to_descriptor
from koreanap_validation.filehash import sha256_of

from .. import config, rules, siteuser
from . import loader
from . import model as kmodel
from .staging import place, resource_rel_path

log = logging.getLogger(__name__)


BUSY_MESSAGE = ("the dataset was being changed or validated elsewhere and the validation "
                "gave up waiting for it; try again (validate again)")


class DatasetBusy(Exception):
    """Another job validated the dataset for longer than this job may wait."""


def lock_wait_ran_out(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is a lock wait that hit its timeout."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DatasetBusy):
            return True
        orig = getattr(error, "orig", None)
        if getattr(orig, "pgcode", None) == "55P03" or getattr(error, "pgcode", None) == "55P03":
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _done_since(package_id: str, requested: float) -> dict[str, str] | None:
    statuses = kmodel.statuses_of(package_id)
    if statuses and all(
            s["status"] != "pending" and s["finished"]
            and s["finished"].timestamp() >= requested
            for s in statuses.values()):
        return {rid: s["status"] for rid, s in statuses.items()}
    return None


@contextlib.contextmanager
def _dataset_lock(package_id: str):
    """One validation of a dataset at a time: a PostgreSQL advisory lock on a
    connection of its own (commits do not release it), waited for a little
    less than the job timeout, so this job says why before RQ stops it."""
    import sqlalchemy as sa

    key = int.from_bytes(hashlib.sha256(package_id.encode()).digest()[:8], "big", signed=True)
    connection = model.meta.engine.connect()
    try:
        try:
            with connection.begin():  # the advisory lock outlives this transaction
                connection.execute(sa.text("SELECT set_config('lock_timeout', :t, true)"),
                                   {"t": "{}s".format(_lock_wait())})
                connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
        except sa.exc.OperationalError as error:
            if lock_wait_ran_out(error):
                raise DatasetBusy("another job validated {} for longer than {} s".format(
                    package_id, _lock_wait())) from error
            raise
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
    finally:
        connection.close()


def _lock_wait() -> int:
    """Seconds a job waits for another job of the same dataset."""
    timeout = int(config.job_timeout())
    return max(1, timeout - max(1, timeout // 10))


def validate_dataset(package_id: str, requested: float | None = None) -> dict[str, str]:
    """Validate every resource of a dataset now, record the results, load the DataStore.

    Only the job (:func:`.queue.run_job`) calls this: a request that waited for the
    dataset's lock could hold the rows the job needs.

    :param requested: when given, skip the work if every resource was
        validated after this time (by an earlier job)
    :returns: ``{resource_id: status}``
    """
    with _dataset_lock(package_id):
        if requested:
            done = _done_since(package_id, requested)
            if done is not None:
                log.info("validation of %s already done after the job was queued", package_id)
                return done
        # Rows marked pending from now on are left to the job queued with them.
        return _validate_dataset(package_id, kmodel.now())


def _validate_dataset(package_id: str, started: datetime.datetime) -> dict[str, str]:
    from koreanap_validation.engine import validate_package
    from koreanap_validation.internal import RuleCannotRun

    context = siteuser.context()
    package = tk.get_action("package_show")(dict(context), {"id": package_id})
    resources = package.get("resources") or []
    work_root = Path(tk.config.get("ckan.storage_path") or tempfile.gettempdir()) / "koreanap-work"
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="validate-", dir=work_root))
    results: dict[str, str] = {}
    try:
        placed: dict[str, Path] = {}
        for resource in resources:
            rel = resource_rel_path(resource)
            try:
                place(resource, work / rel)
                placed[resource["id"]] = work / rel
            except Exception as error:  # noqa: BLE001 - each resource says what went wrong
                message = "cannot read the resource's file: {}".format(error)[:500]
                kmodel.set_status(resource["id"], package["id"], "error", message=message,
                                  report=None, unless_requested_after=started)
                results[resource["id"]] = "error"
        model.Session.commit()
        kept = [r for r in resources if r["id"] in placed]
        descriptor = dataset_to_descriptor(dict(package, resources=kept),
                                           resource_path=resource_rel_path,
                                           rules=rules.for_package(package["id"]))
        try:
            report = validate_package(descriptor, basepath=str(work))
        except RuleCannotRun as problem:
            # The catalogue's own fault (e.g. a library missing): error, not invalid.
            log.error("validation of %s could not run: %s", package_id, problem)
            for resource in kept:
                kmodel.set_status(resource["id"], package["id"], "error",
                                  message=str(problem)[:500], report=None,
                                  unless_requested_after=started)
                results[resource["id"]] = "error"
            model.Session.commit()
            return results
        for resource in kept:
            results[resource["id"]] = _record(package, resource, descriptor, report,
                                              placed[resource["id"]], started)
            model.Session.commit()  # its row lock is not held across the next load
        _score(package)
        model.Session.commit()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _reindex(package_id)
    model.Session.commit()
    return results


def _record(package: dict, resource: dict, descriptor: dict, report: dict,
            path: Path, started: datetime.datetime) -> str:
    """Store one resource's part of the report; load its rows when it is a valid table."""
    name = next(r["name"] for r in descriptor["resources"]
                if r.get("path") == resource_rel_path(resource))
    errors = [e for e in report["errors"] if e.get("resource") in (name, None)]
    notes = [n for n in report["notes"] if n.get("resource") in (name, None)]
    summary = [s for s in report["resources"] if s.get("name") == name]
    own = {"version": report["version"], "valid": not errors, "errors": errors,
           "counts": _counts(errors), "notes": notes, "resources": summary,
           "resource": name, "file": path.name}
    asset = _asset_fact(report, resource_rel_path(resource))
    if asset is not None:
        own["asset"] = asset
    sha = sha256_of(path)
    status, message, rows = ("valid" if not errors else "invalid"), None, None
    if not errors:
        schema = next((r.get("schema") for r in descriptor["resources"]
                       if r["name"] == name), None)
        if summary and summary[0].get("tabular") and isinstance(schema, dict):
            try:
                rows = loader.load_table(resource, path, schema, sha)
                if rows is not None:
                    loader.add_previews(resource["id"])
            except Exception as error:  # noqa: BLE001 - recorded on the resource
                log.exception("DataStore load of %s failed", resource["id"])
                model.Session.rollback()
                status = "error"
                message = ("valid, but loading the DataStore failed: {}".format(
                    BUSY_MESSAGE if lock_wait_ran_out(error) else error))[:500]
    else:
        message = "{} error(s)".format(len(errors))
    kmodel.set_status(resource["id"], package["id"], status, report=own, message=message,
                      file_sha256=sha, datastore_rows=rows, unless_requested_after=started)
    return status


def _asset_fact(report: dict, rel: str) -> dict | None:
    """What the 3D asset rule measured of the file at ``rel`` (watertight, size,
    faces, printability), kept with the file's own resource so its pages can
    show it without reading the mesh."""
    wanted = posixpath.normpath(rel)
    return next((dict(a) for a in report.get("assets") or ()
                 if posixpath.normpath(str(a.get("path") or "")) == wanted), None)


def _counts(errors: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for error in errors:
        counts[error["rule"]] = counts.get(error["rule"], 0) + 1
    return counts


def _score(package: dict) -> None:
    """Check the dataset's links, then score the DCAT the catalogue serves for it
    (the same graph ``/dataset/<id>.ttl`` gives, so page and endpoint agree)."""
    from .. import linkcheck

    try:
        linkcheck.check_dataset(package)
    except Exception:  # noqa: BLE001 - the score then says the links were not checked
        log.exception("link check of %s failed", package["id"])
        model.Session.rollback()
    linkcheck.score_dataset(package)


def _reindex(package_id: str) -> None:
    from ckan.lib import search

    try:
        search.rebuild(package_id)
    except Exception:  # noqa: BLE001 - the status is stored; the index catches up later
        log.exception("could not re-index %s", package_id)
        model.Session.rollback()
