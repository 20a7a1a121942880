"""``ckan koreanap-jobs``: the catalogue's job worker.

``ckan koreanap-jobs worker`` is ``ckan jobs worker`` (CKAN's worker class and
queues) with a short maintenance interval. rq lets one worker per queue run
the scheduler that starts scheduled jobs (here the e-mail retries). When that
worker is killed, its scheduler lock lives on for a minute; a worker started
in that minute does not get the scheduler and, with rq's default, asks again
only after ten minutes, so retries stopped for that long. This worker asks
every ``ckanext.koreanap.jobs.worker_maintenance_interval`` seconds (30).
"""
from __future__ import annotations

import click

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

    from . import config

    jobs.Worker(list(queues) or None,
                maintenance_interval=config.worker_maintenance_interval()).work(
        burst=burst, with_scheduler=True)
