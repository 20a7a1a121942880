"""The report form, the tracking page and the buttons: CSRF, honeypot, rate limit, escaping."""
import re

import ckan.model as model
import pytest
from sqlalchemy import text

from .conftest import api, csrf_token, login

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _count():
    return model.Session.execute(text("select count(*) from koreanap_error_report")).scalar()


def _form(app, url="/dataset/rice-cadmium/report-error", address="10.0.0.1"):
    body = app.get(url, extra_environ={"REMOTE_ADDR": address}, status=200).body
    return body, csrf_token(body)


def _post(app, token, url="/dataset/rice-cadmium/report-error", address="10.0.0.1",
          expect=None, **fields):
    data = {"_csrf_token": token, "category": "wrong_value",
            "description": "카드뮴 값의 단위가 틀렸습니다 / wrong unit", **fields}
    response = app.post(url, data=data, extra_environ={"REMOTE_ADDR": address},
                        follow_redirects=expect is None)
    if expect is not None:
        assert response.status_code == expect, response.body[:2000]
    return response


def test_dataset_and_resource_pages_have_the_report_button(app, catalogue):
    """Dataset and resource pages link to the report form (오류신고, in English Report an error)."""
    body = app.get("/dataset/rice-cadmium", status=200).body
    assert "</i> 오류신고" in body
    assert "</i> Report an error" in app.get("/en/dataset/rice-cadmium", status=200).body
    assert "/dataset/rice-cadmium/report-error" in body
    resource_id = catalogue["rice"]["resources"][0]["id"]
    body = app.get("/dataset/rice-cadmium/resource/" + resource_id, status=200).body
    assert "/dataset/rice-cadmium/resource/{}/report-error".format(resource_id) in body


def test_report_through_the_form_gives_a_tracking_page(app, catalogue):
    """A valid form post stores the report and lands on /error-report/<code> without contact."""
    _body, token = _form(app)
    response = _post(app, token, reporter_name="홍길동", reporter_email="hong@example.org",
                     consent="true")
    assert response.status_code == 200
    assert "/error-report/ER-" in response.request.path
    assert 'koreanap-status">접수 대기' in response.body
    assert "hong@example.org" not in response.body and "홍길동" not in response.body
    assert _count() == 1


def test_resource_form_records_the_resource(app, catalogue):
    """The resource page's form files the report against that resource."""
    resource_id = catalogue["rice"]["resources"][0]["id"]
    url = "/dataset/rice-cadmium/resource/{}/report-error".format(resource_id)
    _body, token = _form(app, url)
    assert "검사 결과" in _post(app, token, url).body
    assert model.Session.execute(text("select resource_id from koreanap_error_report")
                                 ).scalar() == resource_id


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_csrf_token_is_refused(app, catalogue, token):
    """A post without the form's CSRF token (or with a wrong one) is 400 and stores nothing."""
    _form(app)
    response = _post(app, token or "", expect=400)
    assert "양식이 만료되었거나 이 사이트에서 보낸 것이 아닙니다" in response.body
    assert _count() == 0


def test_honeypot_filled_is_refused(app, catalogue):
    """A post with the hidden honeypot field filled is 400 and stores nothing."""
    _body, token = _form(app)
    _post(app, token, expect=400, website="http://spam.example")
    assert _count() == 0


def test_errors_are_shown_next_to_fields_and_text_is_kept(app, catalogue):
    """Invalid input answers 400 with messages by the fields and the typed text filled in."""
    _body, token = _form(app)
    typed = "너무 짧음"
    response = _post(app, token, expect=400, description=typed, category="",
                     location_row="r" * 201, reporter_email="x@example.org")
    body = response.body
    assert typed in body
    assert "10자 이상 적으세요" in body
    assert "200자 이하로 적으세요" in body
    assert "연락 동의에 표시하거나 이메일을 비워 두세요" in body
    assert 'value="x@example.org"' in body
    english = _post(app, token, url="/en/dataset/rice-cadmium/report-error", expect=400,
                    description=typed, reporter_email="x@example.org").body
    assert "Write at least 10 characters (you wrote 5)" in english
    assert "Tick the consent to be contacted" in english
    assert "적으세요" not in english
    assert _count() == 0


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "3")
def test_flood_from_one_address_gets_429_others_unaffected(app, catalogue):
    """After the limit one address gets 429 with a readable message; another address is fine."""
    _body, token = _form(app)
    for _ in range(3):
        _post(app, token, address="10.0.0.9")
    response = _post(app, token, address="10.0.0.9", expect=429)
    assert "이 주소에서 보낸 오류신고가 너무 많습니다" in response.body
    assert "카드뮴 값의 단위가 틀렸습니다" in response.body
    _post(app, token, address="10.0.0.10")
    assert _count() == 4
    response = app.post("/api/3/action/koreanap_error_report_create", json={
        "package_id": "rice-cadmium", "category": "other",
        "description": "API flood from the same address"},
        extra_environ={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429, response.body[-3000:]
    assert "이 주소에서 보낸 오류신고가 너무 많습니다" in response.json["error"]["message"]
    response = app.post("/en/api/3/action/koreanap_error_report_create", json={
        "package_id": "rice-cadmium", "category": "other",
        "description": "API flood from the same address"},
        extra_environ={"REMOTE_ADDR": "10.0.0.9"})
    assert "Too many error reports from your address" in response.json["error"]["message"]


def _api_report(app, proxy: str, forwarded: str | None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.post("/api/3/action/koreanap_error_report_create", json={
        "package_id": "rice-cadmium", "category": "other",
        "description": "behind a proxy / 프록시 뒤에서"},
        headers=headers, extra_environ={"REMOTE_ADDR": proxy})


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "2")
def test_forged_forwarded_for_does_not_escape_the_limit(app, catalogue):
    """With no trusted proxy, X-Forwarded-For is ignored: a client cannot pose as many."""
    for number in range(2):
        assert _api_report(app, "10.0.1.1", "192.0.2.{}".format(number)).status_code == 200
    assert _api_report(app, "10.0.1.1", "192.0.2.99").status_code == 429


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "2")
@pytest.mark.ckan_config("ckanext.koreanap.reports.trusted_proxies", "1")
def test_behind_a_trusted_proxy_each_visitor_is_counted(app, catalogue):
    """Behind one proxy the limit counts the address it forwards, not the proxy's own."""
    proxy = "10.0.2.1"
    for _ in range(2):
        assert _api_report(app, proxy, "198.51.100.7").status_code == 200
    assert _api_report(app, proxy, "198.51.100.7").status_code == 429
    # Another visitor through the same proxy, even one that forges an entry to the left.
    assert _api_report(app, proxy, "198.51.100.7, 198.51.100.8").status_code == 200
    _body, token = _form(app)
    response = app.post("/dataset/rice-cadmium/report-error", data={
        "_csrf_token": token, "category": "wrong_value",
        "description": "양식으로 보낸 신고 / sent through the form"},
        headers={"X-Forwarded-For": "198.51.100.7"}, extra_environ={"REMOTE_ADDR": proxy},
        follow_redirects=False)
    assert response.status_code == 429
    assert _count() == 3


@pytest.mark.parametrize("url", [
    "/dataset/no-such-dataset/report-error",
    "/dataset/rice-cadmium/resource/no-such-resource/report-error",
])
def test_unknown_dataset_or_resource_is_404(app, catalogue, url):
    """The form of an unknown dataset or resource answers 404."""
    app.get(url, status=404)


def test_resource_of_another_dataset_is_404(app, catalogue):
    """A resource id from another dataset answers 404."""
    other = catalogue["scans"]["resources"][0]["id"]
    app.get("/dataset/rice-cadmium/resource/{}/report-error".format(other), status=404)


def test_xss_payloads_are_escaped_on_every_page(app, catalogue):
    """Script payloads in free-text fields are escaped on tracking, queue, report, dataset pages."""
    _body, token = _form(app)
    response = _post(app, token, description=XSS + " long enough", location_row=XSS,
                     location_column=XSS, reporter_name=XSS)
    code = response.request.path.rsplit("/", 1)[1]
    assert XSS not in response.body
    api(app, "koreanap_error_report_update", user="root", id=code, status="accepted")
    api(app, "koreanap_error_report_comment", user="root", id=code, text=XSS)
    api(app, "koreanap_error_report_update", user="root", id=code, status="answered",
        resolution="resolved", answer=XSS)
    login(app, "root")
    pages = ["/error-report/" + code, "/quality/error-reports",
             "/quality/error-reports/" + code, "/dataset/rice-cadmium"]
    for url in pages:
        body = app.get(url, status=200).body
        assert XSS not in body, url
        assert "&lt;script&gt;" in body, url


def test_tracking_page_names_the_dates_as_the_portal_does(app, catalogue):
    """An answered report's tracking page shows 접수일시, 접수 확인일시 and 답변일시
    (docs/glossary.md), not the status words 접수 and 처리 완료 as date labels."""
    _body, token = _form(app)
    code = _post(app, token).request.path.rsplit("/", 1)[1]
    api(app, "koreanap_error_report_update", user="root", id=code, status="accepted")
    api(app, "koreanap_error_report_update", user="root", id=code, status="answered",
        resolution="resolved", answer="고쳤습니다.")
    body = app.get("/error-report/" + code, status=200).body
    labels = re.findall(r'<dt class="col-sm-3">([^<]+)</dt>', body)
    assert [x for x in labels if x.endswith("일시")] == ["접수일시", "접수 확인일시", "답변일시"]


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "1")
def test_429_says_when_to_try_again_in_seconds(app, catalogue):
    """The form's and the API's 429 carry Retry-After as a number of seconds."""
    _body, token = _form(app)
    _post(app, token, address="10.0.4.1")
    response = _post(app, token, address="10.0.4.1", expect=429)
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    response = _api_report(app, "10.0.4.1", None)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600


@pytest.mark.ckan_config("ckanext.koreanap.reports.rate_limit", "2")
def test_refused_requests_do_not_count_toward_the_limit(app, catalogue):
    """Reports refused as 400/404/409 (form or API) leave the address's allowance untouched."""
    address = "10.0.5.1"
    _body, token = _form(app)
    for _ in range(3):
        _post(app, token, address=address, expect=400, description="짧음")
        _post(app, token, address=address, expect=400, website="http://spam.example")
        response = app.post("/api/3/action/koreanap_error_report_create", json={
            "package_id": "no-such-dataset", "category": "other",
            "description": "no such dataset / 없는 데이터셋"},
            extra_environ={"REMOTE_ADDR": address})
        assert response.status_code == 404
        response = app.post("/api/3/action/koreanap_error_report_create", json={
            "package_id": "rice-cadmium", "category": "nonsense",
            "description": "unknown category / 없는 유형"},
            extra_environ={"REMOTE_ADDR": address})
        assert response.status_code == 409
        response = app.post("/api/3/action/koreanap_error_report_create",
                            data="{not json", content_type="application/json",
                            extra_environ={"REMOTE_ADDR": address})
        assert response.status_code == 400
    _post(app, token, address=address)
    assert _api_report(app, address, None).status_code == 200
    assert _api_report(app, address, None).status_code == 429
    assert _count() == 2


def test_api_refuses_a_filled_honeypot(app, catalogue):
    """The API refuses a report with the honeypot field filled, like the form; nothing stored."""
    body = api(app, "koreanap_error_report_create", expect=409, package_id="rice-cadmium",
               category="other", description="a bot fills every field",
               website="http://spam.example")
    assert body["error"]["website"]
    assert _count() == 0
