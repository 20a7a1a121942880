"""Which resources the 3D view shows, and with which loader.

A module of its own, not the plugin's: the site's helpers (the printability
table) need the same format names, and nothing imports a plugin module.
"""
from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk

# Resource formats (lower case) as publishers write them or as CKAN guesses
# them from an upload's file name, to the loader that reads them.
FORMAT_ALIASES = {
    "glb": "glb",
    "gltf-binary": "glb",
    "model/gltf-binary": "glb",
    "stl": "stl",
    "model/stl": "stl",
    "model/x.stl-binary": "stl",
    "model/x.stl-ascii": "stl",
    "application/sla": "stl",
    "application/vnd.ms-pki.stl": "stl",
    "obj": "obj",
    "model/obj": "obj",
    "ply": "ply",
    "model/ply": "ply",
    "application/ply": "ply",
}


def _config_formats() -> set[str]:
    return {f.lower() for f in tk.config.get("ckanext.koreanap.view3d.formats")}


def model_kind(resource: dict[str, Any]) -> str | None:
    """The loader for a resource (``glb``, ``stl``, ``obj`` or ``ply``), or None.

    :param resource: a resource dict
    :returns: the loader's name when the format (or, without a format, the
        file name's extension) is one the view is configured to show
    """
    fmt = (resource.get("format") or "").strip().lower()
    if not fmt:
        path = urlparse(resource.get("url") or "").path
        fmt = posixpath.splitext(path)[1].lstrip(".").lower()
    kind = FORMAT_ALIASES.get(fmt)
    return kind if kind in _config_formats() else None
