"""Fixtures for the publishing tests: clean CKAN, search index, DataStore and job queue."""
import pathlib
import shutil

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


@pytest.fixture
def publish(with_request_context):
    """Publish a package folder as ``username``; returns (Result, printed lines)."""
    import ckanapi

    from ckanext.koreanap.publishing import Publisher
    from koreanap_validation.inputs import open_input

    def run(path, username, **options):
        lines = []
        publisher = Publisher(ckanapi.LocalCKAN(username=username), echo=lines.append,
                              retries=1, backoff=0, **options)
        with open_input(str(path)) as prepared:
            result = publisher.publish(prepared.descriptor, prepared.basepath,
                                       organization=options.pop("organization", None))
        return result, lines
    return run
