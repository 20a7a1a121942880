"""koreanap_contaminant_search against a real DataStore table: filters, paging,
sorting, summary and chart numbers checked against the same rows in Python."""
from __future__ import annotations

import math
from decimal import Decimal

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import helpers

from .conftest import PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


def _search(**params):
    return helpers.call_action("koreanap_contaminant_search", context={"user": ""}, **params)


def _ids(rows):
    return [(r["sample_id"], r["substance_code"]) for r in rows]


def _percentile(values: list[float], p: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    values = sorted(values)
    position = p * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


@pytest.mark.parametrize("params, keep", [
    ({"substance_code": "HMT02"}, lambda r: r["substance_code"] == "HMT02"),
    ({"substance_code": ["HMT01", "HMT02"]}, lambda r: r["substance_code"] in ("HMT01", "HMT02")),
    ({"substance_code": "HMT01,MYC02"}, lambda r: r["substance_code"] in ("HMT01", "MYC02")),
    ({"substance_group": "MYC"}, lambda r: r["substance_code"].startswith("MYC")),
    ({"food_group_code": "FG01"}, lambda r: r["food_group_code"] == "FG01"),
    ({"food_item_code": "FI001"}, lambda r: r["food_item_code"] == "FI001"),
    ({"producer_country": "CN"}, lambda r: r["producer_country"] == "CN"),
    ({"production_region_code": "46"}, lambda r: r["production_region_code"] == "46"),
    ({"collection_region_code": "11"}, lambda r: r["collection_region_code"] == "11"),
    ({"collection_place_code": "traditional_market"},
     lambda r: r["collection_place_code"] == "traditional_market"),
    ({"survey_year": 2019}, lambda r: r["survey_year"] == 2019),
    ({"survey_year": ["2018", "2020"]}, lambda r: r["survey_year"] in (2018, 2020)),
    ({"detected": "N"}, lambda r: r["detected"] == "N"),
    ({"exceeds_only": True}, lambda r: r["exceeds_ml"] == "Y"),
    ({"substance_group": "HMT", "producer_country": "KR", "survey_year": 2020},
     lambda r: r["substance_code"].startswith("HMT") and r["producer_country"] == "KR"
     and r["survey_year"] == 2020),
])
def test_filters_return_exactly_the_matching_rows(survey, params, keep):
    """Each filter (and a combination) returns every matching row and no other."""
    expected = [r for r in survey["rows"] if keep(r)]
    assert expected, "the fixture must hold rows for this filter"
    result = _search(limit=1000, **params)
    assert result["total"] == len(expected)
    assert sorted(_ids(result["rows"])) == sorted(_ids(expected))


def test_pages_cover_the_rows_once_in_order(survey):
    """Pages of 37 rows, read one after another, give every row once in sample order."""
    total = len(survey["rows"])
    seen = []
    for offset in range(0, total + 37, 37):
        result = _search(limit=37, offset=offset, include_summary=False)
        assert result["total"] == total
        seen.extend(result["rows"])
    assert len(seen) == total
    assert [r["sample_id"] for r in seen] == sorted(r["sample_id"] for r in survey["rows"])
    assert len(set(_ids(seen))) == total


@pytest.mark.parametrize("sort, key, reverse", [
    ("value desc", lambda r: (r["value"] is not None, Decimal(r["value"] or 0)), True),
    ("value asc", lambda r: (r["value"] is None, Decimal(r["value"] or 0)), False),
    ("survey_year desc", lambda r: r["survey_year"], True),
    ("producer_country", lambda r: r["producer_country"], False),
])
def test_sorting_orders_rows_by_the_column(survey, sort, key, reverse):
    """sort=column asc|desc orders rows by that column (numbers as numbers, empty last)."""
    result = _search(sort=sort, limit=1000, include_summary=False)
    column = sort.split()[0]
    got = [r[column] for r in result["rows"]]
    want = [r[column] for r in sorted(survey["rows"], key=key, reverse=reverse)]
    if column == "value":
        got = [None if v is None else Decimal(str(v)) for v in got]
        want = [None if v is None else Decimal(v) for v in want]
    assert got == want


def _verified_levels():
    from .conftest import read_rows

    return {r["ml_id"] for r in read_rows("maximum_levels") if r["verified"] == "Y"}


def test_summary_matches_python_over_the_same_rows(survey):
    """Samples, share not detected, median, p95, maximum and over-ML count equal Python's."""
    result = _search(substance_group="HMT", limit=0)
    rows = [r for r in survey["rows"] if r["substance_code"].startswith("HMT")]
    summary = result["summary"]
    verified = _verified_levels()
    assert summary["results"] == len(rows) == result["total"]
    assert summary["not_detected"] == sum(r["detected"] == "N" for r in rows)
    assert summary["exceeds_ml"] == sum(r["exceeds_ml"] == "Y" and r["maximum_level_id"]
                                        in verified for r in rows)
    by_code = {g["substance_code"]: g for g in summary["by_substance"]}
    assert set(by_code) == {r["substance_code"] for r in rows}
    for code, group in by_code.items():
        mine = [r for r in rows if r["substance_code"] == code]
        values = [float(r["value"]) for r in mine if r["detected"] == "Y" and r["value"]]
        assert group["samples"] == len(mine)
        assert group["not_detected_share"] == round(
            sum(r["detected"] == "N" for r in mine) / len(mine), 4)
        assert group["detected"] == len(values)
        assert group["median"] == pytest.approx(_percentile(values, 0.5), rel=1e-5)
        assert group["p95"] == pytest.approx(_percentile(values, 0.95), rel=1e-5)
        assert group["max"] == pytest.approx(max(values))
        assert group["unit"] == mine[0]["unit"]
        assert group["maximum_level_min"] is not None or group["maximum_levels_unverified"]
    assert result["rows"] == []


def test_over_the_limit_counts_only_verified_maximum_levels(survey):
    """A result over a level marked verified = N is counted apart, never as over the limit."""
    verified = _verified_levels()
    over = [r for r in survey["rows"] if r["exceeds_ml"] == "Y"]
    unverified = [r for r in over if r["maximum_level_id"] not in verified]
    assert unverified and len(unverified) < len(over)  # the sample has both kinds
    summary = _search(limit=0)["summary"]
    assert summary["exceeds_ml"] == len(over) - len(unverified)
    assert summary["exceeds_ml_unverified"] == len(unverified)
    by_code = {g["substance_code"]: g for g in summary["by_substance"]}
    for code in {r["substance_code"] for r in unverified}:
        assert by_code[code]["exceeds_ml_unverified"] == sum(
            r["substance_code"] == code for r in unverified)
    rows = _search(exceeds_only=True, limit=50)["rows"]
    assert len(rows) == len(over)
    assert all(r["maximum_level_verified"] == (r["maximum_level_id"] in verified) for r in rows)


def test_chart_counts_detected_values_by_share_of_their_maximum_level(survey):
    """The chart's buckets hold each detected value with a verified maximum level by value/limit."""
    from .conftest import read_rows

    levels = {r["ml_id"]: Decimal(r["maximum_level"]) for r in read_rows("maximum_levels")
              if r["maximum_level"] is not None and r["verified"] == "Y"}
    result = _search(include_chart=True, limit=0)
    counts = [0] * 11
    for row in survey["rows"]:
        level = levels.get(row["maximum_level_id"])
        if row["detected"] != "Y" or row["value"] is None or not level:
            continue
        share = Decimal(row["value"]) / level
        counts[min(int(share / Decimal("0.2")), 10)] += 1
    chart = result["chart"]
    assert chart["available"] is True
    assert chart["counts"] == counts
    over = [r for r in survey["rows"] if r["exceeds_ml"] == "Y" and r["maximum_level_id"] in levels]
    assert over and sum(counts[5:]) >= len(over)
    assert chart["labels"][0] == "0–20%" and chart["labels"][-1] == ">200%"


def test_rows_carry_their_maximum_level_and_code_names(survey):
    """Rows show the maximum level's number, and labels name the codes in them."""
    result = _search(exceeds_only=True, limit=5)
    row = result["rows"][0]
    assert row["maximum_level"] is not None and row["value"] > row["maximum_level"]
    assert " / " in result["labels"]["substance_code"][row["substance_code"]]
    assert result["resource_id"] == survey["resource_id"]
    assert result["package_name"] == "food-contaminants"


def _all_rows(limit, **params):
    """Every row of koreanap_contaminant_rows, batch after batch, as (sample, substance)."""
    found, after = [], None
    while True:
        batch = helpers.call_action("koreanap_contaminant_rows", context={"user": ""},
                                    limit=limit, **params, **({"after": after} if after else {}))
        columns = batch["columns"]
        found += [(r[columns.index("sample_id")], r[columns.index("substance_code")])
                  for r in batch["rows"]]
        after = batch["next"]
        if after is None:
            return found


@pytest.mark.parametrize("sort", ["sample_id asc", "value desc", "value asc", "lod desc",
                                  "survey_year asc", "food_item_code desc"])
def test_row_batches_follow_the_search_order_without_gaps_or_repeats(survey, sort):
    """koreanap_contaminant_rows in batches of 7 (keyset paging; empty cells and ties on the
    sort column included) gives exactly the search's rows in the search's order."""
    params = {"substance_group": "HMT", "sort": sort}
    expected = _ids(_search(limit=1000, include_summary=False, **params)["rows"])
    assert 7 < len(expected) < 1000
    assert _all_rows(7, **params) == expected


def test_a_row_batch_refuses_a_made_up_after(survey):
    """``after`` must be the [value, _id] pair a previous answer gave (400 otherwise)."""
    for after in (["x"], "not json", ["abc", 1], [None, -1]):
        params = {"sort": "value asc", "after": after}
        with pytest.raises(tk.ValidationError) as refused:
            helpers.call_action("koreanap_contaminant_rows", context={"user": ""}, **params)
        assert "after" in refused.value.error_dict
