"""The whitelist: which columns of the survey table may be filtered, sorted and shown.

Column names in SQL come only from here; every filter value must match its
pattern (taken from the food-contaminants Table Schema) before a query runs.
"""
from __future__ import annotations

import re

from ..languages import N_

# Every column of the food-contaminants ``survey_results`` table, in file order.
COLUMNS = (
    "sample_id", "substance_code", "survey_year", "food_group_code", "food_item_code",
    "producer_country", "production_region_code", "collection_region_code",
    "collection_place_code", "method_code", "detected", "value", "unit", "lod", "loq",
    "maximum_level_id", "exceeds_ml",
)

# Filter parameter -> (column, pattern each value must match).
FILTERS: dict[str, tuple[str, re.Pattern[str]]] = {
    "substance_code": ("substance_code", re.compile(r"^(MYC|DIO|PAH|PRC|HMT)[0-9]{2}$")),
    "food_group_code": ("food_group_code", re.compile(r"^FG[0-9]{2}$")),
    "food_item_code": ("food_item_code", re.compile(r"^FI[0-9]{3}$")),
    "producer_country": ("producer_country", re.compile(r"^[A-Z]{2}$")),
    "production_region_code": ("production_region_code", re.compile(r"^[0-9]{2}$")),
    "collection_region_code": ("collection_region_code", re.compile(r"^[0-9]{2}$")),
    "collection_place_code": ("collection_place_code", re.compile(r"^[a-z][a-z_]{0,39}$")),
}

# Substance groups: the prefix of substance_code (the data package's code rule).
SUBSTANCE_GROUPS: dict[str, tuple[str, str]] = {
    "MYC": ("곰팡이독소", "Mycotoxins"),
    "DIO": ("다이옥신·PCB", "Dioxins and PCBs"),
    "PAH": ("다환방향족탄화수소", "Polycyclic aromatic hydrocarbons"),
    "PRC": ("제조·가공 중 생성 오염물질", "Processing contaminants"),
    "HMT": ("중금속", "Heavy metals"),
}

YEAR_MIN, YEAR_MAX = 1970, 2100
MAX_VALUES_PER_FILTER = 50
MAX_OFFSET = 1_000_000
# Most rows one call of koreanap_contaminant_rows returns (the CSV download asks for
# this many at a time: its memory stays bounded whatever the file's length).
MAX_ROWS_BATCH = 10_000

# Columns that get an index (every filter column), see query.ensure_indexes.
INDEXED = ("substance_code", "survey_year", "food_group_code", "food_item_code",
           "producer_country", "production_region_code", "collection_region_code",
           "collection_place_code", "exceeds_ml")

# Three covering indexes: a search, its summary and its chart then read only the
# index (an index-only scan) instead of the table's wide rows. One leads with
# the substance, one with the food, one with the year; the rest of the columns are carried along.
_CARRIED = ("producer_country", "production_region_code", "collection_region_code",
            "collection_place_code", "detected", "value", "unit", "exceeds_ml", "sample_id",
            "maximum_level_id", "_id")
# Each key ends with substance_code after its equality filters, so the
# summary (grouped by substance) reads the index in group order, unsorted.
COVERING = {
    "cover_substance": (("substance_code", "survey_year", "food_group_code"),
                        ("food_item_code",) + _CARRIED),
    "cover_food": (("food_group_code", "substance_code", "food_item_code"),
                   ("survey_year",) + _CARRIED),
    "cover_year": (("survey_year", "collection_place_code", "substance_code"),
                   ("food_group_code", "food_item_code")
                   + tuple(c for c in _CARRIED if c != "collection_place_code")),
}

# Said when there is no survey table to search (a catalog msgid, shown through _()).
NOT_PUBLISHED = N_("The contamination survey table is not in the DataStore yet")

SORTABLE = frozenset(COLUMNS)
DEFAULT_SORT = ("sample_id", "asc")


# Column headings: English msgids of the ckanext-koreanap catalogs (pages show
# them through _(), Korean by default).
LABELS = {
    "sample_id": N_("Sample"),
    "substance_code": N_("Substance"),
    "survey_year": N_("Year"),
    "food_group_code": N_("Food group"),
    "food_item_code": N_("Food item"),
    "producer_country": N_("Producer country"),
    "production_region_code": N_("Region of production"),
    "collection_region_code": N_("Region of collection"),
    "collection_place_code": N_("Place of collection"),
    "method_code": N_("Method"),
    "detected": N_("Detected"),
    "value": N_("Amount detected"),
    "unit": N_("Unit"),
    "lod": N_("LOD"),
    "loq": N_("LOQ"),
    "maximum_level_id": N_("Maximum level"),
    "exceeds_ml": N_("Over the maximum level"),
}
