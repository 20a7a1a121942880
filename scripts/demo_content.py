"""Publish the demo organizations and dataset records (used by scripts/serve).

The plan's lead agencies become organizations; each gets one demonstration
dataset record that says it holds no data. These records stand in until the
data packages are published through the publishing pipeline. Re-running
changes nothing: each object is shown first, then created or patched only
when it differs.

Usage: KOREANAP_API_TOKEN=... python scripts/demo_content.py [--ckan-url URL]
"""
from __future__ import annotations

import argparse
import os
import sys

import ckanapi

USER_AGENT = "koreanap-demo-content/0.1"
DEMO_NOTE = (
    "시연용 기록입니다. 데이터는 포함되어 있지 않으며, 데이터 패키지가 게시되면 대체됩니다.\n\n"
    "Demonstration record created by `scripts/serve`: it holds no data and is "
    "replaced when the plan's data packages are published."
)

ORGANIZATIONS = [
    {"name": "mfds", "title": "식품의약품안전처 (Ministry of Food and Drug Safety)",
     "description": "Lead agency of commitment KR0043 (harmful substances in foods)."},
    {"name": "cha", "title": "문화재청 (Cultural Heritage Administration)",
     "description": "Lead agency of commitment KR0045 (cultural heritage 3D resources)."},
    {"name": "mois", "title": "행정안전부 (Ministry of the Interior and Safety)",
     "description": "Lead agency of commitments KR0046 and KR0047 (priority data, data quality)."},
]

DATASETS = [
    {"name": "demo-food-contaminants", "owner_org": "mfds",
     "title": ("쌀 중 카드뮴 등 식품 중 유해물질 오염도 (시연용) / "
               "Harmful substances in foods (demo)"),
     "tags": [{"name": "카드뮴"}, {"name": "cadmium"},
              {"name": "식품안전"}, {"name": "food safety"}],
     "license_id": "other-at"},
    {"name": "demo-heritage-3d", "owner_org": "cha",
     "title": "문화유산 3D 스캔·프린팅 자료 (시연용) / Cultural heritage 3D data (demo)",
     "tags": [{"name": "3D"}, {"name": "문화유산"}, {"name": "cultural heritage"}],
     "license_id": "other-at"},
    {"name": "demo-priority-data", "owner_org": "mois",
     "title": "국가중점데이터 목록 (시연용) / The nation's priority data (demo)",
     "tags": [{"name": "국가중점데이터"}, {"name": "priority data"}],
     "license_id": "other-at"},
]


def _differs(current: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "tags":
            if sorted(t["name"] for t in current.get("tags", [])) != sorted(
                    t["name"] for t in value):
                return True
        elif key == "owner_org":
            if (current.get("organization") or {}).get("name") != value:
                return True
        elif current.get(key) != value:
            return True
    return False


def ensure(ckan: ckanapi.RemoteCKAN, kind: str, wanted: dict) -> str:
    show = getattr(ckan.action, kind + "_show")
    try:
        current = show(id=wanted["name"])
    except ckanapi.NotFound:
        getattr(ckan.action, kind + "_create")(**wanted)
        return "created"
    if current.get("state") == "deleted" or _differs(current, wanted):
        getattr(ckan.action, kind + "_patch")(id=current["id"], state="active", **wanted)
        return "updated"
    return "unchanged"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-url", default="http://127.0.0.1:5000")
    args = parser.parse_args()
    token = os.environ.get("KOREANAP_API_TOKEN")
    if not token:
        print("error: set KOREANAP_API_TOKEN to a sysadmin's API token", file=sys.stderr)
        return 2
    try:
        with ckanapi.RemoteCKAN(args.ckan_url, apikey=token, user_agent=USER_AGENT) as ckan:
            for org in ORGANIZATIONS:
                print("organization {}: {}".format(org["name"], ensure(ckan, "organization", org)))
            for dataset in DATASETS:
                wanted = dict(dataset, notes=DEMO_NOTE)
                print("dataset {}: {}".format(dataset["name"], ensure(ckan, "package", wanted)))
    except ckanapi.errors.CKANAPIError as e:
        print("error: the catalogue refused the demo content: {}".format(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
