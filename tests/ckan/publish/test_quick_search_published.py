"""The quick search finds the survey table that `koreanap publish` loaded, by its package name."""
import csv

import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


def test_quick_search_reads_the_published_survey(sysadmin, publish):
    """After publishing food-contaminants, the search counts every survey row and can index it."""
    publish(PACKAGES / "food-contaminants", sysadmin["name"])
    path = PACKAGES / "food-contaminants" / "data" / "survey_results.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    found = call_action("koreanap_contaminant_search", {"ignore_auth": True})
    assert found["total"] == rows
    indexed = call_action("koreanap_contaminant_index", {"user": sysadmin["name"]})
    assert indexed["indexed"]
