"""A dataset's files laid out as a data package in the job's work folder: each
resource at its ``datapackage_path`` (or a safe name of its own), hard-linked or
copied from the stored upload, or fetched from its URL (:mod:`.fetch`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .. import config


def resource_rel_path(resource: dict[str, Any]) -> str:
    rel = resource.get("datapackage_path")
    if rel and _safe_rel(rel):
        return rel
    name = os.path.basename(str(resource.get("url") or "").split("?")[0]) or resource["id"]
    return "data/{}-{}".format(resource["id"][:8], name)


def _safe_rel(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts \
        and "://" not in rel


def stored_file(resource: dict[str, Any]) -> str | None:
    """The local path of an uploaded resource's file, or None."""
    from ckan.lib import uploader

    if resource.get("url_type") != "upload":
        return None
    upload = uploader.get_resource_uploader(dict(resource))
    path = upload.get_path(resource["id"])
    if not os.path.isabs(str(path)):
        storage = getattr(upload, "storage", None)
        base = getattr(getattr(storage, "settings", None), "path", None)
        path = os.path.join(base, str(path)) if base else None
    return str(path) if path and os.path.isfile(path) else None


def place(resource: dict[str, Any], target: Path) -> None:
    """Put the resource's bytes at ``target`` (hard link when possible)."""
    from . import fetch

    target.parent.mkdir(parents=True, exist_ok=True)
    local = stored_file(resource)
    if local:
        try:
            os.link(local, target)
        except OSError:
            shutil.copyfile(local, target)
        return
    url = resource.get("url") or ""
    if not url:
        raise fetch.FetchError("the resource has neither an upload nor a URL")
    fetch.download(url, target, max_bytes=config.max_upload_bytes())
