"""``ckan koreanap-jobs``: the catalogue's job worker.

``ckan koreanap-jobs worker`` is ``ckan jobs worker`` (CKAN's worker class and
queues) with a short maintenance interval. rq lets one worker per queue run
the scheduler that starts scheduled jobs (here the e-mail retries). When that
worker is killed, its scheduler lock lives on for a minute; a worker started
in that minute does not get the scheduler and, with rq's default, asks again
only after ten minutes, so retries stopped for that long. This worker asks
every ``ckanext.koreanap.jobs.worker_maintenance_interval`` seconds (30), and
at start it releases a lock whose scheduler ran on this machine in a process
that is gone (a killed worker's, also when it is an unreaped zombie), so a
restarted worker schedules at once.

When Redis fails while a job runs, rq cannot record the job's end and its
worker stops; this one waits for Redis and starts again in the same process
(an outage while it waits for a job rq rides out itself).

rq runs the maintenance round only between two waits for a job, and an idle
worker waits ``worker_ttl - 15`` seconds (405 by default): a worker that has
no job would not ask for the scheduler for almost seven minutes, and a
scheduled retry is itself what would have woken it. The worker TTL is set so
that the wait ends every maintenance interval.

Each maintenance round also hands the error-report outbox (notifications kept
in PostgreSQL while Redis was down) to the queue, so those mails go out once
Redis is back even when no web request comes to notice it, and records
``error`` on validations whose job will never finish (show actions and pages
only read: they show such a row as ``error`` but never write it).
"""
from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import click

log = logging.getLogger(__name__)

# How often a worker whose job lost Redis asks whether it is back.
REDIS_RETRY_SECONDS = 1.0

# What @tk.blanket.cli registers: the group, not its sub-commands.
__all__ = ["koreanap_jobs"]


@click.group("koreanap-jobs", short_help="The catalogue's job worker")
def koreanap_jobs():
    """The catalogue's job worker (validation, DataStore loads, e-mail)."""


@koreanap_jobs.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.argument("queues", nargs=-1)
def worker(burst: bool, queues: tuple[str, ...]):
    """Start a worker on QUEUES (default: the default queue), taking over the
    scheduler within the maintenance interval when no worker runs it."""
    from ckan.lib import jobs
    from redis.exceptions import RedisError

    from . import config

    names = list(queues) or [jobs.DEFAULT_QUEUE_NAME]
    while True:
        try:
            _release_dead_schedulers(names)
            make_worker(names, config.worker_maintenance_interval()).work(
                burst=burst, with_scheduler=True)
            return
        except RedisError as error:
            # rq rides out a Redis outage while it waits for a job, not while it
            # runs one: the job's end could not be recorded and the worker stopped.
            log.warning("Redis failed while the worker ran a job (%s: %s); the worker "
                        "starts again once Redis answers", type(error).__name__, error)
            _wait_for_redis()


def _wait_for_redis(pause: float = REDIS_RETRY_SECONDS) -> None:
    """Return once Redis answers a ping; ask every ``pause`` seconds."""
    import time

    from ckan.lib.redis import connect_to_redis
    from redis.exceptions import RedisError

    while True:
        try:
            if connect_to_redis().ping():
                return
        except RedisError:
            pass
        time.sleep(pause)


def make_worker(queues: list[str] | None, maintenance_interval: int):
    """CKAN's worker whose idle wait for a job ends every ``maintenance_interval``
    seconds, so that its maintenance round (scheduler take-over, the error-report
    outbox) runs that often."""
    from ckan.lib import jobs

    class Worker(jobs.Worker):
        def run_maintenance_tasks(self):
            super().run_maintenance_tasks()
            _hand_over_outbox()
            _settle_stale_validations()

    # rq waits worker_ttl - 15 seconds for a job between two maintenance rounds.
    return Worker(queues, maintenance_interval=maintenance_interval,
                  worker_ttl=maintenance_interval + 15)


def _hand_over_outbox() -> None:
    """Queue one drain of the error-report outbox if it holds notifications.

    A failure (PostgreSQL or Redis still away) is logged and tried again at the
    next round; it never stops the worker.
    """
    from ckan import plugins

    if not plugins.plugin_loaded("koreanap_reports"):
        return
    from .reports import jobs as report_jobs

    report_jobs.try_hand_outbox_to_worker()


def _settle_stale_validations() -> None:
    """Record ``error`` on validations whose job will never finish (its worker was killed,
    it failed or left the queue): show actions and pages only read, and already show them
    so. A failure is logged and tried again at the next round."""
    from ckan import model

    from .pipeline import liveness

    try:
        marked = liveness.settle_stale()
    except Exception:  # noqa: BLE001 - PostgreSQL or Redis away: next round
        model.Session.rollback()
        log.warning("could not settle stale validations", exc_info=True)
        return
    finally:
        model.Session.remove()
    if marked:
        log.info("marked %d stale validation(s) error", marked)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True when ``pid`` has exited but was not reaped (a killed worker's scheduler
    whose parent died too, where nothing reaps orphans)."""
    try:
        stat = Path("/proc/{}/stat".format(pid)).read_text()
    except OSError:
        return False
    # The state follows the command name, which is in parentheses and may hold any.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


# Delete the lock only if it still names the dead scheduler (no race with a live one).
_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end"""


def _release_dead_schedulers(queue_names: list[str]) -> None:
    """Release the scheduler lock of each queue whose holder ran on this machine in a
    process that no longer exists."""
    from ckan.lib import jobs
    from ckan.lib.redis import connect_to_redis
    from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler

    connection = connect_to_redis()
    for name in queue_names:
        key = RQScheduler.get_locking_key(jobs.get_queue(name).name)
        holder = connection.get(key)
        if not holder:
            continue
        holder = holder.decode() if isinstance(holder, bytes) else holder
        found = {(k.decode() if isinstance(k, bytes) else k):
                 (v.decode() if isinstance(v, bytes) else v)
                 for k, v in connection.hgetall(SCHEDULER_KEY_TEMPLATE % holder).items()}
        pid = found.get("pid", "")
        if (found.get("hostname") == socket.gethostname() and pid.isdigit()
                and not _alive(int(pid))):
            if connection.eval(_RELEASE, 1, key, holder):
                log.warning("released the scheduler lock of queue %s: its scheduler "
                            "(pid %s) is gone", name, pid)
