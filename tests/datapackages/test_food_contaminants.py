"""The food-contaminants data package: valid, honest about its sources, reproducible.

survey_results is generated (an illustrative sample, not official measurements) by
scripts/build_food_contaminants.py; these tests pin the generated file's hash, rebuild it,
and check the domain rules on every row.
"""
import collections
import functools
import json
import re
from decimal import Decimal

import pytest

from .packages import ROOT, frictionless_errors, read_rows, run_builder
from .packages import sha256 as _sha256
from .personal_data import personal_data as _personal_data
from .personal_data import personal_data_in_package

PACKAGE = ROOT / "datapackages" / "food-contaminants"
DATA = PACKAGE / "data"
BUILDER = ROOT / "scripts" / "build_food_contaminants.py"
SURVEY = DATA / "survey_results.csv"

# sha256 of data/survey_results.csv as written by the default command
# (build_food_contaminants.py --overwrite: seed 20180901, 60,000 rows).
SURVEY_SHA256 = "5016ce3cbbe2a36843b273b0e3b837fdcc74c6536aea0d2c13df76a2e5cf2db7"
ROWS_PER_YEAR = 20_000
YEARS = ("2018", "2019", "2020")

# Realistic ranges for the generated sample (stated in the package README):
# contaminant surveys report most mycotoxin results as not detected and most metal and
# dioxin results as detected, so about half of all rows are "not detected"; results
# above a maximum level are rare, well under 1% of rows, but they do occur.
ND_SHARE = (0.30, 0.65)
EXCEEDANCE_RATE = (0.0002, 0.005)
MIN_EXCEEDANCES = 10

# 법정동 first-level codes in force 2018-2020 (Gangwon 42 and Jeonbuk 45, not 51/52).
REGION_CODES_2018_2020 = {"11", "26", "27", "28", "29", "30", "31", "36", "41", "42", "43",
                          "44", "45", "46", "47", "48", "50"}
GROUP_COUNTS = {"mycotoxin": 8, "dioxin-PCB": 2, "PAH": 1, "processing contaminant": 2,
                "heavy metal": 6}
PLAN_PLACES = {"supermarket_large", "supermarket_medium", "supermarket_small",
               "traditional_market"}
ISO_ALPHA2 = re.compile(r"[A-Z]{2}")
CAS = re.compile(r"(\d{2,7})-(\d{2})-(\d)")

_rows = functools.partial(read_rows, DATA)
_build = functools.partial(run_builder, BUILDER, timeout=120)


def _cas_ok(number):
    match = CAS.fullmatch(number)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    return sum(i * int(d) for i, d in enumerate(digits, 1)) % 10 == int(match.group(3))


@pytest.fixture(scope="module")
def survey():
    return _rows("survey_results")


@pytest.fixture(scope="module")
def substances():
    return {r["substance_code"]: r for r in _rows("substances")}


@pytest.fixture(scope="module")
def levels():
    return {(r["substance_code"], r["food_group_code"]): r for r in _rows("maximum_levels")}


def test_package_passes_frictionless_validation():
    """frictionless.validate finds no error (types, constraints, primary and foreign keys)."""
    report, errors = frictionless_errors(PACKAGE)
    assert report.valid, "\n".join(errors)


def test_descriptor_has_titles_licence_sources_contributors_and_keywords(descriptor):
    """datapackage.json names the package, in Korean and English, with licence and sources."""
    assert descriptor["name"] == "food-contaminants"
    for key in ("title", "title_ko"):
        assert re.search(r"[가-힣]", descriptor[key]), key
    for key in ("title", "title_en"):
        assert re.search(r"[A-Za-z]", descriptor[key]), key
    assert any(re.search(r"[가-힣]", k) for k in descriptor["keywords"])
    assert any(re.fullmatch(r"[A-Za-z ]+", k) for k in descriptor["keywords"])
    assert descriptor["licenses"] and all(lic.get("name") for lic in descriptor["licenses"])
    assert len(descriptor["sources"]) >= 5 and all(s["title"] for s in descriptor["sources"])
    assert descriptor["contributors"]
    assert all(c["role"] in ("author", "maintainer") for c in descriptor["contributors"])


def test_generated_data_is_labelled_illustrative(descriptor):
    """Package description, survey_results description and README call the sample illustrative."""
    phrase = "illustrative sample, not official measurements"
    survey = next(r for r in descriptor["resources"] if r["name"] == "survey_results")
    assert phrase in descriptor["description"]
    assert phrase in survey["description"].lower()
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert phrase in readme.replace("**", "").replace("\n", " ")


def test_schema_names_the_region_code_system(descriptor):
    """Every region-code field says it is the 2018-2020 법정동 code, with 42 and 45."""
    fields = [(r["name"], f) for r in descriptor["resources"] for f in r["schema"]["fields"]
              if f["name"] in ("region_code", "production_region_code",
                               "collection_region_code")]
    assert len(fields) == 3
    for name, field in fields:
        text = field["description"]
        assert "법정동" in text and "2018-2020" in text, (name, field["name"])
        assert "42" in text and "45" in text, (name, field["name"])


def test_foreign_keys_are_declared(descriptor):
    """survey_results, food_items and maximum_levels declare their foreign keys."""
    declared = {(r["name"], fk["fields"][0], fk["reference"]["resource"])
                for r in descriptor["resources"] for fk in r["schema"].get("foreignKeys", [])}
    assert declared == {
        ("food_items", "food_group_code", "food_groups"),
        ("maximum_levels", "substance_code", "substances"),
        ("maximum_levels", "food_group_code", "food_groups"),
        ("survey_results", "substance_code", "substances"),
        ("survey_results", "food_group_code", "food_groups"),
        ("survey_results", "food_item_code", "food_items"),
        ("survey_results", "production_region_code", "regions"),
        ("survey_results", "collection_region_code", "regions"),
        ("survey_results", "collection_place_code", "collection_places"),
        ("survey_results", "method_code", "analytical_methods"),
        ("survey_results", "maximum_level_id", "maximum_levels"),
    }


def test_every_code_in_survey_results_exists_in_its_reference_table(survey):
    """Independent of frictionless: each coded column's values are in the reference table."""
    lookups = {
        "substance_code": {r["substance_code"] for r in _rows("substances")},
        "food_group_code": {r["food_group_code"] for r in _rows("food_groups")},
        "food_item_code": {r["food_item_code"] for r in _rows("food_items")},
        "production_region_code": {r["region_code"] for r in _rows("regions")} | {""},
        "collection_region_code": {r["region_code"] for r in _rows("regions")},
        "collection_place_code": {r["place_code"] for r in _rows("collection_places")},
        "method_code": {r["method_code"] for r in _rows("analytical_methods")},
        "maximum_level_id": {r["ml_id"] for r in _rows("maximum_levels")} | {""},
    }
    unknown = collections.Counter((col, r[col]) for r in survey for col, known in lookups.items()
                                  if r[col] not in known)
    assert not unknown, unknown.most_common(10)


def test_food_item_belongs_to_the_rows_food_group(survey):
    """Each row's food item is an item of the row's food group."""
    group_of = {r["food_item_code"]: r["food_group_code"] for r in _rows("food_items")}
    bad = [(r["sample_id"], r["food_item_code"], r["food_group_code"]) for r in survey
           if group_of.get(r["food_item_code"]) != r["food_group_code"]]
    assert not bad, bad[:10]


def test_substance_code_list_is_the_19_types(substances):
    """19 substances: 8 mycotoxins, dioxins and PCBs, BaP, 3-MCPD and melamine, 6 metals."""
    assert len(substances) == 19
    counts = collections.Counter(s["substance_group"] for s in substances.values())
    assert counts == GROUP_COUNTS
    # Only the unnamed sixth heavy metal is unverified as one of the 19.
    unverified = [c for c, s in substances.items() if s["identity_verified"] != "Y"]
    assert unverified == ["HMT06"] and substances["HMT06"]["name_en"] == "Methylmercury"


def test_cas_numbers_pass_the_check_digit(substances):
    """Every CAS number of every substance has a valid CAS check digit."""
    bad = [(code, n) for code, s in substances.items() for n in s["cas_numbers"].split(";")
           if not _cas_ok(n)]
    assert not bad, bad


def test_cas_check_digit_test_rejects_a_wrong_digit():
    """The check-digit function accepts known numbers and rejects a changed last digit."""
    assert _cas_ok("7439-92-1") and _cas_ok("116355-83-0") and _cas_ok("50-32-8")
    assert not _cas_ok("7439-92-2") and not _cas_ok("50-32-9") and not _cas_ok("5032-8")


def test_region_code_list_is_the_2018_2020_admin_codes():
    """The 17 regions use 법정동 codes in force 2018-2020 (42 and 45, not 51 and 52)."""
    regions = _rows("regions")
    assert {r["region_code"] for r in regions} == REGION_CODES_2018_2020
    iso = {r["region_code"]: r["iso_3166_2"] for r in regions}
    assert iso["36"] == "KR-50" and iso["50"] == "KR-49"  # the two systems differ here


def test_place_and_country_code_lists(survey, descriptor):
    """Places are the plan's four plus online; countries are ISO alpha-2 from the schema enum."""
    places = {r["place_code"]: r for r in _rows("collection_places")}
    assert {c for c, p in places.items() if p["in_plan_text"] == "Y"} == PLAN_PLACES
    assert set(places) == PLAN_PLACES | {"online"}
    survey_schema = next(r for r in descriptor["resources"]
                         if r["name"] == "survey_results")["schema"]
    enum = next(f for f in survey_schema["fields"]
                if f["name"] == "producer_country")["constraints"]["enum"]
    assert all(ISO_ALPHA2.fullmatch(c) for c in enum) and "KR" in enum
    assert {r["producer_country"] for r in survey} <= set(enum)


def test_flags_are_y_or_n_everywhere():
    """Every Y/N flag column of every table holds only Y or N (exceeds_ml may be empty)."""
    flags = {"substances": ("identity_verified", "cas_verified"),
             "maximum_levels": ("verified",), "regions": ("verified",),
             "collection_places": ("in_plan_text",), "analytical_methods": ("verified",),
             "survey_results": ("detected", "exceeds_ml")}
    bad = collections.Counter()
    for table, columns in flags.items():
        for r in _rows(table):
            for col in columns:
                allowed = {"Y", "N", ""} if col == "exceeds_ml" else {"Y", "N"}
                if r[col] not in allowed:
                    bad[table, col, r[col]] += 1
    assert not bad, bad


def test_maximum_levels_carry_their_certainty(levels, substances):
    """Sourced limits are verified = Y with a source; others say 'general knowledge, unverified'."""
    for key, ml in levels.items():
        if ml["verified"] == "Y":
            assert "unverified" not in ml["source"] and ml["source"], key
        else:
            assert ml["verified"] == "N" and "general knowledge, unverified" in ml["source"], key
        assert ml["unit"] == substances[ml["substance_code"]]["unit"], key
        if ml["limit_type"] == "maximum":
            assert Decimal(ml["maximum_level"]) > 0, key
        else:
            assert ml["limit_type"] == "not_detected" and ml["maximum_level"] == "", key
    # Spot checks against the fact sheet: a sourced and an unverified figure.
    assert (levels["HMT03", "FG01"]["maximum_level"], levels["HMT03", "FG01"]["verified"]) \
        == ("0.2", "Y")
    assert (levels["DIO01", "FG25"]["maximum_level"], levels["DIO01", "FG25"]["verified"]) \
        == ("2", "Y")
    assert (levels["HMT02", "FG01"]["maximum_level"], levels["HMT02", "FG01"]["verified"]) \
        == ("0.2", "N")
    assert levels["PRC02", "FG19"]["limit_type"] == "not_detected"


def test_generated_survey_results_has_the_recordedsha256():
    """data/survey_results.csv (built by scripts/test) has the recorded sha256."""
    assert _sha256(SURVEY) == SURVEY_SHA256


def test_survey_results_has_20000_rows_a_year(survey):
    """60,000 rows: 20,000 for each survey year 2018, 2019 and 2020."""
    counts = collections.Counter(r["survey_year"] for r in survey)
    assert counts == {year: ROWS_PER_YEAR for year in YEARS}
    assert all(r["sample_id"].startswith(r["survey_year"] + "-") for r in survey)


def test_default_build_reproduces_the_generated_file(tmp_path):
    """The default seed and rows give bytes identical to the file scripts/test built."""
    result = _build("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "survey_results.csv").read_bytes() == SURVEY.read_bytes()


def test_different_seed_gives_different_bytes(tmp_path):
    """Another seed changes the file; the same seed again does not."""
    outputs = {}
    for name, seed in (("a", "20180901"), ("b", "20180901"), ("c", "7")):
        result = _build("--out", str(tmp_path / name), "--seed", seed, "--rows", "3000")
        assert result.returncode == 0, result.stderr
        outputs[name] = (tmp_path / name / "survey_results.csv").read_bytes()
    assert outputs["a"] == outputs["b"]
    assert outputs["a"] != outputs["c"]
    assert outputs["c"].count(b"\n") == 3001  # header + --rows


def test_lod_is_not_above_loq(survey):
    """Every row has LOD <= LOQ, both positive."""
    bad = [(r["sample_id"], r["substance_code"]) for r in survey
           if not 0 < Decimal(r["lod"]) <= Decimal(r["loq"])]
    assert not bad, bad[:10]


def test_not_detected_is_empty_and_detected_value_is_at_least_lod(survey):
    """Not detected has an empty value (never 0); a detected value is >= LOD."""
    bad = []
    for r in survey:
        if r["detected"] == "N":
            if r["value"] != "":
                bad.append(("ND with a value", r["sample_id"], r["substance_code"], r["value"]))
        elif r["value"] == "" or Decimal(r["value"]) < Decimal(r["lod"]):
            bad.append(("detected below LOD", r["sample_id"], r["substance_code"], r["value"]))
    assert not bad, bad[:10]


def test_units_match_the_substance(survey, substances):
    """Each row's unit is its substance's unit."""
    bad = collections.Counter((r["substance_code"], r["unit"]) for r in survey
                              if r["unit"] != substances[r["substance_code"]]["unit"])
    assert not bad, bad


def test_exceedance_agrees_with_the_maximum_level(survey, levels):
    """maximum_level_id and exceeds_ml match the limit for the substance and food group."""
    bad = []
    for r in survey:
        ml = levels.get((r["substance_code"], r["food_group_code"]))
        if ml is None:
            expected = ("", "")
        elif r["detected"] == "N":
            expected = (ml["ml_id"], "N")
        elif ml["limit_type"] == "not_detected":
            expected = (ml["ml_id"], "Y")
        else:
            over = Decimal(r["value"]) > Decimal(ml["maximum_level"])
            expected = (ml["ml_id"], "Y" if over else "N")
        if (r["maximum_level_id"], r["exceeds_ml"]) != expected:
            bad.append((r["sample_id"], r["substance_code"], r["value"], expected))
    assert not bad, bad[:10]


def test_production_area_only_for_korean_products(survey):
    """Area of production is filled exactly when the producer country is KR."""
    bad = [(r["sample_id"], r["producer_country"], r["production_region_code"]) for r in survey
           if (r["producer_country"] == "KR") != (r["production_region_code"] != "")]
    assert not bad, bad[:10]


def test_related_substances_agree_within_a_sample(survey):
    """Total aflatoxins >= aflatoxin B1, and methylmercury <= total mercury, in each sample."""
    by_sample = collections.defaultdict(dict)
    for r in survey:
        by_sample[r["sample_id"]][r["substance_code"]] = r
    bad = []
    for sample, subs in by_sample.items():
        for low, high in (("MYC02", "MYC01"), ("HMT06", "HMT04")):
            if low in subs and high in subs and subs[low]["detected"] == "Y":
                if subs[high]["detected"] != "Y" or \
                        Decimal(subs[high]["value"]) < Decimal(subs[low]["value"]):
                    bad.append((sample, low, high))
    assert not bad, bad[:10]


def test_not_detected_share_and_exceedance_rate_are_realistic(survey):
    """ND share is 30-65% of rows; 0.02-0.5% of rows (and at least 10) exceed a limit."""
    total = len(survey)
    nd_share = sum(r["detected"] == "N" for r in survey) / total
    exceedances = sum(r["exceeds_ml"] == "Y" for r in survey)
    assert ND_SHARE[0] <= nd_share <= ND_SHARE[1], nd_share
    assert EXCEEDANCE_RATE[0] <= exceedances / total <= EXCEEDANCE_RATE[1], exceedances
    assert exceedances >= MIN_EXCEEDANCES, exceedances
    by_substance = collections.defaultdict(list)
    for r in survey:
        by_substance[r["substance_code"]].append(r["detected"] == "N")
    share = {code: sum(v) / len(v) for code, v in by_substance.items()}
    assert len(share) == 19  # every substance type is in the sample
    assert share["PRC02"] > 0.9 and share["DIO01"] < 0.2 and share["MYC02"] > 0.5, share


def test_builder_refuses_to_write_inside_a_package(tmp_path):
    """Without --overwrite the builder exits 1, says why, and leaves the package alone."""
    before = _sha256(SURVEY)
    for out in (DATA, DATA / "sub"):
        result = _build("--out", str(out), "--rows", "30")
        assert result.returncode == 1, (out, result.stderr)
        assert "datapackage.json" in result.stderr and "--overwrite" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (DATA / "sub").exists()
    assert _sha256(SURVEY) == before
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    result = _build("--out", str(tmp_path), "--rows", "30")
    assert result.returncode == 1 and "inside the data package" in result.stderr
    assert not (tmp_path / "survey_results.csv").exists()
    result = _build("--out", str(tmp_path), "--rows", "30", "--overwrite")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "survey_results.csv").read_text(encoding="utf-8").count("\n") == 31


def test_builder_usage_errors_exit_2_and_help_exits_0():
    """Bad options exit 2 with usage; --help exits 0 and lists the options."""
    for args in (("--rows", "0"), ("--rows", "many"), ("--no-such-option",)):
        result = _build(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "usage:" in result.stderr
    result = _build("--help")
    assert result.returncode == 0
    for option in ("--out", "--seed", "--rows", "--overwrite"):
        assert option in result.stdout


def test_personal_data_detector_catches_known_forms():
    """The detector flags e-mails, Korean phone formats and RRNs, but not the sample's values."""
    for sample in ("someone@example.org", "02-123-4567", "010-1234-5678", "01012345678",
                   "+82-44-000-0000", "900101-1234567", "9001011234567"):
        assert _personal_data(sample), sample
    for benign in ("2018-000123,MYC02,2018", "0.0005,0.0015", "1162-65-8;7220-81-7",
                   "116355-83-0", "pg TEQ/g fat"):
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
