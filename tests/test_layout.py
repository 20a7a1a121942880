"""The repository keeps the layout and entry points the style guide promises."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_layout_directories_exist():
    """Every top-level folder of the style guide's layout is present."""
    for name in ("ckanext-koreanap/ckanext/koreanap", "validation", "datapackages", "scripts",
                 "tests", "benchmarks", ".ci"):
        assert (ROOT / name).is_dir(), name
    for name in ("setup.py", "README.md", "docker-compose.yml", ".ci/run"):
        assert (ROOT / name).is_file(), name


def test_ckanext_is_a_namespace_package():
    """ckanext/ has no __init__.py, so our plugins coexist with CKAN's own ckanext."""
    assert not (ROOT / "ckanext-koreanap" / "ckanext" / "__init__.py").exists()


def test_ci_runs_exactly_the_readme_test_command():
    """.ci/run calls the test command the README gives, and nothing else."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/test" in readme
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1].strip() == "exec bash scripts/test"
    assert all(re.match(r"^(set -euo pipefail|cd .*|exec bash scripts/test)$", c.strip())
               for c in commands)


def test_plugins_and_command_are_installed_entry_points():
    """pip install -e . registered both CKAN plugins and the koreanap command."""
    from importlib.metadata import entry_points

    plugins = {ep.name: ep.value for ep in entry_points(group="ckan.plugins")}
    assert plugins["koreanap"] == "ckanext.koreanap.plugin:KoreanapPlugin"
    assert plugins["koreanap_search"] == \
        "ckanext.koreanap.search.plugin:KoreanapSearchPlugin"
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    assert "koreanap" in scripts


def test_koreanap_command_help_and_usage_errors():
    """`koreanap --help` explains itself; an unknown subcommand is a usage error (2)."""
    bin_dir = pathlib.Path(sys.executable).parent
    shown = subprocess.run([str(bin_dir / "koreanap"), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0
    assert "status" in shown.stdout
    bad = subprocess.run([str(bin_dir / "koreanap"), "frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2


def test_status_against_nothing_fails_with_one_clear_line():
    """`koreanap status` on a port where nothing listens exits 1 with one error line."""
    bin_dir = pathlib.Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "koreanap"), "status", "--ckan-url",
                             "http://127.0.0.1:9", "--wait", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("error: http://127.0.0.1:9 does not answer")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_script_help_shows_only_the_usage_text():
    """`scripts/serve --help` and `scripts/test --help` print their usage, not shell code."""
    for script, first in (("serve", "Bring up the catalogue"), ("test", "Install what the tests")):
        shown = subprocess.run(["bash", str(ROOT / "scripts" / script), "--help"],
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0
        assert shown.stdout.startswith(first)
        assert "source " not in shown.stdout and "#" not in shown.stdout
