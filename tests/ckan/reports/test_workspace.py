"""The evaluator workspace /quality/error-reports: queue, filters, figures, CSV, actions."""
import csv
import io

import ckan.model as model
import pytest
from sqlalchemy import text

from .conftest import api, csrf_token, login


def _report(app, **extra):
    data = {"package_id": "rice-cadmium", "category": "wrong_value",
            "description": "값이 틀렸습니다 / the value is wrong", **extra}
    return api(app, "koreanap_error_report_create", user="root", **data)["result"]["code"]


def _answer(app, code, days):
    api(app, "koreanap_error_report_update", user="root", id=code, status="accepted")
    api(app, "koreanap_error_report_update", user="root", id=code, status="answered",
        resolution="resolved", answer="고쳤습니다")
    model.Session.execute(text(
        "update koreanap_error_report set accepted_at = answered_at - make_interval(days => :d)"
        " where code = :code"), {"d": days, "code": code})
    model.Session.commit()


def test_queue_needs_a_role(app, catalogue):
    """Anonymous visitors and users without a role get 403 on the queue and its CSV."""
    app.get("/quality/error-reports", status=403)
    app.get("/quality/error-reports.csv", status=403)
    login(app, "outsider")
    app.get("/quality/error-reports", status=403)


def test_evaluator_sees_counts_median_and_every_organization(app, catalogue):
    """The queue shows counts per status, the 90-day median days to answer and all orgs."""
    for days in (2, 4):
        _answer(app, _report(app), days)
    _report(app)
    _report(app, package_id="heritage-3d", category="personal_data")
    login(app, "evaluator")
    body = app.get("/quality/error-reports", status=200).body
    assert '<strong data-status="pending">2</strong>' in body
    assert '<strong data-status="answered">2</strong>' in body
    assert '<strong class="koreanap-median">3.0</strong>' in body
    assert "문화유산 3D" in body and "쌀 중 카드뮴" in body
    urgent = app.get("/quality/error-reports?urgent=true", status=200).body
    assert "문화유산 3D" in urgent and "쌀 중 카드뮴" not in urgent
    by_org = app.get("/quality/error-reports?owner_org=cha&status=pending", status=200).body
    assert 'koreanap-queue-count">1건' in by_org


def test_publisher_queue_shows_only_their_organization(app, catalogue):
    """An organization editor's queue lists only their organization's reports."""
    _report(app)
    _report(app, package_id="heritage-3d")
    login(app, "mfds-editor")
    body = app.get("/quality/error-reports", status=200).body
    assert "쌀 중 카드뮴" in body and "문화유산 3D" not in body
    app.get("/quality/error-reports?owner_org=cha", status=403)


def test_publisher_cannot_open_another_organizations_report(app, catalogue):
    """Another organization's admin gets 403 on a report's page (and so on its e-mail)."""
    code = _report(app, reporter_email="hong@example.org", consent=True)
    login(app, "cha-admin")
    body = app.get("/quality/error-reports/" + code, status=403).body
    assert "hong@example.org" not in body


def test_csv_export_neutralises_formulas_and_keeps_text(app, catalogue):
    """CSV cells starting with = + - @ are prefixed with ' ; script text stays literal."""
    payloads = ["=HYPERLINK(\"http://evil\")", "+1+1 cmd", "-2+3", "@SUM(A1)",
                "<script>alert(1)</script>"]
    for payload in payloads:
        _report(app, description=payload + " padding text", location_row=payload)
    login(app, "evaluator")
    response = app.get("/quality/error-reports.csv", status=200)
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert len(rows) == 5
    cells = {row["location_row"] for row in rows}
    assert cells == {"'=HYPERLINK(\"http://evil\")", "'+1+1 cmd", "'-2+3", "'@SUM(A1)",
                     "<script>alert(1)</script>"}
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@")


def test_status_change_from_the_report_page(app, catalogue):
    """An organization admin accepts a report with the page's form (CSRF-protected)."""
    code = _report(app)
    login(app, "mfds-admin")
    body = app.get("/quality/error-reports/" + code, status=200).body
    response = app.post("/quality/error-reports/" + code, data={
        "_csrf_token": csrf_token(body), "action": "update", "status": "accepted"})
    assert response.status_code == 200
    assert 'koreanap-status">접수' in response.body


def test_invalid_transition_from_the_page_is_409(app, catalogue):
    """Answering a pending report from the page answers 409 with the reason shown."""
    code = _report(app)
    login(app, "evaluator")
    body = app.get("/quality/error-reports/" + code, status=200).body
    response = app.post("/quality/error-reports/" + code, data={
        "_csrf_token": csrf_token(body), "action": "update", "status": "answered",
        "resolution": "resolved", "answer": "done"})
    assert response.status_code == 409
    assert "(으)로 바꿀 수 없습니다 (가능: accepted, spam)" in response.body


def test_page_post_without_csrf_is_refused(app, catalogue):
    """A report-page post without a CSRF token changes nothing."""
    code = _report(app)
    login(app, "evaluator")
    response = app.post("/quality/error-reports/" + code,
                        data={"action": "update", "status": "accepted"})
    assert response.status_code == 400
    status = model.Session.execute(text("select status from koreanap_error_report")).scalar()
    assert status == "pending"


@pytest.mark.parametrize("user", ["evaluator", "mfds-admin"])
def test_make_private_button(app, catalogue, user):
    """The report page's button makes the reported dataset private."""
    code = _report(app, category="personal_data")
    login(app, user)
    body = app.get("/quality/error-reports/" + code, status=200).body
    app.post("/quality/error-reports/" + code, data={
        "_csrf_token": csrf_token(body), "action": "make_private"}, status=200)
    assert model.Package.get("rice-cadmium").private is True
