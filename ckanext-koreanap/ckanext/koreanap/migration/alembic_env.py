"""The Alembic environment every plugin's migration folder runs (its env.py calls run)."""
import os
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from sqlalchemy import engine_from_config, pool

# Revisions that were renamed, by plugin folder: {old id: new id}. The error-report
# centre's first revision had the same id as the validation tables' (b2d4f6a80001);
# a database already migrated records the old id, which is renamed in its version
# table before Alembic reads it.
RENAMED_REVISIONS = {"koreanap_reports": {"b2d4f6a80001": "a9e1c3d50001"}}


def rename_revisions(connection, plugin: str) -> int:
    """Rewrite renamed revision ids in ``plugin``'s version table, if it has one;
    returns how many rows changed."""
    renamed = RENAMED_REVISIONS.get(plugin) or {}
    table = "{}_alembic_version".format(plugin)
    if not renamed or not sa.inspect(connection).has_table(table):
        return 0
    quoted = connection.dialect.identifier_preparer.quote(table)
    changed = 0
    for old, new in renamed.items():
        changed += connection.execute(
            sa.text(f"UPDATE {quoted} SET version_num = :new WHERE version_num = :old"),
            {"old": old, "new": new}).rowcount
    return changed


def run(env_file: str) -> None:
    """Run the migrations of the folder holding ``env_file`` against CKAN's database.

    Each plugin keeps its own version table (e.g. ``koreanap_search_alembic_version``)
    so plugins never share history.
    """
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)
    plugin = os.path.basename(os.path.dirname(os.path.abspath(env_file)))
    version_table = "{}_alembic_version".format(plugin)
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"),
                          literal_binds=True, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=version_table)
        with context.begin_transaction():
            rename_revisions(connection, plugin)
            context.run_migrations()
