"""Validation of a dataset's resources, on CKAN's RQ queue only.

Requests never validate: they mark resources pending and queue one job per
dataset (:func:`enqueue`); clients read the state
(``koreanap_dataset_validation_show``) until nothing is pending.

Locks: the job holds a per-dataset advisory lock (so two workers never
validate one dataset at once) and takes it first, before it holds any row
lock; no request takes it. Every wait of the job is bounded: the advisory
lock by a little less than the job timeout, each row lock by
``ckanext.koreanap.jobs.lock_timeout``
(``SET LOCAL lock_timeout`` in each of its transactions). A job that runs out
of either marks its resources ``error`` with a message to validate again,
instead of hanging beside a request (issue 13).

:func:`validate_dataset` lays the dataset's files out as a data package in a
work folder (hard links, or copies, of the stored uploads; URL resources
are fetched with :mod:`ckanext.koreanap.fetch`), validates it with the same
rules as ``koreanap validate``, records a status and report per resource,
loads each valid table into the DataStore (``COPY``), checks the
dataset's links and scores its served metadata (:mod:`.linkcheck`). The
whole package is validated together because rules read across resources
(contaminant look-ups, 3D assets). Nothing of an invalid resource reaches
the DataStore; its file is kept so the publisher can see and fix it.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import posixpath
import shutil
import socket
import tempfile
import uuid
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from koreanap_validation.filehash import sha256_of

from . import config, rules, siteuser
from .datapackage import dataset_to_descriptor
from .pipeline import loader
from .pipeline import model as kmodel

log = logging.getLogger(__name__)

JOB_TITLE = "koreanap validate {}"


def _job_prefix(package_id: str) -> str:
    return "koreanap-validate-{}-".format(package_id)


def enqueue(package: dict[str, Any], resource_ids: list[str]) -> str | None:
    """Mark resources pending and queue one validation job for their dataset.

    A job still waiting in the queue for the dataset is reused (it validates
    the whole dataset when it runs). Each job has an id of its own: RQ keeps
    a finished job's record for a while and a new job under the same id
    would inherit its expiry.

    :returns: the job id, or None when the queue is unreachable (the
        resources are then marked ``error`` with the reason)
    """
    from ckan.lib import jobs as ckan_jobs

    requested = datetime.datetime.now(datetime.UTC).timestamp()
    try:
        queue = ckan_jobs.get_queue()
        waiting = _waiting_job(queue, package["id"])
        job_id = waiting or _job_prefix(package["id"]) + uuid.uuid4().hex[:12]
        # Pending first, so a worker that finishes quickly is never overwritten.
        for resource_id in resource_ids:
            kmodel.set_status(resource_id, package["id"], "pending", job_id=job_id,
                              report=None, message=None, worker=None)
        model.Session.commit()
        if waiting and _waiting_job(queue, package["id"]) == waiting:
            return job_id
        if waiting:  # it started meanwhile, maybe before these marks: queue another
            return enqueue(package, resource_ids)
        ckan_jobs.enqueue(run_job, [package["id"], requested],
                          title=JOB_TITLE.format(package.get("name") or package["id"]),
                          rq_kwargs={"job_id": job_id, "timeout": config.job_timeout(),
                                     "failure_ttl": 7 * 24 * 3600})
    except Exception as error:  # Redis down: say so on the resource, never lose the upload
        log.exception("could not queue the validation of %s", package["id"])
        model.Session.rollback()
        for resource_id in resource_ids:
            kmodel.set_status(resource_id, package["id"], "error",
                              message="the validation job could not be queued: {}".format(
                                  error)[:500])
        model.Session.commit()
        return None
    return job_id


def _waiting_job(queue: Any, package_id: str) -> str | None:
    """The id of a job for the dataset that is still in the queue, if any."""
    prefix = _job_prefix(package_id)
    return next((j for j in queue.get_job_ids() if j.startswith(prefix)), None)


def worker_count() -> int | None:
    """How many job workers listen on CKAN's queue and are alive (they beat within
    RQ's worker TTL; a killed one stays registered until then). None when
    Redis cannot say."""
    from ckan.lib import jobs as ckan_jobs
    from rq import Worker

    try:
        queue = ckan_jobs.get_queue()
        now = datetime.datetime.now(datetime.UTC)
        return sum(1 for w in Worker.all(queue=queue)
                   if w.last_heartbeat and (now - w.last_heartbeat.replace(
                       tzinfo=w.last_heartbeat.tzinfo or datetime.UTC)).total_seconds()
                   < w.worker_ttl)
    except Exception:  # noqa: BLE001 - only a hint for clients that wait
        log.debug("could not count the job workers", exc_info=True)
        return None


def run_job(package_id: str, requested: float | None = None) -> dict[str, str]:
    """The queued job: validate the dataset unless a run after ``requested`` already did."""
    started = kmodel.now()
    try:
        with _bounded_lock_waits():
            kmodel.mark_running(package_id, _worker_name())
            model.Session.commit()  # holds no row lock while it waits for the dataset
            return validate_dataset(package_id, requested=requested)
    except Exception as error:
        if not _lock_wait_ran_out(error):
            raise
        model.Session.rollback()
        log.warning("validation of %s gave up waiting for a lock: %s", package_id, error)
        kmodel.fail_pending(package_id, BUSY_MESSAGE, requested_before=started)
        model.Session.commit()
        return {}
    finally:
        model.Session.remove()  # no transaction (and no row lock) outlives the job


BUSY_MESSAGE = ("the dataset was being changed or validated elsewhere and the validation "
                "gave up waiting for it; try again (validate again)")


class DatasetBusy(Exception):
    """Another job validated the dataset for longer than this job may wait."""


def _lock_wait_ran_out(error: BaseException | None) -> bool:
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


@contextlib.contextmanager
def _bounded_lock_waits():
    """Every transaction of this process's session waits at most
    ``ckanext.koreanap.jobs.lock_timeout`` seconds for a lock."""
    import sqlalchemy as sa

    timeout = "{}ms".format(max(1, int(config.job_lock_timeout())) * 1000)

    def bound(_session, _transaction, connection):
        connection.execute(sa.text("SELECT set_config('lock_timeout', :t, true)"),
                           {"t": timeout})

    model.Session.rollback()
    sa.event.listen(model.Session, "after_begin", bound)
    try:
        yield
    finally:
        sa.event.remove(model.Session, "after_begin", bound)


def _worker_name() -> str:
    return "{}:{}".format(socket.gethostname(), os.getpid())


def _alive(worker: str | None) -> bool | None:
    """Whether the process ``host:pid`` runs; None when it is on another host."""
    if not worker or ":" not in worker:
        return None
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker's child may linger as a zombie until reaped
        with open("/proc/{}/stat".format(pid), encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except OSError:
        return True


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
            if _lock_wait_ran_out(error):
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


def _resource_rel_path(resource: dict[str, Any]) -> str:
    rel = resource.get("datapackage_path")
    if rel and _safe_rel(rel):
        return rel
    name = os.path.basename(str(resource.get("url") or "").split("?")[0]) or resource["id"]
    return "data/{}-{}".format(resource["id"][:8], name)


def _safe_rel(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts \
        and "://" not in rel


def stored_file(resource: dict[str, Any]) -> str | None:
    """The local path of an uploaded resource's file, or None."""
    from ckan.lib import uploader

    if resource.get("url_type") != "upload":
        return None
    upload = uploader.get_resource_uploader(dict(resource))
    path = upload.get_path(resource["id"])
    if not os.path.isabs(str(path)):
        storage = getattr(upload, "storage", None)
        base = getattr(getattr(storage, "settings", None), "path", None)
        path = os.path.join(base, str(path)) if base else None
    return str(path) if path and os.path.isfile(path) else None


def _place(resource: dict[str, Any], target: Path) -> None:
    """Put the resource's bytes at ``target`` (hard link when possible)."""
    from .pipeline import fetch

    target.parent.mkdir(parents=True, exist_ok=True)
    local = stored_file(resource)
    if local:
        try:
            os.link(local, target)
        except OSError:
            shutil.copyfile(local, target)
        return
    url = resource.get("url") or ""
    if not url:
        raise fetch.FetchError("the resource has neither an upload nor a URL")
    fetch.download(url, target, max_bytes=config.max_upload_bytes())


def validate_dataset(package_id: str, requested: float | None = None) -> dict[str, str]:
    """Validate every resource of a dataset now, record the results, load the DataStore.

    Only the job (:func:`run_job`) calls this: a request that waited for the
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
            rel = _resource_rel_path(resource)
            try:
                _place(resource, work / rel)
                placed[resource["id"]] = work / rel
            except Exception as error:  # noqa: BLE001 - each resource says what went wrong
                message = "cannot read the resource's file: {}".format(error)[:500]
                kmodel.set_status(resource["id"], package["id"], "error", message=message,
                                  report=None, unless_requested_after=started)
                results[resource["id"]] = "error"
        model.Session.commit()
        kept = [r for r in resources if r["id"] in placed]
        descriptor = dataset_to_descriptor(dict(package, resources=kept),
                                           resource_path=_resource_rel_path,
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
                if r.get("path") == _resource_rel_path(resource))
    errors = [e for e in report["errors"] if e.get("resource") in (name, None)]
    notes = [n for n in report["notes"] if n.get("resource") in (name, None)]
    summary = [s for s in report["resources"] if s.get("name") == name]
    own = {"version": report["version"], "valid": not errors, "errors": errors,
           "counts": _counts(errors), "notes": notes, "resources": summary,
           "resource": name, "file": path.name}
    asset = _asset_fact(report, _resource_rel_path(resource))
    if asset is not None:
        own["asset"] = asset
    sha = sha256_of(path)
    status, message, rows = ("valid" if not errors else "invalid"), None, None
    if not errors:
        schema = next((r.get("schema") for r in descriptor["resources"]
                       if r["name"] == name), None)
        if summary and summary[0].get("tabular") and isinstance(schema, dict):
            try:
                rows = _load(resource, path, schema, sha)
                if rows is not None:
                    _add_previews(resource["id"])
            except Exception as error:  # noqa: BLE001 - recorded on the resource
                log.exception("DataStore load of %s failed", resource["id"])
                model.Session.rollback()
                status = "error"
                message = ("valid, but loading the DataStore failed: {}".format(
                    BUSY_MESSAGE if _lock_wait_ran_out(error) else error))[:500]
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


def _load(resource: dict, path: Path, schema: dict, sha: str) -> int | None:
    """Load the rows unless the DataStore already holds this very file (then only
    its data dictionary is brought up to the schema's column titles)."""
    if not config.datastore_enabled():
        return None
    before = kmodel.get_status(resource["id"]) or {}
    if (before.get("file_sha256") == sha and before.get("datastore_rows") is not None
            and resource.get("datastore_active")):
        loader.set_dictionary(resource["id"], schema)
        return before["datastore_rows"]
    extra = resource.get("datapackage_extra")
    dialect = (json.loads(extra) if isinstance(extra, str) and extra else {}).get("dialect")
    return loader.load_csv(resource["id"], str(path), schema, dialect)


def _add_previews(resource_id: str) -> None:
    """The default views that need the DataStore (the table preview), once the rows
    are in it: CKAN creates default views when a resource is made, before the load."""
    context = siteuser.context()
    try:
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
        tk.get_action("resource_create_default_resource_views")(
            context, {"resource": resource, "create_datastore_views": True})
    except Exception:  # noqa: BLE001 - a preview is a convenience; never fail the load
        log.exception("default views of %s failed", resource_id)
        model.Session.rollback()


def _score(package: dict) -> None:
    """Check the dataset's links, then score the DCAT the catalogue serves for it
    (the same graph ``/dataset/<id>.ttl`` gives, so page and endpoint agree)."""
    from . import linkcheck

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


# enqueue marks the resources pending (and commits) before it hands the job to RQ, so for
# a moment a pending row names a job Redis does not hold yet: a job missing from Redis is
# "gone" only once its row is older than this (seconds).
GONE_AFTER_S = 60


def _stale(row: dict[str, Any]) -> tuple[str, Any] | None:
    """Why a pending row's job will never finish (it failed, was stopped, is gone from
    the queue, or its worker died), with the rq job when it must be removed from the
    queue (a dead worker's job stays "started"); None when the row is not pending, its
    job may still run, or Redis cannot tell. Reads only."""
    if row.get("status") != "pending" or not row.get("job_id"):
        return None
    from ckan.lib import jobs as ckan_jobs
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    job = None
    try:
        try:
            job = Job.fetch(row["job_id"], connection=ckan_jobs.get_queue().connection)
            state = job.get_status(refresh=True)
        except NoSuchJobError:
            state = "gone"
    except Exception:  # noqa: BLE001 - Redis down: nothing to tell
        return None
    marked = row.get("created")
    if state == "gone" and marked is not None and (
            kmodel.now() - marked).total_seconds() < GONE_AFTER_S:
        return None  # maybe not queued yet (see GONE_AFTER_S)
    if state == "started" and _alive(row.get("worker")) is False:
        return "its worker {} is gone".format(row["worker"]), job
    return (state, None) if state in ("failed", "stopped", "canceled", "gone") else None


def _stale_message(reason: str) -> str:
    return ("the validation job stopped before it finished ({}): the worker may "
            "have died; run the validation again".format(reason))


def as_shown(row: dict[str, Any]) -> dict[str, Any]:
    """The row as show actions and pages give it: a pending row whose job will never
    finish reads ``error`` with a message to validate again. Nothing is written: the
    worker's maintenance round records it (:func:`settle_stale`)."""
    stale = _stale(row)
    if stale is None:
        return row
    return dict(row, status="error", message=_stale_message(stale[0]))


def settle_stale(limit: int = 500) -> int:
    """Record ``error`` on every pending row whose job will never finish, and remove a
    dead worker's job from the queue; run by the job worker's maintenance round. A row
    marked pending again since (a newer job) is left alone. How many rows it marked."""
    marked = 0
    for row in kmodel.pending_rows(limit):
        stale = _stale(row)
        if stale is None:
            continue
        reason, job = stale
        if job is not None:
            try:
                job.cancel()
                job.delete()
            except Exception:  # noqa: BLE001 - best effort: the status is what matters
                log.debug("could not remove the dead job", exc_info=True)
        marked += kmodel.fail_stale(row["resource_id"], row["job_id"], _stale_message(reason))
    model.Session.commit()
    return marked
