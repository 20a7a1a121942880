"""validate_package and its report (validation/koreanap_validation/engine.py)."""
import json
from pathlib import Path

import pytest

from koreanap_validation.engine import validate_package

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ["cultural-heritage-3d", "food-contaminants", "ogp-nap4-commitments",
            "priority-datasets"]

# The koreanap:domain (and koreanap:codelist) properties the packages' fields
# carry in their committed datapackage.json. test_committed_descriptors_carry_
# the_domain_annotations keeps the descriptors and this table equal, so an
# annotation cannot silently disappear (e.g. when a builder rewrites a descriptor).
ANNOTATIONS = {
    "cultural-heritage-3d": {
        "items": {
            "category_code": ("code", "heritage-ccba-kdcd"),
            "designation_verified": "yn", "hanja_verified": "yn",
            "coordinates_verified": "yn",
            "region_ccba_ctcd": ("code", "heritage-ccba-ctcd"),
            "latitude": "latitude", "longitude": "longitude",
        },
        "assets": {"bytes": "count", "vertex_count": "count", "face_count": "count",
                   "watertight": "yn", "winding_consistent": "yn"},
    },
    "food-contaminants": {
        "substances": {"identity_verified": "yn", "cas_verified": "yn"},
        "maximum_levels": {"maximum_level": "amount", "verified": "yn"},
        "regions": {"region_code": ("code", "region-bjd-2018"),
                    "iso_3166_2": ("code", "region-iso3166-2"), "verified": "yn"},
        "collection_places": {"in_plan_text": "yn"},
        "analytical_methods": {"verified": "yn"},
        "survey_results": {
            "survey_year": "year",
            "production_region_code": ("code", "region-bjd-2018"),
            "collection_region_code": ("code", "region-bjd-2018"),
            "detected": "yn", "exceeds_ml": "yn",
            "value": "amount", "lod": "amount", "loq": "amount",
        },
    },
    "ogp-nap4-commitments": {
        "commitments": {"start_date": "date", "end_date": "date"},
        "milestones": {"start_date": "date", "end_date": "date",
                       "start_month": "yearmonth", "end_month": "yearmonth"},
    },
    "priority-datasets": {
        "catalogue": {"sample_in_package": "yn"},
        "regions": {"region_code": ("code", "region-bjd-2018"),
                    "iso_3166_2": ("code", "region-iso3166-2"),
                    "lat_min": "latitude", "lat_max": "latitude",
                    "lon_min": "longitude", "lon_max": "longitude", "verified": "yn"},
        "shelter_types": {"indoor": "yn", "verified": "yn"},
        "pollutants": {"verified": "yn"},
        "accident_types": {"verified": "yn"},
        "earthquake_shelters": {
            "region_code": ("code", "region-bjd-2018"),
            "latitude": "latitude", "longitude": "longitude",
            "capacity": "count", "area_m2": "amount",
            "designated_date": "date", "reference_date": "date",
            "accessible_yn": "yn", "night_lighting_yn": "yn", "in_use_yn": "yn",
        },
        "air_pollutant_emissions": {"region_code": ("code", "region-bjd-2018"),
                                    "year": "year", "amount": "amount",
                                    "reference_date": "date"},
        "traffic_accidents": {"region_code": ("code", "region-bjd-2018"), "year": "year",
                              "accidents": "count", "deaths": "count",
                              "injuries": "count", "reference_date": "date"},
    },
}


def declared_annotations(slug):
    """{resource: {field: domain or (domain, codelist)}} as the committed descriptor has them."""
    folder = REPO / "datapackages" / slug
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    found = {}
    for resource in descriptor["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            domain = field.get("koreanap:domain")
            codelist = field.get("koreanap:codelist")
            assert domain or not codelist, f"{resource['name']}.{field['name']}: codelist only"
            if domain:
                found.setdefault(resource["name"], {})[field["name"]] = (
                    (domain, codelist) if codelist else domain)
    return found


def write_package(folder, csv_bytes, fields):
    (folder / "data.csv").write_bytes(csv_bytes)
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "t",
        "resources": [{"name": "people", "path": "data.csv", "format": "csv",
                       "encoding": "utf-8", "schema": {"fields": fields}}],
    }))
    return folder


FIELDS = [
    {"name": "sido", "type": "string", "koreanap:domain": "code",
     "koreanap:codelist": "region-bjd-2018"},
    {"name": "open_yn", "type": "string", "koreanap:domain": "yn"},
    {"name": "memo", "type": "string"},
]


@pytest.mark.parametrize("slug", PACKAGES)
def test_data_package_passes(slug):
    """Each shipped data package, with its domain annotations, passes validate_package."""
    report = validate_package(REPO / "datapackages" / slug)
    assert report["valid"], report["errors"][:5]
    assert report["counts"] == {}
    assert all(r["checked"] for r in report["resources"] if r["tabular"])


@pytest.mark.parametrize("slug", PACKAGES)
def test_committed_descriptors_carry_the_domain_annotations(slug):
    """Each package's datapackage.json declares exactly the domains in ANNOTATIONS."""
    assert declared_annotations(slug) == ANNOTATIONS[slug]


def test_report_structure_and_counts(tmp_path):
    """The report has the documented keys, one entry per error, and counts by rule."""
    rows = "sido,open_yn,memo\n42,Y,ok\n51,Y,전화 010-1234-5678\n11,yes,ok\n"
    write_package(tmp_path, rows.encode("utf-8"), FIELDS)
    report = validate_package(tmp_path)
    assert set(report) == {"version", "valid", "errors", "counts", "notes", "resources"}
    assert report["valid"] is False
    assert report["counts"] == {"koreanap-value-domain": 2, "koreanap-personal-data": 1}
    by_rule = {(e["rule"], e["row"], e["field"]): e for e in report["errors"]}
    assert set(by_rule) == {("koreanap-value-domain", 3, "sido"),
                            ("koreanap-personal-data", 3, "memo"),
                            ("koreanap-value-domain", 4, "open_yn")}
    for entry in report["errors"]:
        assert set(entry) >= {"rule", "resource", "row", "field", "message", "value"}
        assert entry["resource"] == "people"
    assert by_rule[("koreanap-value-domain", 3, "sido")]["value"] == "51"
    assert report["resources"][0]["rows"] == 3


def test_report_never_contains_raw_personal_data(tmp_path):
    """Neither our errors nor frictionless' own (a type error quoting a cell) leak raw values."""
    fields = FIELDS + [{"name": "n", "type": "integer"}]
    rows = ("sido,open_yn,memo,n\n"
            "11,Y,kim.minsu@example.org 711231-1234564,010-1234-5678\n")
    write_package(tmp_path, rows.encode("utf-8"), fields)
    report = validate_package(tmp_path)
    text = json.dumps(report, ensure_ascii=False)
    for raw in ("kim.minsu@example.org", "711231-1234564", "010-1234-5678", "1234-5678"):
        assert raw not in text
    assert report["counts"] == {"koreanap-personal-data": 1, "type-error": 1}
    assert "k***@example.org" in text and "7112**-*******" in text


def test_cp949_resource_is_an_encoding_error_and_still_checked(tmp_path):
    """A CP949 resource gives one encoding error naming CP949/EUC-KR; its rows are still checked."""
    rows = "sido,open_yn,memo\n42,Y,강원도\n99,Y,제주\n"
    write_package(tmp_path, rows.encode("cp949"), FIELDS)
    report = validate_package(tmp_path)
    assert report["counts"] == {"koreanap-encoding": 1, "koreanap-value-domain": 1}
    enc = [e for e in report["errors"] if e["rule"] == "koreanap-encoding"][0]
    assert enc["encoding"] == "euc-kr" and "EUC-KR" in enc["message"]
    assert "koreanap fix-encoding" in enc["message"]


def test_bom_resource_passes_with_a_note(tmp_path):
    """A UTF-8 resource with a BOM is valid and the report notes the BOM."""
    rows = "sido,open_yn,memo\n42,Y,강원도\n"
    write_package(tmp_path, b"\xef\xbb\xbf" + rows.encode("utf-8"), FIELDS)
    report = validate_package(tmp_path)
    assert report["valid"], report["errors"]
    assert any("BOM" in n["message"] for n in report["notes"])


def test_extra_checklist_is_applied(tmp_path):
    """A caller's checklist adds frictionless checks on top of ours."""
    rows = "sido,open_yn,memo\n42,Y,x\n42,Y,x\n"
    write_package(tmp_path, rows.encode("utf-8"), FIELDS)
    report = validate_package(tmp_path, {"checks": [{"type": "duplicate-row"}]})
    assert report["counts"] == {"duplicate-row": 1}


def test_missing_package_is_a_package_error(tmp_path):
    """A path with no datapackage.json gives a package-error entry, not an exception."""
    report = validate_package(tmp_path / "nowhere")
    assert report["valid"] is False
    assert report["counts"] == {"package-error": 1}
