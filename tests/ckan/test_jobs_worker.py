"""``ckan koreanap-jobs worker`` takes over rq's scheduler from a killed worker.

A scheduled e-mail retry runs only while some worker runs the scheduler. The
fault suite lost a report in CI when a restarted worker neither released the
killed scheduler's lock (its process was an unreaped zombie, which answers
``kill(pid, 0)``) nor asked for the lock again while idle (rq waited 405 s for
a job between two maintenance rounds).
"""
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler

from ckanext.koreanap import cli

pytestmark = pytest.mark.usefixtures("clean_redis")


def _state(pid):
    return Path("/proc/{}/stat".format(pid)).read_text().rpartition(")")[2].split()[0]


@pytest.fixture
def zombie():
    """A child process that has exited and is not reaped yet."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while _state(child.pid) != "Z":
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.05)
    yield child.pid
    child.wait()


def _hold_lock(pid, hostname=None):
    """Make the default queue's scheduler lock name a scheduler with ``pid``."""
    connection = connect_to_redis()
    key = RQScheduler.get_locking_key(jobs.get_queue().name)
    connection.set(key, "killed-scheduler", ex=600)
    connection.hset(SCHEDULER_KEY_TEMPLATE % "killed-scheduler", mapping={
        "hostname": hostname or socket.gethostname(), "pid": str(pid)})
    return connection, key


def test_an_unreaped_zombie_is_not_alive(zombie):
    assert cli._alive(zombie) is False


def test_a_running_process_is_alive():
    assert cli._alive(cli.os.getpid()) is True


def test_a_zombie_schedulers_lock_is_released(zombie):
    connection, key = _hold_lock(zombie)
    cli._release_dead_schedulers([jobs.DEFAULT_QUEUE_NAME])
    assert connection.get(key) is None


def test_a_live_schedulers_lock_is_kept():
    connection, key = _hold_lock(cli.os.getpid())
    cli._release_dead_schedulers([jobs.DEFAULT_QUEUE_NAME])
    assert connection.get(key) == b"killed-scheduler"


def test_another_machines_lock_is_kept(zombie):
    """A pid means nothing on another host: that scheduler may well be running."""
    connection, key = _hold_lock(zombie, hostname=socket.gethostname() + "-elsewhere")
    cli._release_dead_schedulers([jobs.DEFAULT_QUEUE_NAME])
    assert connection.get(key) == b"killed-scheduler"


@pytest.mark.parametrize("interval", [5, 30])
def test_an_idle_worker_waits_for_a_job_no_longer_than_the_maintenance_interval(interval):
    worker = cli.make_worker(None, interval)
    assert worker.maintenance_interval == interval
    assert worker.dequeue_timeout <= interval
