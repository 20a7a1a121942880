"""One getter per ``ckanext.koreanap.*`` option (declared in config_declaration.yaml)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def plan_url() -> str:
    """Where the plan's full text is published (linked from the home page)."""
    return tk.config.get("ckanext.koreanap.plan_url")


def show_commitments_on_home() -> bool:
    """Whether the home page lists the plan's open-data commitments."""
    return tk.config.get("ckanext.koreanap.home.show_commitments")
