"""The Alembic environment every plugin's migration folder runs (its env.py calls run)."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool


def run(env_file: str) -> None:
    """Run the migrations of the folder holding ``env_file`` against CKAN's database.

    Each plugin keeps its own version table (e.g. ``koreanap_search_alembic_version``)
    so plugins never share history.
    """
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)
    version_table = "{}_alembic_version".format(
        os.path.basename(os.path.dirname(os.path.abspath(env_file))))
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
            context.run_migrations()
