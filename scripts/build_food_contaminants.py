"""Build the generated ``survey_results`` resource of the food-contaminants data package.

The rows are an ILLUSTRATIVE SAMPLE, NOT OFFICIAL MEASUREMENTS: one row per sample and
substance, three survey years (2018-2020), drawn from fixed distributions with a seeded
random generator. The reference tables (substances, maximum levels, food groups and
items, regions, places, methods) are curated by hand in the package's ``data`` folder;
this script reads them from there and never writes them.

The same command and seed give byte-identical output. The committed file is made by::

    venv/bin/python scripts/build_food_contaminants.py --overwrite

(``--overwrite`` because the default output folder is inside the package). Large files
for benchmarks go elsewhere, e.g. ``--rows 1000000 --out /tmp/fc-1m``.

Exit codes: 0 ok, 1 invalid input (refused output folder, bad reference data),
2 usage error.
"""
from __future__ import annotations

import argparse
import math
import pathlib
import random
import sys

from datapackage_output import (
    InputError,
    builder_parser,
    read_reference_table,
    refuse_package_output,
    run_builder,
    write_csv,
    wrote_rows,
)
from datapackage_output import WeightedChoice as _Choice

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "food-contaminants"
DATA = PACKAGE / "data"
OUTPUT_NAME = "survey_results.csv"
DEFAULT_SEED = 20180901  # the commitment's start date, 1 Sep 2018
DEFAULT_ROWS = 60_000  # the plan: "add 20,000 data sets to the DB per year"
YEARS = (2018, 2019, 2020)
PROGRESS_FROM = 200_000  # rows; smaller runs stay quiet on stderr
PROGRESS_EVERY = 100_000

HEADER = (
    "sample_id", "substance_code", "survey_year", "food_group_code", "food_item_code",
    "producer_country", "production_region_code", "collection_region_code",
    "collection_place_code", "method_code", "detected", "value", "unit", "lod", "loq",
    "maximum_level_id", "exceeds_ml",
)

# --- How samples are drawn (illustrative weights, not survey statistics) -------------

# Samples per food group (relative). FG17 raw milk is not bought in shops, so no samples.
GROUP_WEIGHTS = {
    "FG01": 8, "FG02": 6, "FG03": 3, "FG04": 2, "FG05": 3, "FG06": 8, "FG07": 5,
    "FG08": 4, "FG09": 4, "FG10": 4, "FG11": 2, "FG12": 2, "FG13": 1.5, "FG14": 1,
    "FG15": 2, "FG16": 2, "FG18": 5, "FG19": 3, "FG20": 8, "FG21": 8, "FG22": 8,
    "FG23": 2, "FG24": 3, "FG25": 3, "FG26": 3, "FG27": 3, "FG28": 4, "FG29": 2,
    "FG30": 2, "FG31": 4, "FG32": 2,
}

# Substances analysed together in one sample.
PANELS = {
    "myco_grain": ("MYC01", "MYC02", "MYC04", "MYC07", "MYC08"),
    "myco_corn": ("MYC01", "MYC02", "MYC04", "MYC06", "MYC07", "MYC08"),
    "myco_corn_products": ("MYC01", "MYC02", "MYC06", "MYC07", "MYC08"),
    "aflatoxins": ("MYC01", "MYC02"),
    "aflatoxins_ota": ("MYC01", "MYC02", "MYC04"),
    "ota": ("MYC04",),
    "patulin": ("MYC05",),
    "afm1": ("MYC03",),
    "infant_mycotoxins": ("MYC02", "MYC03"),
    "metals": ("HMT01", "HMT02"),
    "metals_rice": ("HMT01", "HMT02", "HMT03"),
    "metals_fish": ("HMT01", "HMT02", "HMT04"),
    "metals_fish_mehg": ("HMT01", "HMT02", "HMT04", "HMT06"),
    "metals_seaweed": ("HMT01", "HMT02", "HMT03", "HMT04"),
    "tin_lead": ("HMT01", "HMT05"),
    "dioxins_pcbs": ("DIO01", "DIO02"),
    "bap": ("PAH01",),
    "mcpd": ("PRC01",),
    "melamine": ("PRC02",),
}

GROUP_PANELS = {
    "FG01": {"myco_grain": 4, "metals_rice": 6},
    "FG02": {"myco_grain": 6, "metals": 4},
    "FG03": {"myco_corn": 7, "metals": 3},
    "FG04": {"myco_corn": 1},
    "FG05": {"myco_corn_products": 1},
    "FG06": {"myco_grain": 8, "melamine": 2},
    "FG07": {"aflatoxins": 6, "metals": 3, "melamine": 1},
    "FG08": {"aflatoxins_ota": 1},
    "FG09": {"aflatoxins_ota": 1},
    "FG10": {"aflatoxins_ota": 1},
    "FG11": {"ota": 1}, "FG12": {"ota": 1}, "FG13": {"ota": 1}, "FG14": {"ota": 1},
    "FG15": {"ota": 1}, "FG16": {"patulin": 1},
    "FG18": {"afm1": 5, "dioxins_pcbs": 3, "melamine": 2},
    "FG19": {"melamine": 6, "infant_mycotoxins": 4},
    "FG20": {"metals": 1}, "FG21": {"metals": 1},
    "FG22": {"metals_fish": 85, "metals_fish_mehg": 15},
    "FG23": {"metals_fish_mehg": 1},
    "FG24": {"tin_lead": 1},
    "FG25": {"dioxins_pcbs": 7, "metals": 3},
    "FG26": {"dioxins_pcbs": 7, "metals": 3},
    "FG27": {"dioxins_pcbs": 7, "metals": 3},
    "FG28": {"bap": 1}, "FG29": {"mcpd": 1}, "FG30": {"dioxins_pcbs": 6, "melamine": 4},
    "FG31": {"metals_seaweed": 1}, "FG32": {"bap": 1},
}

# Method per substance; aflatoxins and ochratoxin A (and aflatoxin M1) pick one of two
# methods per sample, the rest have one method each.
METHODS = {
    "MYC05": "M01", "MYC06": "M01", "MYC07": "M01", "MYC08": "M01",
    "HMT01": "M02", "HMT02": "M02", "HMT05": "M02", "HMT03": "M08", "HMT04": "M03",
    "HMT06": "M10", "DIO01": "M04", "DIO02": "M04", "PAH01": "M09", "PRC01": "M06",
    "PRC02": "M07",
}
PER_SAMPLE_METHOD = ("MYC01", "MYC02", "MYC03", "MYC04")
HPLC_SHARE = 0.4  # share of samples whose aflatoxins/OTA/AFM1 go to HPLC-FLD (M05)

# Illustrative detection limits, as decimal strings: (LOD, LOQ) by substance and method,
# and the decimals a value is written with. Total aflatoxins share aflatoxin B1's limits
# so that a detected B1 always means a detected total.
LIMITS = {
    ("MYC01", "M01"): ("0.1", "0.3"), ("MYC01", "M05"): ("0.05", "0.15"),
    ("MYC02", "M01"): ("0.1", "0.3"), ("MYC02", "M05"): ("0.05", "0.15"),
    ("MYC03", "M01"): ("0.01", "0.03"), ("MYC03", "M05"): ("0.005", "0.015"),
    ("MYC04", "M01"): ("0.2", "0.6"), ("MYC04", "M05"): ("0.1", "0.3"),
    ("MYC05", "M01"): ("2", "6"), ("MYC06", "M01"): ("10", "30"),
    ("MYC07", "M01"): ("0.01", "0.03"), ("MYC08", "M01"): ("1", "3"),
    ("HMT01", "M02"): ("0.002", "0.006"), ("HMT02", "M02"): ("0.001", "0.003"),
    ("HMT03", "M08"): ("0.005", "0.015"), ("HMT04", "M03"): ("0.0005", "0.0015"),
    ("HMT05", "M02"): ("0.5", "1.5"), ("HMT06", "M10"): ("0.002", "0.006"),
    ("DIO01", "M04"): ("0.01", "0.03"), ("DIO02", "M04"): ("0.01", "0.03"),
    ("PAH01", "M09"): ("0.1", "0.3"), ("PRC01", "M06"): ("0.005", "0.015"),
    ("PRC02", "M07"): ("0.05", "0.15"),
}
DECIMALS = {
    "MYC01": 3, "MYC02": 3, "MYC03": 4, "MYC04": 2, "MYC05": 1, "MYC06": 0, "MYC07": 3,
    "MYC08": 1, "HMT01": 4, "HMT02": 4, "HMT03": 3, "HMT04": 4, "HMT05": 1, "HMT06": 4,
    "DIO01": 3, "DIO02": 3, "PAH01": 2, "PRC01": 3, "PRC02": 2,
}

# True concentration, in the substance's unit: present with probability p, then
# log-normal with the given median and geometric SD; below the LOD it is "not detected".
# (substance, food group) overrides the substance's default.
DIST_DEFAULT = {
    "MYC01": (0.25, 0.3, 3.0), "MYC02": (0.25, 0.3, 3.0), "MYC03": (0.3, 0.01, 2.5),
    "MYC04": (0.3, 0.4, 2.5), "MYC05": (0.35, 5.0, 2.8), "MYC06": (0.6, 150, 3.0),
    "MYC07": (0.6, 0.05, 2.5), "MYC08": (0.4, 4.0, 2.5),
    "HMT01": (0.75, 0.008, 2.2), "HMT02": (0.8, 0.01, 2.2), "HMT03": (0.95, 0.05, 2.0),
    "HMT04": (0.9, 0.004, 2.5), "HMT05": (0.6, 6.0, 3.0), "HMT06": (0.95, 0.02, 2.0),
    "DIO01": (0.97, 0.3, 2.0), "DIO02": (0.97, 0.2, 2.0), "PAH01": (0.6, 0.3, 2.2),
    "PRC01": (0.5, 0.02, 2.5), "PRC02": (0.04, 0.08, 2.0),
}
DIST = {
    ("MYC02", "FG01"): (0.1, 0.2, 2.5), ("MYC02", "FG02"): (0.1, 0.2, 2.5),
    ("MYC02", "FG06"): (0.08, 0.15, 2.5), ("MYC02", "FG03"): (0.25, 0.3, 3.5),
    ("MYC02", "FG08"): (0.3, 0.4, 4.5), ("MYC02", "FG09"): (0.4, 0.3, 3.5),
    ("MYC02", "FG10"): (0.4, 0.35, 3.8), ("MYC02", "FG19"): (0.03, 0.04, 2.0),
    ("MYC04", "FG11"): (0.55, 0.4, 2.5), ("MYC04", "FG12"): (0.6, 0.6, 2.2),
    ("MYC04", "FG13"): (0.65, 0.8, 2.5), ("MYC04", "FG14"): (0.45, 0.15, 2.5),
    ("MYC04", "FG15"): (0.45, 0.15, 2.5), ("MYC04", "FG10"): (0.55, 0.8, 2.8),
    ("MYC04", "FG01"): (0.15, 0.3, 2.5), ("MYC04", "FG09"): (0.3, 0.5, 2.5),
    ("MYC06", "FG04"): (0.55, 120, 3.0), ("MYC06", "FG05"): (0.45, 80, 2.8),
    ("MYC07", "FG01"): (0.1, 0.03, 2.0), ("MYC07", "FG03"): (0.6, 0.08, 2.8),
    ("MYC07", "FG06"): (0.55, 0.04, 2.2),
    ("MYC08", "FG01"): (0.1, 2.0, 2.0), ("MYC08", "FG03"): (0.55, 6.0, 3.0),
    ("MYC03", "FG19"): (0.1, 0.006, 2.0), ("PRC02", "FG19"): (0.006, 0.08, 2.0),
    ("HMT01", "FG22"): (0.7, 0.015, 2.5), ("HMT01", "FG23"): (0.7, 0.01, 2.5),
    ("HMT01", "FG31"): (0.9, 0.08, 2.2), ("HMT01", "FG21"): (0.75, 0.01, 2.3),
    ("HMT01", "FG24"): (0.6, 0.01, 2.5),
    ("HMT02", "FG01"): (0.97, 0.025, 2.1), ("HMT02", "FG21"): (0.85, 0.012, 2.5),
    ("HMT02", "FG31"): (0.98, 0.25, 2.2), ("HMT02", "FG22"): (0.7, 0.004, 2.5),
    ("HMT02", "FG25"): (0.4, 0.002, 2.0), ("HMT02", "FG26"): (0.4, 0.002, 2.0),
    ("HMT02", "FG27"): (0.4, 0.002, 2.0),
    ("HMT03", "FG01"): (1.0, 0.085, 1.35), ("HMT03", "FG31"): (1.0, 0.3, 4.0),
    ("HMT04", "FG22"): (0.98, 0.03, 2.2), ("HMT04", "FG23"): (1.0, 0.3, 1.9),
    ("HMT04", "FG31"): (0.8, 0.004, 2.0),
    ("DIO01", "FG25"): (0.97, 0.25, 2.0), ("DIO01", "FG26"): (0.97, 0.6, 2.0),
    ("DIO01", "FG27"): (0.97, 0.35, 2.0), ("DIO01", "FG30"): (0.97, 0.4, 2.0),
    ("DIO01", "FG18"): (0.97, 0.35, 1.8),
    ("PAH01", "FG28"): (0.6, 0.3, 2.4), ("PAH01", "FG32"): (0.75, 0.4, 2.5),
}
AFT_EXTRA = (0.05, 0.6)  # B2 + G1 + G2 as a fraction of B1, when B1 is present
AFT_WITHOUT_B1 = 0.03  # share of samples with other aflatoxins but no B1
MEHG_SHARE = (0.7, 0.95)  # methylmercury as a fraction of total mercury

# Manufacturer/producer country (ISO 3166-1 alpha-2), by food item, else by food group.
COUNTRIES_BY_GROUP = {
    "FG01": {"KR": 93, "CN": 3, "US": 2, "TH": 1, "VN": 1},
    "FG03": {"US": 55, "BR": 30, "KR": 15},
    "FG04": {"KR": 50, "US": 30, "CN": 20},
    "FG05": {"KR": 70, "US": 20, "JP": 10},
    "FG06": {"KR": 80, "US": 5, "JP": 5, "CN": 5, "DE": 5},
    "FG07": {"KR": 50, "CN": 30, "US": 15, "CA": 5},
    "FG09": {"KR": 97, "CN": 3},
    "FG10": {"KR": 55, "CN": 40, "VN": 5},
    "FG11": {"BR": 35, "VN": 30, "ID": 20, "IN": 15},
    "FG12": {"KR": 70, "BR": 10, "VN": 10, "DE": 5, "JP": 5},
    "FG13": {"US": 60, "CL": 30, "CN": 10},
    "FG14": {"KR": 50, "US": 30, "ES": 10, "CL": 10},
    "FG15": {"CL": 35, "ES": 20, "US": 15, "AU": 15, "NZ": 10, "DE": 5},
    "FG16": {"KR": 50, "CN": 20, "DE": 10, "US": 10, "NZ": 10},
    "FG18": {"KR": 80, "NZ": 7, "AU": 5, "DE": 5, "US": 3},
    "FG19": {"KR": 75, "NZ": 10, "DE": 10, "AU": 5},
    "FG20": {"KR": 100},
    "FG21": {"KR": 92, "CN": 8},
    "FG22": {"KR": 70, "CN": 15, "NO": 10, "RU": 5},
    "FG23": {"KR": 60, "JP": 10, "ID": 10, "ES": 10, "US": 10},
    "FG24": {"KR": 60, "TH": 15, "CN": 10, "US": 10, "ES": 5},
    "FG25": {"KR": 70, "US": 8, "ES": 8, "DE": 5, "CA": 4, "CL": 5},
    "FG26": {"KR": 45, "AU": 30, "US": 20, "NZ": 5},
    "FG27": {"KR": 85, "BR": 12, "TH": 3},
    "FG28": {"KR": 70, "CN": 10, "IN": 5, "US": 5, "ES": 10},
    "FG29": {"KR": 95, "JP": 5},
    "FG30": {"KR": 100},
    "FG31": {"KR": 90, "CN": 10},
    "FG32": {"KR": 60, "NO": 15, "JP": 15, "DE": 10},
}
COUNTRIES_BY_ITEM = {
    "FI003": {"US": 45, "AU": 35, "CA": 20}, "FI004": {"KR": 60, "AU": 25, "CA": 15},
    "FI005": {"AU": 40, "CA": 40, "US": 20}, "FI006": {"KR": 60, "CN": 40},
    "FI007": {"KR": 50, "CN": 30, "RU": 20},
    "FI024": {"CN": 50, "KR": 30, "US": 20}, "FI025": {"US": 85, "ES": 10, "AU": 5},
    "FI026": {"US": 60, "CL": 30, "CN": 10}, "FI027": {"US": 100},
    "FI028": {"VN": 70, "IN": 30},
    "FI051": {"KR": 60, "CL": 30, "US": 10}, "FI053": {"US": 90, "AU": 10},
    "FI054": {"NZ": 60, "KR": 30, "CL": 10},
    "FI058": {"KR": 95, "US": 5}, "FI059": {"KR": 80, "CN": 20},
    "FI060": {"KR": 70, "NO": 30}, "FI062": {"RU": 80, "KR": 10, "US": 10},
    "FI063": {"KR": 70, "CN": 30}, "FI064": {"NO": 70, "CL": 20, "CA": 10},
    "FI077": {"KR": 60, "US": 20, "BR": 20}, "FI078": {"ES": 100},
    "FI086": {"NO": 50, "KR": 30, "CL": 20}, "FI087": {"KR": 100},
    "FI088": {"JP": 80, "KR": 20}, "FI089": {"KR": 60, "DE": 30, "ES": 10},
}
COUNTRY_DEFAULT = {"KR": 70, "CN": 15, "US": 15}

# Area of production (법정동 시도 code, 2018-2020) for Korean products.
PRODUCTION_REGIONS = {
    "rice": {"46": 20, "44": 18, "45": 15, "47": 13, "41": 10, "48": 8, "43": 6, "42": 5,
             "29": 1, "30": 1, "27": 1, "26": 1, "31": 1},
    "field": {"42": 15, "47": 15, "45": 12, "46": 12, "44": 12, "43": 10, "41": 10, "48": 8,
              "50": 6},
    "fruit": {"47": 40, "43": 12, "44": 10, "48": 10, "46": 8, "45": 8, "41": 6, "42": 4,
              "50": 2},
    "citrus": {"50": 100},
    "fish": {"26": 35, "48": 20, "46": 20, "47": 10, "50": 10, "42": 5},
    "seaweed": {"46": 70, "26": 10, "48": 10, "42": 5, "47": 5},
    "livestock": {"44": 18, "41": 18, "47": 15, "48": 12, "46": 12, "45": 12, "43": 7,
                  "42": 6},
    "factory": {"41": 35, "43": 10, "44": 10, "47": 8, "48": 8, "26": 5, "27": 4, "28": 5,
                "11": 3, "30": 3, "46": 3, "45": 2, "29": 2, "31": 1, "36": 1},
}
PRODUCTION_PROFILE = {
    "FG01": "rice", "FG02": "field", "FG03": "field", "FG07": "field", "FG08": "field",
    "FG10": "field", "FG21": "field", "FG20": "fruit", "FG22": "fish", "FG23": "fish",
    "FG31": "seaweed", "FG25": "livestock", "FG26": "livestock", "FG27": "livestock",
    "FG30": "livestock",
}
PRODUCTION_PROFILE_BY_ITEM = {"FI052": "citrus"}

# Area of collection: weighted by population (about 2019, in ten thousands).
COLLECTION_REGIONS = {
    "11": 972, "26": 341, "27": 244, "28": 296, "29": 146, "30": 147, "31": 115, "36": 34,
    "41": 1324, "42": 154, "43": 160, "44": 212, "45": 181, "46": 186, "47": 266,
    "48": 336, "50": 67,
}

# Place of collection by survey year: online buying grows.
PLACES_BY_YEAR = {
    2018: {"supermarket_large": 30, "supermarket_medium": 20, "supermarket_small": 15,
           "traditional_market": 30, "online": 5},
    2019: {"supermarket_large": 29, "supermarket_medium": 20, "supermarket_small": 15,
           "traditional_market": 28, "online": 8},
    2020: {"supermarket_large": 27, "supermarket_medium": 19, "supermarket_small": 14,
           "traditional_market": 26, "online": 14},
}
# Packaged foods are seldom sampled in traditional markets; fresh ones seldom online.
PACKAGED = {"FG05", "FG06", "FG11", "FG12", "FG13", "FG14", "FG15", "FG16", "FG18",
            "FG19", "FG24", "FG28", "FG29", "FG32"}
FRESH = {"FG20", "FG21", "FG22", "FG23", "FG25", "FG26", "FG27", "FG30"}


def _read(name, data=DATA):
    return read_reference_table(data, name)


def load_reference(data=DATA):
    """Read the curated reference tables and check the generator's tables against them.

    :param data: folder holding the reference CSV files
    :returns: dict with substances, items by group, maximum levels by (substance, group)
    :raises InputError: when a table is missing or disagrees with this script
    """
    substances = {r["substance_code"]: r for r in _read("substances", data)}
    groups = {r["food_group_code"] for r in _read("food_groups", data)}
    items = {}
    for r in _read("food_items", data):
        items.setdefault(r["food_group_code"], []).append(r["food_item_code"])
    regions = {r["region_code"] for r in _read("regions", data)}
    places = {r["place_code"] for r in _read("collection_places", data)}
    methods = {r["method_code"] for r in _read("analytical_methods", data)}
    levels = {}
    for r in _read("maximum_levels", data):
        key = (r["substance_code"], r["food_group_code"])
        if key in levels:
            raise InputError("maximum_levels.csv has two limits for %s in %s" % key)
        level = float(r["maximum_level"]) if r["limit_type"] == "maximum" else None
        levels[key] = (r["ml_id"], level)

    problems = []
    for code in DIST_DEFAULT.keys() | DECIMALS.keys():
        if code not in substances:
            problems.append("substance %s is not in substances.csv" % code)
    for code in substances:
        if code not in DIST_DEFAULT or code not in DECIMALS:
            problems.append("substance %s has no generator settings" % code)
    for group, panels in GROUP_PANELS.items():
        if group not in groups or group not in items:
            problems.append("food group %s is not in food_groups.csv / food_items.csv" % group)
        problems += ["panel %s is not defined" % p for p in panels if p not in PANELS]
    for (sub, method), (lod, loq) in LIMITS.items():
        if method not in methods:
            problems.append("method %s is not in analytical_methods.csv" % method)
        if float(lod) > float(loq):
            problems.append("LOD %s > LOQ %s for %s/%s" % (lod, loq, sub, method))
    for profile in PRODUCTION_REGIONS.values():
        problems += ["region %s is not in regions.csv" % c for c in profile if c not in regions]
    problems += ["region %s is not in regions.csv" % c for c in COLLECTION_REGIONS
                 if c not in regions]
    for weights in PLACES_BY_YEAR.values():
        problems += ["place %s is not in collection_places.csv" % p for p in weights
                     if p not in places]
    if problems:
        raise InputError("reference data and generator disagree: " + "; ".join(problems))
    return {"substances": substances, "items": items, "levels": levels}


def _year_rows(rows):
    base, extra = divmod(rows, len(YEARS))
    return [base + (1 if i < extra else 0) for i in range(len(YEARS))]


def generate(rows=DEFAULT_ROWS, seed=DEFAULT_SEED, reference=None, progress=None):
    """Yield survey_results rows (tuples in HEADER order), deterministically.

    :param rows: total number of rows, split evenly over the survey years
    :param seed: seed of the random generator
    :param reference: the result of :func:`load_reference` (read when not given)
    :param progress: callable taking the number of rows made so far, called now and then
    """
    ref = reference or load_reference()
    units = {code: s["unit"] for code, s in ref["substances"].items()}
    levels = ref["levels"]
    rng = random.Random(seed)
    group_choice = _Choice(GROUP_WEIGHTS)
    item_choice = {g: _Choice(dict.fromkeys(ref["items"][g], 1)) for g in GROUP_WEIGHTS}
    panel_choice = {g: _Choice(p) for g, p in GROUP_PANELS.items()}
    country_choice = {key: _Choice(w) for key, w in
                      list(COUNTRIES_BY_GROUP.items()) + list(COUNTRIES_BY_ITEM.items())}
    default_country = _Choice(COUNTRY_DEFAULT)
    production_choice = {k: _Choice(w) for k, w in PRODUCTION_REGIONS.items()}
    collection_choice = _Choice(COLLECTION_REGIONS)
    place_choice = {}
    for year, weights in PLACES_BY_YEAR.items():
        for kind in ("packaged", "fresh", "other"):
            w = dict(weights)
            if kind == "packaged":
                w["traditional_market"] *= 0.3
            elif kind == "fresh":
                w["online"] *= 0.5
            place_choice[year, kind] = _Choice(w)
    dists = {}
    for group, panels in GROUP_PANELS.items():
        for panel in panels:
            for sub in PANELS[panel]:
                p, median, gsd = DIST.get((sub, group), DIST_DEFAULT[sub])
                dists[sub, group] = (p, math.log(median), math.log(gsd))
    limits = {key: (lod, loq, float(lod)) for key, (lod, loq) in LIMITS.items()}

    def draw(sub, group):
        p, mu, sigma = dists[sub, group]
        return rng.lognormvariate(mu, sigma) if rng.random() < p else 0.0

    kind_of = {g: "packaged" if g in PACKAGED else "fresh" if g in FRESH else "other"
               for g in GROUP_WEIGHTS}
    made = 0
    for year, target in zip(YEARS, _year_rows(rows), strict=True):
        sample = 0
        while target > 0:
            sample += 1
            group = group_choice.pick(rng)
            item = item_choice[group].pick(rng)
            country = (country_choice.get(item) or country_choice.get(group)
                       or default_country).pick(rng)
            production = ""
            if country == "KR":
                profile = PRODUCTION_PROFILE_BY_ITEM.get(item) or PRODUCTION_PROFILE.get(
                    group, "factory")
                production = production_choice[profile].pick(rng)
            collection = collection_choice.pick(rng)
            place = place_choice[year, kind_of[group]].pick(rng)
            hplc = rng.random() < HPLC_SHARE
            panel = PANELS[panel_choice[group].pick(rng)][:target]
            target -= len(panel)

            # True concentrations; related substances are drawn together.
            true = {sub: draw(sub, group) for sub in panel if sub not in ("MYC01", "HMT06")}
            if "MYC01" in panel:
                b1 = true["MYC02"] if "MYC02" in true else draw("MYC02", group)
                if b1 > 0:
                    true["MYC01"] = b1 * (1 + rng.uniform(*AFT_EXTRA))
                elif rng.random() < AFT_WITHOUT_B1:
                    _, mu, sigma = dists["MYC01", group]
                    true["MYC01"] = rng.lognormvariate(mu, sigma) * 0.3
                else:
                    true["MYC01"] = 0.0
            if "HMT06" in panel:
                hg = true["HMT04"] if "HMT04" in true else draw("HMT04", group)
                true["HMT06"] = hg * rng.uniform(*MEHG_SHARE)

            sample_id = "%d-%06d" % (year, sample)
            for sub in panel:
                method = ("M05" if hplc else "M01") if sub in PER_SAMPLE_METHOD \
                    else METHODS[sub]
                lod, loq, lod_value = limits[sub, method]
                text = "%.*f" % (DECIMALS[sub], true[sub])
                detected = float(text) >= lod_value
                value = text if detected else ""
                ml_id, level = levels.get((sub, group), ("", None))
                if not ml_id:
                    exceeds = ""
                elif level is None:  # the limit is "not detected"
                    exceeds = "Y" if detected else "N"
                else:
                    exceeds = "Y" if detected and float(text) > level else "N"
                yield (sample_id, sub, year, group, item, country, production, collection,
                       place, method, "Y" if detected else "N", value, units[sub], lod, loq,
                       ml_id, exceeds)
                made += 1
                if progress and made % PROGRESS_EVERY == 0:
                    progress(made)


def write(out_dir, rows=DEFAULT_ROWS, seed=DEFAULT_SEED, progress=None):
    """Write survey_results.csv into out_dir (atomically) and return a summary dict."""
    reference = load_reference()
    target = out_dir / OUTPUT_NAME
    counts = {"rows": 0, "not_detected": 0, "with_ml": 0, "exceeds": 0}

    def counted(made):
        for row in made:
            counts["not_detected"] += row[10] == "N"
            counts["with_ml"] += row[16] != ""
            counts["exceeds"] += row[16] == "Y"
            yield row

    counts["rows"], size, digest = write_csv(
        target, HEADER, counted(generate(rows, seed, reference, progress)))
    counts.update(path=target, bytes=size, sha256=digest)
    return counts


def check_output(out_dir, overwrite):
    """Refuse an output folder that would change a data package or an existing file.

    :raises InputError: with the reason, unless overwrite is set
    """
    refuse_package_output(out_dir, overwrite)
    if overwrite:
        return
    if (out_dir / OUTPUT_NAME).exists():
        raise InputError("refusing to replace the existing %s; pass --overwrite to replace it"
                         % (out_dir / OUTPUT_NAME))


def _positive(text):
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError("not a whole number: %r" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1: %r" % text)
    return value


def _parser():
    parser = builder_parser(
        "build_food_contaminants.py",
        "Write the generated survey_results.csv of datapackages/food-contaminants "
        "(illustrative sample, not official measurements). Same seed and rows: "
        "byte-identical file. Reference tables are read from %s." % DATA,
        DATA, "output folder (default: the package's data folder, which needs --overwrite)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="random seed (default %d)" % DEFAULT_SEED)
    parser.add_argument("--rows", type=_positive, default=DEFAULT_ROWS,
                        help="number of rows, split over the survey years 2018-2020 "
                             "(default %d; larger ones are for benchmarks, do not commit them)"
                             % DEFAULT_ROWS)
    parser.add_argument("--overwrite", action="store_true",
                        help="allow writing inside a data package and replacing an existing "
                             "%s" % OUTPUT_NAME)
    return parser


def _write_output(args, out_dir):
    def progress(made):
        print("built %s of %s rows" % (format(made, ","), format(args.rows, ",")),
              file=sys.stderr, flush=True)

    check_output(out_dir, args.overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write(out_dir, args.rows, args.seed,
                 progress if args.rows >= PROGRESS_FROM else None)


def _report(summary, out_dir):
    rows = summary["rows"]
    print(wrote_rows(rows, summary["path"], summary["bytes"], summary["sha256"])
          + "; not detected %.1f%%, exceeding a maximum level %.2f%% of all rows (%d rows)"
          % (100.0 * summary["not_detected"] / rows, 100.0 * summary["exceeds"] / rows,
             summary["exceeds"]))


def main(argv=None):
    return run_builder("build_food_contaminants", _parser(), argv, _write_output, _report)


if __name__ == "__main__":
    sys.exit(main())
