"""The cultural-heritage-3d data package: valid, honest about its sources, reproducible.

The 3D files are illustrative models generated from simple geometry (not official scan
data) by scripts/build_heritage_3d.py; these tests reload every file with trimesh and
recompute what the assets table says about it, check print rules, read the braille
plate's dots back from the mesh, and rebuild everything to compare bytes.
"""
import collections
import functools
import hashlib
import json
import pathlib
import re

import numpy as np
import pytest
import trimesh

from .packages import ROOT, frictionless_errors, read_rows, run_builder
from .personal_data import ROLE_MAILBOX_FILES
from .personal_data import personal_data as _personal_data

PACKAGE = ROOT / "datapackages" / "cultural-heritage-3d"
DATA = PACKAGE / "data"
BUILDER = ROOT / "scripts" / "build_heritage_3d.py"
NOTICE = "illustrative models generated from simple geometry, not official scan data"
PRINT_VOLUME_MM = 250.0
MAX_BYTES = 2_000_000

# Korean braille for 첨성대, independent of the builder: ㅊ ㅓ final-ㅁ, ㅅ + the 영
# contraction (엉 after ㅅ), ㄷ ㅐ. liblouis ko-g2.ctb gives the same ⠰⠎⠢⠠⠻⠊⠗.
BRAILLE_TEXT = "첨성대"
BRAILLE_UNICODE = "⠰⠎⠢⠠⠻⠊⠗"
BRAILLE_CELLS = [{5, 6}, {2, 3, 4}, {2, 6}, {6}, {1, 2, 4, 5, 6}, {2, 4}, {1, 2, 3, 5}]
# Plate layout documented in the package README (mm).
MARGIN, THICKNESS, DOT_PITCH, CELL_PITCH, DOT_HEIGHT = 8.0, 2.0, 2.5, 6.0, 0.6

# Former designation numbers and sources as the fact sheet gives them (S12, S16 sourced).
DESIGNATIONS = {"sungnyemun": (1, "Y"), "bulguksa-dabotap": (20, "N"),
                "bulguksa-seokgatap": (21, "N"), "seongdeok-bell": (29, "Y"),
                "cheomseongdae": (31, "N")}
# Heritage ccbaCtcd region codes (not 법정동 codes): Seoul 11, Gyeongsangbuk-do 37.
CCBA_CTCD = {"sungnyemun": "11", "bulguksa-dabotap": "37", "bulguksa-seokgatap": "37",
             "seongdeok-bell": "37", "cheomseongdae": "37"}

_rows = functools.partial(read_rows, DATA)
_build = functools.partial(run_builder, BUILDER, timeout=120)


def _load(path):
    mesh = trimesh.load(str(path))
    if isinstance(mesh, trimesh.Scene):
        mesh = mesh.to_geometry()
    return mesh


def _components(count, edges):
    """Connected components of count nodes joined by edges (union-find, no graph engine)."""
    parent = list(range(count))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[root(a)] = root(b)
    groups = collections.defaultdict(list)
    for i in range(count):
        groups[root(i)].append(i)
    return list(groups.values())


def _raised_dots(mesh):
    """Centres (x, y) of the raised domes: connected groups of vertices above the plate."""
    raised = mesh.vertices[:, 2] > mesh.bounds[0][2] + THICKNESS + 0.05
    index = np.cumsum(raised) - 1
    edges = [(index[a], index[b]) for a, b in mesh.edges_unique if raised[a] and raised[b]]
    points = mesh.vertices[raised][:, :2]
    return [points[group].mean(axis=0) for group in _components(len(points), edges)]


def _cells_from_mesh(mesh):
    """Read the plate back: dot centres on the documented grid -> cells of dot numbers."""
    x0, y_top = mesh.bounds[0][0] + MARGIN, mesh.bounds[1][1] - MARGIN
    cells = collections.defaultdict(set)
    for x, y in _raised_dots(mesh):
        cell = int(np.floor((x - x0 + DOT_PITCH / 2) / CELL_PITCH))
        rest = x - x0 - cell * CELL_PITCH
        column, row = round(rest / DOT_PITCH), round((y_top - y) / DOT_PITCH)
        assert column in (0, 1) and row in (0, 1, 2), (x, y)
        assert abs(rest - column * DOT_PITCH) < 0.1 and abs(y_top - y - row * DOT_PITCH) < 0.1
        cells[int(cell)].add(column * 3 + row + 1)
    return [cells[i] for i in range(max(cells) + 1)]


@pytest.fixture(scope="module")
def assets():
    return _rows("assets")


@pytest.fixture(scope="module")
def items():
    return {r["item_id"]: r for r in _rows("items")}


@pytest.fixture(scope="module")
def meshes(assets):
    return {a["asset_id"]: _load(PACKAGE / a["path"]) for a in assets}


def test_package_passes_frictionless_validation():
    """frictionless.validate finds no error (types, keys, model files' bytes and hashes)."""
    report, errors = frictionless_errors(PACKAGE)
    assert report.valid, "\n".join(errors)


def test_descriptor_has_titles_licence_sources_contributors_and_keywords(descriptor):
    """datapackage.json names the package in Korean and English, with CC BY 4.0 and sources."""
    assert descriptor["name"] == "cultural-heritage-3d"
    assert re.search(r"[가-힣]", descriptor["title_ko"])
    assert re.search(r"[A-Za-z]", descriptor["title_en"])
    assert any(re.search(r"[가-힣]", k) for k in descriptor["keywords"])
    assert any(re.fullmatch(r"[A-Za-z0-9 ]+", k) for k in descriptor["keywords"])
    assert [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert len(descriptor["sources"]) >= 4 and all(s["title"] for s in descriptor["sources"])
    assert descriptor["contributors"]
    assert all("project" in c["title"] for c in descriptor["contributors"])


def test_generated_models_are_labelled_illustrative(descriptor, assets):
    """Package description, every model resource, every asset row and README say so."""
    assert NOTICE in descriptor["description"]
    models = [r for r in descriptor["resources"] if r["path"].startswith("data/models/")]
    assert len(models) == len(assets)
    assert all(NOTICE in r["description"] for r in models)
    assert all(NOTICE in a["description"] for a in assets)
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert NOTICE in readme.replace("**", "").replace("\n", " ")


def test_foreign_key_is_declared_and_holds(descriptor, assets, items):
    """assets.item_id declares and meets its foreign key to items; every item has a model."""
    schema = next(r for r in descriptor["resources"] if r["name"] == "assets")["schema"]
    assert schema["foreignKeys"] == [
        {"fields": ["item_id"], "reference": {"resource": "items", "fields": ["item_id"]}}]
    assert {a["item_id"] for a in assets} == set(items)


def test_items_carry_verified_flags_and_the_fact_sheet_numbers(items):
    """Designation numbers match the fact sheet; verified = Y only with a cited source."""
    assert {i: (int(r["former_designation_no"]), r["designation_verified"])
            for i, r in items.items()} == DESIGNATIONS
    for item_id, r in items.items():
        assert r["category_code"] == "11" and r["category_ko"] == "국보", item_id
        for flag, source in (("designation_verified", "designation_source"),
                             ("coordinates_verified", "coordinates_source")):
            if r[flag] == "N":
                assert "unverified" in r[source], (item_id, source)
            else:
                assert r[flag] == "Y" and "unverified" not in r[source], (item_id, source)
        assert r["hanja_verified"] in ("Y", "N")
        # no KOGL type was declared for the items: the API-shaped columns stay empty
        assert r["kogl_type"] == "" and r["image_nuri"] == "", item_id


def test_region_codes_are_the_heritage_ccbactcd_system(items, descriptor):
    """Region codes are heritage ccbaCtcd codes, and the schema says which system it is."""
    assert {i: r["region_ccba_ctcd"] for i, r in items.items()} == CCBA_CTCD
    field = next(f for r in descriptor["resources"] if r["name"] == "items"
                 for f in r["schema"]["fields"] if f["name"] == "region_ccba_ctcd")
    assert "ccbaCtcd" in field["description"] and "법정동" in field["description"]
    # Sejong is 45 in ccbaCtcd (36 as a 법정동 code); the enum must be the heritage one.
    assert "45" in field["constraints"]["enum"] and "41" not in field["constraints"]["enum"]


def test_kinds_formats_and_paths(assets, items):
    """Each item has a print STL and a GLB; one braille STL; paths are under data/models."""
    kinds = collections.Counter((a["kind"], a["format"]) for a in assets)
    assert kinds == {("print", "STL"): len(items), ("model", "GLB"): len(items),
                     ("braille", "STL"): 1}
    for a in assets:
        assert a["path"] == "data/models/%s.%s" % (a["asset_id"], a["format"].lower())
        assert a["units"] == ("m" if a["format"] == "GLB" else "mm"), a["asset_id"]


def test_files_match_bytes_and_sha256_and_are_small(assets):
    """Every file's size and sha256 are what assets.csv says, and each is under 2 MB."""
    for a in assets:
        data = (PACKAGE / a["path"]).read_bytes()
        assert len(data) == int(a["bytes"]) < MAX_BYTES, a["asset_id"]
        assert hashlib.sha256(data).hexdigest() == a["sha256"], a["asset_id"]


def test_files_parse_and_counts_and_bounding_boxes_match(assets, meshes):
    """trimesh parses each file; vertex/face counts, closedness and bbox match the table."""
    for a in assets:
        mesh = meshes[a["asset_id"]]
        assert isinstance(mesh, trimesh.Trimesh) and len(mesh.faces), a["asset_id"]
        assert (len(mesh.vertices), len(mesh.faces)) == (int(a["vertex_count"]),
                                                         int(a["face_count"])), a["asset_id"]
        assert a["watertight"] == ("Y" if mesh.is_watertight else "N"), a["asset_id"]
        assert a["winding_consistent"] == ("Y" if mesh.is_winding_consistent else "N")
        scale = 1000.0 if a["units"] == "m" else 1.0
        table = [float(a["bbox_%s_mm" % axis]) for axis in "xyz"]
        assert np.allclose(mesh.extents * scale, table, atol=0.01), a["asset_id"]


def test_stl_files_are_closed_solids_that_fit_the_print_volume(assets, meshes):
    """Print and braille STLs: watertight, consistent winding, positive volume, <= 250 mm."""
    for a in (a for a in assets if a["format"] == "STL"):
        mesh = meshes[a["asset_id"]]
        assert mesh.is_watertight and mesh.is_winding_consistent, a["asset_id"]
        assert mesh.is_volume and mesh.volume > 0, a["asset_id"]
        pieces = _components(len(mesh.vertices), mesh.edges_unique)
        assert len(pieces) == 1, (a["asset_id"], len(pieces))  # one solid, not several
        assert (mesh.extents <= PRINT_VOLUME_MM).all(), (a["asset_id"], mesh.extents)
        # Millimetres: a model sized in metres would be well under 1 unit across.
        assert 20.0 <= mesh.extents.max() <= PRINT_VOLUME_MM, a["asset_id"]
        assert mesh.bounds[0][2] == pytest.approx(0.0, abs=1e-3)  # stands on the bed


def test_glb_files_are_metres_and_y_up(assets, meshes):
    """GLB files are in metres (glTF), Y up, the same shape as the item's print STL."""
    for a in (a for a in assets if a["format"] == "GLB"):
        web = meshes[a["asset_id"]]
        printed = meshes[a["item_id"] + "-print"]
        assert web.extents.max() < 1.0, a["asset_id"]
        x, y, z = printed.extents / 1000.0
        assert np.allclose(web.extents, (x, z, y), atol=1e-5), a["asset_id"]
        assert len(web.faces) == len(printed.faces)


def test_braille_plate_spells_the_name_in_korean_braille(assets, meshes):
    """The plate's raised dots, read back from the mesh, are the cells of 첨성대."""
    plate = next(a for a in assets if a["kind"] == "braille")
    assert plate["braille_text"] == BRAILLE_TEXT
    table_cells = [set(int(d) for d in cell) for cell in plate["braille_cells"].split()]
    assert table_cells == BRAILLE_CELLS
    assert "".join(chr(0x2800 + sum(1 << (d - 1) for d in c)) for c in BRAILLE_CELLS) \
        == BRAILLE_UNICODE
    mesh = meshes[plate["asset_id"]]
    assert len(_raised_dots(mesh)) == sum(len(c) for c in BRAILLE_CELLS) == 19
    assert _cells_from_mesh(mesh) == BRAILLE_CELLS
    assert mesh.extents[2] == pytest.approx(THICKNESS + DOT_HEIGHT, abs=0.01)


def test_braille_reader_sees_a_wrong_dot():
    """The mesh reader finds a changed cell: a plate missing one dot does not match."""
    plate = trimesh.creation.box(extents=(60, 21, THICKNESS))
    plate.apply_translation((30, 10.5, THICKNESS / 2))
    domes = []
    for cell_index, cell in enumerate(BRAILLE_CELLS[:-1] + [{1, 2, 3}]):
        for dot in cell:
            column, row = divmod(dot - 1, 3)
            dome = trimesh.creation.uv_sphere(radius=0.7, count=(8, 8))
            dome.apply_translation((MARGIN + cell_index * CELL_PITCH + column * DOT_PITCH,
                                    21 - MARGIN - row * DOT_PITCH, THICKNESS + 0.2))
            domes.append(dome)
    cells = _cells_from_mesh(trimesh.util.concatenate([plate, *domes]))
    assert cells[:-1] == BRAILLE_CELLS[:-1] and cells[-1] == {1, 2, 3} != BRAILLE_CELLS[-1]


def test_rebuild_gives_identical_bytes(tmp_path, assets):
    """Building into an empty folder gives the same model files and assets.csv, byte for byte."""
    result = _build("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "assets.csv").read_bytes() == (DATA / "assets.csv").read_bytes()
    built = sorted(p.name for p in (tmp_path / "data" / "models").iterdir())
    assert built == sorted(pathlib.Path(a["path"]).name for a in assets)
    for a in assets:
        assert (tmp_path / a["path"]).read_bytes() == (PACKAGE / a["path"]).read_bytes(), \
            a["asset_id"]


def test_builder_refuses_to_write_inside_a_package_without_overwrite(tmp_path):
    """Without --overwrite the builder exits 1 and says why; nothing is written."""
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    result = _build("--out", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "inside the data package" in result.stderr and "--overwrite" in result.stderr
    assert not (tmp_path / "data").exists()
    result = _build()  # the default is the package itself
    assert result.returncode == 1 and "--overwrite" in result.stderr


def test_builder_usage_errors_exit_2():
    """An unknown option is a usage error (exit 2); --help exits 0 and names the options."""
    assert _build("--no-such-option").returncode == 2
    result = _build("--help")
    assert result.returncode == 0 and "--out" in result.stdout and "--overwrite" in result.stdout


def test_no_personal_data_in_text_files():
    """No e-mail address, phone number or resident registration number in any text file."""
    found = []
    for path in [PACKAGE / "datapackage.json", PACKAGE / "README.md", *DATA.glob("*.csv")]:
        found += ["%s: %s" % (path.name, hit)
                  for hit in _personal_data(path.read_text(encoding="utf-8"),
                                            path.name in ROLE_MAILBOX_FILES)]
    assert not found, found


def test_personal_data_patterns_catch_examples():
    """The scan patterns find an e-mail, a phone number and an RRN, and skip a sha256."""
    assert len(_personal_data("mail a.b@example.go.kr, tel 02-123-4567, 900101-1234567")) == 3
    assert not _personal_data("sha256 " + hashlib.sha256(b"x").hexdigest())


def test_contact_point_is_the_catalogue_error_report_page(descriptor):
    """The contact point is the dataset's error-report page, not a placeholder mailbox."""
    contact = descriptor["koreanap:contactPoint"]
    assert contact["path"] == "report-error" and "email" not in contact
    assert not _personal_data(json.dumps(descriptor, ensure_ascii=False))
