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
    """/commitments lists each commitment of the plan, linked to its page."""
    body = app.get("/commitments").body
    assert body.count('class="koreanap-commitment-row"') == len(COMMITMENTS) == 13
    for row in COMMITMENTS:
        assert f'href="/commitments/{row["commitment_id"]}"' in body
        assert str(escape(row["title"])) in body


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
    """A commitment's page (by plan id or OGP id) lists its milestones in order."""
    row = next(r for r in COMMITMENTS if r["ogp_id"] == "KR0043")
    body = app.get(f"/commitments/{row[key]}").body
    own = [m for m in MILESTONES if m["commitment_id"] == row["commitment_id"]]
    assert own, "KR0043 has milestones in the plan"
    table = body.split('class="table koreanap-milestones"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == len(own) + 1  # header row + one per milestone
    positions = [table.index(str(escape(m["activity"]))) for m in own]
    assert positions == sorted(positions)
    assert "koreanap-no-datasets" in body  # nothing published in an empty catalogue


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
