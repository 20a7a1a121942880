"""An unexpected exception inside a rule is the validator's problem: `koreanap
validate` exits 2 with one line naming the rule and the resource, never a
traceback and never "invalid", on both engines."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from koreanap_client.console import main
from koreanap_validation import domains
from koreanap_validation.engine import validate_package
from koreanap_validation.internal import RuleCannotRun

ENGINES = ["auto", "frictionless"]


def write_package(folder: Path, text: str, fields: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.csv").write_text(text, encoding="utf-8")
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "p", "resources": [{"name": "t", "path": "t.csv", "format": "csv",
                                    "schema": {"fields": fields}}]}), encoding="utf-8")
    return folder


FLAGS = [{"name": "id", "type": "integer"},
         {"name": "flag", "type": "string", "koreanap:domain": "yn"}]


@pytest.fixture
def broken_domain(monkeypatch):
    """The yes/no domain raises as a rule with a bug would."""
    def explode(value, _codelist):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setitem(domains.DOMAINS, "yn", explode)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rule_that_raises_is_an_internal_error_of_the_command(tmp_path, broken_domain,
                                                                  engine):
    """`koreanap validate` exits 2 with one line naming the check and resource, no report."""
    folder = write_package(tmp_path / "p", "id,flag\n1,Y\n2,N\n", FLAGS)
    result = CliRunner().invoke(main, ["validate", str(folder), "--engine", engine,
                                       "--no-progress", "--metadata", "off"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""  # the data was not judged: no report, not "invalid"
    assert result.stderr.splitlines() == [
        'koreanap: error: rule koreanap-value-domain cannot run on resource "t": '
        "unexpected ZeroDivisionError (division by zero); the data was not judged by "
        "this rule: please report it with the file"]


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_package_raises_rule_cannot_run(tmp_path, broken_domain, engine):
    """validate_package raises RuleCannotRun naming the rule and resource (job: 'error')."""
    folder = write_package(tmp_path / "p", "id,flag\n1,Y\n", FLAGS)
    with pytest.raises(RuleCannotRun) as caught:
        validate_package(folder, engine=engine)
    assert (caught.value.rule, caught.value.resource) == ("koreanap-value-domain", "t")
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failure_inside_frictionless_reading_names_the_table_schema(tmp_path, engine):
    """A signalling NaN breaks frictionless' own minimum check: an internal error, not a crash."""
    folder = write_package(tmp_path / "p", "id,v\n1,sNaN\n", [
        {"name": "id", "type": "integer"},
        {"name": "v", "type": "number", "constraints": {"minimum": 0}}])
    with pytest.raises(RuleCannotRun) as caught:
        validate_package(folder, engine=engine)
    assert (caught.value.rule, caught.value.resource) == ("table-schema", "t")
