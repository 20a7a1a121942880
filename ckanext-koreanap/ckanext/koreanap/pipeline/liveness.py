"""Whether a validation job can still finish: a pending row whose job failed, was
stopped, is gone from the queue, or whose worker died never will.

Show actions and pages read it (:func:`as_shown`, which writes nothing); the job
worker's maintenance round records it (:func:`settle_stale`, ``ckan koreanap-jobs
worker``).
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Any

from ckan import model

from .. import pagecache
from . import model as kmodel

log = logging.getLogger(__name__)


def worker_name() -> str:
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
    worker's maintenance round records it (:func:`settle_stale`). A pending row's state
    lives in the queue and the worker's process, which no write marks: the answer
    showing it is never kept (by the page cache or a proxy)."""
    if row.get("status") == "pending":
        pagecache.not_to_keep()
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
