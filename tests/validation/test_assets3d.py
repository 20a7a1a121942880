"""3D asset rules (validation/koreanap_validation/assets3d.py)."""
import csv
import hashlib
import json
from pathlib import Path

import pytest
import trimesh
from frictionless import Checklist, Package

from koreanap_validation import (
    assets3d,
    checks,  # noqa: F401  (registers the plugin)
)

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "datapackages" / "cultural-heritage-3d"
OURS = {E.type for E in assets3d.ERRORS}
HEADER = ["asset_id", "kind", "path", "units", "bytes", "vertex_count", "face_count",
          "watertight", "winding_consistent", "bbox_x_mm", "bbox_y_mm", "bbox_z_mm",
          "sha256", "real_size_m"]
TYPES = {"bytes": "integer", "vertex_count": "integer", "face_count": "integer",
         "bbox_x_mm": "number", "bbox_y_mm": "number", "bbox_z_mm": "number",
         "real_size_m": "number"}


def found(report):
    """(type, row, field) of our errors in a frictionless report."""
    return [(e.type, getattr(e, "row_number", None), getattr(e, "field_name", None))
            for task in report.tasks for e in task.errors if e.type in OURS]


def write_model(folder, name, mesh, file_type="stl"):
    """Export ``mesh`` to data/models/NAME.EXT; return its package-relative path."""
    rel = f"data/models/{name}.{file_type}"
    data = mesh.export(file_type=file_type)
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    return rel


def describe(folder, rel, kind="print", units="mm"):
    """An assets row that truly describes the file at ``rel`` (measured with trimesh)."""
    full = folder / rel
    mesh = assets3d.load_mesh(str(full), rel.rsplit(".", 1)[1])
    scale = 1000.0 if units == "m" else 1.0
    x, y, z = (float(v) * scale for v in mesh.extents)
    data = full.read_bytes()
    return {"asset_id": Path(rel).stem, "kind": kind, "path": rel, "units": units,
            "bytes": len(data), "vertex_count": len(mesh.vertices),
            "face_count": len(mesh.faces),
            "watertight": "Y" if mesh.is_watertight else "N",
            "winding_consistent": "Y" if mesh.is_winding_consistent else "N",
            "bbox_x_mm": f"{x:.2f}", "bbox_y_mm": f"{y:.2f}", "bbox_z_mm": f"{z:.2f}",
            "sha256": hashlib.sha256(data).hexdigest()}


def write_package(folder, rows):
    """Write data/assets.csv and a datapackage.json describing it."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    with open(folder / "data" / "assets.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    fields = [{"name": n, "type": TYPES.get(n, "string")} for n in HEADER]
    descriptor = {"name": "assets-fixture", "resources": [
        {"name": "assets", "path": "data/assets.csv", "profile": "tabular-data-resource",
         "schema": {"fields": fields}}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def validate(folder, **options):
    """Validate the assets resource of the package in ``folder`` with Asset3DCheck."""
    package = Package(str(folder / "datapackage.json"))
    return package.get_resource("assets").validate(
        checklist=Checklist(checks=[assets3d.Asset3DCheck(**options)]))


def box(size=20.0):
    """A closed, consistently wound cube of ``size`` mm."""
    return trimesh.creation.box(extents=[size, size, size])


@pytest.fixture
def good(tmp_path):
    """A package with one good print STL and good PLY, OBJ and GLB web models."""
    folder = tmp_path / "pkg"
    rows = [describe(folder, write_model(folder, "cube-print", box()))]
    for file_type in ("ply", "obj", "glb"):
        rel = write_model(folder, f"cube-{file_type}", box(0.02), file_type)
        rows.append(describe(folder, rel, kind="model", units="m"))
    write_package(folder, rows)
    return folder, rows


def test_real_package_passes():
    """The real cultural-heritage-3d package (STL and GLB) passes every asset rule."""
    package = Package(str(REAL / "datapackage.json"))
    picked = assets3d.package_checks(package)
    assert list(picked) == ["assets"]
    report = package.get_resource("assets").validate(checklist=Checklist(checks=picked["assets"]))
    assert report.tasks[0].stats["rows"] == 11
    assert found(report) == [], report.flatten(["message"])


def test_check_assets_function_on_real_package():
    """check_assets returns no error dicts for the real package."""
    assert assets3d.check_assets(str(REAL)) == []


def test_good_fixture_passes(good):
    """STL, PLY, OBJ and GLB files that match their rows pass."""
    folder, _ = good
    report = validate(folder)
    assert report.valid, report.flatten(["message"])


def replace_first(folder, rows, mesh=None, raw=None, **changes):
    """Rewrite row 0's file (a mesh, or raw bytes) and/or change its cells."""
    row = dict(rows[0])
    if mesh is not None:
        write_model(folder, "cube-print", mesh)
        row.update(describe(folder, row["path"]))
    if raw is not None:
        (folder / row["path"]).write_bytes(raw)
    row.update(changes)
    write_package(folder, [row, *rows[1:]])


def test_not_watertight(good):
    """A print STL with one face removed is not watertight (row says N honestly)."""
    folder, rows = good
    mesh = box()
    replace_first(folder, rows, mesh=trimesh.Trimesh(mesh.vertices, mesh.faces[:-1]))
    assert found(validate(folder)) == [("koreanap-asset-printable", 2, "watertight")]


def test_row_claims_watertight(good):
    """A row saying watertight = Y for an open mesh is also a mismatch."""
    folder, rows = good
    mesh = box()
    replace_first(folder, rows, mesh=trimesh.Trimesh(mesh.vertices, mesh.faces[:-1]),
                  watertight="Y")
    assert found(validate(folder)) == [("koreanap-asset-mismatch", 2, "watertight"),
                                       ("koreanap-asset-printable", 2, "watertight")]


def test_inconsistent_winding(good):
    """A print STL with one face flipped is not consistently wound."""
    folder, rows = good
    mesh = box()
    faces = mesh.faces.copy()
    faces[0] = faces[0][::-1]
    replace_first(folder, rows, mesh=trimesh.Trimesh(mesh.vertices, faces, process=False))
    assert ("koreanap-asset-printable", 2, "winding_consistent") in found(validate(folder))


def test_model_in_metres(good):
    """A print file whose coordinates are metres (extent 0.2) is refused on units."""
    folder, rows = good
    replace_first(folder, rows, mesh=box(0.2))
    assert found(validate(folder)) == [("koreanap-asset-printable", 2, "units")]


def test_print_units_column_metres(good):
    """A print asset whose units column says m is refused on units."""
    folder, rows = good
    replace_first(folder, rows, mesh=box(0.02))
    row = describe(folder, rows[0]["path"], units="m")
    write_package(folder, [row, *rows[1:]])
    assert found(validate(folder)) == [("koreanap-asset-printable", 2, "units")]


def test_too_big(good):
    """A 300 mm print model does not fit the 250 mm build volume."""
    folder, rows = good
    replace_first(folder, rows, mesh=box(300))
    assert found(validate(folder)) == [("koreanap-asset-printable", 2, "path")]


def test_build_volume_option(good):
    """The build volume is an option: a 20 mm cube does not fit 10 x 10 x 10."""
    folder, _ = good
    assert found(validate(folder, build_volume_mm=[10, 10, 10])) == [
        ("koreanap-asset-printable", 2, "path")]


@pytest.mark.parametrize("field,value", [
    ("vertex_count", 9), ("face_count", 13), ("bytes", 1),
    ("sha256", "0" * 64), ("bbox_x_mm", "21.00"),
])
def test_row_does_not_match_file(good, field, value):
    """A wrong vertex/face count, size, sha256 or bounding box is a mismatch on that column."""
    folder, rows = good
    replace_first(folder, rows, **{field: value})
    assert found(validate(folder)) == [("koreanap-asset-mismatch", 2, field)]


@pytest.mark.parametrize("ext", ["stl", "ply", "obj", "glb"])
def test_unparsable_file(good, ext):
    """A file that is not a mesh of its format is refused on path."""
    folder, rows = good
    rel = f"data/models/broken.{ext}"
    (folder / rel).write_bytes(b"this is not a mesh at all\n" * 3)
    row = dict(rows[0], path=rel, bytes=78,
               sha256=hashlib.sha256(b"this is not a mesh at all\n" * 3).hexdigest())
    write_package(folder, [row])
    assert found(validate(folder)) == [("koreanap-asset-file", 2, "path")]


def test_missing_file(good):
    """A row naming a file that does not exist is refused on path."""
    folder, rows = good
    write_package(folder, [dict(rows[0], path="data/models/nothing.stl")])
    assert found(validate(folder)) == [("koreanap-asset-file", 2, "path")]


@pytest.mark.parametrize("path", ["../outside.stl", "data/../../outside.stl",
                                  "/etc/passwd", "C:\\models\\a.stl",
                                  "https://example.org/a.stl"])
def test_path_escaping_package(good, path):
    """Absolute, '..', drive and URL paths are refused and the file is not read."""
    folder, rows = good
    (folder.parent / "outside.stl").write_bytes(box().export(file_type="stl"))
    write_package(folder, [dict(rows[0], path=path)])
    assert found(validate(folder)) == [("koreanap-asset-path", 2, "path")]


def test_symlink_out_of_package(good):
    """A symbolic link inside the package that points outside it is refused."""
    folder, rows = good
    outside = folder.parent / "outside.stl"
    outside.write_bytes(box().export(file_type="stl"))
    (folder / "data" / "models" / "link.stl").symlink_to(outside)
    write_package(folder, [dict(rows[0], path="data/models/link.stl")])
    assert found(validate(folder)) == [("koreanap-asset-path", 2, "path")]


def test_checklist_descriptor(good):
    """The check is selectable by type in a checklist, with its options."""
    folder, _ = good
    package = Package(str(folder / "datapackage.json"))
    checklist = Checklist.from_descriptor(
        {"checks": [{"type": "koreanap-mesh-asset", "buildVolumeMm": [10, 10, 10]}]})
    report = package.get_resource("assets").validate(checklist=checklist)
    assert found(report) == [("koreanap-asset-printable", 2, "path")]


def test_check_assets_error_dicts(good):
    """check_assets gives the engine's error-dict keys."""
    folder, rows = good
    replace_first(folder, rows, sha256="0" * 64)
    errors = assets3d.check_assets(str(folder))
    assert len(errors) == 1
    assert set(errors[0]) == {"rule", "resource", "row", "field", "message", "value"}
    assert (errors[0]["rule"], errors[0]["row"], errors[0]["field"]) == (
        "koreanap-asset-mismatch", 2, "sha256")


def test_engine_reports_what_it_measured():
    """validate_package lists each 3D file's size in mm, faces, closedness and printability."""
    from koreanap_validation.engine import validate_package

    for engine in ("auto", "frictionless"):
        report = validate_package(REAL, engine=engine)
        facts = {a["path"]: a for a in report["assets"]}
        assert len(facts) == 11, engine
        stl = facts["data/models/sungnyemun-print.stl"]
        assert stl["resource"] == "assets" and stl["kind"] == "print"
        assert stl["size_mm"] == [200.0, 86.67, 152.0] and stl["faces"] == 252
        assert stl["watertight"] is True and stl["printable"] is True and stl["problems"] == []
        glb = facts["data/models/sungnyemun-web.glb"]
        assert glb["size_mm"] == [200.0, 152.0, 86.67]  # metres, shown in mm
        assert glb["printable"] is None  # a web model is not judged as a print file


def test_measured_problems_have_codes(good):
    """An open, too big print file is measured as not printable, with a code per reason."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    mesh = box(300)
    replace_first(folder, rows, mesh=trimesh.Trimesh(mesh.vertices, mesh.faces[:-1]))
    report = validate_package(folder)
    fact = next(a for a in report["assets"] if a["path"] == rows[0]["path"])
    assert fact["watertight"] is False and fact["printable"] is False
    assert [p["code"] for p in fact["problems"]] == ["not-watertight", "too-big"]
    assert fact["size_mm"] == [300.0, 300.0, 300.0]


def test_unreadable_file_is_reported_as_such(good):
    """A file trimesh cannot read is listed with its error and no measurements."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    replace_first(folder, rows, raw=b"not a mesh")
    fact = next(a for a in validate_package(folder)["assets"] if a["path"] == rows[0]["path"])
    assert "error" in fact and "faces" not in fact


def test_no_assets_key_without_an_assets_table():
    """A package without 3D assets has no "assets" key (the report keeps its documented keys)."""
    from koreanap_validation.engine import validate_package

    report = validate_package(REPO / "datapackages" / "ogp-nap4-commitments")
    assert "assets" not in report


ENGINES = ("auto", "frictionless")


@pytest.mark.parametrize("engine", ENGINES)
def test_inside_out_print_file_is_an_error_and_not_printable(good, engine):
    """A closed print STL with all faces inverted (negative volume): an error, not printable."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    mesh = box()
    mesh.invert()
    replace_first(folder, rows, mesh=mesh)
    assert found(validate(folder)) == [("koreanap-asset-inverted", 2, "winding_consistent")]
    report = validate_package(folder, engine=engine)
    assert [(e["rule"], e["resource"], e["row"]) for e in report["errors"]] == [
        ("koreanap-asset-inverted", "assets", 2)]
    assert "inside out" in report["errors"][0]["message"]
    fact = next(a for a in report["assets"] if a["path"] == rows[0]["path"])
    assert fact["inside_out"] is True and fact["printable"] is False
    assert [p["code"] for p in fact["problems"]] == ["inside-out"]


@pytest.mark.parametrize("engine", ENGINES)
def test_print_scaled_to_inches_is_a_size_warning_naming_both_sizes(good, engine):
    """A 200 mm print written in inches (7.87): a note naming its size, the real size, the slip."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    replace_first(folder, rows, mesh=box(200 / 25.4), real_size_m="9.2")
    report = validate_package(folder, engine=engine)
    assert report["valid"], report["errors"]  # a warning, not an error
    (note,) = [n for n in report["notes"] if n["rule"] == "koreanap-asset-size"]
    assert (note["resource"], note["row"], note["field"]) == ("assets", 2, "path")
    assert "7.87 mm is implausibly small for a print file" in note["message"]
    assert "the object is 9.2 m (9200 mm)" in note["message"]
    assert "inches: x 25.4 gives 200.00 mm" in note["message"]
    fact = next(a for a in report["assets"] if a["path"] == rows[0]["path"])
    assert fact["printable"] is True
    assert [w["code"] for w in fact["warnings"]] == ["implausible-size"]


def test_small_print_without_real_size_says_it_is_not_given(good):
    """Without real_size_m the warning names the measured size and that the real size is missing."""
    folder, rows = good
    replace_first(folder, rows, mesh=box(8))
    (error,) = [e for t in validate(folder).tasks for e in t.errors]
    assert error.type == "koreanap-asset-size"
    assert "8.00 mm" in error.note and 'no real size ("real_size_m")' in error.note


@pytest.mark.parametrize("engine", ENGINES)
def test_scan_not_at_real_size_is_a_warning(good, engine):
    """A scan of a 2 m object that measures 2 mm (metres written as mm) is a size note."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    replace_first(folder, rows, mesh=box(2), kind="scan", real_size_m="2")
    report = validate_package(folder, engine=engine)
    assert report["valid"], report["errors"]
    (note,) = [n for n in report["notes"] if n["rule"] == "koreanap-asset-size"]
    assert "largest extent is 2.00 mm and the object is 2 m" in note["message"]
    assert "metres: x 1000 gives 2000.00 mm" in note["message"]


def test_scan_at_real_size_and_a_20_mm_print_have_no_warning(good):
    """A scan at its object's size, and a 20 mm print, give no size warning."""
    folder, rows = good
    replace_first(folder, rows, mesh=box(2000), kind="scan", real_size_m="2.1")
    assert found(validate(folder)) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_binary_stl_whose_count_does_not_fit_its_size_names_both(good, engine):
    """A cut-off binary STL in the assets table: the error names the header's count and the size."""
    from koreanap_validation.engine import validate_package

    folder, rows = good
    data = (folder / rows[0]["path"]).read_bytes()
    replace_first(folder, rows, raw=data[:-50])
    report = validate_package(folder, engine=engine)
    errors = [e for e in report["errors"] if e["rule"] == "koreanap-asset-file"]
    assert [(e["resource"], e["row"]) for e in errors] == [("assets", 2)]
    count = (len(data) - 84) // 50
    assert (f"header says {count} triangles, which take {len(data)} bytes"
            in errors[0]["message"])
    assert f"the file has {len(data) - 50} bytes" in errors[0]["message"]
