"""The "Upload data package" page when it refuses (issue 13 item 7): a 4xx, the form
again with a clear error, and no server path or command-line advice in the page."""
import io
import json
import re
import zipfile

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

PASSWORD = "correct-horse-123"
pytestmark = pytest.mark.usefixtures("clean_publish", "with_request_context")
# What a web user must never see: the server's folders, and the command's advice.
LEAKS = re.compile(r"/work/|/tmp/|koreanap-work|koreanap-validate|upload-(?!package)[a-z0-9_]{8}|"
                   r"storage-koreanap|\s--[a-z]|KOREANAP_[A-Z_]+|ckan jobs|scripts/")


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def editor_page(make_app):
    """(app logged in as an editor of organization "mois", the page URL, the editor)."""
    editor = factories.User(password=PASSWORD)
    org = factories.Organization(name="mois",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    app = make_app()
    body = app.get("/user/login", status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', body).group(1)
    app.post("/user/login", data={"_csrf_token": token, "login": editor["name"],
                                  "password": PASSWORD})
    return app, "/organization/{}/upload-package".format(org["name"]), editor


def _post(app, url, data, filename, files=()):
    page = app.get(url, status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    form = {"_csrf_token": token, "upload": (io.BytesIO(data), filename)}
    if files:
        form["files"] = [(io.BytesIO(content), name) for name, content in files]
    return app.post(url, data=form, content_type="multipart/form-data")


def _errors(body):
    """The text of the page's error box."""
    match = re.search(r'class="alert alert-danger koreanap-upload-errors">(.*?)</div>', body,
                      re.S)
    assert match, "no error box in the page"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def _assert_form_without_leaks(body):
    assert 'name="upload"' in body and 'name="_csrf_token"' in body  # the form again
    leak = LEAKS.search(body)
    assert not leak, "the page shows {!r}".format(body[max(0, leak.start() - 80):leak.end() + 80])


@pytest.mark.ckan_config("ckanext.koreanap.upload.max_bytes", 100_000)
def test_zip_bomb_answers_400_naming_the_upload_not_its_server_path(editor_page):
    """A zip that unpacks past the limit: 400, the error names bomb.zip and the limit;
    neither the work folder's path nor "raise --max-unpacked-bytes" is shown."""
    app, url, _ = editor_page
    data = _zip({"datapackage.json": json.dumps({"name": "bomb", "resources": [
        {"name": "zeros", "path": "zeros.csv"}]}), "zeros.csv": b"0" * 5_000_000})
    response = _post(app, url, data, "bomb.zip")
    assert response.status_code == 400
    errors = _errors(response.body)
    assert "bomb.zip" in errors and "100,000 bytes" in errors
    _assert_form_without_leaks(response.body)


def test_remote_resource_answers_400_without_the_command_line_option(editor_page):
    """A package whose resource is a URL: 400 saying it is remote, without the
    command's "--allow-remote" advice."""
    app, url, _ = editor_page
    data = _zip({"datapackage.json": json.dumps({"name": "remote", "resources": [
        {"name": "far", "path": "https://example.org/far.csv"}]})})
    response = _post(app, url, data, "remote.zip")
    assert response.status_code == 400
    assert "remote" in _errors(response.body)
    _assert_form_without_leaks(response.body)


def test_broken_descriptor_answers_400_naming_the_uploaded_file(editor_page):
    """A datapackage.json that is not JSON: 400 naming the uploaded file and the line."""
    app, url, _ = editor_page
    response = _post(app, url, b'{"name": "x",\n  oops}', "my-package.json")
    assert response.status_code == 400
    errors = _errors(response.body)
    assert "my-package.json" in errors and "line 2" in errors
    _assert_form_without_leaks(response.body)


def test_wrong_file_kind_answers_400(editor_page):
    """A file that is neither a zip nor a datapackage.json: 400 with the form."""
    app, url, _ = editor_page
    response = _post(app, url, b"a,b\n1,2\n", "data.csv")
    assert response.status_code == 400
    assert "data.csv" in _errors(response.body)
    _assert_form_without_leaks(response.body)


@pytest.mark.ckan_config("ckanext.koreanap.upload.max_bytes", 10_000)
def test_upload_over_the_limit_answers_413(editor_page):
    """An upload larger than the limit: 413 with the limit in the error."""
    app, url, _ = editor_page
    response = _post(app, url, b"x" * 20_000, "big.zip")
    assert response.status_code == 413
    assert "10,000" in _errors(response.body)
    _assert_form_without_leaks(response.body)


def test_invalid_package_answers_422_with_the_report(editor_page):
    """A package failing a rule: 422, the report (rule, resource, row, field) and the form;
    nothing is published."""
    app, url, _ = editor_page
    folder = PACKAGES / "ogp-nap4-commitments"
    text = (folder / "data" / "commitments.csv").read_text("utf-8")
    data = _zip({"datapackage.json": (folder / "datapackage.json").read_bytes(),
                 "data/commitments.csv": text.replace("nap4-01,1,", "nap4-01,one,", 1),
                 "data/milestones.csv": (folder / "data" / "milestones.csv").read_bytes()})
    response = _post(app, url, data, "package.zip")
    assert response.status_code == 422
    assert "koreanap-upload-invalid" in response.body and "plan_order" in response.body
    # the count reads as Korean (ngettext): "오류 1건", not a dangling "1 건의 오류"
    assert "(오류 1건)" in response.body and "건의 오류" not in response.body
    _assert_form_without_leaks(response.body)
    assert call_action("package_search", q="*:*")["count"] == 0


def test_publish_conflict_answers_409_without_token_advice(editor_page):
    """A valid package whose dataset name belongs to another organization: 409 saying
    the catalogue refused, without the command's KOREANAP_API_TOKEN advice."""
    app, url, _ = editor_page
    other = factories.Organization(name="other-org")
    factories.Dataset(name="ogp-nap4-commitments", owner_org=other["id"])
    folder = PACKAGES / "ogp-nap4-commitments"
    members = {"datapackage.json": (folder / "datapackage.json").read_bytes()}
    for path in (folder / "data").iterdir():
        members["data/" + path.name] = path.read_bytes()
    response = _post(app, url, _zip(members), "package.zip")
    assert response.status_code == 409
    assert "403 not authorized" in _errors(response.body)
    _assert_form_without_leaks(response.body)
