"""The koreanap migrations: times stored before they had a time zone keep their instant."""
import datetime

import ckan.model as model
import pytest
from sqlalchemy import text

from ckanext.koreanap.pipeline import model as kmodel

NAIVE_HEAD = "e5a7c9d20004"  # the last revision with naive timestamps
STORED = datetime.datetime(2026, 3, 1, 23, 30, 15, 123456)  # naive, meant as UTC
INSTANT = STORED.replace(tzinfo=datetime.UTC)
ROWS = {  # one row in every table, each time column set to STORED
    "koreanap_resource_validation": (
        "(resource_id, package_id, status, created, finished) "
        "VALUES ('r1', 'p1', 'valid', :t, :t)", ("created", "finished")),
    "koreanap_dataset_quality": (
        "(package_id, total, max, band, computed) VALUES ('p1', 5, 10, 'fair', :t)",
        ("computed",)),
    "koreanap_dataset_quality_history": (
        "(package_id, total, max, band, computed) VALUES ('p1', 5, 10, 'fair', :t)",
        ("computed",)),
    "koreanap_link_check": (
        "(resource_id, url, package_id, ok, method, checked) "
        "VALUES ('r1', 'http://example.org/', 'p1', true, 'HEAD', :t)", ("checked",)),
    "koreanap_validation_rule": (
        "(id, package_id, resource_name, definition, created, retired) "
        "VALUES ('rule1', 'p1', 'data', '{}', :t, :t)", ("created", "retired")),
}


@pytest.mark.usefixtures("clean_db")
def test_naive_utc_times_keep_their_instant_through_the_upgrade(migrate_db_for, monkeypatch):
    """A database at the last naive revision, its rows holding naive UTC, upgrades to
    timestamptz with the same instants, whatever the migrating session's time zone
    (PGTZ: Seoul, where a plain cast would move them nine hours)."""
    migrate_db_for("koreanap", "base", False)
    migrate_db_for("koreanap", NAIVE_HEAD)
    model.Session.remove()
    with model.meta.engine.begin() as connection:
        for table, (values, _columns) in ROWS.items():
            connection.execute(text(f"INSERT INTO {table} {values}"), {"t": STORED})
    monkeypatch.setenv("PGTZ", "Asia/Seoul")
    migrate_db_for("koreanap")
    monkeypatch.delenv("PGTZ")
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        for table, (_values, columns) in ROWS.items():
            found = connection.execute(text(
                "SELECT {} FROM {}".format(", ".join(columns), table))).one()
            assert all(value.tzinfo is not None for value in found), (table, found)
            assert list(found) == [INSTANT] * len(columns), table
    # the model gives them in UTC whatever its session's time zone
    model.Session.execute(text("SET LOCAL TIME ZONE 'Asia/Seoul'"))
    finished = kmodel.get_status("r1")["finished"]
    model.Session.rollback()
    assert (finished, finished.utcoffset()) == (INSTANT, datetime.timedelta(0))


@pytest.mark.usefixtures("clean_db")
def test_the_time_columns_come_back_naive_on_downgrade(migrate_db_for):
    """Downgrading to the last naive revision gives naive UTC again (the same clock
    reading the code of that revision wrote)."""
    model.Session.remove()
    with model.meta.engine.begin() as connection:
        connection.execute(text("INSERT INTO koreanap_link_check {}".format(
            ROWS["koreanap_link_check"][0])), {"t": INSTANT})
    migrate_db_for("koreanap", NAIVE_HEAD, False)
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT checked FROM koreanap_link_check")).scalar() == STORED
    migrate_db_for("koreanap")
