"""The catalogue as a WSGI application, for a multi-process server.

``scripts/serve`` runs it with gunicorn (``scripts/gunicorn.conf.py``) and
the production image with uWSGI (``docker/ckan/entrypoint``). The CKAN
configuration file is ``$CKAN_INI``; each worker process loads it itself, so
no database connection is shared between processes.
"""
import os
import threading
from logging.config import fileConfig

from ckan import authz, logic, plugins
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

# The search index's Korean analyser (Kiwi: about 2 s and 300 MB) loads as the
# worker starts, beside it, instead of on the first Korean query or dataset
# indexed; a query that comes first waits for the same load, never a second.
if plugins.plugin_loaded("koreanap_search"):
    from ckanext.koreanap.search import text as _search_text

    threading.Thread(target=_search_text.warm, name="koreanap-kiwi-preload",
                     daemon=True).start()
