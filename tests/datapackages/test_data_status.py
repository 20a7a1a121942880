"""Every package says, for itself and each resource, whether it is official, a
transcription or a generated sample, and who truly publishes it."""
from __future__ import annotations

import json

import pytest

from .packages import ROOT

PACKAGES = sorted(p.parent.name for p in (ROOT / "datapackages").glob("*/datapackage.json"))
STATUSES = ("sample", "transcription", "official")  # least official first
GENERATED = ("ILLUSTRATIVE SAMPLE", "illustrative models generated", "illustrative sample",
             "One row per 3D file")
LEADS = {"food-contaminants": "식품의약품안전처", "cultural-heritage-3d": "문화재청",
         "priority-datasets": "행정안전부", "ogp-nap4-commitments": "행정안전부"}


def _descriptor(slug):
    return json.loads((ROOT / "datapackages" / slug / "datapackage.json").read_text("utf-8"))


def _status(resource, descriptor):
    return resource.get("koreanap:dataStatus") or descriptor["koreanap:dataStatus"]


@pytest.mark.parametrize("slug", PACKAGES)
def test_package_and_every_resource_have_a_status(slug):
    """The package's status is one of the three and the least official of its resources'."""
    descriptor = _descriptor(slug)
    statuses = [_status(r, descriptor) for r in descriptor["resources"]]
    assert set(statuses) <= set(STATUSES)
    assert descriptor["koreanap:dataStatus"] == min(statuses, key=STATUSES.index)


@pytest.mark.parametrize("slug", PACKAGES)
def test_generated_resources_are_samples(slug):
    """A resource whose description says it is generated has the status sample; no
    package claims official data (none was published by an agency)."""
    descriptor = _descriptor(slug)
    for resource in descriptor["resources"]:
        if any(word in (resource.get("description") or "") for word in GENERATED):
            assert _status(resource, descriptor) == "sample", resource["name"]
        assert _status(resource, descriptor) != "official"


@pytest.mark.parametrize("slug", PACKAGES)
def test_publisher_is_the_project_and_the_agency_leads(slug):
    """The project publishes; the commitment's agency is the lead agency, not the publisher;
    a licence the project grants is not KOGL (declared by public bodies)."""
    descriptor = _descriptor(slug)
    assert descriptor["koreanap:publisher"]["name"]["en"] == "ckanext-koreanap project"
    assert descriptor["koreanap:leadAgency"]["name"]["ko"] == LEADS[slug]
    assert not any(lic["name"].startswith("KOGL") for lic in descriptor["licenses"])


def test_food_title_says_sample():
    """The food dataset's title says, in both languages, that it is a sample."""
    descriptor = _descriptor("food-contaminants")
    assert "예시 자료" in descriptor["title_ko"]
    assert "illustrative sample" in descriptor["title_en"]
    assert descriptor["title"] == "{} / {}".format(descriptor["title_ko"],
                                                   descriptor["title_en"])


def test_readme_says_what_is_published_and_what_is_sample():
    """datapackages/README.md no longer says nothing is published, and names the samples."""
    text = (ROOT / "datapackages" / "README.md").read_text(encoding="utf-8")
    assert "not yet published" not in text
    assert "koreanap:dataStatus" in text and "sample" in text
