"""Coordinates against the row's region code (validation/koreanap_validation/checks.py
RegionCoordinatesCheck, codelists/region-extents.csv), on both engines."""
import csv
import json
import shutil
from pathlib import Path

import pytest

from koreanap_validation import domains
from koreanap_validation.engine import validate_package

REPO = Path(__file__).resolve().parents[2]
HERITAGE = REPO / "datapackages" / "cultural-heritage-3d"
ENGINES = ("auto", "frictionless")
RULE = "koreanap-region-coordinates"
BUSAN = ("35.1796", "129.0756")  # Busan City Hall, approximately


def places(folder, rows, codelist="region-bjd-2018", extra_fields=()):
    """A package with one table of (id, sido, lat, lon) rows."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "places.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "sido", "lat", "lon", *(f["name"] for f in extra_fields)])
        writer.writerows(rows)
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "sido", "type": "string", "koreanap:domain": "code",
         "koreanap:codelist": codelist},
        {"name": "lat", "type": "number", "koreanap:domain": "latitude"},
        {"name": "lon", "type": "number", "koreanap:domain": "longitude"},
        *extra_fields,
    ]
    (folder / "datapackage.json").write_text(json.dumps({"name": "places", "resources": [
        {"name": "places", "path": "places.csv", "schema": {"fields": fields}}]}),
        encoding="utf-8")
    return folder


def found(report):
    return [(e["rule"], e["row"], e["field"]) for e in report["errors"]]


@pytest.mark.parametrize("engine", ENGINES)
def test_busan_coordinates_on_a_seoul_row_are_an_error(tmp_path, engine):
    """A Seoul (11) row with Busan's coordinates fails; the right rows pass."""
    folder = places(tmp_path / "p", [(1, "11", "37.5665", "126.9780"), (2, "11", *BUSAN),
                                     (3, "26", *BUSAN)])
    report = validate_package(folder, engine=engine)
    assert found(report) == [(RULE, 3, "sido")]
    message = report["errors"][0]["message"]
    assert "(35.1796, 129.0756) is outside 서울특별시 (code 11)" in message
    assert "latitude 37.4282-37.7015" in message and "부산광역시" in message


@pytest.mark.parametrize("engine", ENGINES)
def test_each_code_system_is_read_as_its_own(tmp_path, engine):
    """Sejong is KR-50 in ISO 3166-2 and 45 in ccbaCtcd, Jeju KR-49: each read in its system."""
    sejong, jeju = ("36.48", "127.29"), ("33.4996", "126.5312")
    iso = places(tmp_path / "iso", [(1, "KR-50", *sejong), (2, "KR-49", *jeju),
                                    (3, "KR-49", *sejong)], codelist="region-iso3166-2")
    assert found(validate_package(iso, engine=engine)) == [(RULE, 4, "sido")]
    ccba = places(tmp_path / "ccba", [(1, "45", *sejong), (2, "50", *jeju),
                                      (3, "45", *jeju)], codelist="heritage-ccba-ctcd")
    assert found(validate_package(ccba, engine=engine)) == [(RULE, 4, "sido")]


@pytest.mark.parametrize("engine", ENGINES)
def test_faults_other_rules_report_are_not_reported_again(tmp_path, engine):
    """An unknown code, a point outside Korea or a non-number is its domain or type error only."""
    folder = places(tmp_path / "p", [(1, "99", *BUSAN), (2, "11", "0", "0"),
                                     (3, "11", "abc", "126.9")])
    rules = {e["rule"] for e in validate_package(folder, engine=engine)["errors"]}
    assert RULE not in rules and rules <= {"koreanap-value-domain", "type-error"}


@pytest.mark.parametrize("engine", ENGINES)
def test_two_region_columns_are_not_guessed(tmp_path, engine):
    """With a second region column, which one the point belongs to is not said: no finding."""
    other = {"name": "origin", "type": "string", "koreanap:domain": "code",
             "koreanap:codelist": "region-bjd-2018"}
    folder = places(tmp_path / "p", [(1, "11", *BUSAN, "26")], extra_fields=[other])
    assert found(validate_package(folder, engine=engine)) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_heritage_item_moved_to_seoul_code_is_found(tmp_path, engine):
    """In the real heritage package, Cheomseongdae (Gyeongju) with Seoul's ccbaCtcd 11 fails."""
    folder = tmp_path / "heritage"
    shutil.copytree(HERITAGE, folder)
    items = folder / "data" / "items.csv"
    text = items.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("cheomseongdae,"))
    items.write_text(text.replace(line, line.replace(",37,경상북도,", ",11,경상북도,")),
                     encoding="utf-8")
    report = validate_package(folder, engine=engine)
    assert [(e["rule"], e["resource"], e["field"]) for e in report["errors"]] == [
        (RULE, "items", "region_ccba_ctcd")]


def test_every_extent_lies_in_korea_and_every_code_is_listed():
    """Each code list with extents has one for every code, inside the coordinate domains."""
    for codelist in domains.EXTENT_COLUMNS:
        extents = domains.region_extents(codelist)
        assert set(extents) == set(domains.load_codelist(codelist)), codelist
        for _name, lat_min, lat_max, lon_min, lon_max in extents.values():
            assert domains.LAT_RANGE[0] <= lat_min < lat_max <= domains.LAT_RANGE[1]
            assert domains.LON_RANGE[0] <= lon_min < lon_max <= domains.LON_RANGE[1]
