"""The priority-datasets data package: valid, honest about the 38, reproducible.

The catalogue is transcribed from the plan; the three sample tables are generated (an
illustrative sample, not official measurements) by scripts/build_priority_datasets.py.
These tests pin the generated files' hashes, rebuild them, and check the Korean
public-data conventions (codes, ISO dates, Y/N flags, counts, coordinates) on every row.
"""
import collections
import datetime
import functools
import json
import os
import pathlib
import re

import pytest

from .packages import ROOT, frictionless_errors, read_rows, run_builder
from .packages import sha256 as _sha256
from .personal_data import personal_data as _personal_data
from .personal_data import personal_data_in_package

PACKAGE = ROOT / "datapackages" / "priority-datasets"
DATA = PACKAGE / "data"
BUILDER = ROOT / "scripts" / "build_priority_datasets.py"
PLAN_TEXT = pathlib.Path(os.environ.get(
    "KOREANAP_PLAN_TEXT", "/work/shared/reference/korea-ogp-nap4-2018-2020.txt"))

# sha256 of the generated files as written by the default command
# (build_priority_datasets.py --overwrite: seed 20180901).
GENERATED_SHA256 = {
    "earthquake_shelters.csv":
        "01194637f5b51a353e20dae010603e4726fac7088b4d0b7d865b54ee06db5923",
    "air_pollutant_emissions.csv":
        "6e65b5d925c43e78642cd0312c830e48cd32265770b44ec05b2853312f28edb8",
    "traffic_accidents.csv":
        "dd97bb380ddf365df909d7f78bdac6b2d010cd6652c759bc94232fc2b64c3dd1",
}
GENERATED = {name[:-4] for name in GENERATED_SHA256}
ROWS = {"earthquake_shelters": 1_500, "air_pollutant_emissions": 680,
        "traffic_accidents": 340}
MAX_PACKAGE_BYTES = 2_000_000

# The areas the plan names (commitment KR0046, "What is the commitment?"), in order.
PLAN_AREAS = (
    "information on buildings based on their age and use", "earthquake emergency shelters",
    "buildings with seismic design", "safety management of public facilities",
    "statistics of food and drug", "sales of meat and processed meat", "jobs", "automobiles",
    "national energy", "public health alert", "public health nutrition",
    "air pollutant emission", "intelligent traffic accident analysis",
)
# 법정동 first-level codes in force 2018-2020 (Gangwon 42 and Jeonbuk 45, not 51/52).
REGION_CODES_2018_2020 = {"11", "26", "27", "28", "29", "30", "31", "36", "41", "42", "43",
                          "44", "45", "46", "47", "48", "50"}
POLLUTANTS = {"CO", "NOx", "SOx", "TSP", "PM10", "PM2.5", "VOCs", "NH3"}
ACCIDENT_TYPES = {"VP", "VV", "SV", "RC"}
YEARS = {str(year) for year in range(2015, 2020)}
KOREA_LAT, KOREA_LON = (33.0, 38.7), (124.5, 131.9)
NOT_38 = re.compile(r"full list of 38[^.]*not reproduced", re.IGNORECASE)
NOT_38_KO = "38종"

# Y/N flag columns, by table.
FLAGS = {"catalogue": ("sample_in_package",), "regions": ("verified",),
         "shelter_types": ("indoor", "verified"), "pollutants": ("verified",),
         "accident_types": ("verified",),
         "earthquake_shelters": ("accessible_yn", "night_lighting_yn", "in_use_yn")}
# Date columns, by table.
DATES = {"earthquake_shelters": ("designated_date", "reference_date"),
         "air_pollutant_emissions": ("reference_date",),
         "traffic_accidents": ("reference_date",)}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_rows = functools.partial(read_rows, DATA)
_build = functools.partial(run_builder, BUILDER, timeout=60)


def _is_iso_date(text):
    if not ISO_DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def resources(descriptor):
    return {r["name"]: r for r in descriptor["resources"]}


@pytest.fixture(scope="module")
def tables(resources):
    return {name: _rows(name) for name in resources}


@pytest.fixture(scope="module")
def regions(tables):
    return {r["region_code"]: r for r in tables["regions"]}


def test_package_passes_frictionless_validation():
    """frictionless.validate finds no error (types, constraints, keys, hashes)."""
    report, errors = frictionless_errors(PACKAGE)
    assert report.valid, "\n".join(errors)


def test_descriptor_has_titles_licence_sources_contributors_and_keywords(descriptor):
    """name, ko/en titles, CC BY 4.0, sources, project contributors, ko and en keywords."""
    assert descriptor["name"] == "priority-datasets"
    assert descriptor["title_ko"] and descriptor["title_en"]
    assert descriptor["title"] == "%s / %s" % (descriptor["title_ko"], descriptor["title_en"])
    assert [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert any("KR0046" in s["title"] for s in descriptor["sources"])
    assert descriptor["contributors"] and all(
        c["title"].startswith("ckanext-koreanap project") for c in descriptor["contributors"])
    keywords = descriptor["keywords"]
    assert any(re.search("[가-힣]", k) for k in keywords)
    assert any(re.fullmatch(r"[A-Za-z .-]+", k) for k in keywords)
    assert "CC BY 4.0" in (PACKAGE / "README.md").read_text(encoding="utf-8")


def test_every_field_has_a_description(resources):
    """Every resource and every field of every schema has a description."""
    missing = [(name, f["name"]) for name, r in resources.items()
               for f in r["schema"]["fields"] if not f.get("description")]
    missing += [name for name, r in resources.items() if not r.get("description")]
    assert not missing, missing


def test_not_38_statement_is_in_description_readme_and_catalogue(descriptor, resources):
    """The package, its README and the catalogue say the plan's list of 38 is not reproduced."""
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    places = {"package description": descriptor["description"],
              "README": re.sub(r"\s+", " ", readme.replace("**", "")),
              "catalogue description": resources["catalogue"]["description"]}
    missing = [where for where, text in places.items() if not NOT_38.search(text)]
    assert not missing, missing
    assert NOT_38_KO in descriptor["description"]
    assert NOT_38_KO in resources["catalogue"]["koreanap:description_ko"]


def test_illustrative_sample_is_said_everywhere(descriptor, resources):
    """Package description, README and each sample resource say it is not official."""
    phrase = "illustrative sample, not official measurements"
    assert phrase in descriptor["description"].lower()
    readme = re.sub(r"\s+", " ", (PACKAGE / "README.md").read_text(encoding="utf-8"))
    assert phrase in readme.replace("**", "").lower()
    for name in GENERATED:
        assert phrase in resources[name]["description"].lower(), name
        assert resources[name]["koreanap:description_ko"].startswith(
            "예시 자료이며 공식 측정값이 아닙니다"), name
    for name in set(resources) - GENERATED:
        assert phrase not in resources[name]["description"].lower(), name


def test_catalogue_lists_the_plans_areas_in_order(tables):
    """13 rows, name_en exactly the plan's areas in the plan's order, no lead guessed."""
    catalogue = tables["catalogue"]
    assert tuple(r["name_en"] for r in catalogue) == PLAN_AREAS
    assert [int(r["plan_order"]) for r in catalogue] == list(range(1, 14))
    assert all(re.search("[가-힣]", r["name_ko"]) for r in catalogue)
    # The plan does not say which ministry provides each area.
    assert all(r["lead_ministry"] == "" for r in catalogue)
    assert all("KR0046" in r["source"] for r in catalogue)


def test_catalogue_areas_are_in_the_plan_text(tables):
    """Each area name occurs in the plan's sentence about the 38 data sets."""
    if not PLAN_TEXT.is_file():
        pytest.skip("plan text not on this machine (set KOREANAP_PLAN_TEXT)")
    text = re.sub(r"\s+", " ", PLAN_TEXT.read_text(encoding="utf-8"))
    start = text.index("38 sets of important data")
    sentence = text[start:text.index("How will the commitment", start)]
    missing = [r["name_en"] for r in tables["catalogue"] if r["name_en"] not in sentence]
    assert not missing, missing


def test_catalogue_sample_flags_match_the_sample_resources(tables, resources):
    """sample_in_package is Y exactly for areas whose sample_resource is in the package."""
    catalogue = tables["catalogue"]
    for r in catalogue:
        assert (r["sample_in_package"] == "Y") == (r["sample_resource"] != ""), r["area_id"]
        if r["sample_resource"]:
            assert r["sample_resource"] in resources, r["sample_resource"]
    assert {r["sample_resource"] for r in catalogue} - {""} == GENERATED
    assert len(GENERATED) >= 3


def test_foreign_keys_are_declared(resources):
    """Each sample table declares its foreign keys to regions and its code list."""
    declared = {(name, fk["fields"][0], fk["reference"]["resource"])
                for name, r in resources.items() for fk in r["schema"].get("foreignKeys", [])}
    assert declared == {
        ("earthquake_shelters", "region_code", "regions"),
        ("earthquake_shelters", "shelter_type_code", "shelter_types"),
        ("air_pollutant_emissions", "region_code", "regions"),
        ("air_pollutant_emissions", "pollutant_code", "pollutants"),
        ("traffic_accidents", "region_code", "regions"),
        ("traffic_accidents", "accident_type_code", "accident_types"),
    }


def test_every_code_exists_in_its_code_list(tables):
    """Independent of frictionless: each coded column's values are in the reference table."""
    lookups = {
        "region_code": set(r["region_code"] for r in tables["regions"]),
        "shelter_type_code": set(r["shelter_type_code"] for r in tables["shelter_types"]),
        "pollutant_code": set(r["pollutant_code"] for r in tables["pollutants"]),
        "accident_type_code": set(r["accident_type_code"] for r in tables["accident_types"]),
    }
    unknown = collections.Counter()
    for name in GENERATED:
        for r in tables[name]:
            for column, known in lookups.items():
                if column in r and r[column] not in known:
                    unknown[name, column, r[column]] += 1
    assert not unknown, unknown.most_common(10)


def test_code_lists_are_the_expected_ones(tables, resources):
    """Regions are the 2018-2020 법정동 codes; pollutants and accident types as the issue asks."""
    assert set(r["region_code"] for r in tables["regions"]) == REGION_CODES_2018_2020
    iso = {r["region_code"]: r["iso_3166_2"] for r in tables["regions"]}
    assert iso["36"] == "KR-50" and iso["50"] == "KR-49"  # the two systems differ here
    assert set(r["pollutant_code"] for r in tables["pollutants"]) == POLLUTANTS
    assert set(r["accident_type_code"] for r in tables["accident_types"]) == ACCIDENT_TYPES
    for name in GENERATED:
        field = next(f for f in resources[name]["schema"]["fields"]
                     if f["name"] == "region_code")
        assert "법정동" in field["description"] and "2018-2020" in field["description"]
        assert "42" in field["description"] and "45" in field["description"]


def test_sample_tables_cover_every_region_year_and_code(tables):
    """Emissions and accidents have exactly one row per region, year 2015-2019 and code."""
    for name, column, codes in (("air_pollutant_emissions", "pollutant_code", POLLUTANTS),
                                ("traffic_accidents", "accident_type_code", ACCIDENT_TYPES)):
        keys = collections.Counter((r["region_code"], r["year"], r[column])
                                   for r in tables[name])
        expected = {(c, y, k) for c in REGION_CODES_2018_2020 for y in YEARS for k in codes}
        assert set(keys) == expected and set(keys.values()) == {1}, name


def test_row_counts_and_package_size(tables):
    """The sample tables have their documented row counts; the package is under 2 MB."""
    assert {name: len(tables[name]) for name in GENERATED} == ROWS
    size = sum(p.stat().st_size for p in PACKAGE.rglob("*") if p.is_file())
    assert size < MAX_PACKAGE_BYTES, size


def test_committed_generated_files_have_the_recordedsha256(resources):
    """Each generated file matches the sha256 in this test and in datapackage.json."""
    for filename, digest in GENERATED_SHA256.items():
        path = DATA / filename
        assert _sha256(path) == digest, filename
        resource = resources[filename[:-4]]
        assert resource["hash"] == "sha256:" + digest, filename
        assert resource["bytes"] == path.stat().st_size, filename


def test_default_build_reproduces_the_committed_files(tmp_path):
    """Building with the default seed gives bytes identical to the committed files."""
    result = _build("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for filename in GENERATED_SHA256:
        assert (tmp_path / filename).read_bytes() == (DATA / filename).read_bytes(), filename
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED_SHA256)


def test_different_seed_gives_different_bytes(tmp_path):
    """Another seed changes every file; the same seed again does not."""
    for name, seed in (("a", "7"), ("b", "7")):
        result = _build("--out", str(tmp_path / name), "--seed", seed)
        assert result.returncode == 0, result.stderr
    for filename in GENERATED_SHA256:
        a = (tmp_path / "a" / filename).read_bytes()
        assert a == (tmp_path / "b" / filename).read_bytes(), filename
        assert a != (DATA / filename).read_bytes(), filename


def test_coordinates_are_inside_korea_and_the_region_box(tables, regions):
    """Every shelter lies in Korea (lat 33.0-38.7, lon 124.5-131.9) and in its region's box."""
    for r in tables["regions"]:
        assert KOREA_LAT[0] <= float(r["lat_min"]) < float(r["lat_max"]) <= KOREA_LAT[1]
        assert KOREA_LON[0] <= float(r["lon_min"]) < float(r["lon_max"]) <= KOREA_LON[1]
    bad = []
    for r in tables["earthquake_shelters"]:
        lat, lon, box = float(r["latitude"]), float(r["longitude"]), regions[r["region_code"]]
        if not (KOREA_LAT[0] <= lat <= KOREA_LAT[1] and KOREA_LON[0] <= lon <= KOREA_LON[1]):
            bad.append(("outside Korea", r["shelter_id"], lat, lon))
        elif not (float(box["lat_min"]) <= lat <= float(box["lat_max"])
                  and float(box["lon_min"]) <= lon <= float(box["lon_max"])):
            bad.append(("outside its region's box", r["shelter_id"], lat, lon))
    assert not bad, bad[:10]


def test_counts_and_amounts_are_non_negative(tables):
    """Capacity, area, emission amounts and accident counts are non-negative numbers."""
    columns = {"earthquake_shelters": ("capacity", "area_m2"),
               "air_pollutant_emissions": ("amount",),
               "traffic_accidents": ("accidents", "deaths", "injuries")}
    integers = {"capacity", "accidents", "deaths", "injuries"}
    bad = []
    for name, cols in columns.items():
        for r in tables[name]:
            for col in cols:
                if col in integers and not re.fullmatch(r"\d+", r[col]):
                    bad.append((name, col, r[col]))
                elif not float(r[col]) >= 0:
                    bad.append((name, col, r[col]))
    assert not bad, bad[:10]


def test_dates_are_real_iso_dates(tables):
    """Every date column holds real YYYY-MM-DD dates; designation is not after the reference."""
    bad = [(name, col, r[col]) for name, cols in DATES.items() for r in tables[name]
           for col in cols if not _is_iso_date(r[col])]
    assert not bad, bad[:10]
    late = [r["shelter_id"] for r in tables["earthquake_shelters"]
            if r["designated_date"] > r["reference_date"]]
    assert not late, late[:10]


def test_iso_date_check_rejects_other_forms():
    """The date check accepts 2020-06-30 and rejects 20200630, 2020.06.30 and 2020-02-30."""
    assert _is_iso_date("2020-06-30")
    for text in ("20200630", "2020.06.30", "2020-02-30", "2020-6-30", ""):
        assert not _is_iso_date(text), text


def test_flags_are_y_or_n_everywhere(tables):
    """Every Y/N flag column of every table holds only Y or N."""
    bad = collections.Counter((name, col, r[col]) for name, cols in FLAGS.items()
                              for r in tables[name] for col in cols if r[col] not in ("Y", "N"))
    assert not bad, bad
    # Both values occur in the sample, so the flags carry information.
    for col in FLAGS["earthquake_shelters"]:
        assert {r[col] for r in tables["earthquake_shelters"]} == {"Y", "N"}, col


def test_shelters_are_plausible(tables, regions):
    """Capacity in hundreds to thousands, >= 1 m² a person; Sejong alone has no sigungu."""
    shelters = tables["earthquake_shelters"]
    capacities = sorted(int(r["capacity"]) for r in shelters)
    assert 100 <= capacities[len(capacities) // 2] <= 10_000, capacities[len(capacities) // 2]
    bad = [r["shelter_id"] for r in shelters
           if not 0 < int(r["capacity"]) <= float(r["area_m2"])]
    assert not bad, bad[:10]
    bad = [r["shelter_id"] for r in shelters
           if (r["sigungu_name"] == "") != (r["region_code"] == "36")
           or not r["address"].startswith(regions[r["region_code"]]["name_ko"])
           or not r["shelter_id"].startswith("EQS%s-" % r["region_code"])]
    assert not bad, bad[:10]
    assert {r["shelter_type_code"] for r in shelters} == {"OUT", "IN"}


def test_emissions_units_and_size_fractions(tables):
    """Units match the pollutant list; PM2.5 <= PM10 <= TSP in each region and year."""
    units = {r["pollutant_code"]: r["unit"] for r in tables["pollutants"]}
    rows = tables["air_pollutant_emissions"]
    assert not [r for r in rows if r["unit"] != units[r["pollutant_code"]]]
    cell = collections.defaultdict(dict)
    for r in rows:
        cell[r["region_code"], r["year"]][r["pollutant_code"]] = float(r["amount"])
    bad = [key for key, a in cell.items() if not a["PM2.5"] <= a["PM10"] <= a["TSP"]]
    assert not bad, bad[:10]


def test_accidents_have_casualties(tables):
    """deaths + injuries >= accidents; railway-crossing accidents are rare."""
    rows = tables["traffic_accidents"]
    bad = [(r["region_code"], r["year"], r["accident_type_code"]) for r in rows
           if int(r["deaths"]) + int(r["injuries"]) < int(r["accidents"])]
    assert not bad, bad[:10]
    per_year = collections.Counter()
    for r in rows:
        if r["accident_type_code"] == "RC":
            per_year[r["year"]] += int(r["accidents"])
    assert all(n < 50 for n in per_year.values()), per_year


def test_builder_refuses_to_write_inside_a_package(tmp_path):
    """Without --overwrite the builder exits 1, says why, and leaves the package alone."""
    before = {name: _sha256(DATA / name) for name in GENERATED_SHA256}
    for out in (DATA, DATA / "sub", PACKAGE):
        result = _build("--out", str(out))
        assert result.returncode == 1, (out, result.stderr)
        assert "datapackage.json" in result.stderr and "--overwrite" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (DATA / "sub").exists()
    assert {name: _sha256(DATA / name) for name in GENERATED_SHA256} == before
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    result = _build("--out", str(tmp_path / "data"))
    assert result.returncode == 1 and "inside the data package" in result.stderr
    assert not (tmp_path / "data").exists()
    result = _build("--out", str(tmp_path / "data"), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "data").glob("*.csv"))) == 3


def test_builder_refuses_to_replace_files_without_overwrite(tmp_path):
    """Outside a package, existing output files are not replaced without --overwrite."""
    assert _build("--out", str(tmp_path)).returncode == 0
    result = _build("--out", str(tmp_path))
    assert result.returncode == 1 and "--overwrite" in result.stderr


def test_builder_usage_errors_exit_2_and_help_exits_0():
    """Bad options exit 2 with usage; --help exits 0 and lists the options."""
    for args in (("--seed", "many"), ("--no-such-option",), ("extra",)):
        result = _build(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "usage:" in result.stderr
    result = _build("--help")
    assert result.returncode == 0
    for option in ("--out", "--seed", "--overwrite"):
        assert option in result.stdout


def test_personal_data_detector_catches_known_forms():
    """The detector flags e-mails, Korean phone formats and RRNs, but not the sample's values."""
    for sample in ("someone@example.org", "02-123-4567", "010-1234-5678", "01012345678",
                   "+82-44-000-0000", "900101-1234567", "9001011234567"):
        assert _personal_data(sample), sample
    for benign in ("EQS11-0001,종로구 예시 체육관 1", "37.512345,126.987654,1580,3300",
                   "2020-06-30", "41,2019,PM2.5,t/yr,12345.6,2020-12-31"):
        assert not _personal_data(benign), benign


def test_no_personal_data_pattern_in_any_file_of_the_package():
    """No line of any file in the package holds an e-mail, a phone number or an RRN."""
    found = personal_data_in_package(PACKAGE)
    assert not found, "\n".join(found[:20])


def test_contact_point_is_the_catalogue_error_report_page(descriptor):
    """The contact point is the dataset's error-report page, not a placeholder mailbox."""
    contact = descriptor["koreanap:contactPoint"]
    assert contact["path"] == "report-error" and "email" not in contact
    assert not _personal_data(json.dumps(descriptor, ensure_ascii=False))
