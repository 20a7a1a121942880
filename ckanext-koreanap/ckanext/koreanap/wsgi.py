"""The catalogue as a WSGI application, for a multi-process server.

``scripts/serve`` runs it with gunicorn (``scripts/gunicorn.conf.py``) and
the production image with uWSGI (``docker/ckan/entrypoint``). The CKAN
configuration file is ``$CKAN_INI``; each worker process loads it itself, so
no database connection is shared between processes.
"""
import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI") or "ckan.ini"
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(load_config(_ini))
