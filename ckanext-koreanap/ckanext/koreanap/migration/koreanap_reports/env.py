"""Alembic entry point for this plugin's migrations (shared logic in alembic_env)."""
from ckanext.koreanap.migration.alembic_env import run

run(__file__)
