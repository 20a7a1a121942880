"""Template helpers (registered by the blanket decorator; all names start koreanap_)."""
from __future__ import annotations

from typing import Any

from . import config
from .languages import N_

# The plan's open-data commitments (OGP ids and leads from the plan text and
# the OGP site; Korean titles are this catalogue's descriptive translations).
_COMMITMENTS: list[dict[str, Any]] = [
    {
        "ogp_id": "KR0043",
        "title_en": "Disclosure of the amount of harmful substances contained in foods",
        "title_ko": "식품 중 유해물질 함량 정보 공개",
        "lead_en": "Ministry of Food and Drug Safety (MFDS)",
        "lead_ko": "식품의약품안전처",
    },
    {
        "ogp_id": "KR0045",
        "title_en": "Disclosure of cultural heritage resources (3D) for new industries",
        "title_ko": "신산업 창출을 위한 문화유산 3D 자원 공개",
        "lead_en": "Cultural Heritage Administration (CHA)",
        "lead_ko": "문화재청",
    },
    {
        "ogp_id": "KR0046",
        "title_en": "Disclosure of the nation's priority data",
        "title_ko": "국가중점데이터 개방",
        "lead_en": "Ministry of the Interior and Safety (MOIS)",
        "lead_ko": "행정안전부",
    },
    {
        "ogp_id": "KR0047",
        "title_en": "Quality management of public data through the public's opinions",
        "title_ko": "국민 의견을 통한 공공데이터 품질관리",
        "lead_en": "Ministry of the Interior and Safety (MOIS)",
        "lead_ko": "행정안전부",
    },
]


def koreanap_commitments() -> list[dict[str, Any]]:
    """The plan's open-data commitments, for the home page.

    :returns: an empty list when ``ckanext.koreanap.home.show_commitments`` is off
    """
    if not config.show_commitments_on_home():
        return []
    return [dict(c) for c in _COMMITMENTS]


def koreanap_plan_url() -> str:
    """The configured link to the plan (``ckanext.koreanap.plan_url``)."""
    return config.plan_url()


def koreanap_commitment_choices(field: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scheming choices for ``commitment``: the plan's commitments (OGP id and title)."""
    from .datapackage import commitments

    rows = commitments() or [{"ogp_id": c["ogp_id"], "title": c["title_en"]}
                             for c in _COMMITMENTS]
    return [{"value": c["ogp_id"], "label": "{} {}".format(c["ogp_id"], c["title"])}
            for c in rows]


def koreanap_licence_choices(field: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scheming choices for ``license_id``: KOGL types with the CC licence each maps to."""
    from .datapackage import LICENCES

    def label(lic: dict[str, str], lang: str) -> str:
        return lic[lang] + (" (≈ {})".format(lic["cc"]) if lic["cc"] else "")

    # keyed by locale as ckanext-scheming looks them up (h.lang(): ko_KR or en)
    return [{"value": lic["id"], "label": {"ko_KR": label(lic, "ko"), "en": label(lic, "en")}}
            for lic in LICENCES]


def koreanap_validation_state(package_id: str) -> dict[str, Any]:
    """``{"status", "resources": {resource_id: row}, "score"}`` for a dataset page.

    Read once per request: a dataset page asks for it once per resource.
    """
    from flask import has_request_context, request

    if not has_request_context():
        return _validation_state(package_id)
    states = request.environ.setdefault("koreanap.validation_states", {})
    if package_id not in states:
        states[package_id] = _validation_state(package_id)
    return states[package_id]


def _validation_state(package_id: str) -> dict[str, Any]:
    from . import model as kmodel

    try:
        rows = kmodel.statuses_of(package_id)
        quality = kmodel.get_quality(package_id)
    except Exception:  # noqa: BLE001 - tables missing (plugin not migrated): show nothing
        return {"status": None, "resources": {}, "score": None}
    return {"status": kmodel.dataset_status(rows), "resources": rows,
            "score": {k: quality[k] for k in ("total", "max", "band")} if quality else None}


_STATUS_LABELS = {
    "pending": (N_("Validation pending"), "secondary"),
    "valid": (N_("Validated"), "success"),
    "invalid": (N_("Failed validation"), "danger"),
    "error": (N_("Validation error"), "warning"),
}


def koreanap_status_label(status: str | None) -> dict[str, str] | None:
    """A validation status's label in the page's language and a Bootstrap colour."""
    import ckan.plugins.toolkit as tk

    if status not in _STATUS_LABELS:
        return None
    text, colour = _STATUS_LABELS[status]
    return {"status": status, "text": tk._(text), "colour": colour}


def koreanap_print_assets(pkg: dict[str, Any],
                          resource_id: str | None = None) -> list[dict[str, Any]]:
    """A dataset's 3D files with what validation measured of each, for its pages.

    A resource is listed when the 3D asset rule measured its file (the
    stored report's ``asset``) or its format is a 3D one (STL, GLB, OBJ,
    PLY), then with ``asset`` None: not checked yet. Nothing is parsed here.

    :param pkg: the dataset dict (with its resources)
    :param resource_id: only this resource (its page)
    :returns: ``[{"resource", "status", "asset", "format", "size", "faces",
        "print_file", "download_url"}]`` in resource order
    """
    import posixpath
    from urllib.parse import urlparse

    import ckan.plugins.toolkit as tk

    from . import model as kmodel
    from .view3d.formats import FORMAT_ALIASES

    try:
        facts = kmodel.asset_facts(pkg["id"])
    except Exception:  # noqa: BLE001 - tables missing (plugin not migrated): none measured
        facts = {}
    found = []
    for res in pkg.get("resources") or []:
        if resource_id and res.get("id") != resource_id:
            continue
        row = facts.get(res.get("id")) or {}
        asset = row.get("asset") if isinstance(row.get("asset"), dict) else None
        filename = posixpath.basename(urlparse(res.get("url") or "").path)
        fmt = (res.get("format") or "").strip().lower() or posixpath.splitext(
            filename)[1].lstrip(".").lower()
        fmt = (asset or {}).get("format") or FORMAT_ALIASES.get(fmt)
        if asset is None and fmt is None:
            continue
        size = (asset or {}).get("size_mm")
        faces = (asset or {}).get("faces")
        if res.get("url_type") == "upload":
            url = tk.h.url_for("resource.download", id=pkg.get("name") or pkg["id"],
                               resource_id=res["id"], filename=filename or None)
        else:
            url = res.get("url")
        kind = (asset or {}).get("kind")
        found.append({
            "resource": res, "status": row.get("status"), "asset": asset,
            "format": (fmt or "").upper(),
            "size": " × ".join("{:.2f}".format(float(v)) for v in size) if size else None,
            "faces": "{:,}".format(faces) if isinstance(faces, int) else None,
            "print_file": bool(asset) and kind in (asset.get("print_kinds") or ()),
            "build_volume": " × ".join("{:g}".format(float(v)) for v in
                                       (asset or {}).get("build_volume_mm") or ()),
            "download_url": url,
        })
    return found
