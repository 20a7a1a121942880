"""The commitment tracker lists the plan's commitments and milestones from its data package."""
import csv
from pathlib import Path

import pytest
from markupsafe import escape

PACKAGE = Path(__file__).resolve().parents[3] / "datapackages" / "ogp-nap4-commitments"


def rows(name):
    with (PACKAGE / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


COMMITMENTS = rows("commitments")
MILESTONES = rows("milestones")


@pytest.mark.usefixtures("clean_db")
def test_list_shows_every_commitment(app):
    """/commitments lists each commitment of the plan, linked to its page, titled in the
    page's language: this project's translation on the Korean page, the plan's words on
    the English one."""
    body = app.get("/commitments").body
    english = app.get("/en/commitments").body
    assert body.count('class="koreanap-commitment-row"') == len(COMMITMENTS) == 13
    assert "koreanap-translation-note" in body and "koreanap-translation-note" not in english
    for row in COMMITMENTS:
        assert f'href="/commitments/{row["commitment_id"]}"' in body
        assert f'lang="ko">{escape(row["title_ko"])}</a>' in body
        assert str(escape(row["title"])) not in body
        assert f'lang="en">{escape(row["title"])}</a>' in english


@pytest.mark.usefixtures("clean_db")
def test_filter_by_agency_and_value(app):
    """The agency and OGP-value filters keep exactly the commitments that match."""
    agency = COMMITMENTS[0]["lead_agency"]
    body = app.get("/commitments", params={"agency": agency}).body
    expected = [r for r in COMMITMENTS if r["lead_agency"] == agency]
    assert body.count('class="koreanap-commitment-row"') == len(expected)
    value = "Citizen Participation"
    body = app.get("/commitments", params={"value": value}).body
    expected = [r for r in COMMITMENTS
                if value in [v.strip() for v in r["ogp_values"].split(";")]]
    assert expected, "the plan has commitments with this value"
    assert body.count('class="koreanap-commitment-row"') == len(expected)


@pytest.mark.usefixtures("clean_db")
def test_ogp_values_read_in_the_pages_language(app):
    """The OGP values column, a commitment's page and the value filter show this project's
    Korean on Korean pages and the plan's English on English ones; the filter's value stays
    the plan's English, so a link works in both languages."""
    row = next(r for r in COMMITMENTS if r["ogp_id"] == "KR0036")
    korean = ", ".join(v.strip() for v in row["ogp_values_ko"].split(";"))
    plan = ", ".join(v.strip() for v in row["ogp_values"].split(";"))
    body = app.get("/commitments").body
    english = app.get("/en/commitments").body
    assert f'<td lang="ko">{escape(korean)}</td>' in body and escape(plan) not in body
    assert f'<td lang="en">{escape(plan)}</td>' in english
    assert '<option value="Citizen Participation" >시민 참여</option>' in body
    assert '<option value="Citizen Participation" >Citizen Participation</option>' in english
    page = app.get(f"/commitments/{row['commitment_id']}").body
    assert f'<dd class="col-sm-9" lang="ko">{escape(korean)}</dd>' in page
    filtered = app.get("/commitments", params={"value": "Citizen Participation"}).body
    assert filtered.count('class="koreanap-commitment-row"') == sum(
        "Citizen Participation" in r["ogp_values"] for r in COMMITMENTS)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("params", [{"agency": "No such ministry"},
                                    {"value": "<script>alert(1)</script>"}])
def test_unknown_filter_is_a_clear_400(app, params):
    """A filter value outside the plan's lists answers 400 naming it, escaped."""
    response = app.get("/commitments", params=params, status=400)
    assert "<script>alert(1)</script>" not in response.body
    assert "알 수 없는" in response.body
    assert "Unknown" in app.get("/en/commitments", params=params, status=400).body


@pytest.mark.usefixtures("clean_db", "clean_index")  # the index too: "nothing published"
@pytest.mark.parametrize("key", ["commitment_id", "ogp_id"])
def test_commitment_page_shows_its_milestones(app, key):
    """A commitment's page (by plan id or OGP id) lists its milestones in order, in the
    page's language."""
    row = next(r for r in COMMITMENTS if r["ogp_id"] == "KR0043")
    body = app.get(f"/commitments/{row[key]}").body
    own = [m for m in MILESTONES if m["commitment_id"] == row["commitment_id"]]
    assert own, "KR0043 has milestones in the plan"
    table = body.split('class="table koreanap-milestones"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == len(own) + 1  # header row + one per milestone
    positions = [table.index(str(escape(m["activity_ko"]))) for m in own]
    assert positions == sorted(positions)
    assert "koreanap-translation-note" in body
    assert "koreanap-no-datasets" in body  # nothing published in an empty catalogue
    english = app.get(f"/en/commitments/{row[key]}").body
    table = english.split('class="table koreanap-milestones"', 1)[1].split("</table>", 1)[0]
    positions = [table.index(str(escape(m["activity"]))) for m in own]
    assert positions == sorted(positions) and "koreanap-translation-note" not in english


@pytest.mark.usefixtures("clean_db")
def test_unknown_commitment_is_404(app):
    """A commitment that is not in the plan answers 404."""
    app.get("/commitments/nap4-99", status=404)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.koreanap.commitments.package", "/nonexistent/plan")
def test_missing_plan_package_is_explained(app):
    """Without the plan's package the list says so (no traceback) and a page answers 503."""
    body = app.get("/commitments").body
    assert "koreanap-plan-unavailable" in body and "/nonexistent/plan" in body
    app.get("/commitments/nap4-01", status=503)


@pytest.mark.parametrize("path", ["/commitments", "/commitments/KR0043"])
def test_tracker_says_the_plan_is_a_transcription(app, path):
    """The list and a commitment's page show the plan's data status as a banner."""
    body = app.get(path).body
    assert 'class="alert alert-info koreanap-data-status"' in body
    assert 'data-koreanap-data-status="transcription"' in body


@pytest.fixture
def translated_plan(tmp_path, ckan_config, monkeypatch):
    """A copy of the plan's package where only KR0045 (nap4-10) has this project's Korean
    title and agency, and only its milestone 8 a Korean activity: every other translation
    cell is emptied."""
    import shutil

    target = tmp_path / "plan"
    shutil.copytree(PACKAGE, target)
    korean = {"title_ko": "민간 분야 신산업을 위한 문화유산 자원 공개",
              "lead_agency_ko": "문화재청"}
    for name, extra, wanted in (
            ("commitments", korean, lambda row: row["ogp_id"] == "KR0045"),
            ("milestones", {"activity_ko": "2020년 문화유산 3D 데이터베이스 구축 - 3D 프린팅 "
                                           "데이터 50건을 포함해 누적 공공데이터 2,000건 공개"},
             lambda row: (row["commitment_id"], row["sequence"]) == ("nap4-10", "8"))):
        table = rows(name)
        fields = list(dict.fromkeys([*table[0], *extra]))
        empty = {field: "" for field in fields if field.endswith("_ko")}
        with (target / "data" / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fields, lineterminator="\n")
            writer.writeheader()
            for row in table:
                writer.writerow({**row, **empty, **(extra if wanted(row) else {})})
    monkeypatch.setitem(ckan_config, "ckanext.koreanap.commitments.package", str(target))
    return target


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_korean_pages_show_this_projects_translation_marked_as_such(app, translated_plan):
    """Where the plan package has a Korean translation (<field>_ko), Korean pages show it
    with lang="ko" and a note that it is this project's translation, English pages the
    plan's words; untranslated text stays English (lang="en"); the renamed agency shows
    today's name first, in either language; the agency filter keeps its English value."""
    heritage = next(r for r in COMMITMENTS if r["ogp_id"] == "KR0045")
    other = next(r for r in COMMITMENTS if r["ogp_id"] == "KR0043")
    body = app.get("/commitments").body
    assert "koreanap-translation-note" in body
    assert 'lang="ko">민간 분야 신산업을 위한 문화유산 자원 공개</a>' in body
    assert str(escape(heritage["title"])) not in body
    assert f'lang="en">{escape(other["title"])}</a>' in body
    assert "국가유산청(당시 문화재청)" in body
    assert f'<option value="{escape(heritage["lead_agency"])}" >국가유산청(당시 문화재청)' \
           not in body  # the filter's label is the agency's own name, not a sentence
    assert f'<option value="{escape(heritage["lead_agency"])}" >문화재청</option>' in body
    filtered = app.get("/commitments", params={"agency": heritage["lead_agency"]}).body
    assert filtered.count('class="koreanap-commitment-row"') == 1
    page = app.get("/commitments/KR0045").body
    assert '<h1 class="page-heading koreanap-commitment-title" lang="ko">' in page
    assert "2020년 문화유산 3D 데이터베이스 구축" in page
    assert "국가유산청(당시 문화재청)" in page
    english = app.get("/en/commitments/KR0045").body
    assert "koreanap-translation-note" not in english and "문화재청" not in english
    assert f'lang="en">{escape(heritage["title"])}</h1>' in english
    assert "Korea Heritage Service, formerly Culture Heritage Administration" in english
