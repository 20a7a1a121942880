"""Link status of a data package on disk, for the score's two URL indicators.

A package that is not published yet has no web address: what a catalogue
would serve at each distribution's URL is the file its relative ``path``
names. So offline, "the URL answers" means "that file is there and can be
read" (``method`` ``"file"``). A remote ``path`` (``http(s)://``) is not
fetched here (no network from ``koreanap validate`` unless asked): it is left
out, and the score says how many were not checked. The catalogue checks its
distributions' URLs over HTTP instead (``ckanext/koreanap/linkcheck.py``) and
passes its results to :func:`.score.score_graph` the same way.
"""
from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

from .dcat import dataset_base, resolve

_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def package_folder(source) -> Path | None:
    """The folder of a package given as a folder or a ``datapackage.json`` path."""
    if isinstance(source, dict) or source is None:
        return None
    path = Path(source)
    return path if path.is_dir() else path.parent


def package_links(descriptor: dict, basepath, dataset_uri: str | None = None) -> dict:
    """``{url: {"ok", "status", "method", "checked", "message"}}`` for each
    resource file of a package on disk (URLs as :func:`.dcat.descriptor_to_record`
    resolves them)."""
    base = dataset_base(descriptor, dataset_uri)
    today = datetime.date.today().isoformat()
    root = Path(basepath).resolve()
    found: dict[str, dict] = {}
    for resource in descriptor.get("resources") or []:
        path = resource.get("path") if isinstance(resource, dict) else None
        if isinstance(path, list):
            path = path[0] if path else None
        if not isinstance(path, str) or not path or _REMOTE.match(path):
            continue
        target = (root / path).resolve()
        inside = target == root or root in target.parents
        ok = inside and target.is_file() and os.access(target, os.R_OK)
        found[resolve(path, base)] = {
            "ok": ok, "status": None, "method": "file", "checked": today,
            "message": None if ok else ("outside the package folder" if not inside
                                        else "no readable file at {}".format(path)),
        }
    return found
