"""The catalogue as a WSGI application, for a multi-process server.

``scripts/serve`` runs it with gunicorn (``scripts/gunicorn.conf.py``) and
the production image with uWSGI (``docker/ckan/entrypoint``). The CKAN
configuration file is ``$CKAN_INI``; each worker process loads it itself, so
no database connection is shared between processes.
"""
import os
from logging.config import fileConfig

from ckan import authz, logic
from ckan.cli import load_config
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI") or "ckan.ini"
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(load_config(_ini))

# CKAN gathers its action and auth functions on first use, into shared dicts
# and without a lock: two threads serving a new worker's first requests can
# find one half-filled ("Authorization function not found", a 500). Gather
# them now, before the worker takes any request.
authz.auth_functions_list()
logic.get_action("status_show")
