"""``koreanap_reports``: the error-report centre.

Its own plugin so a catalogue can run without it; the tables come from the
``koreanap_reports`` migrations (``ckan db upgrade -p koreanap_reports``).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as reports_config
from . import views


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.helpers
@tk.blanket.blueprints
class KoreanapReportsPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IMiddleware

    def make_middleware(self, app, config):
        # A flood of reports answers 429 (JSON for the API, a page otherwise).
        if hasattr(app, "register_error_handler"):
            views.register_app_hooks(app)
            # Behind trusted reverse proxies the visitor's address is the
            # X-Forwarded-For entry they add (werkzeug's ProxyFix), for the
            # rate limit and the rest of CKAN alike.
            hops = reports_config.trusted_proxies()
            if hops:
                app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)
        return app
