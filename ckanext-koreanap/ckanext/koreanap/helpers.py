"""Template helpers (registered by the blanket decorator; all names start koreanap_)."""
from __future__ import annotations

from typing import Any

from . import config

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
