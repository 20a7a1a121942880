"""A rule whose library is missing or broken is an internal problem of the
install, not a data error: `koreanap validate` and `koreanap publish` exit 2
with one line that names the library and how to install it."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "datapackages" / "cultural-heritage-3d"

# Runs the command as a venv without trimesh would: its import finds no module.
WITHOUT_TRIMESH = """
import importlib.abc, sys
class NoTrimesh(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "trimesh" or name.startswith("trimesh."):
            raise ModuleNotFoundError("No module named 'trimesh'", name="trimesh")
        return None
sys.meta_path.insert(0, NoTrimesh())
from koreanap_client.console import main
sys.argv = ["koreanap", *sys.argv[1:]]
main()
"""

RUN_COMMAND = """
import sys
from koreanap_client.console import main
sys.argv = ["koreanap", *sys.argv[1:]]
main()
"""


def _run(script, *args, env=None):
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


@pytest.mark.parametrize("engine", ["auto", "frictionless"])
def test_validate_without_trimesh_exits_2_with_one_line(engine):
    """No trimesh: exit 2, no report, one line naming the rule, resource, library and fix."""
    result = _run(WITHOUT_TRIMESH, "validate", str(PACKAGE), "--engine", engine,
                  "--no-progress")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout == ""  # no report: the data was not judged
    assert result.stderr.splitlines() == [
        'koreanap: error: rule koreanap-mesh-asset cannot run on resource "assets": the '
        "library trimesh is not installed (No module named 'trimesh'); install it with: "
        "pip install 'trimesh==5.2.0'"]


def test_validate_with_a_broken_trimesh_names_it_broken(tmp_path):
    """A trimesh that fails at import (a broken install) is named broken, with the reason."""
    shim = tmp_path / "trimesh"
    shim.mkdir()
    (shim / "__init__.py").write_text(
        'raise OSError("libspatialindex_c.so: cannot open shared object file")\n')
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    result = _run(RUN_COMMAND, "validate", str(PACKAGE), "--no-progress", env=env)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(result.stderr.splitlines()) == 1
    assert "the library trimesh is broken (libspatialindex_c.so: cannot open shared " \
        "object file)" in result.stderr
    assert "Traceback" not in result.stderr


def test_publish_without_trimesh_exits_2_and_publishes_nothing():
    """publish validates first: no trimesh means exit 2 before the catalogue is contacted."""
    result = _run(WITHOUT_TRIMESH, "publish", str(PACKAGE), "--dry-run", "--no-progress",
                  "--ckan-url", "http://127.0.0.1:9")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.splitlines()[-1].endswith(
        "install it with: pip install 'trimesh==5.2.0'; nothing was published")
    assert "Traceback" not in result.stderr


def test_validate_with_trimesh_is_valid():
    """The same command with trimesh importable finds the package valid (exit 0)."""
    result = _run(RUN_COMMAND, "validate", str(PACKAGE), "--no-progress")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
