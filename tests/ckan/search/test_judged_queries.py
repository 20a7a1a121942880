"""The judged query set (judged_queries.csv) against the four published data packages.

Each row is a query a data user would type and the dataset it should find
first, written from the packages' content. Rows with a ``needs`` value
depend on work not done yet (content indexing, synonyms); they are reported,
not counted.
"""
import csv
import pathlib

from ckan.tests.helpers import call_action

HERE = pathlib.Path(__file__).parent
PACKAGES = HERE.parents[2] / "datapackages"
PACKAGE_NAMES = ("food-contaminants", "cultural-heritage-3d", "ogp-nap4-commitments",
                 "priority-datasets")
HIT1_TARGET = 0.95


def judged_queries():
    with (HERE / "judged_queries.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_set_is_large_enough_and_names_published_datasets():
    """At least 40 counted queries, Korean and English, each judged to a real package."""
    rows = judged_queries()
    counted = [r for r in rows if not r["needs"]]
    assert len(counted) >= 40
    assert {r["expected"] for r in rows} == set(PACKAGE_NAMES)
    assert any(r["query"].isascii() for r in counted)
    assert sum(not r["query"].isascii() for r in counted) >= 20


def test_judged_queries_find_their_dataset_first(sysadmin, publish):
    """hit@1 over the counted queries reaches 95%; the misses are listed.

    Published with the publishing tests' fixtures (imported in conftest.py)."""
    for name in PACKAGE_NAMES:
        result, lines = publish(PACKAGES / name, sysadmin["name"])
        assert result.dataset, lines
    misses, pending = [], []
    rows = judged_queries()
    for row in rows:
        found = [r["name"] for r in call_action(
            "package_search", q=row["query"], rows=3)["results"]]
        if not found or found[0] != row["expected"]:
            (pending if row["needs"] else misses).append(
                "{} -> {} (want {})".format(row["query"], found, row["expected"]))
    counted = sum(1 for r in rows if not r["needs"])
    print("pending (need {}): {}".format(
        ", ".join(sorted({r["needs"] for r in rows if r["needs"]})), pending))
    assert 1 - len(misses) / counted >= HIT1_TARGET, "\n".join(misses)
