"""Template helpers (registered by the blanket decorator; all names start koreanap_)."""
from __future__ import annotations

from typing import Any

from . import config
from .languages import N_

# The plan's open-data commitments (OGP ids), shown as cards on the home page. Their
# titles and lead agencies come from the plan's data package, the same words as /commitments.
OPEN_DATA_COMMITMENTS = ("KR0043", "KR0045", "KR0046", "KR0047")


def koreanap_commitments() -> list[dict[str, Any]]:
    """The plan's open-data commitments, for the home page: ``ogp_id``, ``commitment_id``,
    ``title_ko``/``title_en`` and ``lead_ko``/``lead_en`` (Korean is this project's
    translation, the English where there is none) and, for a renamed agency,
    ``lead_now_ko``/``lead_now_en``.

    :returns: an empty list when ``ckanext.koreanap.home.show_commitments`` is off or the
        plan's package cannot be read (logged)
    """
    import logging

    from koreanap_client.planpackage import RENAMED, PlanUnavailable, table

    if not config.show_commitments_on_home():
        return []
    try:
        rows = {row.get("ogp_id"): row
                for row in table("commitments", config.commitments_package())}
    except PlanUnavailable:
        logging.getLogger(__name__).warning("no commitment cards on the home page",
                                            exc_info=True)
        return []
    cards = []
    for ogp_id in OPEN_DATA_COMMITMENTS:
        row = rows.get(ogp_id)
        if not row:
            continue
        lead_en, title_en = row.get("lead_agency") or "", row.get("title") or ""
        lead_ko = row.get("lead_agency_ko") or lead_en
        card = {"ogp_id": ogp_id, "commitment_id": row.get("commitment_id") or "",
                "title_en": title_en, "title_ko": row.get("title_ko") or title_en,
                "lead_en": lead_en, "lead_ko": lead_ko}
        if lead_en in RENAMED or lead_ko in RENAMED:
            card.update(lead_now_en=RENAMED.get(lead_en, lead_en),
                        lead_now_ko=RENAMED.get(lead_ko, lead_ko))
        cards.append(card)
    return cards


def koreanap_plan_url() -> str:
    """The configured link to the plan (``ckanext.koreanap.plan_url``)."""
    return config.plan_url()


def koreanap_commitment_choices(field: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scheming choices for ``commitment``: the plan's commitments, each labelled by its OGP
    id and title in the page's language (Korean: this project's translation, where there is
    one); none when the plan's package cannot be read."""
    from koreanap_client.datapackage import commitments

    return [{"value": c["ogp_id"],
             "label": {"ko_KR": "{} {}".format(c["ogp_id"], c.get("title_ko") or c["title"]),
                       "en": "{} {}".format(c["ogp_id"], c["title"])}}
            for c in commitments(config.commitments_package())]


def koreanap_licence_choices(field: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scheming choices for ``license_id``: KOGL types with the CC licence each maps to."""
    from koreanap_client.datapackage import LICENCES

    def label(lic: dict[str, str], lang: str) -> str:
        return lic[lang] + (" (≈ {})".format(lic["cc"]) if lic["cc"] else "")

    # keyed by locale as ckanext-scheming looks them up (h.lang(): ko_KR or en)
    return [{"value": lic["id"], "label": {"ko_KR": label(lic, "ko"), "en": label(lic, "en")}}
            for lic in LICENCES]


def koreanap_theme_choices(field: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Scheming choices of the ``theme`` field: the EU data themes (Korean and English
    names) from ``validation/koreanap_validation/metadata/vocabularies/data-themes.ttl``."""
    from koreanap_validation.metadata.dcat import theme_choices

    return [{"value": c["value"], "label": {"ko_KR": c["ko"], "en": c["en"]}}
            for c in theme_choices()]


# Names of the score's dimensions and indicators (koreanap_validation.metadata.score).
_SCORE_LABELS = {
    "findability": N_("Findability"), "accessibility": N_("Accessibility"),
    "interoperability": N_("Interoperability"), "reusability": N_("Reusability"),
    "contextuality": N_("Contextuality"),
    "keywords": N_("Keywords"), "themes": N_("Themes"), "spatial": N_("Spatial coverage"),
    "temporal": N_("Temporal coverage"), "access_url_status": N_("Access URL answers"),
    "download_url": N_("Download URL given"), "download_url_status": N_("Download URL answers"),
    "format": N_("Format"), "media_type": N_("Media type"),
    "format_media_type_vocabulary": N_("Format or media type from a vocabulary"),
    "non_proprietary": N_("Non-proprietary format"),
    "machine_readable": N_("Machine-readable format"),
    "dcat_ap_compliance": N_("DCAT-AP compliance"), "licence": N_("Licence"),
    "licence_vocabulary": N_("Licence from a vocabulary"), "access_rights": N_("Access rights"),
    "access_rights_vocabulary": N_("Access rights from a vocabulary"),
    "contact_point": N_("Contact point"), "publisher": N_("Publisher"), "rights": N_("Rights"),
    "byte_size": N_("File size"), "issued": N_("Date issued"), "modified": N_("Date modified"),
    # the score's bands (MQA's), as the glossary names them
    "excellent": N_("excellent"), "good": N_("good"), "sufficient": N_("sufficient"),
    "poor": N_("poor"), "bad": N_("poor"),  # the score calls its lowest band "bad"
}


def koreanap_score_label(ident: str) -> str:
    """A score dimension's, indicator's or band's name in the page's language."""
    import ckan.plugins.toolkit as tk

    return tk._(_SCORE_LABELS[ident]) if ident in _SCORE_LABELS else ident


# data.go.kr's file-data fields in the order that portal shows them (파일데이터명
# and 설명 are the page's title and text, 키워드 its tags; 제공기관, 매체유형,
# 전체 행, 확장자 and 등록일 are shown elsewhere on the page).
PORTAL_FIELDS = ("theme", "classification", "lead_division", "division_phone", "legal_basis",
                 "collection_method", "update_cycle", "next_update_date", "data_limitations",
                 "spatial_coverage", "temporal_start", "temporal_end", "fee", "license_id",
                 "national_priority", "standard_data")


def koreanap_portal_fields() -> tuple[str, ...]:
    """The dataset fields shown as data.go.kr shows them, in its order."""
    return PORTAL_FIELDS


def _shown(action: str, package_id: str) -> Any:
    """What a show action gives the page's visitor about a dataset, or None when it
    refuses or fails (the page then shows nothing of it, as before any validation)."""
    import logging

    import ckan.plugins.toolkit as tk
    from flask import has_request_context

    from . import visitor

    context = visitor.context() if has_request_context() else {"user": ""}
    try:
        return tk.get_action(action)(context, {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    except Exception:  # noqa: BLE001 - tables missing (plugin not migrated): show nothing
        logging.getLogger(__name__).debug("%s of %s not read", action, package_id,
                                          exc_info=True)
        return None


def koreanap_link_state(package_id: str) -> dict[str, Any]:
    """``{"checked", "ok", "total", "last"}`` of a dataset's last link check (for its page):
    how many URLs answered of how many, and when it last ran (None before any check)."""
    import datetime

    rows = _shown("koreanap_link_check_show", package_id)
    if rows is None:
        return {"checked": False, "ok": 0, "total": 0, "last": None}
    last = max((datetime.datetime.fromisoformat(r["checked"]) for r in rows
                if r.get("checked")), default=None)
    return {"checked": bool(rows), "ok": sum(1 for r in rows if r["ok"]), "total": len(rows),
            "last": last.strftime("%Y-%m-%d %H:%M UTC") if last else None}


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
    found = _shown("koreanap_dataset_status_show", package_id)
    if found is None:
        return {"status": None, "resources": {}, "score": None}
    return {"status": found["status"], "resources": found["resources"],
            "score": found["score"]}


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

    from .view3d.formats import FORMAT_ALIASES

    facts = _shown("koreanap_dataset_assets_show", pkg["id"]) or {}
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


# Honesty: how official a dataset's or resource's data is (schemas/dataset.yaml
# ``data_status``; datapackage.DATA_STATUSES) and how the banner says it.
_DATA_STATUS_LABELS = {
    "official": (N_("Official data"),
                 N_("Published by the agency that holds the data."), "success"),
    "transcription": (N_("Transcription"),
                      N_("Copied or compiled by this catalogue from the sources it names; "
                         "not published by the agency itself. Where a table has a "
                         "verified column, a row marked N is not an official figure."),
                      "info"),
    "sample": (N_("Generated sample, not official data"),
               N_("Generated by this catalogue to show the shape of the data; no value "
                  "in it was measured or published by an agency. Do not draw conclusions "
                  "from it."), "warning"),
}
_NO_DATA_STATUS = (N_("Status not stated"),
                   N_("The publisher has not said whether this is official data, a "
                      "transcription or a generated sample."), "secondary")


def koreanap_data_status(status: str | None) -> dict[str, str]:
    """The banner of a data status: ``value``, ``label``, ``text`` (page's language), ``colour``.

    :param status: ``official``, ``transcription``, ``sample``, or None (not stated)
    """
    import ckan.plugins.toolkit as tk

    label, text, colour = _DATA_STATUS_LABELS.get(status or "", _NO_DATA_STATUS)
    return {"value": status if status in _DATA_STATUS_LABELS else "",
            "label": tk._(label), "text": tk._(text), "colour": colour}


def koreanap_resource_data_status(pkg: dict[str, Any], res: dict[str, Any]) -> str | None:
    """A resource's data status: its own, else its dataset's."""
    from koreanap_client.datapackage import resource_data_status

    return resource_data_status(res or {}, pkg or {})


def koreanap_data_status_parts(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's resources grouped by data status, least official first.

    :returns: ``[{"status", "label", "resources": [resource dicts]}]``, empty
        when every resource has the dataset's own status
    """
    from koreanap_client.datapackage import DATA_STATUSES

    groups: dict[str, list[dict[str, Any]]] = {}
    for res in pkg.get("resources") or []:
        status = koreanap_resource_data_status(pkg, res) or ""
        groups.setdefault(status, []).append(res)
    if set(groups) <= {pkg.get("data_status") or ""}:
        return []
    order = {s: n for n, s in enumerate(DATA_STATUSES)}
    return [{"status": s, "label": koreanap_data_status(s or None)["label"], "resources": r}
            for s, r in sorted(groups.items(), key=lambda i: order.get(i[0], -1))]


def koreanap_lead_agency(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The commitment's lead agency of a dataset, in the page's language, with a link.

    :returns: ``{"name", "url"}`` (the organization the dataset is filed
        under when it is that agency, else the commitment's page) or None
    """
    import ckan.plugins.toolkit as tk

    from .languages import is_english

    korean, english = pkg.get("lead_agency"), pkg.get("lead_agency_en")
    in_english = is_english()
    name = (english or korean) if in_english else (korean or english)
    if not name:
        return None
    org = pkg.get("organization") or {}
    url = None
    if org.get("name") and any(n and n in (org.get("title") or "") for n in (korean, english)):
        url = tk.h.url_for("organization.read", id=org["name"])
    elif pkg.get("commitment") and "koreanap_commitments.read" in _endpoints():
        url = tk.h.url_for("koreanap_commitments.read", commitment_id=pkg["commitment"])
    division = pkg.get("lead_division")
    return {"name": name, "url": url, "division": division,
            "division_ko": None if in_english else _division_in_korean(pkg, division)}


def _division_in_korean(pkg: dict[str, Any], division: str | None) -> str | None:
    """The Korean name of the dataset's lead division where the plan package's commitment
    names the same division and this project's translation gives its Korean name."""
    from koreanap_client import datapackage

    if not division or not pkg.get("commitment"):
        return None
    row = datapackage.commitment(str(pkg["commitment"]), config.commitments_package())
    if row and row.get("lead_division") == division:
        return row.get("lead_division_ko") or None
    return None


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


def koreanap_plan_data_status() -> str | None:
    """The data status of the plan's data package the commitment tracker reads."""
    from koreanap_client import planpackage

    try:
        return planpackage.descriptor(config.commitments_package()).get("koreanap:dataStatus")
    except planpackage.PlanUnavailable:
        return None


# Error pages (templates/error_document_template.html): a heading and a hint per
# status in the page's language. CKAN passes werkzeug's English description as
# the content; a message CKAN itself wrote (e.g. "Dataset not found ...") is kept.
_ERROR_PAGES = {
    400: (N_("The request could not be read"),
          N_("Something in the address or the form is not in a form the site understands.")),
    403: (N_("You may not see this page"),
          N_("The page exists, but your account has no access to it.")),
    404: (N_("Page not found"),
          N_("If you typed the address, check its spelling. A dataset may also have been "
             "made private or deleted.")),
    429: (N_("Too many requests"),
          N_("Please wait a moment and try again.")),
    500: (N_("Something went wrong on our side"),
          N_("Nothing you did caused this. Please try again in a moment.")),
}


def koreanap_error_page(code: Any, content: Any = None) -> dict[str, Any]:
    """``{"code", "title", "text", "detail"}`` of an error page, in the page's language.

    :param code: the HTTP status (CKAN passes ``[500]`` for an internal error)
    :param content: the error's description; dropped when it is werkzeug's stock text
    """
    import ckan.plugins.toolkit as tk
    from werkzeug.exceptions import default_exceptions

    if isinstance(code, (list, tuple)):
        code = code[0] if code else 500
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = 500
    title, text = _ERROR_PAGES.get(code, (None, None))
    stock = default_exceptions.get(code)
    detail = str(content or "").strip()
    if not detail or (stock is not None and detail == stock.description) or code == 500:
        detail = ""
    return {"code": code,
            "title": tk._(title) if title else tk._("Error %(error_code)s") % {"error_code": code},
            "text": tk._(text) if text else "",
            "detail": tk._(detail) if detail else ""}


# The home page: key figures, the open-data commitments as cards, newest datasets.

def koreanap_catalogue_figures() -> dict[str, Any]:
    """``koreanap_catalogue_figures`` (public datasets only), or ``{}`` when it fails:
    the home page then leaves its figures out rather than failing."""
    import logging

    import ckan.plugins.toolkit as tk

    try:
        return tk.get_action("koreanap_catalogue_figures")({}, {})
    except Exception:  # noqa: BLE001 - e.g. tables not migrated: no figures, page still shows
        logging.getLogger(__name__).warning("no catalogue figures for the home page",
                                            exc_info=True)
        return {}


def koreanap_lead_agency_name(commitment: dict[str, Any]) -> str:
    """A commitment's lead agency in the page's language, by its current name with the
    plan-era name where the agency was renamed (국가유산청(당시 문화재청))."""
    import ckan.plugins.toolkit as tk

    from .languages import koreanap_localized

    then = koreanap_localized(commitment, "lead")
    now = koreanap_localized(commitment, "lead_now")
    if not now or now == then:
        return then
    return tk._("{now}, formerly {then}").format(now=now, then=then)


def koreanap_home_commitments() -> list[dict[str, Any]]:
    """The plan's open-data commitments as home-page cards: each commitment with
    ``datasets`` (public datasets), ``last_update``, ``validation`` and ``data_status``
    (datasets per state)."""
    import ckan.plugins.toolkit as tk

    cards = []
    for commitment in koreanap_commitments():
        search = tk.get_action("package_search")({}, {
            "fq": 'commitment:"{}"'.format(commitment["ogp_id"]), "rows": 1,
            "sort": "metadata_modified desc", "include_private": False,
            "facet.field": '["validation_status", "data_status"]', "facet.limit": -1})
        facets = search.get("search_facets", {})
        newest = search["results"][0] if search["results"] else None
        cards.append({**commitment, "datasets": search["count"],
                      "last_update": newest["metadata_modified"] if newest else None,
                      "validation": {i["name"]: i["count"] for i in
                                     facets.get("validation_status", {}).get("items", [])},
                      "data_status": [i["name"] for i in
                                      facets.get("data_status", {}).get("items", [])]})
    return cards


def koreanap_newest_datasets(limit: int = 4) -> list[dict[str, Any]]:
    """The newest public datasets, newest first."""
    import ckan.plugins.toolkit as tk

    return tk.get_action("package_search")({}, {
        "rows": limit, "sort": "metadata_created desc", "include_private": False})["results"]


def koreanap_rule_text(rule: dict[str, Any]) -> str:
    """A validation rule (``koreanap:rules`` form) stated in the page's language: the
    validation package's sentences (``PHRASES``), translated."""
    import ckan.plugins.toolkit as tk

    from koreanap_validation import rules as vocabulary

    return vocabulary.describe(rule, {key: tk._(sentence)
                                      for key, sentence in vocabulary.PHRASES.items()})
