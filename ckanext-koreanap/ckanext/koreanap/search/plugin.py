"""``koreanap_search``: CKAN's search index in PostgreSQL instead of Solr.

The embedded default (one machine, no Solr). Production leaves this plugin
out of ``ckan.plugins`` and CKAN talks to Solr as usual; nothing else in the
project depends on which index is in use.
"""
from __future__ import annotations

import ckan.plugins as p

from . import dispatch


class KoreanapSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer

    def update_config(self, config):
        # Runs on every (re)load, before CKAN checks the Solr schema version.
        dispatch.install()
