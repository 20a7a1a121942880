"""The ``koreanap_commitments`` plugin: the commitment tracker pages.

It also carries the extension's Korean and English message catalogs
(ITranslation, domain ``ckanext-koreanap``) and the ``koreanap_localized``
helper for bilingual fields (see ``ckanext.koreanap.languages``).
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from .. import languages
from .views import koreanap_commitments


@tk.blanket.config_declarations
class KoreanapCommitmentsPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IBlueprint)
    p.implements(p.ITranslation)
    p.implements(p.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IBlueprint

    def get_blueprint(self):
        return [koreanap_commitments]

    # ITranslation

    def i18n_directory(self):
        # one catalog for every koreanap plugin, not one per sub-package
        return languages.CATALOG_DIR

    def i18n_domain(self):
        return languages.DOMAIN

    # ITemplateHelpers

    def get_helpers(self):
        return languages.get_helpers()
