"""Private datasets do not leak through the error-report API or the tracking pages."""
import pytest
from ckan.tests import helpers

from .conftest import api

TITLE = "쌀 중 카드뮴"
RESOURCE = "검사 결과"


def _answered_report(app):
    code = api(app, "koreanap_error_report_create", package_id="rice-cadmium",
               category="wrong_value", description="값이 틀렸습니다 / the value is wrong",
               )["result"]["code"]
    api(app, "koreanap_error_report_update", user="root", id=code, status="accepted")
    api(app, "koreanap_error_report_update", user="root", id=code, status="answered",
        resolution="resolved", answer="고쳤습니다 / fixed")
    return code


def _make_private():
    helpers.call_action("package_patch", {"user": "root"}, id="rice-cadmium", private=True)


@pytest.mark.parametrize("user", [None, "outsider", "cha-admin"])
def test_list_answers_the_same_for_private_and_missing_datasets(app, catalogue, user):
    """Anonymous callers and non-members get one and the same 404 for a private or no dataset."""
    _answered_report(app)
    _make_private()
    package_id = catalogue["rice"]["id"]
    answers = [api(app, "koreanap_error_report_list", user=user, expect=404, package_id=ref)
               for ref in ("rice-cadmium", package_id, "no-such-dataset")]
    assert answers[0]["error"] == answers[1]["error"] == answers[2]["error"]
    assert TITLE not in str(answers)


def test_members_still_list_a_private_datasets_reports(app, catalogue):
    """The organization's staff still see the reports of their private dataset."""
    code = _answered_report(app)
    _make_private()
    result = api(app, "koreanap_error_report_list", user="mfds-editor",
                 package_id="rice-cadmium")["result"]
    assert [r["code"] for r in result["results"]] == [code]


def test_tracking_never_shows_a_private_datasets_title(app, catalogue):
    """After "make private", show and /error-report/CODE no longer name the dataset or resource."""
    resource_id = catalogue["rice"]["resources"][0]["id"]
    code = api(app, "koreanap_error_report_create", package_id="rice-cadmium",
               resource_id=resource_id, category="personal_data",
               description="주민등록번호가 보입니다 / ID numbers exposed")["result"]["code"]
    assert TITLE in app.get("/error-report/" + code, status=200).body
    api(app, "koreanap_error_report_make_private", user="evaluator", id=code)
    for user in (None, "outsider", "cha-admin"):
        shown = api(app, "koreanap_error_report_show", user=user, id=code)["result"]
        assert shown["status"] == "pending"
        for field in ("package_id", "package_name", "package_title", "resource_id",
                      "resource_name"):
            assert shown[field] is None, (user, field)
    body = app.get("/error-report/" + code, status=200).body
    assert TITLE not in body and "rice-cadmium" not in body and RESOURCE not in body
    assert code in body
    staff = api(app, "koreanap_error_report_show", user="mfds-editor", id=code)["result"]
    assert staff["package_title"] == TITLE and staff["resource_name"] == RESOURCE
