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
