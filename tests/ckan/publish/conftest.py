"""Fixtures for the publishing tests: clean CKAN, search index, DataStore and job queue."""
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGES = ROOT / "datapackages"


@pytest.fixture
def clean_publish(clean_db, clean_index, clean_queues):
    """Empty CKAN tables, index, job queues and DataStore tables before the test."""
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    engine = get_write_engine()
    with engine.begin() as connection:
        tables = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('_table_stats')")).scalars().all()
    for table in tables:  # one transaction each: PostgreSQL's lock table is shared
        with engine.begin() as connection:
            connection.execute(sa.text('DROP TABLE "{}" CASCADE'.format(table)))


@pytest.fixture
def sysadmin(clean_publish):
    """A sysadmin user dict."""
    from ckan.tests import factories

    return factories.Sysadmin()


@pytest.fixture
def package_copy(tmp_path):
    """Copy a data package from datapackages/ into a temporary folder (to change it)."""
    def copy(name):
        target = tmp_path / name
        shutil.copytree(PACKAGES / name, target)
        return target
    return copy


def work_off_queue():
    """Run CKAN's job worker in this process (no fork) until the queue is empty."""
    from ckan import model
    from ckan.lib import jobs

    model.Session.commit()  # the job sees what the test wrote; the test holds no lock
    jobs.Worker().work(burst=True)
    model.Session.remove()


@pytest.fixture
def publish(with_request_context, with_test_worker):
    """Publish a package folder as ``username``; returns (Result, printed lines).

    The validation jobs the publish queues run in this process while the
    publisher waits for them, unless ``run_jobs=False`` (a real worker runs them).
    """
    import ckanapi

    from koreanap_client.publishing import Publisher
    from koreanap_validation.inputs import open_input

    def run(path, username, run_jobs=True, **options):
        lines = []
        organization = options.pop("organization", None)
        if run_jobs:
            options.setdefault("sleep", lambda _seconds: work_off_queue())
        else:  # a real worker runs them: wait as the upload page does, holding no row lock
            options.setdefault("sleep", _pause_without_locks)
        publisher = Publisher(ckanapi.LocalCKAN(username=username), echo=lines.append,
                              retries=1, backoff=0, **options)
        with open_input(str(path)) as prepared:
            result = publisher.publish(prepared.descriptor, prepared.basepath,
                                       organization=organization)
        return result, lines
    return run


def _pause_without_locks(seconds):
    """What the upload page does between polls: commit (CKAN leaves a no-op
    package_update's FOR UPDATE lock open), then wait."""
    import time

    from ckan import model

    model.Session.commit()
    time.sleep(seconds)


def kill_session(sid):
    """SIGKILL every process of session ``sid`` (the worker and its work horses)."""
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            try:
                os.kill(int(stat.parent.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def worker(clean_publish, clean_redis, ckan_config):
    """A real ``ckan koreanap-jobs worker`` process on the test's queue, killed after the test.

    Redis is emptied first: earlier tests leave scheduled jobs (the DataStore's
    delayed record counts, which clean_queues does not remove), and a real
    worker would run that backlog before the test's own jobs.

    ``worker.kill()`` kills it and its work horses (they leave its process
    group, not its session)."""
    ckan = pathlib.Path(sys.executable).parent / "ckan"
    logs = ROOT / "test-artifacts" / "publish"
    logs.mkdir(parents=True, exist_ok=True)
    # The worker's log stays for a failed run to be read (test-artifacts/publish/).
    with open(logs / "worker.log", "ab") as log:
        process = subprocess.Popen(
            [str(ckan), "-c", ckan_config["__file__"], "koreanap-jobs", "worker"],
            start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    process.kill = lambda: kill_session(process.pid)
    yield process
    process.kill()
    process.wait(timeout=30)
