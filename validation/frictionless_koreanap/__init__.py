"""The catalogue's checks for the stock ``frictionless`` command line.

frictionless finds plugins only in top-level modules named ``frictionless_*``
(it looks for ``<Name>Plugin`` in ``frictionless_<name>``), so this module
hands it :class:`koreanap_validation.checks.KoreanapPlugin`. Then::

    frictionless validate datapackage.json \
        --checklist validation/koreanap_validation/checklists/koreanap.yaml
"""
from koreanap_validation.checks import KoreanapPlugin

__all__ = ["KoreanapPlugin"]
