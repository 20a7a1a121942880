"""The plugins' SQLAlchemy tables are the schema: the migrated database matches them
(issue 17 item 5, DDL from one declaration)."""
import ckan.model as model
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from ckan.model.base import BaseModel

from ckanext.koreanap.pipeline import model as kmodel
from ckanext.koreanap.reports import model as rmodel
from ckanext.koreanap.search import tables as stables

# Tables of ours the migrations make that no Table declares: each plugin's version table.
UNDECLARED = {"koreanap_alembic_version", "koreanap_reports_alembic_version",
              "koreanap_search_alembic_version"}
# Where each plugin declares its tables: CKAN's MetaData, but the search index's own
# (search/tables.py: a site may leave the plugin out, so CKAN must not count on them).
METADATA = {"koreanap": BaseModel.metadata, "koreanap_reports": BaseModel.metadata,
            "koreanap_search": stables.metadata}


def _declared() -> dict[str, set[str]]:
    """``{plugin: names of the tables its model declares}``."""
    return {
        "koreanap": {v.name for v in vars(kmodel).values() if isinstance(v, sa.Table)},
        "koreanap_reports": {v.__table__.name for v in vars(rmodel).values()
                             if isinstance(getattr(v, "__table__", None), sa.Table)
                             and v.__table__.name.startswith("koreanap_")},
        "koreanap_search": set(stables.metadata.tables),
    }


def _differences(connection, tables: set[str], metadata=BaseModel.metadata) -> list:
    """What autogenerate would change to make ``tables`` as declared: types (with the
    time zone), nullability, server defaults, indexes, unique and foreign keys."""
    def include_object(obj, name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in tables

    def include_name(name, type_, parent_names):
        return type_ != "table" or name in tables

    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "compare_server_default": True,
        "include_object": include_object, "include_name": include_name})
    return compare_metadata(context, metadata)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("plugin", ["koreanap", "koreanap_reports", "koreanap_search"])
def test_the_migrated_tables_are_as_declared(plugin):
    """After every migration, the plugin's tables are exactly its Table declarations."""
    tables = _declared()[plugin]
    assert tables
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        differences = _differences(connection, tables, METADATA[plugin])
    assert differences == [], "\n".join(map(str, differences))


@pytest.mark.usefixtures("clean_db")
def test_every_table_of_ours_is_declared():
    """No migration makes a koreanap_ table that no declaration has, and every declared
    one exists."""
    declared = set().union(*_declared().values())
    ours = {t for t in BaseModel.metadata.tables if t.startswith("koreanap_")}
    assert ours | set(stables.metadata.tables) == declared
    model.Session.remove()
    found = {t for t in sa.inspect(model.meta.engine).get_table_names()
             if t.startswith("koreanap_")}
    assert found - UNDECLARED == declared


@pytest.mark.usefixtures("clean_db")
def test_the_comparison_sees_a_naive_time():
    """The comparison above tells a naive timestamp from a timestamptz (so a migration
    that left one behind would fail it)."""
    model.Session.remove()
    with model.meta.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(sa.text(
            "ALTER TABLE koreanap_link_check ALTER COLUMN checked TYPE timestamp "
            "USING checked AT TIME ZONE 'UTC'"))
        differences = _differences(connection, {"koreanap_link_check"})
        transaction.rollback()
    assert [d[0][:3] for d in differences] == [
        ("modify_type", None, "koreanap_link_check")], differences
