"""The ``koreanap_commitments`` plugin: the commitment tracker pages."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .views import koreanap_commitments


@tk.blanket.config_declarations
class KoreanapCommitmentsPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IBlueprint)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IBlueprint

    def get_blueprint(self):
        return [koreanap_commitments]
