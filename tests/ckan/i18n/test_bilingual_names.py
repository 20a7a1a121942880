"""A resource named "English / 한국어" reads in the page's language first."""
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _headings(body):
    soup = BeautifulSoup(body, "html.parser")
    return [" ".join(a.find(string=True, recursive=False).split())
            for a in soup.select(".resource-item a.heading")]


def test_resource_names_put_the_page_language_first(app):
    """'Substances / 유해물질' shows as '유해물질 / Substances' on the Korean page and as it is
    in English; a one-language name is unchanged, and the link's name is its own text."""
    dataset = factories.Dataset(owner_org=factories.Organization()["id"], name="rice",
                                resources=[{"url": "http://example.org/a.csv",
                                            "name": "Substances / 유해물질", "format": "CSV"},
                                           {"url": "http://example.org/b.csv",
                                            "name": "조사 결과"}])
    body = app.get("/dataset/rice", status=200).body
    assert _headings(body) == ["유해물질 / Substances", "조사 결과"]
    assert _headings(app.get("/en/dataset/rice", status=200).body) == [
        "Substances / 유해물질", "조사 결과"]
    links = BeautifulSoup(body, "html.parser").select(".resource-item a.heading")
    assert not any(link.has_attr("aria-label") for link in links)
    assert dataset["resources"][0]["name"] == "Substances / 유해물질"  # stored as given


def test_the_data_status_banner_names_resources_in_the_page_language_first(app):
    """The banner's list of which resources are samples and which transcriptions puts the
    page's language first too (it listed 'Survey results / 조사 결과' on Korean pages)."""
    factories.Dataset(owner_org=factories.Organization()["id"], name="mixed",
                      data_status="transcription",
                      resources=[{"url": "http://example.org/a.csv", "data_status": "sample",
                                  "name": "Survey results / 조사 결과", "format": "CSV"},
                                 {"url": "http://example.org/b.csv",
                                  "data_status": "transcription",
                                  "name": "Substances / 유해물질", "format": "CSV"}])

    def parts(body):
        soup = BeautifulSoup(body, "html.parser")
        return [" ".join(li.get_text(" ").split())
                for li in soup.select(".koreanap-data-status-parts li")]

    korean = parts(app.get("/dataset/mixed", status=200).body)
    english = parts(app.get("/en/dataset/mixed", status=200).body)
    assert len(korean) == len(english) == 2
    assert korean[0].endswith(": 조사 결과 / Survey results"), korean
    assert korean[1].endswith(": 유해물질 / Substances"), korean
    assert english[0].endswith(": Survey results / 조사 결과"), english


def test_the_lead_division_reads_in_the_pages_language(app):
    """The dataset page names its commitment's lead division in Korean on Korean pages,
    from this project's translation in the plan package, and as the plan prints it on
    English ones; a division the plan does not name for that commitment stays as given."""
    import csv
    import pathlib

    from markupsafe import escape

    plan = pathlib.Path(__file__).resolve().parents[3] / "datapackages" / \
        "ogp-nap4-commitments" / "data" / "commitments.csv"
    with plan.open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["ogp_id"] == "KR0043")
    org = factories.Organization()["id"]
    factories.Dataset(owner_org=org, name="survey", commitment="KR0043",
                      lead_agency="식품의약품안전처", lead_division=row["lead_division"])
    factories.Dataset(owner_org=org, name="other", commitment="KR0043",
                      lead_agency="식품의약품안전처", lead_division="Some Other Division")
    korean = app.get("/dataset/survey", status=200).body
    english = app.get("/en/dataset/survey", status=200).body
    assert f'<span lang="ko">{escape(row["lead_division_ko"])}</span>' in korean
    assert f' · {escape(row["lead_division"])}' not in korean
    assert f' · {escape(row["lead_division"])}' in english
    assert " · Some Other Division" in app.get("/dataset/other", status=200).body
