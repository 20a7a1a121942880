"""validate_package (and so `koreanap validate`) runs the contaminant and 3D rules by itself."""
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import trimesh

from koreanap_validation.engine import validate_package

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
HERITAGE = Path(__file__).resolve().parents[2] / "datapackages" / "cultural-heritage-3d"


def _edit_csv(path, row_index, changes):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[row_index].update(changes)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_contaminant_faults_are_found_without_a_checklist(tmp_path):
    """A not-detected 0 and a flipped exceedance flag are reported by the engine's defaults."""
    folder = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "contaminants", folder)
    _edit_csv(folder / "survey_results.csv", 0, {"exceeds_ml": "Y"})
    report = validate_package(folder / "datapackage.json")
    assert not report["valid"]
    assert report["counts"].get("koreanap-contaminant-exceedance") == 1
    (error,) = [e for e in report["errors"] if e["rule"] == "koreanap-contaminant-exceedance"]
    assert (error["resource"], error["row"], error["field"]) == (
        "survey_results", 2, "exceeds_ml")


def test_3d_asset_mismatch_is_found_by_the_command(tmp_path):
    """A model file replaced by another mesh makes `koreanap validate` exit 1 naming the rule."""
    folder = tmp_path / "heritage"
    shutil.copytree(HERITAGE, folder)
    target = folder / "data" / "models" / "sungnyemun-print.stl"
    trimesh.creation.box(extents=(10, 10, 10)).export(target)
    koreanap = Path(sys.executable).parent / "koreanap"
    result = subprocess.run([str(koreanap), "validate", str(folder)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "koreanap-asset-mismatch" in result.stdout
    assert "Traceback" not in result.stderr
