"""``ckan koreanap-reports``: commands of the error-report centre."""
from __future__ import annotations

import click

# What @tk.blanket.cli registers: the group, not its sub-commands.
__all__ = ["koreanap_reports"]


@click.group("koreanap-reports", short_help="Error-report centre commands")
def koreanap_reports():
    """Commands of the error-report centre (plugin koreanap_reports)."""


@koreanap_reports.command("drain-outbox")
def drain_outbox():
    """Queue the notifications kept in the outbox while Redis was down.

    The served catalogue does this by itself once Redis is back (a request
    hands the outbox to the job worker); this runs it now. Exit code 0 when
    the outbox is empty afterwards, 1 when notifications are still waiting
    (the job queue is still unavailable; see the log).
    """
    from . import jobs

    queued, left = jobs.drain_outbox()
    click.echo("queued {} notification(s) from the outbox; {} still waiting".format(queued, left))
    if left:
        raise click.exceptions.Exit(1)
