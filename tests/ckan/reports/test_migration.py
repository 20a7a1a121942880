"""The report tables come from the koreanap_reports migrations alone."""
import ckan.model as model
import pytest
from sqlalchemy import inspect

TABLES = {"koreanap_error_report", "koreanap_error_report_event",
          "koreanap_error_report_outbox", "koreanap_error_report_rate"}


@pytest.mark.usefixtures("clean_db")
def test_tables_come_and_go_with_the_migration(migrate_db_for):
    """Downgrading drops every report table though the plugin is loaded; upgrading restores them."""
    migrate_db_for("koreanap_reports", "base", False)
    model.Session.remove()
    assert not TABLES & set(inspect(model.meta.engine).get_table_names())
    migrate_db_for("koreanap_reports")
    model.Session.remove()
    assert TABLES <= set(inspect(model.meta.engine).get_table_names())


def test_every_migration_has_a_revision_id_of_its_own():
    """No two plugins' migrations share a revision id (issue 17 item 5: the error-report
    centre's first one had the validation tables' b2d4f6a80001)."""
    import re
    from pathlib import Path

    import ckanext.koreanap

    found = {}
    folder = Path(ckanext.koreanap.__file__).parent / "migration"
    for path in sorted(folder.glob("*/versions/*.py")):
        (revision,) = re.findall(r'^revision = "([0-9a-f]+)"$', path.read_text(), re.M)
        assert revision not in found, f"{path} and {found.get(revision)} share {revision}"
        assert path.name.startswith(revision + "_")
        found[revision] = path
    assert len(found) >= 7


@pytest.mark.usefixtures("clean_db")
def test_a_database_that_recorded_the_old_first_revision_id_upgrades(migrate_db_for):
    """A database migrated up to the report centre's first revision when it was
    b2d4f6a80001 records that id: the next upgrade renames it and goes on to the head."""
    from sqlalchemy import text

    version = "SELECT version_num FROM koreanap_reports_alembic_version"
    migrate_db_for("koreanap_reports", "base", False)
    migrate_db_for("koreanap_reports", "a9e1c3d50001")
    with model.meta.engine.begin() as connection:
        connection.execute(text("UPDATE koreanap_reports_alembic_version "
                                "SET version_num = 'b2d4f6a80001'"))
    model.Session.remove()
    assert "koreanap_error_report_outbox" not in inspect(model.meta.engine).get_table_names()
    migrate_db_for("koreanap_reports")
    model.Session.remove()
    assert TABLES <= set(inspect(model.meta.engine).get_table_names())
    with model.meta.engine.connect() as connection:
        assert connection.execute(text(version)).scalar() == "c5e7a9b20002"
