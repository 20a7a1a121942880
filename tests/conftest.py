"""Shared test set-up. CKAN's pytest plugin loads test.ini for every test
(scripts/test passes --ckan-ini); tests that need no CKAN simply ignore it."""
