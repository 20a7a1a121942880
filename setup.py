"""Install the koreanap CKAN plugins, the validation rules and the ``koreanap`` command.

``pip install -e .`` from the repository root is all a developer needs; CKAN
itself is pinned in ``requirements.txt`` (``ckan[requirements]==2.12.0``) and
its own pins are used as constraints so nothing here moves them.
"""
from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup

# Three source roots, each holding packages in folders named like their import
# names: the CKAN extension (namespace package ckanext), the quality rules
# (koreanap_validation, and frictionless_koreanap for the `frictionless` command,
# which finds only top-level frictionless_* modules) and the CKAN-free client
# (koreanap_client: the koreanap command, the publisher, the data-package mapping).
EXTENSION_DIR = "ckanext-koreanap"
OTHER_ROOTS = ("validation", "client")
TOP_LEVEL = {name: f"{root}/{name}" for root in OTHER_ROOTS
             for name in find_packages(where=root) if "." not in name}



def _requirements(name: str) -> list[str]:
    """The requirement lines of a pip requirements file beside this one (no comments)."""
    lines = (Path(__file__).resolve().parent / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


setup(
    name="ckanext-koreanap",
    version="0.1.0",
    description=(
        "Open-data catalogue for Korea's 4th OGP National Action Plan: "
        "CKAN plugins, a PostgreSQL search index and quality rules"
    ),
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",  # CKAN 2.12's own range; tested on 3.11
    # One root is "", the others' top-level packages map to folders of the same
    # name (tests/test_architecture.py fails on a folder named unlike its package).
    package_dir={"": EXTENSION_DIR, **TOP_LEVEL},
    packages=(
        find_namespace_packages(where=EXTENSION_DIR, include=["ckanext.*"])
        + [name for root in OTHER_ROOTS for name in find_packages(where=root)]
    ),
    include_package_data=True,
    package_data={
        "ckanext.koreanap": [
            "config_declaration.yaml",
            "templates/**/*",
            "public/**/*",
            # The site-wide stylesheet (webassets).
            "assets/**/*",
            "i18n/**/*",
            "migration/**/*",
            # The dataset schema (ckanext-scheming) and the KOGL licence list.
            "schemas/*.yaml",
            "licenses.json",
            # The error-report centre (plugin koreanap_reports).
            "reports/config_declaration.yaml",
            "reports/templates/**/*",
            # The 3D view; assets/build/ is written by npm run build (scripts/lib.sh).
            "view3d/config_declaration.yaml",
            "view3d/templates/**/*",
            "view3d/assets/**/*",
            # The search index's synonym table, options and dataset-list snippet
            # (plugin koreanap_search).
            "search/*.csv",
            "search/config_declaration.yaml",
            "search/templates/**/*",
            # The contaminant quick search; assets/build/ as for the 3D view.
            "contaminants/config_declaration.yaml",
            "contaminants/templates/**/*",
            "contaminants/assets/**/*",
            # The commitment tracker (plugin koreanap_commitments).
            "commitments/config_declaration.yaml",
            "commitments/templates/**/*",
        ],
        # Rule data: one copy, loaded by the command line and by CKAN.
        "koreanap_validation": ["README.md", "checklists/*.yaml", "codelists/*.csv",
                                "codelists/*.json"],
        # shapes/**: our shapes and the DCAT-AP 3.0.0 release the score also checks.
        "koreanap_validation.metadata": ["README.md", "shapes/**/*", "vocabularies/*"],
    },
    # One list, read by deptry too (pyproject.toml): see requirements-runtime.txt.
    install_requires=_requirements("requirements-runtime.txt"),
    entry_points={
        "ckan.plugins": [
            "koreanap = ckanext.koreanap.plugin:KoreanapPlugin",
            "koreanap_search = ckanext.koreanap.search.plugin:KoreanapSearchPlugin",
            "koreanap_reports = ckanext.koreanap.reports.plugin:KoreanapReportsPlugin",
            "koreanap_3d_view = ckanext.koreanap.view3d.plugin:Koreanap3DViewPlugin",
            "koreanap_contaminants = "
            "ckanext.koreanap.contaminants.plugin:KoreanapContaminantsPlugin",
            "koreanap_commitments = ckanext.koreanap.commitments.plugin:KoreanapCommitmentsPlugin",
        ],
        "ckan.rdf.profiles": [
            "koreanap_dcat = ckanext.koreanap.dcat.profile:KoreanapDCATProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
        "console_scripts": [
            "koreanap = koreanap_client.console:cli",
        ],
    },
    message_extractors={
        "ckanext-koreanap/ckanext": [
            ("**.py", "python", None),
            # Bundles built by npm run build (minified copies of the sources).
            ("**/assets/build/**.js", "ignore", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
        # The sentences the catalogue states validation rules in (PHRASES).
        "validation/koreanap_validation": [("rules.py", "python", None)],
    },
)
