"""Korean and English: the message catalogs and bilingual dataset fields.

The catalogs of every koreanap plugin are one gettext domain,
``ckanext-koreanap``, in ``i18n/`` next to this module: the template
``ckanext-koreanap.pot`` and ``<locale>/LC_MESSAGES/ckanext-koreanap.po``
for ``ko_KR`` and ``en`` (msgids are English). The ``.mo`` files are
compiled by the set-up scripts (``scripts/lib.sh`` ``ensure_catalogs``), not
kept in git.

Bilingual fields are pairs such as ``title`` / ``title_en`` and ``notes`` /
``notes_en``: the plain name holds the Korean text, ``_en`` the English.
"""
from __future__ import annotations

import functools
import os
import re
from typing import Any

import ckan.plugins.toolkit as tk

DOMAIN = "ckanext-koreanap"
CATALOG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")


def N_(message: str) -> str:
    """Marks a message for the catalogs (babel's ``N_`` keyword) where it is
    defined; it is translated with ``tk._`` where it is shown."""
    return message


@functools.lru_cache(maxsize=1)
def _korean_catalog() -> Any:
    from babel.support import Translations

    return Translations.load(CATALOG_DIR, ["ko_KR"], DOMAIN)


def in_korean(message: str) -> str:
    """``message`` (an msgid of the catalogs) in Korean, whatever the request's language
    and also outside a request: for API results that give a text in both languages."""
    return _korean_catalog().gettext(message)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _get(data: Any, key: str) -> Any:
    if isinstance(data, dict):
        if key in data:
            return data[key]
        # without the scheming schema the English fields are extras
        for extra in data.get("extras") or ():
            if isinstance(extra, dict) and extra.get("key") == key:
                return extra.get("value")
        return None
    return getattr(data, key, None)


def is_english(lang: str | None = None) -> bool:
    """Whether the page's language (or ``lang``) is English."""
    if lang is None:
        try:
            lang = tk.h.lang()
        except (RuntimeError, TypeError):  # no request: the configured default
            lang = tk.config.get("ckan.locale_default")
    return (lang or "").lower().startswith("en")


def koreanap_localized(data_dict: Any, field: str, lang: str | None = None) -> str:
    """A bilingual field in the page's language, the other language when that one is empty.

    ``koreanap_localized(pkg, "title")`` is ``pkg["title_en"]`` on an English
    page when it is set, else ``pkg["title"]``; on a Korean page ``title``
    (or ``title_ko`` where the Korean has its own key), else ``title_en``.
    A title equal to the dataset's URL name counts as empty (CKAN and the
    scheming ``title`` preset copy the name into an empty title).

    :param data_dict: a dict (a dataset, a resource, …) or an object with
        those attributes; None gives ""
    :param field: the field's plain name, e.g. ``title`` or ``notes``
    :param lang: a locale such as ``en`` or ``ko_KR`` (default: the page's)
    :returns: the text, or "" when neither language has any
    """
    if not data_dict:
        return ""
    korean = _text(_get(data_dict, field + "_ko")) or _text(_get(data_dict, field))
    if field == "title" and korean == _text(_get(data_dict, "name")):
        korean = ""  # CKAN fills an empty title with the URL name: no Korean title
    english = _text(_get(data_dict, field + "_en"))
    if is_english(lang):
        return english or korean
    return korean or english


def _bilingual(data_dict: Any, field: str) -> bool:
    return bool(data_dict) and any(
        _get(data_dict, field + suffix) is not None for suffix in ("_en", "_ko"))


@tk.chained_helper
def dataset_display_name(next_helper: Any, package_or_package_dict: Any) -> str:
    """CKAN's ``h.dataset_display_name`` in the page's language.

    Core templates name a dataset through this helper (page heading, page
    title, breadcrumb, sidebar, resource pages), so chaining it localises them
    all without copying their blocks.
    """
    return (koreanap_localized(package_or_package_dict, "title")
            or next_helper(package_or_package_dict))


def organization_title(organization: Any, lang: str | None = None) -> str | None:
    """The name of one of the catalogue's own publishers (the project, the plan's lead
    agencies) in the page's language alone, or None for any other organization."""
    from koreanap_client.datapackage import ORGANIZATION_NAMES

    names = ORGANIZATION_NAMES.get(_text(_get(organization, "name")))
    if names is None:
        return None
    return names["en"] if is_english(lang) else names["ko"]


@tk.chained_helper
def get_translated(next_helper: Any, data_dict: Any, field: str) -> Any:
    """CKAN's ``h.get_translated`` (its hook for translated fields) for our
    bilingual pairs: ``notes`` / ``notes_en`` etc. in the page's language, and the
    catalogue's own publishers' titles (a dataset page's breadcrumb); any other field
    as CKAN has it."""
    if field == "title" and (_get(data_dict, "is_organization")
                             or _get(data_dict, "type") == "organization"):
        return organization_title(data_dict) or next_helper(data_dict, field)
    if _bilingual(data_dict, field):
        return koreanap_localized(data_dict, field) or next_helper(data_dict, field)
    return next_helper(data_dict, field)


_HANGUL = re.compile("[\uac00-\ud7a3]")


def koreanap_bilingual_pair(text: str | None, lang: str | None = None) -> str:
    """``"English / 한국어"`` (or the reverse) with the page's language first.

    Names written as one string with both languages (resource names from data
    packages, e.g. ``Substances / 유해물질``) read ``유해물질 / Substances`` on a
    Korean page. Text that is not such a pair is returned as it is.
    """
    text = text or ""
    left, separator, right = text.partition(" / ")
    if not separator or " / " in right:
        return text
    left_korean, right_korean = bool(_HANGUL.search(left)), bool(_HANGUL.search(right))
    if left_korean == right_korean:
        return text
    korean, english = (left, right) if left_korean else (right, left)
    return f"{english} / {korean}" if is_english(lang) else f"{korean} / {english}"


def koreanap_site_title(lang: str | None = None) -> str:
    """The site's title in the page's language.

    ``ckan.site_title`` is one string; written as ``한국어 제목 / English title``
    (as the set-up scripts and the Dockerfile write it), a page shows the half in
    its language. Any other title is shown as it is.
    """
    title = (tk.config.get("ckan.site_title") or "").strip()
    korean, separator, english = title.partition(" / ")
    if not separator or not korean.strip() or not english.strip():
        return title
    return english.strip() if is_english(lang) else korean.strip()


@tk.chained_helper
def format_resource_items(next_helper: Any, items: Any) -> Any:
    """CKAN's "additional information" rows of a resource, without ``description_en``:
    the resource page shows the description above the table in the page's language."""
    return next_helper([(key, value) for key, value in items if key != "description_en"])


def get_helpers() -> dict[str, Any]:
    """The template helpers of this module (registered by the ``koreanap`` plugin):
    ``koreanap_localized``, ``koreanap_site_title``, ``koreanap_bilingual_pair`` and CKAN's
    two dataset-text helpers chained to ``koreanap_localized``, and its resource rows
    helper without the English description."""
    return {
        "koreanap_localized": koreanap_localized,
        "koreanap_site_title": koreanap_site_title,
        "koreanap_bilingual_pair": koreanap_bilingual_pair,
        "dataset_display_name": dataset_display_name,
        "get_translated": get_translated,
        "format_resource_items": format_resource_items,
    }
