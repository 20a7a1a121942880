"""The ``koreanap`` plugin: wires the extension's modules into CKAN.

The PostgreSQL search index is a separate plugin (``koreanap_search`` in
:mod:`ckanext.koreanap.search.plugin`) so production can use Solr instead.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.helpers
class KoreanapPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
