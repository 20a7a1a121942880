"""``koreanap_search``: CKAN's search index in PostgreSQL instead of Solr.

The embedded default (one machine, no Solr). Production leaves this plugin
out of ``ckan.plugins`` and CKAN talks to Solr as usual; nothing else in the
project depends on which index is in use.

What each dataset contains (``koreanap_content``) is added to its document
by the ``koreanap`` plugin, for Solr as for this index (``content.py``); this
plugin ranks it and says on ``/dataset`` which of it matched.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import content_actions, dispatch, display, synonym_actions
from .views import koreanap_search


class KoreanapSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)

    # IConfigurer

    def update_config(self, config):
        # Runs on every (re)load, before CKAN checks the Solr schema version.
        dispatch.install()
        tk.add_template_directory(config, "templates")

    # ITemplateHelpers

    def get_helpers(self):
        return {"koreanap_search_content_matches": display.content_matches}

    # IActions

    def get_actions(self):
        return {**synonym_actions.actions(), **content_actions.actions()}

    # IAuthFunctions

    def get_auth_functions(self):
        return {**synonym_actions.auth_functions(), **content_actions.auth_functions()}

    # IBlueprint

    def get_blueprint(self):
        return [koreanap_search]
