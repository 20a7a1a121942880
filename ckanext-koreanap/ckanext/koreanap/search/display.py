"""Say on /dataset which content of a result matched the query
("matched in table 유해물질: 카드뮴"), when its metadata does not say it."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import request

from .. import content, visitor
from . import text


def _metadata_text(package: dict[str, Any]) -> str:
    """The dataset's own words: its top-level texts, tags and resource names."""
    parts = [v for v in package.values() if isinstance(v, str)]
    parts += [t.get("name", "") for t in package.get("tags") or [] if isinstance(t, dict)]
    for resource in package.get("resources") or []:
        if isinstance(resource, dict):
            parts += [str(resource.get(k) or "") for k in ("name", "description")]
    org = package.get("organization")
    if isinstance(org, dict):
        parts.append(str(org.get("title") or ""))
    return "\n".join(parts)


def _table_label(label: str, lang: str) -> str:
    """"Substances / 유해물질" in the page's language."""
    parts = [p.strip() for p in label.split(" / ") if p.strip()]
    if len(parts) < 2:
        return label
    korean = [p for p in parts if text.HANGUL_RUN.search(p)]
    other = [p for p in parts if not text.HANGUL_RUN.search(p)]
    if lang.startswith("ko"):
        return korean[0] if korean else label
    return other[0] if other else label


def content_matches(package: dict[str, Any], q: str | None = None) -> list[dict[str, str]]:
    """Template helper: up to three ``{"table", "text"}`` content entries of
    ``package`` that match the page's query where its metadata does not."""
    if q is None:
        try:
            q = request.args.get("q", "")
        except RuntimeError:  # outside a request
            q = ""
    terms = content.query_terms(q or "")
    if not terms or not isinstance(package, dict) or not package.get("id"):
        return []
    try:
        entries = tk.get_action("koreanap_search_content_show")(
            visitor.context(), {"id": package["id"]})["entries"]
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []
    if not entries:
        return []
    from ckan.lib.i18n import get_lang

    lang = str(get_lang() or "ko")
    found = content.content_matches(entries, _metadata_text(package), terms,
                                    text.synonyms_of)
    return [{"table": _table_label(table, lang), "text": value} for table, value in found]
