"""The ``koreanap_3d_view`` plugin: a resource view for 3D files.

The browser code (three.js with its GLB, STL, OBJ and PLY loaders and orbit
controls) comes from the npm registry at set-up time and is bundled by
esbuild into ``assets/build/`` (``scripts/lib.sh`` ``ensure_frontend``); the
bundle is not kept in git.
"""
from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlparse

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .formats import model_kind

VIEW_TYPE = "koreanap_3d_view"

def _model_url(data_dict: dict[str, Any]) -> str:
    """Where the browser fetches the file: uploads by a path on this site, so
    the request stays same-origin whatever host name the visitor used."""
    resource = data_dict["resource"]
    if resource.get("url_type") == "upload":
        filename = posixpath.basename(urlparse(resource.get("url") or "").path)
        return tk.h.url_for(
            "resource.download",
            id=data_dict["package"]["name"],
            resource_id=resource["id"],
            filename=filename or None,
        )
    # A remote file needs CORS, or CKAN's resource_proxy plugin.
    from ckanext.resourceproxy.plugin import get_proxified_resource_url

    return get_proxified_resource_url(data_dict)


@tk.blanket.config_declarations
class Koreanap3DViewPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer, inherit=True)
    p.implements(p.IResourceView, inherit=True)

    _added_default = False

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "koreanap-view3d")
        # Add the view to ckan.views.default_views, and take back what was
        # added when the config is loaded again (tests reload it often).
        views = tk.aslist(config.get("ckan.views.default_views"))
        if self._added_default and VIEW_TYPE in views:
            views.remove(VIEW_TYPE)
        self._added_default = bool(
            config.get("ckanext.koreanap.view3d.default_view") and VIEW_TYPE not in views)
        if self._added_default:
            views.append(VIEW_TYPE)
        config["ckan.views.default_views"] = views

    # IResourceView

    def info(self) -> dict[str, Any]:
        return {
            "name": VIEW_TYPE,
            "title": tk._("3D model"),
            "default_title": tk._("3D model"),
            "icon": "cube",
            "iframed": True,
            "always_available": True,
            "schema": {
                "image_url": [tk.get_validator("ignore_empty"),
                              tk.get_validator("unicode_safe")],
            },
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return model_kind(data_dict["resource"]) is not None

    def setup_template_variables(self, context, data_dict: dict[str, Any]) -> dict[str, Any]:
        resource = data_dict["resource"]
        size = resource.get("size")
        max_size = tk.config.get("ckanext.koreanap.view3d.max_size")
        return {
            "model_kind": model_kind(resource),
            "model_url": _model_url(data_dict),
            "still_image_url": data_dict["resource_view"].get("image_url") or "",
            "too_large": bool(size) and int(size) > max_size,
            "max_size": max_size,
        }

    def view_template(self, context, data_dict: dict[str, Any]) -> str:
        return "koreanap/view3d/view.html"

    def form_template(self, context, data_dict: dict[str, Any]) -> str:
        return "koreanap/view3d/form.html"
