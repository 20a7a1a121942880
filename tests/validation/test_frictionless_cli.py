"""The stock `frictionless validate` command runs our checks when a checklist names them."""
import json
import subprocess
import sys
from pathlib import Path

CHECKLIST = (Path(__file__).resolve().parents[2] / "validation" / "koreanap_validation"
             / "checklists" / "koreanap.yaml")
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def test_frictionless_command_finds_the_koreanap_plugin(tmp_path):
    """`frictionless validate --checklist koreanap.yaml` reports masked personal data, domains."""
    (tmp_path / "people.csv").write_text(
        "id,memo,flag\n1,전화 010-2345-6789,Y\n2,ok,maybe\n", encoding="utf-8")
    (tmp_path / "schema.json").write_text(json.dumps({"fields": [
        {"name": "id", "type": "integer"}, {"name": "memo", "type": "string"},
        {"name": "flag", "type": "string", "koreanap:domain": "yn"}]}), encoding="utf-8")
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "people.csv", "--schema", "schema.json",
         "--checklist", str(CHECKLIST), "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    found = {(e["type"], e["rowNumber"]) for task in report["tasks"] for e in task["errors"]}
    assert found == {("koreanap-personal-data", 2), ("koreanap-value-domain", 3)}
    assert "2345-6789" not in result.stdout
