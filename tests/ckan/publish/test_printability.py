"""Dataset and resource pages show each 3D file's printability from the stored validation."""
import csv
import hashlib
import io
import json

import pytest
import trimesh
from ckan.tests import factories
from ckan.tests.helpers import call_action

from koreanap_client.publishing import PublishError

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")

SLUG = "cultural-heritage-3d"


def _page(app, url):
    """A page's HTML. The publish fixture's request context shares flask's ``g`` with
    every request, and flask-babel keeps the first request's locale there: forget it."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("_flask_babel", None)
    return app.get(url, status=200).body


def _row_html(page, resource_id):
    """The printability table row of one resource."""
    start = page.index('id="print-asset-{}"'.format(resource_id))
    return page[start:page.index("</tr>", start)]


def _resource(name):
    dataset = call_action("package_show", id=SLUG)
    return next(r for r in dataset["resources"] if r["datapackage_name"] == name)


def test_dataset_page_shows_measured_printability_and_print_download(app, sysadmin, publish):
    """Published 3D files show watertight, size in mm and faces; the STL is there to download."""
    result, _ = publish(PACKAGES / SLUG, sysadmin["name"])
    assert result.validation["status"] == "valid"
    stl, glb = _resource("sungnyemun-print"), _resource("sungnyemun-web")
    page = _page(app, "/dataset/" + SLUG)
    assert 'id="koreanap-printability"' in page
    row = _row_html(page, stl["id"])
    assert '<td class="koreanap-watertight"><span class="text-success" data-value="yes">' in row
    assert "200.00 × 86.67 × 152.00" in row
    assert '<td class="koreanap-faces">252</td>' in row
    printable = row.split('class="koreanap-printable"', 1)[1].split("</td>", 1)[0]
    assert 'data-value="yes"' in printable and "250 × 250 × 250" in printable
    href = '/dataset/{}/resource/{}/download/sungnyemun-print.stl'.format(SLUG, stl["id"])
    assert 'href="{}"'.format(href) in row and "btn-primary" in row
    served = app.get(href, status=200).data
    assert served == (PACKAGES / SLUG / "data" / "models" / "sungnyemun-print.stl").read_bytes()
    # The web model (GLB, metres) is measured in mm too, and is not a print file.
    row = _row_html(page, glb["id"])
    assert "200.00 × 152.00 × 86.67" in row and ">252</td>" in row
    assert "data-value=" not in row.split('class="koreanap-printable"', 1)[1].split("</td>")[0]
    # The braille plate: a print file of 7,654 faces.
    braille = _row_html(page, _resource("cheomseongdae-braille")["id"])
    assert "54.50 × 21.00 × 2.60" in braille and ">7,654</td>" in braille
    # Tables are not 3D files.
    assert 'id="print-asset-{}"'.format(_resource("assets")["id"]) not in page


def test_resource_page_shows_its_own_printability(app, sysadmin, publish):
    """A 3D file's resource page shows its own figures and download link, not the others'."""
    publish(PACKAGES / SLUG, sysadmin["name"])
    bell = _resource("seongdeok-bell-print")
    page = _page(app, "/dataset/{}/resource/{}".format(SLUG, bell["id"]))
    row = _row_html(page, bell["id"])
    assert "99.67 × 99.67 × 160.00" in row and ">4,770</td>" in row
    assert 'data-value="yes"' in row and "seongdeok-bell-print.stl" in row
    assert page.count('class="koreanap-print-asset"') == 1


def test_page_is_bilingual(app, sysadmin, publish):
    """The printability table is Korean by default and English under /en/."""
    publish(PACKAGES / SLUG, sysadmin["name"])
    korean = _page(app, "/dataset/" + SLUG)
    assert "3D 프린팅 적합성" in korean and "3D printability" not in korean
    english = _page(app, "/en/dataset/" + SLUG)
    assert "3D printability" in english and "Watertight" in english
    assert "3D 프린팅 적합성" not in english


def _break_print_file(folder):
    """Replace sungnyemun-print.stl by an open 300 mm box, its row and descriptor honest."""
    mesh = trimesh.creation.box(extents=[300.0, 300.0, 300.0])
    mesh.update_faces([i != 0 for i in range(len(mesh.faces))])  # a hole: not watertight
    data = mesh.export(file_type="stl")
    rel = "data/models/sungnyemun-print.stl"
    (folder / rel).write_bytes(data)
    measured = trimesh.load(io.BytesIO(data), file_type="stl")
    sha = hashlib.sha256(data).hexdigest()
    with open(folder / "data" / "assets.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["path"] == rel)
    x, y, z = (float(v) for v in measured.extents)
    row.update(bytes=str(len(data)), sha256=sha, vertex_count=str(len(measured.vertices)),
               face_count=str(len(measured.faces)),
               watertight="Y" if measured.is_watertight else "N",
               winding_consistent="Y" if measured.is_winding_consistent else "N",
               bbox_x_mm=f"{x:.2f}", bbox_y_mm=f"{y:.2f}", bbox_z_mm=f"{z:.2f}")
    with open(folder / "data" / "assets.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    resource = next(r for r in descriptor["resources"] if r["path"] == rel)
    resource.update(bytes=len(data), hash="sha256:" + sha)
    assert "bytes" not in next(r for r in descriptor["resources"] if r["name"] == "assets")
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False),
                                             "utf-8")
    return len(measured.faces)


def test_unprintable_file_says_why(app, sysadmin, publish, package_copy):
    """A too big print STL with a hole: watertight No, printable No, and both reasons."""
    folder = package_copy(SLUG)
    faces = _break_print_file(folder)
    with pytest.raises(PublishError, match="assets"):
        publish(folder, sysadmin["name"])
    stl = _resource("sungnyemun-print")
    row = _row_html(_page(app, "/en/dataset/" + SLUG), stl["id"])
    assert '<td class="koreanap-watertight"><span class="text-danger" data-value="no">' in row
    assert "300.00 × 300.00 × 300.00" in row and ">{}</td>".format(faces) in row
    printable = row.split('class="koreanap-printable"', 1)[1].split("</td>", 1)[0]
    assert 'data-value="no"' in printable
    assert "not watertight: the surface has holes" in printable
    assert "does not fit the 250 × 250 × 250 mm build volume" in printable


def test_3d_file_without_validation_result_says_not_checked_yet(app, sysadmin):
    """A dataset whose 3D file has no validation result yet shows "not checked yet", no error."""
    from ckan import model

    from ckanext.koreanap.pipeline import model as kmodel

    org = factories.Organization(users=[{"name": sysadmin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(owner_org=org["id"], name="unchecked-3d")
    resource = factories.Resource(package_id=dataset["id"], url="https://example.org/gate.stl",
                                  format="STL", name="gate print")
    kmodel.delete_status(resource["id"])  # as before any validation was queued
    model.Session.commit()
    korean = _page(app, "/dataset/unchecked-3d")
    row = _row_html(korean, resource["id"])
    assert "아직 검사하지 않음" in row and 'href="https://example.org/gate.stl"' in row
    english = _page(app, "/en/dataset/unchecked-3d/resource/" + resource["id"])
    assert "Not checked yet" in _row_html(english, resource["id"])
