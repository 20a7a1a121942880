"""Every column of the four data packages has a Korean name and a bilingual description
(the data dictionary, see validation/koreanap_validation/README.md "Column names and the data
dictionary"), and the one builder that rewrites a datapackage.json keeps them."""
import json
import re
import shutil

import pytest

from .packages import ROOT, read_descriptor, run_builder

PACKAGES = ("cultural-heritage-3d", "food-contaminants", "ogp-nap4-commitments",
            "priority-datasets")
HANGUL = re.compile("[\uac00-\ud7a3]")


def _fields(slug):
    descriptor = read_descriptor(ROOT / "datapackages" / slug)
    return [(resource["name"], field) for resource in descriptor["resources"]
            for field in resource.get("schema", {}).get("fields", [])]


@pytest.mark.parametrize("slug", PACKAGES)
def test_every_field_has_a_korean_title_and_both_descriptions(slug):
    """Each field: a Korean title, an English title, an English description and a Korean one."""
    fields = _fields(slug)
    assert fields
    problems = []
    for resource, field in fields:
        where = "%s.%s" % (resource, field["name"])
        if not HANGUL.search(field.get("title", "")):
            problems.append("%s: title %r is not Korean" % (where, field.get("title")))
        if not field.get("koreanap:title_en", "").isascii() or not field.get("koreanap:title_en"):
            problems.append("%s: no English title" % where)
        if not field.get("description"):
            problems.append("%s: no English description" % where)
        if not HANGUL.search(field.get("koreanap:description_ko", "")):
            problems.append("%s: no Korean description" % where)
    assert not problems, "\n".join(problems)


def test_units_are_in_both_languages_where_the_english_gives_one():
    """A field whose English description names a unit names it in the Korean one too."""
    units = ("mm", "µg/kg", "mg/kg", "WGS84", "t/yr", "ISO 8601", "bytes")
    missing = []
    for slug in PACKAGES:
        for resource, field in _fields(slug):
            for unit in units:
                korean_unit = {"bytes": "바이트"}.get(unit, unit)
                if re.search(r"\b%s\b" % re.escape(unit), field["description"]) and \
                        korean_unit not in field["koreanap:description_ko"]:
                    missing.append("%s.%s: %s" % (resource, field["name"], unit))
    assert not missing, "\n".join(missing)


def test_heritage_builder_keeps_the_field_titles(tmp_path):
    """build_heritage_3d.py rewrites datapackage.json (model resources): the items and
    assets columns keep their titles and descriptions, unchanged."""
    package = ROOT / "datapackages" / "cultural-heritage-3d"
    shutil.copy(package / "datapackage.json", tmp_path / "datapackage.json")
    (tmp_path / "data").mkdir()
    before = _fields("cultural-heritage-3d")
    result = run_builder(ROOT / "scripts" / "build_heritage_3d.py", "--out", str(tmp_path),
                         "--overwrite", timeout=300)
    assert result.returncode == 0, result.stderr
    rebuilt = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    after = [(resource["name"], field) for resource in rebuilt["resources"]
             for field in resource.get("schema", {}).get("fields", [])]
    assert after == before
