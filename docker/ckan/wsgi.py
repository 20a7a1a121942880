"""WSGI application of the CKAN web container, served by uWSGI (docker/ckan/entrypoint).

The configuration file is the container's ``$CKAN_INI``, completed at start-up
from the environment by the entrypoint.
"""
import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI", "/srv/app/ckan.ini")
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(load_config(_ini))
