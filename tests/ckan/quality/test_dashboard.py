"""The public quality dashboard (/quality, its CSV and action koreanap_quality_figures):
figures computed from the catalogue's tables for a catalogue in known states, counting
only the datasets the caller may read (issue 18 part 2)."""
import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories, helpers
from sqlalchemy import text

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_redis")

REPORT_TABLES = ("koreanap_error_report_outbox", "koreanap_error_report_event",
                 "koreanap_error_report", "koreanap_error_report_rate")
DAY = datetime.timedelta(days=1)


def _table_report(rows, errors, partial=False):
    """A stored validation report of one table: ``rows`` read, ``errors`` found."""
    return {"version": 1, "valid": not errors, "counts": {"type-error": errors} if errors else {},
            "errors": [{"rule": "type-error", "resource": "t", "row": n + 2, "field": "v",
                        "message": "bad", "value": "x"} for n in range(errors)],
            "notes": [], "resources": [{"name": "t", "rows": rows, "checked": True,
                                        "partial": partial, "tabular": True}]}


def _report(package, status_path, accepted_days_ago=None, answered_days_ago=None,
            created_days_ago=0, reporter=""):
    """A report on ``package`` moved along ``status_path`` by a sysadmin, then its times
    (and its events') set as if that happened ``*_days_ago`` days ago."""
    from ckanext.koreanap.reports.model import now

    code = helpers.call_action(
        "koreanap_error_report_create", {"user": reporter, "ignore_auth": False},
        package_id=package, category="wrong_value",
        description="2019년 값의 단위가 틀렸습니다 (quality dashboard test).")["code"]
    admin = {"user": "root", "ignore_auth": False}
    for status in status_path:
        extra = ({"resolution": "resolved", "answer": "고쳤습니다."}
                 if status == "answered" else {})
        helpers.call_action("koreanap_error_report_update", admin, id=code, status=status,
                            **extra)
    at = now()
    created = at - created_days_ago * DAY
    accepted = at - accepted_days_ago * DAY if accepted_days_ago is not None else None
    answered = at - answered_days_ago * DAY if answered_days_ago is not None else None
    params = {"code": code, "created": created, "accepted": accepted,
              "due": accepted + 10 * DAY if accepted else None, "answered": answered}
    model.Session.execute(text(
        "update koreanap_error_report set created = :created, accepted_at = :accepted, "
        "due_at = :due, answered_at = :answered where code = :code"), params)
    model.Session.execute(text(
        "update koreanap_error_report_event e set created = case "
        " when e.kind = 'created' then cast(:created as timestamptz)"
        " when e.to_status = 'accepted' then cast(:accepted as timestamptz)"
        " when e.to_status = 'answered' then cast(:answered as timestamptz)"
        " else e.created end "
        "from koreanap_error_report r where r.id = e.report_id and r.code = :code"), params)
    model.Session.commit()
    return code


@pytest.fixture
def catalogue():
    """Two publishers. 식품의약품안전처 (mfds): public ``rice`` (valid, 2,000 rows, score
    380), public ``fish`` (invalid, 3 errors in 500 rows, score 300) and private
    ``secret`` (invalid, 50 errors in 1,000 rows, score 100). 문화재청 (cha): public
    ``scans`` (never validated, score 200). Rules: two active on rice (one from a report),
    a retired one on fish, one from a report on secret. Reports: one pending on rice, one answered
    in 3 days (in time) on rice, one answered in 15 days (late) on fish, one accepted 15
    days ago and overdue on scans, one spam on scans, one answered in 8 days on secret."""
    from ckanext.koreanap.pipeline import model as kmodel

    model.Session.execute(text("TRUNCATE {}".format(", ".join(
        REPORT_TABLES + ("koreanap_resource_validation", "koreanap_dataset_quality")))))
    model.Session.commit()
    factories.Sysadmin(name="root")
    users = {name: factories.User(name=name) for name in ("mfds-editor", "cha-admin")}
    mfds = factories.Organization(name="mfds", title="식품의약품안전처",
                                  users=[{"name": "mfds-editor", "capacity": "editor"}])
    cha = factories.Organization(name="cha", title="문화재청",
                                 users=[{"name": "cha-admin", "capacity": "admin"}])
    table = [{"url": "http://example.org/t.csv", "format": "CSV", "name": "표"}]
    rice = factories.Dataset(owner_org=mfds["id"], name="rice", title="쌀 중 카드뮴",
                             resources=table)
    fish = factories.Dataset(owner_org=mfds["id"], name="fish", title="수산물 중 수은",
                             resources=table)
    secret = factories.Dataset(owner_org=mfds["id"], name="secret", title="비공개 조사",
                               private=True, resources=table)
    scans = factories.Dataset(owner_org=cha["id"], name="scans", title="문화유산 3D")
    for dataset, status, rows, errors in ((rice, "valid", 2000, 0), (fish, "invalid", 500, 3),
                                          (secret, "invalid", 1000, 50)):
        kmodel.set_status(dataset["resources"][0]["id"], dataset["id"], status,
                          report=_table_report(rows, errors),
                          datastore_rows=rows if status == "valid" else None)
    for dataset, total, band in ((rice, 380, "excellent"), (fish, 300, "good"),
                                 (secret, 100, "bad"), (scans, 200, "sufficient")):
        kmodel.set_quality(dataset["id"], {"total": total, "max": 405, "band": band})
    # Rules: on rice one from a report and one not; on fish one from a report, retired;
    # on the private secret one from a report.
    unit = {"kind": "allowed_values", "field": "unit", "values": ["mg/kg"]}
    for rule_id, dataset, report in (("R-1", rice, "ER-A"), ("R-2", rice, None),
                                     ("R-3", fish, "ER-B"), ("R-4", secret, "ER-C")):
        kmodel.add_rule(rule_id, dataset["id"], "t", unit, report, "root")
    kmodel.retire_rule("R-3", "root", "표준 스키마로 옮김")
    model.Session.commit()
    _report("rice", [])
    _report("rice", ["accepted", "answered"], accepted_days_ago=5, answered_days_ago=2,
            created_days_ago=6)
    _report("fish", ["accepted", "answered"], accepted_days_ago=40, answered_days_ago=25,
            created_days_ago=41)
    _report("scans", ["accepted"], accepted_days_ago=15, created_days_ago=16)
    _report("scans", ["spam"])
    _report("secret", ["accepted", "answered"], accepted_days_ago=20, answered_days_ago=12,
            created_days_ago=21, reporter="root")
    return {"users": users, "mfds": mfds, "cha": cha}


def _figures(app, headers=None, **params):
    return app.get("/api/3/action/koreanap_quality_figures", params=params,
                   headers=headers or {}, status=200).json["result"]


def _token(name):
    return {"Authorization": factories.APIToken(user=name)["token"]}


def _by_org(result):
    return {org["name"]: org for org in result["organizations"]}


def test_public_figures_for_a_known_catalogue(app, catalogue):
    """Anonymous figures: 3 public datasets, their validation states, mean score, errors per
    10,000 rows (3 in 2,500) and the four non-spam reports on them: 1 pending, 1 answered in
    time, 1 answered late (median 9 days, 50% in time) and 1 open past its deadline."""
    result = _figures(app)
    assert result["includes_private"] is False
    assert result["deadline_days"] == 10
    cat = result["catalogue"]
    assert cat["datasets"] == 3
    assert cat["validation"] == {"valid": 1, "invalid": 1, "error": 0, "pending": 0,
                                 "not_validated": 1}
    assert cat["score"]["scored"] == 3 and cat["score"]["mean"] == 293.3
    assert cat["score"]["bands"] == {"excellent": 1, "good": 1, "sufficient": 1, "bad": 0}
    assert cat["errors"] == {"tables_checked": 2, "rows_checked": 2500, "errors_found": 3,
                             "per_10000_rows": 12.0, "partial_tables": 0}
    reports = {k: v for k, v in cat["reports"].items() if k != "by_month"}
    assert reports == {"received": 4, "pending": 1, "open": 1, "answered": 2,
                       "answered_in_time": 1, "answered_late": 1, "in_time_share": 50.0,
                       "median_days_to_answer": 9.0, "overdue": 1}
    orgs = _by_org(result)
    assert [org["name"] for org in result["organizations"]] == ["cha", "mfds"]  # by title
    mfds, cha = orgs["mfds"], orgs["cha"]
    assert mfds["datasets"] == 2 and mfds["score"]["mean"] == 340.0
    assert mfds["errors"]["per_10000_rows"] == 12.0
    assert (mfds["reports"]["received"], mfds["reports"]["answered"],
            mfds["reports"]["in_time_share"], mfds["reports"]["median_days_to_answer"],
            mfds["reports"]["overdue"]) == (3, 2, 50.0, 9.0, 0)
    assert cha["validation"]["not_validated"] == 1 and cha["errors"]["per_10000_rows"] is None
    assert (cha["reports"]["received"], cha["reports"]["open"], cha["reports"]["overdue"],
            cha["reports"]["median_days_to_answer"]) == (1, 1, 1, None)


def test_monthly_series_comes_from_the_event_log(app, catalogue):
    """by_month counts each report's creation and answer in the month its event happened,
    over the last ``months`` months ending with this one."""
    from ckanext.koreanap import quality
    from ckanext.koreanap.reports.model import now

    at = now()
    months = _figures(app, months=3)["catalogue"]["reports"]["by_month"]
    assert [m["month"] for m in months] == quality.month_keys(3, at)
    expected = {}
    for days_ago, what in ((0, "received"), (6, "received"), (2, "answered"),
                           (41, "received"), (25, "answered"), (16, "received")):
        month = quality.month_of(at - days_ago * DAY)
        expected.setdefault(month, {"received": 0, "answered": 0})[what] += 1
    assert {m["month"]: {"received": m["received"], "answered": m["answered"]}
            for m in months if m["received"] or m["answered"]} == {
        k: v for k, v in expected.items() if k in quality.month_keys(3, at)}
    assert sum(m["received"] for m in _figures(app)["catalogue"]["reports"]["by_month"]) == 4


@pytest.mark.parametrize("who", [None, "cha-admin"])
def test_private_datasets_do_not_count_or_leak(app, catalogue, who):
    """For anonymous visitors and non-members the private dataset, its errors, its score
    and its report count nowhere: not in the action, the page or the CSV."""
    headers = _token(who) if who else {}
    result = _figures(app, headers)
    assert result["catalogue"]["datasets"] == 3
    assert result["catalogue"]["errors"]["errors_found"] == 3
    assert result["catalogue"]["score"]["bands"]["bad"] == 0
    assert result["catalogue"]["reports"]["answered"] == 2
    assert _by_org(result)["mfds"]["datasets"] == 2
    page = app.get("/quality", headers=headers, status=200).body
    assert "비공개 조사" not in page and "secret" not in page
    assert "비공개 데이터셋도 들어 있습니다" not in page
    rows = list(csv.DictReader(io.StringIO(
        app.get("/quality.csv", headers=headers, status=200).body.lstrip("\ufeff"))))
    assert rows[0]["datasets"] == "3" and rows[0]["errors_found"] == "3"


@pytest.mark.parametrize("who, datasets, answered", [("mfds-editor", 4, 3), ("root", 4, 3)])
def test_members_and_sysadmins_see_their_private_datasets(app, catalogue, who, datasets,
                                                          answered):
    """A member of the private dataset's organization (and a sysadmin) count it, and the
    page says the figures include private datasets."""
    headers = _token(who)
    result = _figures(app, headers)
    assert result["includes_private"] is True
    cat = result["catalogue"]
    assert cat["datasets"] == datasets and cat["validation"]["invalid"] == 2
    assert cat["errors"]["errors_found"] == 53 and cat["errors"]["rows_checked"] == 3500
    assert cat["reports"]["answered"] == answered
    assert cat["reports"]["median_days_to_answer"] == 8.0  # 3, 8 and 15 days
    page = app.get("/quality", headers=headers, status=200).body
    assert "비공개 데이터셋도 들어 있습니다" in page


def _page_rows(body):
    soup = BeautifulSoup(body, "html.parser")
    return {tr["data-organization"]: {td["data-figure"]: td.get_text(strip=True)
                                      for td in tr.select("td[data-figure]")}
            for tr in soup.select(".koreanap-quality-table tbody tr")}


def _summary(body):
    soup = BeautifulSoup(body, "html.parser")
    return {dd["data-figure"]: dd.get_text(strip=True)
            for dd in soup.select(".koreanap-quality-figures dd")}


def test_page_csv_and_json_agree(app, catalogue):
    """The page's table, its CSV and the action show the same figures for each publisher
    and for the whole catalogue."""
    result = _figures(app)
    body = app.get("/quality", status=200).body
    assert _summary(body) == {"datasets": "3", "valid": "1 / 3", "score": "293.3 / 405",
                              "errors-per-10000": "12.00", "received": "4", "answered": "2",
                              "median-days": "9.0", "in-time": "50.0%", "overdue": "1",
                              "rules-from-reports": "1"}
    assert result["catalogue"]["rules"] == {"active": 2, "from_reports": 1}
    page = _page_rows(body)
    response = app.get("/quality.csv", status=200)
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert [(r["scope"], r["organization"]) for r in rows] == [
        ("catalogue", ""), ("organization", "cha"), ("organization", "mfds")]
    for org in result["organizations"]:
        shown, row = page[org["name"]], next(r for r in rows if r["organization"] == org["name"])
        assert row["organization_title"] == org["title"]
        for state in ("valid", "invalid", "error", "pending", "not_validated"):
            assert shown[state] == row[f"validation_{state}"] == str(org["validation"][state])
        assert shown["datasets"] == row["datasets"] == str(org["datasets"])
        assert shown["received"] == row["reports_received"] == str(org["reports"]["received"])
        assert shown["overdue"] == row["reports_overdue"] == str(org["reports"]["overdue"])
        assert shown["rules-from-reports"] == row["rules_from_reports"] == \
            str(org["rules"]["from_reports"])
        assert row["score_mean"] == str(org["score"]["mean"])
        assert shown["score"] == "{:,.1f}".format(org["score"]["mean"])
    catalogue_row = rows[0]
    assert catalogue_row["reports_in_time_share"] == "50.0"
    assert catalogue_row["errors_per_10000_rows"] == "12.0"
    assert catalogue_row["reports_median_days_to_answer"] == "9.0"


def test_one_organization(app, catalogue):
    """organization= narrows the publishers to one (page, CSV and action alike); the
    catalogue figures stay the whole catalogue's."""
    result = _figures(app, organization="cha")
    assert [org["name"] for org in result["organizations"]] == ["cha"]
    assert result["organization"] == "cha" and result["catalogue"]["datasets"] == 3
    by_id = _figures(app, organization=catalogue["cha"]["id"])
    assert by_id["organizations"] == result["organizations"]
    assert list(_page_rows(app.get("/quality?organization=cha", status=200).body)) == ["cha"]
    rows = list(csv.DictReader(io.StringIO(
        app.get("/quality.csv?organization=cha", status=200).body.lstrip("\ufeff"))))
    assert [r["organization"] for r in rows] == ["", "cha"]


def test_csv_cells_are_formula_safe(app, catalogue):
    """A publisher title that starts like a formula is written as text in the CSV."""
    helpers.call_action("organization_patch", {"user": "root"}, id="cha",
                        title="=HYPERLINK(\"http://evil.example\")")
    rows = list(csv.reader(io.StringIO(
        app.get("/quality.csv", status=200).body.lstrip("\ufeff"))))
    titles = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\")" in titles


def test_unknown_organization_is_404_json(app, catalogue):
    """An unknown organization answers 404 with a JSON error (and the page 404)."""
    response = app.get("/api/3/action/koreanap_quality_figures",
                       params={"organization": "no-such-agency"}, status=404)
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == "Not Found Error"
    app.get("/quality?organization=no-such-agency", status=404)
    app.get("/quality.csv?organization=no-such-agency", status=404)


@pytest.mark.parametrize("data, field", [
    ({"organization": ["mfds"]}, "organization"),
    ({"organization": {"name": "mfds"}}, "organization"),
    ({"organization": "mf\x00ds"}, "organization"),
    ({"months": "twelve"}, "months"),
    ({"months": 0}, "months"),
    ({"months": 121}, "months"),
    ({"months": True}, "months"),
    ({"months": 1.5}, "months"),
])
def test_wrong_types_are_409(app, catalogue, data, field):
    """A list, an object or a NUL for organization, or months that is not a whole number
    from 1 to 120, is a 409 naming the field."""
    response = app.post("/api/3/action/koreanap_quality_figures", data=json.dumps(data),
                        content_type="application/json", status=409)
    assert response.json["success"] is False and field in response.json["error"]


@pytest.mark.parametrize("months", ["twelve", "0", "1e3"])
def test_page_with_bad_months_is_400(app, catalogue, months):
    """The page and the CSV answer a bad months parameter with 400, not a 500."""
    app.get("/quality", params={"months": months}, status=400)
    app.get("/quality.csv", params={"months": months}, status=400)


def test_scores_over_time_come_from_the_history(app, catalogue):
    """Each month's mean is of each dataset's latest score at the month's end: rice scored
    200 some 65 days ago (and 380 now) counts alone with 200 in the months between; the
    datasets scored only now count from this month; the private one never for a visitor."""
    from sqlalchemy.dialects.postgresql import insert

    from ckanext.koreanap.pipeline import model as kmodel

    model.Session.execute(insert(kmodel.dataset_quality_history).values(
        package_id=model.Package.get("rice").id, total=200, max=405, band="sufficient",
        computed=kmodel.now() - 65 * DAY))
    model.Session.commit()
    result = _figures(app, months=4)
    series = result["catalogue"]["score"]["by_month"]
    assert len(series) == 4 and series == sorted(series, key=lambda m: m["month"])
    assert series[-1] == {"month": series[-1]["month"], "scored": 3, "mean": 293.3}
    counted = [m["scored"] for m in series[:-1]]
    assert 1 in counted and set(counted) <= {0, 1}
    assert counted == sorted(counted)  # once scored, a dataset keeps counting
    assert all(m["mean"] == (200.0 if m["scored"] else None) for m in series[:-1])
    by_org = _by_org(result)
    assert by_org["mfds"]["score"]["by_month"][-1]["mean"] == 340.0  # rice 380, fish 300
    assert by_org["cha"]["score"]["by_month"][-1] == {
        "month": series[-1]["month"], "scored": 1, "mean": 200.0}
    charts = json.loads(BeautifulSoup(app.get("/quality", status=200).body, "html.parser")
                        .select_one("#koreanap-quality-charts").string)
    # The page shows the default 12 months; their last four are the series above.
    assert charts["scores"]["labels"][-4:] == [m["month"] for m in series]
    assert charts["scores"]["datasets"][0]["data"][-4:] == [m["mean"] for m in series]


def test_the_history_keeps_changes_not_repeats(catalogue):
    """Every validation job scores its dataset; the history gains a row only when the score
    differs from the dataset's latest, while the latest score's time still moves on."""
    from ckanext.koreanap.pipeline import model as kmodel

    rice = model.Package.get("rice").id

    def history():
        return [tuple(row) for row in model.Session.execute(text(
            "select total, band from koreanap_dataset_quality_history where package_id = :id"
            " order by computed, id"), {"id": rice})]

    assert history() == [(380, "excellent")]
    first = kmodel.get_quality(rice)["computed"]
    same = {"total": 380, "max": 405, "band": "excellent"}
    lower = {"total": 350, "max": 405, "band": "excellent"}
    for score in (same, lower, lower, same):
        kmodel.set_quality(rice, score)
        model.Session.commit()
    assert history() == [(380, "excellent"), (350, "excellent"), (380, "excellent")]
    assert kmodel.get_quality(rice)["computed"] > first


def test_korean_and_english_pages(app, catalogue):
    """The page reads in Korean by default and in English under /en/, with the figures, the
    chart canvases (scores over time too) and a table beside each chart."""
    korean = BeautifulSoup(app.get("/quality", status=200).body, "html.parser")
    assert korean.select_one("h1").get_text(strip=True) == "데이터 품질 현황"
    text = korean.get_text(" ")
    for phrase in ("제공기관별 현황", "1만 행당 발견한 오류", "처리 기한(10일) 안에 답변한 비율",
                   "월별 메타데이터 품질 점수", "검증 통과", "검증 전"):
        assert phrase in text, phrase
    for english in ("Quality dashboard", "By publisher", "Overdue now", "Not validated"):
        assert english not in text, english
    for chart in ("validation", "answers", "months", "scores"):
        assert korean.select_one(f"canvas#koreanap-quality-{chart}") is not None
        assert korean.select_one(f"table#koreanap-quality-{chart}-table tbody tr") is not None
    charts = json.loads(korean.select_one("#koreanap-quality-charts").string)
    assert charts["validation"]["labels"] == ["문화재청", "식품의약품안전처"]
    english = BeautifulSoup(app.get("/en/quality", status=200).body, "html.parser")
    assert english.select_one("h1").get_text(strip=True) == "Quality dashboard"
    text = english.get_text(" ")
    assert "Answered within the 10-day deadline" in text and "데이터 품질 현황" not in text
    assert "Metadata quality score by month" in text


def test_chart_data_cannot_close_the_script(app, catalogue):
    """A publisher title with </script> stays inside the chart data (escaped)."""
    helpers.call_action("organization_patch", {"user": "root"}, id="cha",
                        title="</script><script>alert(1)</script>")
    body = app.get("/quality", status=200).body
    assert "<script>alert(1)" not in body


def test_empty_catalogue(app):
    """With no dataset the page and the action still answer, with zeros and no charts."""
    result = _figures(app)
    assert result["catalogue"]["datasets"] == 0 and result["organizations"] == []
    assert result["catalogue"]["reports"]["median_days_to_answer"] is None
    soup = BeautifulSoup(app.get("/quality", status=200).body, "html.parser")
    assert soup.select_one("canvas") is None
