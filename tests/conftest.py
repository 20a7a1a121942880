"""Shared test set-up. CKAN's pytest plugin loads test.ini for every test
(scripts/test passes --ckan-ini); tests that need no CKAN simply ignore it."""
import logging

import pytest

# Loggers that complain about an unreachable Solr whenever CKAN reconfigures
# itself with koreanap_search unloaded (between tests). No test uses Solr.
_SOLR_LOGGERS = ("ckan.lib.search", "ckan.lib.search.common")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session):
    levels = {name: logging.getLogger(name).level for name in _SOLR_LOGGERS}
    for name in _SOLR_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
