"""Hostile or malformed report input is a clear 400/404/409, never a 500 or a mangled value."""
import json
import random

import ckan.model as model
import pytest
from sqlalchemy import text

from .conftest import api, csrf_token

GOOD = {"package_id": "rice-cadmium", "category": "wrong_value",
        "description": "카드뮴 값의 단위가 틀렸습니다 / wrong unit", "location_row": "12",
        "location_column": "cadmium", "reporter_name": "홍길동",
        "reporter_email": "hong@example.org", "consent": True}
TEXT_FIELDS = ("package_id", "category", "description", "location_row", "location_column",
               "reporter_name", "reporter_email", "resource_id")
BAD_CHARACTERS = {"nul": "\x00", "lone surrogate": "\ud800", "low surrogate": "\udfff"}


def _count():
    return model.Session.execute(text("select count(*) from koreanap_error_report")).scalar()


def _post(app, data):
    """POST JSON (lone surrogates travel as \\uXXXX escapes, as any JSON client sends them)."""
    return app.post("/api/3/action/koreanap_error_report_create",
                    data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("character", BAD_CHARACTERS.values(), ids=BAD_CHARACTERS.keys())
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_nul_or_lone_surrogate_in_any_field_is_409(app, catalogue, field, character):
    """A NUL byte or a lone UTF-16 surrogate in a report field is a 409 naming the field."""
    value = GOOD.get(field) or catalogue["rice"]["resources"][0]["id"]
    response = _post(app, {**GOOD, field: value[:4] + character + value[4:]})
    assert response.status_code == 409, response.body[:500]
    assert "허용되지 않는 문자" in " ".join(response.json["error"][field])
    assert _count() == 0


@pytest.mark.parametrize("action, data", [
    ("koreanap_error_report_show", {"id": "ER-\x00"}),
    ("koreanap_error_report_show", {"id": "ER-\ud800"}),
    ("koreanap_error_report_list", {"package_id": "rice\x00"}),
    ("koreanap_error_report_list", {"owner_org": "mfds\ud800"}),
])
def test_nul_or_surrogate_in_lookups_is_409(app, catalogue, action, data):
    """Show and list refuse a NUL byte or a lone surrogate in what they look up with 409."""
    response = app.post("/api/3/action/" + action, data=json.dumps(data),
                        content_type="application/json")
    assert response.status_code == 409, response.body[:500]


def test_nul_or_surrogate_in_update_and_comment_is_409(app, catalogue):
    """Update's answer and assignee and a comment's text refuse NUL and lone surrogates."""
    code = api(app, "koreanap_error_report_create", **{**GOOD, "consent": False,
                                                       "reporter_email": ""})["result"]["code"]
    api(app, "koreanap_error_report_update", user="root", expect=409, id=code,
        answer="답\x00변")
    api(app, "koreanap_error_report_update", user="root", expect=409, id=code,
        assignee="root\ud800")
    api(app, "koreanap_error_report_comment", user="root", expect=409, id=code,
        text="메모\x00")


def test_tracking_page_with_a_nul_in_the_code_is_404(app, catalogue):
    """/error-report/<code> with %00 in the code answers 404, not 500."""
    app.get("/error-report/ER-%00", status=404)
    app.get("/dataset/rice%00/report-error", status=404)


@pytest.mark.parametrize("value", [["한 줄", "두 줄"], {"text": "설명입니다 / described"},
                                   [], {}, True])
def test_description_that_is_not_text_is_refused(app, catalogue, value):
    """A description sent as a list, an object or a boolean is refused, not stored as its repr."""
    response = _post(app, {**GOOD, "description": value})
    assert response.status_code == 409, response.body[:500]
    assert "description" in response.json["error"]
    assert _count() == 0


def test_nul_in_the_form_is_400_with_the_message(app, catalogue):
    """The form shows a NUL byte in a field as a 400 with the message by the field."""
    body = app.get("/dataset/rice-cadmium/report-error", status=200).body
    response = app.post("/dataset/rice-cadmium/report-error", data={
        "_csrf_token": csrf_token(body), "category": "wrong_value",
        "description": "카드뮴 값의\x00 단위가 틀렸습니다"}, follow_redirects=False)
    assert response.status_code == 400
    assert "허용되지 않는 문자" in response.body
    assert _count() == 0


# Values a hostile or careless client may send in a JSON field.
_ATOMS = ["", " ", "\x00", "\ud800", "\udc00", "\x1f", "\u200b", "\ufeff", "🎉", "가" * 5001,
          "rice-cadmium", "wrong_value", "personal_data", "hong@example.org", "ER-00000-00000",
          "'; drop table koreanap_error_report; --", "<script>", "%00", "\\u0000", "null",
          0, -1, 2 ** 63, 1.5, float("1e308"), True, False, None]


def _value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(6 if depth < 2 else 3)
    if kind == 0:
        return rng.choice(_ATOMS)
    if kind == 1:
        return "".join(rng.choice(["a", "가", " ", "\x00", "\ud83d", "\ude00", "é", "\n", "1"])
                       for _ in range(rng.randrange(0, 40)))
    if kind == 2:
        return GOOD[rng.choice(list(GOOD))]
    if kind == 3:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))]
    if kind == 4:
        return {rng.choice(["a", "description", "0"]): _value(rng, depth + 1)}
    return GOOD["description"] + rng.choice(["", "\x00", "\ud800"])


def _check_any_input(app, data):
    response = _post(app, data)
    assert response.status_code in (200, 400, 404, 409), (data, response.body[:500])
    assert response.json["success"] is (response.status_code == 200)
    if response.status_code == 200:
        code = response.json["result"]["code"]
        stored = model.Session.execute(text(
            "select description from koreanap_error_report where code = :code"),
            {"code": code}).scalar()
        assert stored == str(data["description"]).strip()


def _random_report(rng: random.Random) -> dict:
    data = dict(GOOD)
    for field in list(GOOD) + ["resource_id", "website"]:
        roll = rng.random()
        if roll < 0.25:
            data.pop(field, None)
        elif roll < 0.6:
            data[field] = _value(rng)
    return data


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "0")
def test_any_report_input_is_200_or_a_clear_4xx(app, catalogue):
    """Property (seeded random inputs): any JSON report gives 200 or a 4xx, never a 500."""
    rng = random.Random(20261204)
    for _ in range(150):
        _check_any_input(app, _random_report(rng))
