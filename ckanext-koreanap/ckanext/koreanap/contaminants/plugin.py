"""``koreanap_contaminants``: the contaminant quick search (page, API, indexes).

Its own plugin so a catalogue without the food-contaminants data can leave
it out. It reads any DataStore table with the survey_results columns; see
``tables.py`` for how the table is found.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import cache, views


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
class KoreanapContaminantsPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ISignal)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "koreanap-contaminants")

    # IMiddleware

    def make_middleware(self, app, config):
        # Bad quick-search input answers 400 from the API too (CKAN says 409).
        if hasattr(app, "after_request"):
            app.after_request(views.bad_request_status)
        return app

    # ISignal

    def get_signal_subscriptions(self):
        # The publishing job loads rows with COPY: cached searches are dropped.
        return {tk.signals.ckanext.signal("koreanap_datastore_loaded"): [cache.data_changed]}
