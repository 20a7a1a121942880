"""Refusals: other organization, unsafe URLs, unsafe or oversized uploads, invalid packages."""
import io
import json
import zipfile

import pytest
from ckan.logic import NotFound, ValidationError
from ckan.tests import factories
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

from .conftest import PACKAGES

PASSWORD = "correct-horse-123"
pytestmark = pytest.mark.usefixtures("clean_publish", "with_request_context")


def _storage(data, filename):
    return FileStorage(io.BytesIO(data), filename=filename)


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_user_of_another_organization_is_refused(sysadmin, publish):
    """An editor of another organization cannot publish into this one; nothing is created."""
    from koreanap_client.publishing import PublishError

    factories.Organization(name="ckanext-koreanap", users=[])  # the package's publisher
    other = factories.User()
    factories.Organization(name="cha", users=[{"name": other["name"], "capacity": "editor"}])
    with pytest.raises(PublishError) as raised:
        publish(PACKAGES / "ogp-nap4-commitments", other["name"])
    assert "403 not authorized" in raised.value.message
    assert raised.value.explain().endswith("the catalogue was not changed")
    with pytest.raises(NotFound):
        call_action("package_show", id="ogp-nap4-commitments")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:5000/secret.csv",
    "http://10.1.2.3/data.csv",
    "http://192.168.0.10/data.csv",
    "http://[::1]/data.csv",
    "http://localhost/data.csv",
    "http://169.254.169.254/latest/meta-data/",
    "ftp://example.org/data.csv",
])
def test_resource_url_on_a_private_address_or_file_is_refused(sysadmin, url):
    """A linked resource URL that is file://, not http(s), or private/local is refused."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"])
    with pytest.raises(ValidationError) as raised:
        call_action("resource_create", context={"user": sysadmin["name"]},
                    package_id=dataset["id"], url=url, format="CSV")
    assert url in " ".join(raised.value.error_dict["url"])


def test_public_resource_url_is_accepted(sysadmin):
    """A public http(s) URL is accepted as a resource URL."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"])
    created = call_action("resource_create", context={"user": sysadmin["name"]},
                          package_id=dataset["id"], url="https://example.org/data.csv",
                          format="CSV")
    assert created["url"] == "https://example.org/data.csv"


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_resource_upload_over_the_size_limit_is_refused(sysadmin):
    """A resource file over ckan.max_resource_size (MB) is refused with a clear message."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"])
    big = b"a,b\n" + b"1,2\n" * (300 * 1024)  # 1.2 MB
    with pytest.raises(ValidationError) as raised:
        call_action("resource_create", context={"user": sysadmin["name"]},
                    package_id=dataset["id"], upload=_storage(big, "big.csv"), format="CSV")
    assert "too large" in str(raised.value.error_dict).lower()


def _upload(user, org, data, filename, files=()):
    return call_action("koreanap_package_upload",
                       context={"user": user["name"], "ignore_auth": False},
                       owner_org=org["name"], upload=_storage(data, filename),
                       files=list(files))


def test_upload_with_path_traversal_is_refused(sysadmin):
    """A zip with a "../" member is refused before anything is unpacked or published."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    data = _zip({"datapackage.json": json.dumps({"name": "x", "resources": []}),
                 "../evil.csv": "a\n1\n"})
    with pytest.raises(ValidationError) as raised:
        _upload(sysadmin, org, data, "package.zip")
    assert "../evil.csv" in str(raised.value.error_dict)
    assert call_action("package_search", q="*:*")["count"] == 0


@pytest.mark.ckan_config("ckanext.koreanap.upload.max_bytes", 100_000)
def test_upload_zip_bomb_is_refused(sysadmin):
    """A zip that unpacks to more than the upload limit is refused (zip bomb)."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps({"name": "bomb", "resources": [
            {"name": "zeros", "path": "zeros.csv"}]}))
        archive.writestr("zeros.csv", b"0" * 5_000_000)
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ValidationError) as raised:
        _upload(sysadmin, org, buffer.getvalue(), "bomb.zip")
    assert "bytes" in str(raised.value.error_dict)


@pytest.mark.ckan_config("ckanext.koreanap.upload.max_bytes", 10_000)
def test_upload_over_the_size_limit_is_refused(sysadmin):
    """A data package upload larger than ckanext.koreanap.upload.max_bytes is refused."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    with pytest.raises(ValidationError) as raised:
        _upload(sysadmin, org, b"x" * 20_000, "big.zip")
    assert "10,000" in " ".join(raised.value.error_dict["upload"])


def test_invalid_package_upload_publishes_nothing_and_returns_the_report(sysadmin):
    """An uploaded package failing a rule publishes nothing; the report names rule, row, field."""
    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    folder = PACKAGES / "ogp-nap4-commitments"
    text = (folder / "data" / "commitments.csv").read_text("utf-8")
    members = {"datapackage.json": (folder / "datapackage.json").read_bytes(),
               "data/commitments.csv": text.replace("nap4-01,1,", "nap4-01,one,", 1),
               "data/milestones.csv": (folder / "data" / "milestones.csv").read_bytes()}
    result = _upload(sysadmin, org, _zip(members), "package.zip")
    assert result["published"] is False
    error = result["report"]["errors"][0]
    assert (error["rule"], error["resource"], error["row"], error["field"]) == (
        "type-error", "commitments", 2, "plan_order")
    assert call_action("package_search", q="*:*")["count"] == 0


def test_upload_of_descriptor_and_files_publishes_like_the_command(sysadmin, worker):
    """datapackage.json plus its files through the upload action publishes the package
    (the page waits for the validation job, which a real worker runs)."""
    org = factories.Organization(name="mois",
                                 users=[{"name": sysadmin["name"], "capacity": "admin"}])
    folder = PACKAGES / "ogp-nap4-commitments"
    files = [_storage((folder / "data" / n).read_bytes(), n)
             for n in ("commitments.csv", "milestones.csv")]
    result = _upload(sysadmin, org, (folder / "datapackage.json").read_bytes(),
                     "datapackage.json", files)
    assert result["published"] is True
    assert "dataset ogp-nap4-commitments: created" in result["lines"]
    assert any(line.startswith("validation ogp-nap4-commitments: valid")
               for line in result["lines"])
    state = call_action("koreanap_dataset_validation_show", id="ogp-nap4-commitments")
    assert state["status"] == "valid"


def test_upload_by_a_user_of_another_organization_is_refused(sysadmin):
    """Only editors of the organization may use its upload action."""
    from ckan.logic import NotAuthorized

    org = factories.Organization()
    other = factories.User()
    with pytest.raises(NotAuthorized):
        _upload(other, org, b"{}", "datapackage.json")


def _login(app, name):
    """Log in through CKAN's login form, keeping the session cookie."""
    import re

    body = app.get("/user/login", status=200).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', body).group(1)
    response = app.post("/user/login", data={"_csrf_token": token, "login": name,
                                             "password": PASSWORD})
    assert "/user/_logout" in response.body


def test_upload_page_is_for_organization_editors_only(make_app, sysadmin):
    """The "Upload data package" page answers editors of the organization and refuses others."""
    editor = factories.User(password=PASSWORD)
    other = factories.User(password=PASSWORD)
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    url = "/organization/{}/upload-package".format(org["name"])
    app = make_app()
    _login(app, editor["name"])
    page = app.get(url, status=200).body
    assert 'name="upload"' in page and 'name="_csrf_token"' in page
    assert url in app.get("/organization/" + org["name"]).body  # the button
    app = make_app()
    _login(app, other["name"])
    app.get(url, status=403)
