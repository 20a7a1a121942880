"""Alembic migrations, one folder per plugin (``ckan db upgrade -p PLUGIN``)."""
