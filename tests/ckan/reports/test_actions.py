"""The koreanap_error_report_* actions: storage, workflow, deadline and who may do what."""
import ckan.model as model
import pytest
from ckan.tests import helpers
from sqlalchemy import text

from .conftest import api

DESCRIPTION = "카드뮴 값이 단위(mg/kg)와 맞지 않습니다. The cadmium value has the wrong unit."


def _create(catalogue, **extra):
    data = {"package_id": "rice-cadmium", "category": "wrong_value",
            "description": DESCRIPTION, **extra}
    return helpers.call_action("koreanap_error_report_create",
                               {"user": "", "ignore_auth": False}, **data)


def _as(user, action, **data):
    return helpers.call_action(action, {"user": user, "ignore_auth": False}, **data)


def _rows(sql, **params):
    return model.Session.execute(text(sql), params).all()


def test_create_stores_report_and_created_event(catalogue):
    """A report is stored pending with a code and a 'created' event; contact kept private."""
    report = _create(catalogue, reporter_name="홍길동", reporter_email="hong@example.org",
                     consent=True, location_row="12", location_column="cadmium")
    assert report["code"].startswith("ER-") and report["status"] == "pending"
    assert "reporter_email" not in report and "description" not in report
    rows = _rows("select status, reporter_email, owner_org from koreanap_error_report")
    assert rows == [("pending", "hong@example.org", catalogue["mfds"]["id"])]
    events = _rows("select kind, to_status from koreanap_error_report_event")
    assert events == [("created", "pending")]


def test_personal_data_report_is_urgent(catalogue):
    """A report of exposed personal data is marked urgent."""
    assert _create(catalogue, category="personal_data")["urgent"] is True
    assert _create(catalogue, category="other")["urgent"] is False


def test_sql_like_text_is_stored_literally(catalogue):
    """SQL-looking text is stored and returned exactly as typed."""
    payload = "x'); DROP TABLE koreanap_error_report; -- 1=1 OR ''='"
    report = _create(catalogue, description=payload, location_column="'; delete from package;")
    shown = _as("root", "koreanap_error_report_show", id=report["code"], include_private=True)
    assert shown["description"] == payload
    assert shown["location_column"] == "'; delete from package;"
    assert _rows("select count(*) from koreanap_error_report") == [(1,)]


@pytest.mark.parametrize("field, value, message", [
    ("description", "짧음", "at least 10"),
    ("description", "가" * 5001, "at most 5,000"),
    ("location_row", "1" * 201, "at most 200"),
    ("reporter_name", "n" * 101, "at most 100"),
    ("reporter_email", "not-an-address", "not-an-address"),
    ("category", "nonsense", "Must be one of"),
])
def test_bad_fields_are_refused_with_a_message(catalogue, field, value, message):
    """Too short, too long or malformed fields raise a ValidationError naming the field."""
    with pytest.raises(helpers.logic.ValidationError) as error:
        _create(catalogue, **{field: value}, consent=True)
    assert message in " ".join(error.value.error_dict[field])
    assert _rows("select count(*) from koreanap_error_report") == [(0,)]


def test_email_without_consent_is_refused(catalogue):
    """An e-mail address without consent to be contacted is refused on the consent field."""
    with pytest.raises(helpers.logic.ValidationError) as error:
        _create(catalogue, reporter_email="a@example.org")
    assert "consent" in error.value.error_dict


def test_unknown_dataset_or_foreign_resource_is_not_found(catalogue):
    """An unknown dataset, or a resource of another dataset, is NotFound."""
    with pytest.raises(helpers.logic.NotFound):
        _create(catalogue, package_id="no-such-dataset")
    with pytest.raises(helpers.logic.NotFound):
        _create(catalogue, resource_id=catalogue["scans"]["resources"][0]["id"])


def test_workflow_accept_progress_answer_sets_deadline_and_events(catalogue):
    """pending → accepted (deadline +10 days) → in progress → answered; every step an event."""
    code = _create(catalogue)["code"]
    accepted = _as("mfds-editor", "koreanap_error_report_update", id=code, status="accepted")
    assert accepted["status"] == "accepted"
    days = _rows("select extract(epoch from due_at - accepted_at) / 86400 "
                 "from koreanap_error_report")[0][0]
    assert days == 10
    _as("evaluator", "koreanap_error_report_update", id=code, status="in_progress",
        assignee="mfds-editor")
    _as("mfds-admin", "koreanap_error_report_comment", id=code, text="단위를 확인 중")
    done = _as("mfds-editor", "koreanap_error_report_update", id=code, status="answered",
               resolution="resolved", answer="단위를 mg/kg로 고쳤습니다.")
    assert done["resolution"] == "resolved" and done["answered_at"]
    kinds = [(e["kind"], e["actor"], e["to_status"]) for e in done["events"]]
    assert kinds == [
        ("created", None, "pending"), ("status", "mfds-editor", "accepted"),
        ("assigned", "evaluator", None), ("status", "evaluator", "in_progress"),
        ("comment", "mfds-admin", None), ("answer", "mfds-editor", None),
        ("status", "mfds-editor", "answered")]
    public = _as("", "koreanap_error_report_show", id=code)
    assert public["public_answer"] == "단위를 mg/kg로 고쳤습니다." and "events" not in public


@pytest.mark.ckan_config("ckanext.koreanap.reports.deadline_days", "3")
def test_deadline_days_is_configurable(catalogue):
    """ckanext.koreanap.reports.deadline_days sets the answer deadline."""
    code = _create(catalogue)["code"]
    _as("root", "koreanap_error_report_update", id=code, status="accepted")
    days = _rows("select extract(epoch from due_at - accepted_at) / 86400 "
                 "from koreanap_error_report")[0][0]
    assert days == 3


def test_reject_needs_a_reason(catalogue):
    """Answering needs a resolution and an answer (for a rejection, the reason)."""
    code = _create(catalogue)["code"]
    _as("root", "koreanap_error_report_update", id=code, status="accepted")
    with pytest.raises(helpers.logic.ValidationError) as error:
        _as("root", "koreanap_error_report_update", id=code, status="answered",
            resolution="rejected")
    assert "answer" in error.value.error_dict
    done = _as("root", "koreanap_error_report_update", id=code, status="answered",
               resolution="rejected", answer="원자료와 같습니다 / matches the source")
    assert done["resolution"] == "rejected"


def test_invalid_transition_answers_409_with_message(app, catalogue):
    """pending → answered is refused with 409 and a message naming the allowed moves."""
    code = _create(catalogue)["code"]
    body = api(app, "koreanap_error_report_update", user="root", expect=409, id=code,
               status="answered", resolution="resolved", answer="ok")
    assert "오류신고를 pending에서 answered(으)로 바꿀 수 없습니다" in body["error"]["status"][0]
    assert _rows("select status from koreanap_error_report") == [("pending",)]


def test_spam_is_a_status_and_nothing_is_deleted(catalogue):
    """Marking spam keeps the row and its events; spam can be restored to pending."""
    code = _create(catalogue)["code"]
    _as("evaluator", "koreanap_error_report_update", id=code, status="spam")
    _as("evaluator", "koreanap_error_report_update", id=code, status="pending")
    assert _rows("select status from koreanap_error_report") == [("pending",)]
    assert _rows("select count(*) from koreanap_error_report_event") == [(3,)]


def test_overdue_reports_are_flagged_and_filtered(catalogue):
    """An accepted report past its deadline is overdue in show and in the overdue filter."""
    late = _create(catalogue)["code"]
    on_time = _create(catalogue)["code"]
    for code in (late, on_time):
        _as("root", "koreanap_error_report_update", id=code, status="accepted")
    # eleven days pass for the first report
    model.Session.execute(text(
        "update koreanap_error_report set accepted_at = now() - interval '11 days', "
        "due_at = now() - interval '1 day' where code = :code"), {"code": late})
    model.Session.commit()
    assert _as("root", "koreanap_error_report_show", id=late)["overdue"] is True
    assert _as("root", "koreanap_error_report_show", id=on_time)["overdue"] is False
    listed = _as("root", "koreanap_error_report_list", overdue=True, include_stats=True)
    assert [r["code"] for r in listed["results"]] == [late]
    assert listed["stats"]["overdue_by_organization"] == {"식품의약품안전처": 1}


def test_publisher_sees_only_own_organization(app, catalogue):
    """A publisher lists their organization's reports; another organization's answer 403."""
    _create(catalogue)
    mine = api(app, "koreanap_error_report_list", user="mfds-editor")["result"]
    assert mine["count"] == 1 and mine["results"][0]["reporter_email"] is None
    theirs = api(app, "koreanap_error_report_list", user="cha-admin")["result"]
    assert theirs["count"] == 0
    api(app, "koreanap_error_report_list", user="cha-admin", expect=403, owner_org="mfds")
    api(app, "koreanap_error_report_list", expect=403)


def test_reporter_email_is_forbidden_to_other_organizations(app, catalogue):
    """Another organization's admin or an outsider gets 403 for private details and updates."""
    code = _create(catalogue, reporter_email="hong@example.org", consent=True)["code"]
    for user in ("cha-admin", "outsider", None):
        api(app, "koreanap_error_report_show", user=user, expect=403, id=code,
            include_private=True)
        api(app, "koreanap_error_report_update", user=user, expect=403, id=code,
            status="accepted")
    public = api(app, "koreanap_error_report_show", id=code)["result"]
    assert "hong@example.org" not in str(public)
    private = api(app, "koreanap_error_report_show", user="mfds-admin", id=code,
                  include_private=True)["result"]
    assert private["reporter_email"] == "hong@example.org"


def test_public_list_of_a_dataset_shows_only_answered(catalogue):
    """Anyone lists a dataset's answered reports, without private fields."""
    answered = _create(catalogue)["code"]
    _create(catalogue)
    _as("root", "koreanap_error_report_update", id=answered, status="accepted")
    _as("root", "koreanap_error_report_update", id=answered, status="answered",
        resolution="resolved", answer="고쳤습니다")
    result = _as("", "koreanap_error_report_list", package_id="rice-cadmium")
    assert [r["code"] for r in result["results"]] == [answered]
    assert "description" not in result["results"][0]


@pytest.mark.ckan_config("ckanext.koreanap.reports.allow_anonymous", "false")
def test_anonymous_reports_can_be_switched_off(app, catalogue):
    """With allow_anonymous false, an anonymous report is 403 and a logged-in one works."""
    data = {"package_id": "rice-cadmium", "category": "other", "description": DESCRIPTION}
    api(app, "koreanap_error_report_create", expect=403, **data)
    assert api(app, "koreanap_error_report_create", user="outsider", **data)["success"]


def test_evaluator_makes_the_dataset_private_in_one_action(catalogue):
    """make_private hides the reported dataset and logs who did it."""
    code = _create(catalogue, category="personal_data",
                   resource_id=catalogue["rice"]["resources"][0]["id"])["code"]
    result = _as("evaluator", "koreanap_error_report_make_private", id=code)
    assert model.Package.get("rice-cadmium").private is True
    assert result["events"][-1]["kind"] == "made_private"
    assert result["events"][-1]["actor"] == "evaluator"
    with pytest.raises(helpers.logic.NotAuthorized):
        _as("outsider", "koreanap_error_report_make_private", id=code)


def test_queue_order_is_urgent_then_deadline_then_age(catalogue):
    """The queue lists urgent reports first, then by answer deadline, then oldest first."""
    old_pending = _create(catalogue)["code"]
    late_deadline = _create(catalogue)["code"]
    early_deadline = _create(catalogue)["code"]
    urgent = _create(catalogue, category="personal_data")["code"]
    for code in (late_deadline, early_deadline):
        _as("root", "koreanap_error_report_update", id=code, status="accepted")
    model.Session.execute(text(
        "update koreanap_error_report set due_at = due_at - interval '5 days' "
        "where code = :code"), {"code": early_deadline})
    model.Session.commit()
    listed = _as("evaluator", "koreanap_error_report_list")
    assert [r["code"] for r in listed["results"]] == [
        urgent, early_deadline, late_deadline, old_pending]


def test_unknown_tracking_code_is_404(app, catalogue):
    """An unknown tracking code answers 404 on the page and in the API."""
    app.get("/error-report/ER-00000-00000", status=404)
    api(app, "koreanap_error_report_show", expect=404, id="ER-00000-00000")


def test_api_unknown_dataset_or_resource_is_404(app, catalogue):
    """Through the API, an unknown dataset or a foreign resource answers 404 with a message."""
    data = {"category": "other", "description": "다른 데이터셋의 리소스 / wrong place"}
    body = api(app, "koreanap_error_report_create", expect=404, package_id="nope", **data)
    assert body["error"]["message"]  # the catalogue's language decides its words
    api(app, "koreanap_error_report_create", expect=404, package_id="rice-cadmium",
        resource_id=catalogue["scans"]["resources"][0]["id"], **data)
