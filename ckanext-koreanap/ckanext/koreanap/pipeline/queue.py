"""The validation job on CKAN's RQ queue.

Requests never validate: they mark resources pending and queue one job per
dataset (:func:`enqueue`); clients read the state
(``koreanap_dataset_validation_show``) until nothing is pending. The job
(:func:`run_job`) validates the dataset (:mod:`.validate`); every wait of it is
bounded: each row lock by ``ckanext.koreanap.jobs.lock_timeout`` (``SET LOCAL
lock_timeout`` in each of its transactions), the dataset's lock by a little less
than the job timeout (issue 13).

RQ names a queued job by its function's dotted path: jobs queued before the
pipeline moved here name ``ckanext.koreanap.jobs.run_job``, which stays.
"""
from __future__ import annotations

import contextlib
import datetime
import logging
import uuid
from typing import Any

from ckan import model

from .. import config
from . import model as kmodel
from .liveness import worker_name
from .validate import BUSY_MESSAGE, lock_wait_ran_out, validate_dataset

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
            kmodel.mark_running(package_id, worker_name())
            model.Session.commit()  # holds no row lock while it waits for the dataset
            return validate_dataset(package_id, requested=requested)
    except Exception as error:
        if not lock_wait_ran_out(error):
            raise
        model.Session.rollback()
        log.warning("validation of %s gave up waiting for a lock: %s", package_id, error)
        kmodel.fail_pending(package_id, BUSY_MESSAGE, requested_before=started)
        model.Session.commit()
        return {}
    finally:
        model.Session.remove()  # no transaction (and no row lock) outlives the job


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
