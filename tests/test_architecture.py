"""The architecture rules of pyproject.toml hold, and they do catch a broken rule.

import-linter checks them (``lint-imports``); the contracts name what may
import what (docs/architecture.md draws the picture).
"""
import ast
import pathlib
import runpy
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from unittest import mock

import grimp
import pytest
from importlinter.contracts.layers import LayersContract

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "ckanext-koreanap" / "ckanext" / "koreanap"
VALIDATION = ROOT / "validation" / "koreanap_validation"
CLIENT = ROOT / "client" / "koreanap_client"
LINT_IMPORTS = pathlib.Path(sys.executable).parent / "lint-imports"


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _lint(*contracts: str) -> subprocess.CompletedProcess:
    arguments = [a for c in contracts for a in ("--contract", c)]
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_every_contract_is_kept():
    """lint-imports passes on the tree as it is."""
    result = _lint()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_every_plugin_module_is_forbidden_to_import():
    """The no-plugin-imports contract lists exactly the plugin modules of the
    ckan.plugins entry points (import-linter takes no wildcards there)."""
    plugins = {ep.value.split(":")[0] for ep in entry_points(group="ckan.plugins")
               if ep.value.startswith("ckanext.koreanap.")}
    assert set(_contracts()["no-plugin-imports"]["forbidden_modules"]) == plugins


def test_no_plugin_imports_covers_every_module_of_the_extension():
    """Its source list names every module and package of ckanext.koreanap, and the
    client, so a new one cannot escape the rule unnoticed (import-linter takes no
    wildcards)."""
    children = {"ckanext.koreanap." + (path.stem if path.is_file() else path.name)
                for path in EXTENSION.iterdir()
                if (path.suffix == ".py" and path.name != "__init__.py")
                or (path / "__init__.py").is_file()}
    assert set(_contracts()["no-plugin-imports"]["source_modules"]) == \
        children | {"koreanap_client"}


def _setup_arguments() -> dict:
    """The keyword arguments setup.py gives setuptools (nothing is built)."""
    with mock.patch("setuptools.setup") as setup:
        runpy.run_path(str(ROOT / "setup.py"), run_name="setup_probe")
    return setup.call_args.kwargs


def _folder(name: str, package_dir: dict) -> pathlib.PurePosixPath:
    """The folder setuptools takes package ``name`` from, through ``package_dir``."""
    parts = name.split(".")
    for i in range(len(parts), -1, -1):  # the longest package_dir prefix, else ""
        prefix = ".".join(parts[:i])
        if prefix in package_dir:
            return pathlib.PurePosixPath(package_dir[prefix], *parts[i:])
    return pathlib.PurePosixPath(*parts)


def _misnamed_folders(packages, package_dir) -> list[str]:
    """Packages whose folder, as setuptools finds it through ``package_dir``, is not
    named like the package (``a.b`` must live in ``.../a/b``)."""
    found = []
    for name in packages:
        parts, folder = name.split("."), _folder(name, package_dir)
        if folder.parts[-len(parts):] != tuple(parts):
            found.append(f"{name} -> {folder}")
    return found


def test_every_package_lives_in_a_folder_named_like_it():
    """setup.py maps no package to a folder of another name (issue 17: the tree does not
    lie about import names): its package_dir maps one root to "" and otherwise only
    packages to folders of their own name, and every package it installs is found
    there. The client, the rules and the frictionless plugin each have their own."""
    arguments = _setup_arguments()
    package_dir, packages = arguments["package_dir"], arguments["packages"]
    assert not _misnamed_folders(packages, package_dir)
    assert not _misnamed_folders([k for k in package_dir if k], package_dir)
    for name in ("koreanap_client", "koreanap_validation", "koreanap_validation.metadata",
                 "frictionless_koreanap", "ckanext.koreanap", "ckanext.koreanap.pipeline"):
        assert name in packages
        assert (ROOT / package_dir.get(name.split(".")[0], package_dir[""])).is_dir()
    assert arguments["entry_points"]["console_scripts"] == [
        "koreanap = koreanap_client.console:cli"]


def test_the_folder_name_check_sees_an_alias():
    """The check above finds a package_dir alias like the old ``"koreanap_validation":
    "validation"`` and a subpackage found through it."""
    assert _misnamed_folders(["koreanap_validation", "koreanap_validation.metadata", "x.y"],
                             {"": "src", "koreanap_validation": "validation"}) == [
        "koreanap_validation -> validation", "koreanap_validation.metadata -> validation/metadata"]


def test_every_file_of_our_packages_is_installed():
    """A regular install (a wheel, as the Docker image makes) carries every file git keeps
    in a package folder: the modules of the packages setup.py lists and the data its
    package_data names (the DCAT-AP 3.0.0 shapes the score reads were once left out)."""
    arguments = _setup_arguments()
    package_dir = arguments["package_dir"]
    shipped = set()
    for name in arguments["packages"]:
        shipped.update((ROOT / _folder(name, package_dir)).glob("*.py"))
    for name, patterns in arguments["package_data"].items():
        folder = ROOT / _folder(name, package_dir)
        shipped.update(p for pattern in patterns for p in folder.glob(pattern) if p.is_file())
    roots = [package_dir[""], *{str(_folder(n, package_dir).parent) for n in package_dir if n}]
    listed = subprocess.run(["git", "ls-files", "-z", "--", *roots], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    kept = [ROOT / p for p in listed.split("\0") if p]
    assert len(kept) > 200
    # Files beside the packages (validation/README.md) and placeholders (.keep) are not
    # package files.
    missing = [str(p.relative_to(ROOT)) for p in kept
               if p not in shipped and not p.name.startswith(".")
               and str(p.parent.relative_to(ROOT)) not in roots]
    assert not missing, "not in a wheel (setup.py's packages or package_data):\n" + \
        "\n".join(missing)


def test_imported_packages_are_the_folders_of_this_tree():
    """What Python imports under each of our names is the same-named folder of this
    checkout (an editable install, as scripts/test makes it)."""
    import frictionless_koreanap

    import ckanext.koreanap
    import koreanap_client
    import koreanap_validation
    for module, folder in ((koreanap_client, CLIENT), (koreanap_validation, VALIDATION),
                           (frictionless_koreanap, ROOT / "validation" / "frictionless_koreanap"),
                           (ckanext.koreanap, EXTENSION)):
        assert pathlib.Path(module.__file__).resolve().parent == folder


@pytest.mark.parametrize("where, line, contract", [
    (EXTENSION / "search", "from ckanext.koreanap.reports import workflow  # noqa\n",
     "wings-independent"),
    (VALIDATION, "import ckan.plugins.toolkit  # noqa\n", "validation-without-ckan"),
    (VALIDATION, "from koreanap_client import datapackage  # noqa\n", "validation-without-ckan"),
    (CLIENT, "import ckan.plugins.toolkit  # noqa\n", "client-without-ckan"),
    (CLIENT, "from ckanext.koreanap import config  # noqa\n", "client-without-ckan"),
    (CLIENT, "from ckanext.koreanap.plugin import KoreanapPlugin  # noqa\n",
     "no-plugin-imports"),
    (EXTENSION / "search", "from ckanext.koreanap.view3d.plugin import VIEW_TYPE  # noqa\n",
     "no-plugin-imports"),
    (EXTENSION / "pipeline" / "logic", "from ckanext.koreanap.pipeline import views  # noqa\n",
     "pipeline-layers"),
    # A probe package's views / helpers module is one of the rule's (its wildcards).
    (EXTENSION / "pipeline" / "zz_architecture_probe" / "views.py",
     "from ckanext.koreanap.pipeline import model  # noqa\n", "views-call-actions"),
    (EXTENSION / "reports" / "zz_architecture_probe" / "helpers.py",
     "from ckan import model  # noqa\n", "views-call-actions"),
    (EXTENSION / "contaminants" / "zz_architecture_probe" / "views.py",
     "from ckanext.koreanap.contaminants import query  # noqa\n", "views-call-actions"),
])
def test_a_deliberately_broken_rule_fails(where, line, contract):
    """Adding a module with an import that a contract forbids makes lint-imports
    fail, naming the contract and the module."""
    if where.suffix == ".py":  # a probe package, with this module in it
        folder, probe = where.parent, where
        folder.mkdir()
        (folder / "__init__.py").write_text("", "utf-8")
    else:
        folder, probe = None, where / "zz_architecture_probe.py"
    probe.write_text(line, "utf-8")
    try:
        result = _lint(contract)
    finally:
        if folder is not None:
            shutil.rmtree(folder)
        else:
            probe.unlink()
    assert result.returncode == 1, result.stdout[-3000:]
    assert "BROKEN" in result.stdout
    assert "zz_architecture_probe" in result.stdout


# Modules that hold template helpers and are not yet in views-call-actions, with why.
HELPERS_NOT_YET: dict[str, str] = {}  # module: why it may not meet the rule yet


def _page_modules() -> set[str]:
    """Modules that make pages or hold template helpers: named views or helpers, making a
    Blueprint, with a get_helpers or a chained helper of their own, or named by a plugin's
    get_helpers (``display.content_matches``)."""
    plugins = {ep.value.split(":")[0] for ep in entry_points(group="ckan.plugins")
               if ep.value.startswith("ckanext.koreanap.")}
    found = set()
    for path in EXTENSION.rglob("*.py"):
        parts = path.relative_to(EXTENSION.parent.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if "migration" in parts or "zz_architecture_probe" in parts:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        if name in plugins:
            package = name.rsplit(".", 1)[0]
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name == "get_helpers":
                    found |= {"{}.{}".format(package, n.value.id) for n in ast.walk(node)
                              if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                              and n.value.id not in ("self", "p", "tk")}
            continue
        top_functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        text = ast.unparse(tree)
        if (parts[-1] in ("views", "helpers") or "Blueprint(" in text
                or "get_helpers" in top_functions or "chained_helper" in text):
            found.add(name)
    return found


def test_views_call_actions_covers_every_page_and_helper_module():
    """Its sources (wildcards and names) match every module that makes pages or holds
    template helpers, so a new one cannot escape the rule unnoticed; the one module not
    yet covered is named above, with why."""
    graph = grimp.build_graph("ckanext.koreanap", cache_dir=None)
    matched = set()
    for expression in _contracts()["views-call-actions"]["source_modules"]:
        matched |= (graph.find_matching_modules(expression) if "*" in expression
                    else {expression})
    pages = _page_modules()
    assert {"ckanext.koreanap.pipeline.views", "ckanext.koreanap.helpers",
            "ckanext.koreanap.dictionary"} <= pages  # the scan finds what it should
    assert set(HELPERS_NOT_YET) <= pages, "no longer a helper module: drop it from the list"
    assert pages - set(HELPERS_NOT_YET) <= matched, sorted(pages - matched)
    assert not set(HELPERS_NOT_YET) & matched, "covered now: drop it from HELPERS_NOT_YET"


@pytest.mark.parametrize("importer, imported", [
    ("staging", "queue"), ("loader", "validate"), ("validate", "queue"),
    ("model", "liveness"), ("fetch", "staging"), ("liveness", "queue"), ("queue", "logic"),
])
def test_an_upward_import_in_the_pipeline_breaks_its_layers(importer, imported):
    """The pipeline-layers contract of pyproject.toml fails when a lower module of the
    pipeline imports a higher one. Its lower layers are modules, not folders, so a probe
    file cannot join them: the import is added to the graph lint-imports builds."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    options = {k: v for k, v in _contracts()["pipeline-layers"].items()
               if k not in ("id", "name", "type")}
    contract = LayersContract(name="pipeline-layers", session_options=config,
                              contract_options=options)
    graph = grimp.build_graph(*config["root_packages"], include_external_packages=True,
                              cache_dir=None)
    assert contract.check(graph, verbose=False).kept
    pipeline = "ckanext.koreanap.pipeline."
    graph.add_import(importer=pipeline + importer, imported=pipeline + imported,
                     line_number=1, line_contents="from . import " + imported)
    assert not contract.check(graph, verbose=False).kept


OUR_PACKAGES = ("ckanext.koreanap", "koreanap_validation", "frictionless_koreanap",
                "koreanap_client")


def _private_uses(path: pathlib.Path) -> list[str]:
    """``from <ours> import _x`` and ``<our module>._x`` in one file of ours."""
    import ast

    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    ours, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").startswith(OUR_PACKAGES)):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: imports {alias.name}")
                ours.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(OUR_PACKAGES) and alias.asname:
                    ours.add(alias.asname)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in ours and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: uses {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_used_across_modules():
    """What one module of ours needs from another is public: no ``from .x import _y`` and
    no ``x._y`` in the extension, the validation package or the client (tests may look
    inside)."""
    files = [p for folder in (EXTENSION, ROOT / "validation", CLIENT)
             for p in folder.rglob("*.py")
             if "migration" not in p.parts]
    assert len(files) > 50
    found = [use for path in files for use in _private_uses(path)]
    assert not found, "\n".join(found)


def test_the_private_name_check_sees_both_forms(tmp_path):
    """The check above finds an imported private name and a private attribute of a module."""
    probe = tmp_path / "probe.py"
    probe.write_text("from .fetch import _session\nfrom . import fetch\nfetch._pinned_url()\n")
    assert [u.split(": ", 1)[1] for u in _private_uses(probe)] == [
        "imports _session", "uses fetch._pinned_url"]
