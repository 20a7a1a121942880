"""The 3D view plugin in CKAN (koreanap_3d_view): which resources get it and
what its page hands to the browser code. The rendering itself is tested in a
real browser (tests/browser/test_view3d.py)."""
import pytest
from ckan.tests import factories, helpers

pytestmark = [
    pytest.mark.usefixtures("clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
]


def _views(resource):
    return [v["view_type"] for v in helpers.call_action("resource_view_list", id=resource["id"])]


@pytest.mark.parametrize("url, fmt", [
    ("http://example.org/cheomseongdae.glb", "GLB"),
    ("http://example.org/cheomseongdae.stl", ""),  # CKAN guesses model/stl
    ("http://example.org/download?id=7", "STL"),
    ("http://example.org/seokgatap.obj", "obj"),
    ("http://example.org/scan.ply", ""),  # no MIME type: the extension decides
])
def test_3d_formats_get_the_view_by_default(url, fmt):
    """A new GLB, STL, OBJ or PLY resource gets a 3D view without any view configured."""
    resource = factories.Resource(url=url, format=fmt)
    assert _views(resource) == ["koreanap_3d_view"]


def test_other_formats_do_not_get_the_view():
    """A CSV resource gets no 3D view."""
    assert _views(factories.Resource(url="http://example.org/rows.csv", format="CSV")) == []


@pytest.mark.ckan_config("ckanext.koreanap.view3d.default_view", "false")
def test_default_view_can_be_switched_off():
    """ckanext.koreanap.view3d.default_view = false creates no view on its own."""
    assert _views(factories.Resource(url="http://example.org/a.stl", format="STL")) == []


@pytest.mark.ckan_config("ckanext.koreanap.view3d.formats", "glb")
def test_formats_option_limits_the_view():
    """ckanext.koreanap.view3d.formats = glb leaves STL files without the view."""
    assert _views(factories.Resource(url="http://example.org/a.stl", format="STL")) == []
    assert _views(factories.Resource(url="http://example.org/a.glb", format="GLB")) == [
        "koreanap_3d_view"]


def test_view_page_hands_the_file_to_the_viewer(app):
    """The view's page carries the file URL, the loader and the bundled viewer script."""
    resource = factories.Resource(url="http://example.org/model.ply", format="PLY")
    view = helpers.call_action("resource_view_list", id=resource["id"])[0]
    body = app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}"
                   f"/view/{view['id']}", status=200).body
    assert 'data-module="koreanap-view3d"' in body
    assert 'data-module-url="http://example.org/model.ply"' in body
    assert 'data-module-kind="ply"' in body
    assert 'data-module-too-large="false"' in body
    assert "data-module-still-image-url" not in body
    assert "view3d.js" in body


@pytest.mark.ckan_config("ckanext.koreanap.view3d.max_size", "1000")
def test_too_large_file_is_not_loaded(app):
    """A resource larger than ckanext.koreanap.view3d.max_size is flagged as too large."""
    resource = factories.Resource(url="http://example.org/big.stl", format="STL", size=5000)
    view = helpers.call_action("resource_view_list", id=resource["id"])[0]
    body = app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}"
                   f"/view/{view['id']}", status=200).body
    assert 'data-module-too-large="true"' in body


def test_still_image_url_is_passed_on(app):
    """A still image set on the view is what browsers without WebGL show."""
    resource = factories.Resource(url="http://example.org/a.glb", format="GLB")
    admin = factories.Sysadmin()
    view = helpers.call_action(
        "resource_view_create", context={"user": admin["name"]}, resource_id=resource["id"],
        view_type="koreanap_3d_view", title="3D", image_url="http://example.org/still.png")
    body = app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}"
                   f"/view/{view['id']}", status=200).body
    assert 'data-module-still-image-url="http://example.org/still.png"' in body


def test_view_settings_form_offers_the_still_image_field(app):
    """The view's edit form (for editors) has the still image URL field."""
    admin = factories.SysadminWithToken()
    resource = factories.Resource(url="http://example.org/a.glb", format="GLB")
    view = helpers.call_action("resource_view_list", id=resource["id"])[0]
    body = app.get(f"/dataset/{resource['package_id']}/resource/{resource['id']}"
                   f"/edit_view/{view['id']}", headers={"Authorization": admin["token"]},
                   status=200).body
    assert 'name="image_url"' in body
