"""Where the plan's data package is, and how its tables are read: the one place the
`koreanap` command, the dataset schema, the home page and the /commitments pages find the
plan (``datapackages/ogp-nap4-commitments``). Imports no CKAN, so the command can use it.

The folder is, in this order: the one the caller was configured with (the catalogue
passes its option ``ckanext.koreanap.commitments.package``), the environment variable
``KOREANAP_COMMITMENTS_PACKAGE`` (the Docker image sets it), the package in this source
tree (a checkout or an editable install). An installed package without either has no
plan: readers get :class:`PlanUnavailable` and say so, never a wrong path's error.
"""
from __future__ import annotations

import csv
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_VAR = "KOREANAP_COMMITMENTS_PACKAGE"
# Two folders up from client/koreanap_client/: the checkout's root (an installed copy has
# no plan there, see above).
SOURCE_TREE = Path(__file__).resolve().parents[2] / "datapackages" / "ogp-nap4-commitments"


# Agencies renamed since the plan (../shared/reference/domain-facts.md, [S17]: 문화재청
# became 국가유산청, the Korea Heritage Service, on 17 May 2024), by the name the plan
# (or this project's translation of it) gives; pages show today's name first.
RENAMED = {"문화재청": "국가유산청", "Cultural Heritage Administration": "Korea Heritage Service",
           "Culture Heritage Administration": "Korea Heritage Service"}


class PlanUnavailable(Exception):
    """The plan's data package cannot be read (the message says why)."""


def folder(configured: str | os.PathLike | None = None) -> Path:
    """The plan's data package folder (a ``datapackage.json`` path names its folder)."""
    chosen = str(configured or "") or os.environ.get(ENV_VAR, "")
    path = Path(chosen) if chosen else SOURCE_TREE
    return path.parent if path.name == "datapackage.json" else path


def descriptor(configured: str | os.PathLike | None = None) -> dict[str, Any]:
    """The plan package's ``datapackage.json``.

    :raises PlanUnavailable: it is missing or not a JSON object
    """
    path = folder(configured) / "datapackage.json"
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PlanUnavailable(f"the plan's data package {path} cannot be read: {error}") \
            from error
    if not isinstance(found, dict):
        raise PlanUnavailable(f"{path} is not a data package descriptor")
    return found


def table(name: str, configured: str | os.PathLike | None = None) -> tuple[dict[str, str], ...]:
    """The rows of the plan package's table ``name`` (as text), read again only when the
    descriptor or any table file changed.

    :raises PlanUnavailable: the package, the table or its file cannot be read, or the
        table's path leaves the package's folder
    """
    base = folder(configured)
    try:
        files = [base / "datapackage.json", *sorted(base.rglob("*.csv"))]
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    except OSError as error:
        raise PlanUnavailable(f"the plan's data package {base} cannot be read: {error}") \
            from error
    return _table(str(base), name, stamp)


@lru_cache(maxsize=16)
def _table(base: str, name: str, stamp: tuple) -> tuple[dict[str, str], ...]:
    root = Path(base)
    for resource in descriptor(root).get("resources") or []:
        if isinstance(resource, dict) and resource.get("name") == name:
            path = (root / str(resource.get("path") or "")).resolve()
            if root.resolve() not in path.parents:
                raise PlanUnavailable(f'the "{name}" table is outside {root}')
            try:
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    return tuple(csv.DictReader(fh))
            except (OSError, ValueError) as error:
                raise PlanUnavailable(f'the "{name}" table {path} cannot be read: {error}') \
                    from error
    raise PlanUnavailable(f'{root / "datapackage.json"} has no "{name}" table')
