"""Fixtures for the benchmark smoke runs.

Each smoke run starts a benchmark script the way a developer does (its own
process, its command line), on a few datasets or rows, against the test
databases of the pytest ini, so a benchmark that no longer runs fails the
test command. No timing is asserted: timings are what the scripts print.
"""
import os
import pathlib
import socket
import subprocess
import sys

import pytest

from tests.ckan.conftest import MIGRATED_PLUGINS

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture
def clean_catalogue(with_plugins, reset_db, migrate_db_for, clean_index):
    """Empty CKAN tables (with every plugin's tables), search index and DataStore."""
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    engine = get_write_engine()
    with engine.begin() as connection:
        tables = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('_table_stats')")).scalars().all()
    for table in tables:
        with engine.begin() as connection:
            connection.execute(sa.text('DROP TABLE "{}" CASCADE'.format(table)))


@pytest.fixture
def test_ini(ckan_config):
    """The path of the ini pytest runs with (--ckan-ini)."""
    return ckan_config["__file__"]


def run_script(*args, timeout=120):
    """Run ``benchmarks/<args>`` with the venv's Python; returns the CompletedProcess.

    The output is shown when the test fails (pytest captures it)."""
    command = [sys.executable, str(BENCHMARKS / args[0]), *map(str, args[1:])]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    print(done.stdout)
    print(done.stderr, file=sys.stderr)
    return done


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
