"""Fixtures of the quick-search tests: the food-contaminants dataset in the DataStore.

The tables are made with CKAN's own ``datastore_create`` (typed columns as the
Table Schema says), from the data package's files: every reference table, and
a few hundred survey rows (every 150th row, plus every row over its maximum
level, so each filter has something to find).
"""
from __future__ import annotations

import copy
import csv
import functools
import json
import pathlib

import pytest
from ckan.tests import factories, helpers

PACKAGE = pathlib.Path(__file__).resolve().parents[3] / "datapackages" / "food-contaminants"
_TYPES = {"string": "text", "integer": "int8", "number": "numeric"}
# The quick search needs only the DataStore and a search index, so these tests
# load just that, plus koreanap, which every set-up loads and which holds the
# message catalogs the pages are translated with.
PLUGINS = "activity datastore koreanap_search koreanap koreanap_contaminants"
MIGRATED_PLUGINS = ("activity", "koreanap_search", "koreanap")


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, then the migrations of the plugins these tests load."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)


def _schema(name: str) -> list[dict]:
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    return resource["schema"]["fields"]


def _typed(fields: list[dict], row: dict[str, str]) -> dict:
    out = {}
    for field in fields:
        text = row.get(field["name"], "")
        kind = field.get("type", "string")
        if text == "":
            out[field["name"]] = None
        elif kind == "integer":
            out[field["name"]] = int(text)
        elif kind == "number":
            out[field["name"]] = text  # numeric: exact, as in the file
        else:
            out[field["name"]] = text
    return out


@functools.cache
def _file_rows(name: str) -> tuple[dict, ...]:
    # Read once per run: the survey file has 60,000 rows and every test loads a sample.
    with open(PACKAGE / "data" / (name + ".csv"), encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def read_rows(name: str, pick=None) -> list[dict]:
    """Rows of one of the package's CSV files, typed as the DataStore stores them."""
    fields = _schema(name)
    rows = _file_rows(name)
    if pick:
        rows = [r for i, r in enumerate(rows) if pick(i, r)]
    return [_typed(fields, r) for r in rows]


@functools.cache
def _survey_sample() -> tuple[dict, ...]:
    return tuple(read_rows("survey_results",
                           lambda i, r: i % 150 == 0 or r["exceeds_ml"] == "Y"))


def survey_sample() -> list[dict]:
    """The survey rows the tests load: every 150th, plus all over their maximum level
    (a copy: a test may change its rows)."""
    return copy.deepcopy(list(_survey_sample()))


def datastore_table(user: dict, package_id: str, name: str, records: list[dict],
                    fields: list[dict] | None = None) -> str:
    """A resource named ``name`` with a DataStore table of ``records``; its id."""
    fields = fields or [{"id": f["name"], "type": _TYPES.get(f.get("type"), "text")}
                        for f in _schema(name)]
    result = helpers.call_action(
        "datastore_create", context={"user": user["name"]},
        resource={"package_id": package_id, "name": name, "format": "CSV"},
        fields=fields, records=records, force=True)
    return result["resource_id"]


@pytest.fixture
def survey(clean_db, clean_index):
    """The food-contaminants dataset of an organization, with its tables in the DataStore.

    :returns: dict with ``user`` (sysadmin), ``org``, ``dataset``, ``rows``
        (the survey records, in load order) and ``resource_id``
    """
    user = factories.Sysadmin()
    org = factories.Organization(name="mfds", title="식품의약품안전처")
    dataset = factories.Dataset(owner_org=org["id"], name="food-contaminants",
                                title="식품 중 유해물질 오염도", context={"user": user["name"]})
    rows = survey_sample()
    resource_id = datastore_table(user, dataset["id"], "survey_results", rows)
    references = {}
    for name in ("substances", "food_groups", "food_items", "maximum_levels", "regions",
                 "collection_places"):
        references[name] = datastore_table(user, dataset["id"], name, read_rows(name))
    return {"user": user, "org": org, "dataset": dataset, "rows": rows,
            "resource_id": resource_id, "references": references}
