"""Build the 3D files and the ``assets`` table of the cultural-heritage-3d data package.

The models are ILLUSTRATIVE MODELS GENERATED FROM SIMPLE GEOMETRY, NOT OFFICIAL SCAN DATA:
surfaces of revolution and stacked tiers, with stylised proportions, for a handful of
designated heritage items. For each model the script writes

- a print file (STL, millimetres, Z up, one closed watertight solid that fits a
  250 x 250 x 250 mm print volume),
- a web-view file (GLB: glTF 2.0 binary, metres and Y up as glTF requires),

and for Cheomseongdae a braille plate (STL): the name 첨성대 in Korean braille
(⠰⠎⠢⠠⠻⠊⠗) as raised dots on a base plate, unioned into one solid.

The item facts (``data/items.csv``) are curated by hand; this script reads the item ids
from there and never writes that file. It writes ``data/models/*`` and ``data/assets.csv``
under ``--out`` and, when ``--out`` holds a ``datapackage.json``, refreshes that
descriptor's model-file resources (bytes and sha256). The same command gives
byte-identical files. The committed files are made by::

    venv/bin/python scripts/build_heritage_3d.py --overwrite

Exit codes: 0 ok, 1 invalid input (refused output folder, bad item list), 2 usage error.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import pathlib
import sys

from datapackage_output import InputError, builder_parser, refuse_package_output, run_builder

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "cultural-heritage-3d"
ITEMS_CSV = PACKAGE / "data" / "items.csv"
MODELS_DIR = "data/models"
ASSETS_NAME = "data/assets.csv"
PRINT_VOLUME_MM = 250.0
MAX_FILE_BYTES = 2_000_000
NOTICE = "illustrative models generated from simple geometry, not official scan data"
GLB_COPYRIGHT = ("ckanext-koreanap project, KOGL Type 1; " + NOTICE)

ASSET_HEADER = (
    "asset_id", "item_id", "kind", "format", "mediatype", "path", "bytes", "vertex_count",
    "face_count", "watertight", "winding_consistent", "units", "bbox_x_mm", "bbox_y_mm",
    "bbox_z_mm", "real_size_m", "method", "resolution", "braille_text", "braille_cells", "sha256",
    "description",
)

# Korean braille (한국 점자, contracted as the 2017 rules require) for the one name used.
# Each cell is its raised dots, numbered 1-2-3 down the left column and 4-5-6 down the
# right. 첨 = ㅊ(5-6) ㅓ(2-3-4) final ㅁ(2-6); 성 = ㅅ(6) + the 영 contraction (1-2-4-5-6),
# which after ㅅ/ㅈ/ㅊ stands for 엉; 대 = ㄷ(2-4) ㅐ(1-2-3-5). Cross-checked with
# liblouis ko-g2.ctb, which gives ⠰⠎⠢⠠⠻⠊⠗.
BRAILLE_TEXT = "첨성대"
BRAILLE_CELLS = ((5, 6), (2, 3, 4), (2, 6), (6,), (1, 2, 4, 5, 6), (2, 4), (1, 2, 3, 5))
BRAILLE_ITEM = "cheomseongdae"

# Braille plate layout, in mm (common braille sign sizes, not checked against a Korean
# standard): dot pitch 2.5 in a cell, cell pitch 6.0, dome base 1.5 wide and 0.6 high.
PLATE_MARGIN = 8.0
PLATE_THICKNESS = 2.0
DOT_PITCH = 2.5
CELL_PITCH = 6.0
DOT_BASE_DIAMETER = 1.5
DOT_HEIGHT = 0.6
NOTCH = 4.0  # the top-right corner is cut off so a reader can tell which way is up

SEGMENTS = 64  # segments per revolution for round parts


def _libs():
    """Import numpy and trimesh late, so ``--help`` and usage errors need neither."""
    global np, trimesh
    import numpy as np  # noqa: F811
    import trimesh  # noqa: F811
    return np, trimesh


# --- Geometry helpers (model units; each model is scaled to millimetres at the end) ---


def revolve(profile, sections=SEGMENTS, rotate=0.0):
    """Solid of revolution of a (radius, z) profile that starts and ends on the axis.

    :param sections: 4 gives a square section, 8 an octagon, 64 a round one
    :param rotate: turn about z, in degrees (45 puts a square's sides on the axes)
    """
    mesh = trimesh.creation.revolve(np.asarray(profile, dtype=float), sections=sections)
    if mesh.volume < 0:
        mesh.invert()
    if rotate:
        mesh.apply_transform(trimesh.transformations.rotation_matrix(
            math.radians(rotate), [0, 0, 1]))
    return mesh


def square_tiers(tiers):
    """Stacked square tiers from (half_side_bottom, half_side_top, z_bottom, z_top) rows.

    Equal half sides make a block; different ones a frustum (a roof stone's slope).
    The result is one square solid of revolution, so it is closed without booleans.
    """
    root2 = math.sqrt(2.0)
    points = [(0.0, tiers[0][2])]
    for bottom, top, z0, z1 in tiers:
        points += [(bottom * root2, z0), (top * root2, z1)]
    points.append((0.0, tiers[-1][3]))
    return revolve(points, sections=4, rotate=45.0)


def box(size, centre):
    """Axis-aligned box of the given size centred on centre."""
    mesh = trimesh.creation.box(extents=size)
    mesh.apply_translation(centre)
    return mesh


def union(meshes):
    """One closed solid from overlapping solids (manifold3d boolean)."""
    return trimesh.boolean.union(meshes, engine="manifold")


def difference(mesh, cutters):
    """mesh minus the cutters (manifold3d boolean)."""
    return trimesh.boolean.difference([mesh, *cutters], engine="manifold")


# --- The models (stylised proportions, in metres of the real object, then scaled) -----


def cheomseongdae():
    """Square two-tier platform, bottle-shaped body of 27 courses, window, square top frame."""
    base = square_tiers([(2.70, 2.70, 0.0, 0.22), (2.55, 2.55, 0.22, 0.42)])
    courses = 27
    body_profile = [(0.0, 0.40)]
    for i in range(courses + 1):
        t = i / courses
        radius = 1.45 + 1.03 * (1.0 - t) ** 1.8  # concave, narrowing upwards
        body_profile.append((radius, 0.40 + t * 8.10))
    body_profile.append((0.0, 8.50))
    body = revolve(body_profile)
    window = box((1.0, 1.2, 1.0), (0.0, -2.0, 4.6))  # south-facing opening, mid-height
    frame_outer = box((3.1, 3.1, 0.70), (0.0, 0.0, 8.83))
    frame_hole = box((2.3, 2.3, 0.80), (0.0, 0.0, 8.88))
    frame = difference(frame_outer, [frame_hole])
    return difference(union([base, body, frame]), [window]), "%d segments per revolution, " \
        "%d body courses" % (SEGMENTS, courses)


def seongdeok_bell():
    """Hollow bell (surface of revolution with a wall), hanging loop and sound tube."""
    outer = [(1.100, 0.00), (1.140, 0.08), (1.140, 0.30), (1.115, 0.45), (1.09, 1.0),
             (1.04, 1.6), (0.99, 2.2), (0.95, 2.6), (0.90, 2.85), (0.78, 2.96),
             (0.55, 3.02)]
    inner = [(0.90, 0.00), (0.92, 0.30), (0.90, 1.0), (0.86, 1.8), (0.80, 2.5),
             (0.66, 2.80), (0.40, 2.87)]
    profile = [(0.0, 3.04)] + outer[::-1] + inner + [(0.0, 2.88)]
    # The profile runs from the crown's axis down the outside, across the lip and up the
    # inside, so the wall is one closed solid and the mouth stays open.
    shell = revolve(profile[::-1])
    loop = trimesh.creation.torus(major_radius=0.26, minor_radius=0.085,
                                  major_sections=SEGMENTS, minor_sections=16)
    loop.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, [1, 0, 0]))
    loop.apply_translation((0.0, 0.0, 3.30))
    tube = revolve([(0.0, 2.98), (0.13, 2.98), (0.11, 3.62), (0.15, 3.66), (0.0, 3.66)],
                   sections=32)
    tube.apply_translation((0.36, 0.0, 0.0))
    return union([shell, loop, tube]), "%d segments per revolution" % SEGMENTS


def _storeys(z, bodies, roof_half, steps=5, step_h=0.07, eave=0.16, slope=0.42):
    """Square tiers for stone-pagoda storeys: body stone, stepped underside, sloped roof."""
    tiers = []
    for body_half, body_h, roof in zip(bodies[0], bodies[1], roof_half, strict=True):
        tiers.append((body_half, body_half, z, z + body_h))
        z += body_h
        for s in range(steps):
            half = body_half + (roof - body_half) * 0.55 * (s + 1) / steps
            tiers.append((half, half, z, z + step_h))
            z += step_h
        tiers.append((roof, roof, z, z + eave))
        z += eave
        tiers.append((roof, body_half * 0.9, z, z + slope))
        z += slope
    return tiers, z


def seokgatap():
    """Three-storey stone pagoda: two-tier base, three storeys, finial; stacked square tiers."""
    tiers = [(2.20, 2.20, 0.0, 0.85), (2.35, 2.35, 0.85, 1.00),
             (1.65, 1.65, 1.00, 2.15), (1.80, 1.80, 2.15, 2.30)]
    storeys, z = _storeys(2.30, ((1.00, 0.80, 0.72), (1.20, 0.55, 0.50)),
                          (1.85, 1.55, 1.35))
    tiers += storeys
    # Finial (sangnyun): a post with two collars, stylised.
    for half, height in ((0.45, 0.25), (0.16, 0.45), (0.30, 0.12), (0.14, 0.60),
                         (0.24, 0.10), (0.10, 0.45)):
        tiers.append((half, half, z, z + height))
        z += height
    return square_tiers(tiers), "square tiers (4 sections), %d tiers" % len(tiers)


def dabotap():
    """Dabotap: square platform and pillared storey, octagonal upper body, finial."""
    parts = [square_tiers([(2.60, 2.60, 0.0, 0.25), (2.45, 2.45, 0.25, 1.45),
                           (2.60, 2.60, 1.45, 1.60)])]
    # Five square pillars: four corners and a centre post, under the first roof.
    for x, y in ((-1.55, -1.55), (-1.55, 1.55), (1.55, -1.55), (1.55, 1.55), (0, 0)):
        parts.append(box((0.45, 0.45, 1.90), (x, y, 2.50)))
    z = 3.40
    tiers = [(2.05, 2.05, z, z + 0.20), (2.75, 2.75, z + 0.20, z + 0.38),
             (2.75, 1.40, z + 0.38, z + 0.75), (1.40, 1.40, z + 0.75, z + 1.15),
             (1.60, 1.60, z + 1.15, z + 1.30)]
    parts.append(square_tiers(tiers))
    z += 1.30
    # Octagonal parts: railing drum, body, lotus ring, roof.
    octagon = [(0.0, z - 0.05), (1.35, z - 0.05), (1.35, z + 0.55), (1.00, z + 0.55),
               (1.00, z + 1.45), (1.30, z + 1.55), (1.10, z + 1.85), (0.80, z + 1.85),
               (0.80, z + 2.35), (1.55, z + 2.45), (1.55, z + 2.60), (0.55, z + 3.00),
               (0.0, z + 3.00)]
    parts.append(revolve(octagon, sections=8, rotate=22.5))
    z += 3.00
    finial = [(0.0, z - 0.05), (0.30, z - 0.05), (0.30, z + 0.25), (0.12, z + 0.30),
              (0.12, z + 0.80), (0.28, z + 0.90), (0.12, z + 1.00), (0.10, z + 1.75),
              (0.0, z + 1.85)]
    parts.append(revolve(finial, sections=16))
    return union(parts), "square and octagonal tiers (4 and 8 sections), 5 pillars"


def rect_frustum(bottom, top, z0, z1):
    """Closed frustum from a (width, depth) rectangle at z0 to another at z1, centred."""
    vertices = [(sx * w / 2, sy * d / 2, z) for (w, d), z in ((bottom, z0), (top, z1))
                for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    faces = [(0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7)]
    for i in range(4):
        j = (i + 1) % 4
        faces += [(i, j, j + 4), (i, j + 4, i + 4)]
    mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _hip_roof(width, depth, top_width, top_depth, z0, eave, height):
    """A rectangular hipped roof: an eave slab and a sloped frustum up to the ridge."""
    slab = box((width, depth, eave), (0.0, 0.0, z0 + eave / 2))
    slope = rect_frustum((width, depth), (top_width, top_depth), z0 + eave * 0.5,
                         z0 + eave + height)
    return union([slab, slope])


def sungnyemun():
    """Stone platform with an arched passage, two pavilion storeys and two hipped roofs."""
    platform = box((30.0, 12.0, 9.0), (0.0, 0.0, 4.5))
    arch_box = box((6.0, 13.0, 4.0), (0.0, 0.0, 2.0))
    arch_top = trimesh.creation.cylinder(radius=3.0, height=13.0, sections=SEGMENTS)
    arch_top.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, [1, 0, 0]))
    arch_top.apply_translation((0.0, 0.0, 4.0))
    platform = difference(platform, [arch_box, arch_top])
    storey1 = box((19.0, 8.5, 4.2), (0.0, 0.0, 11.1))
    roof1 = _hip_roof(25.0, 13.0, 18.0, 7.5, 13.0, 0.4, 2.0)
    storey2 = box((16.0, 6.8, 3.0), (0.0, 0.0, 16.8))
    roof2 = _hip_roof(23.0, 11.5, 13.0, 0.8, 18.2, 0.4, 4.2)
    return union([platform, storey1, roof1, storey2, roof2]), \
        "%d-segment arch, boxes and frustums" % SEGMENTS


def braille_plate():
    """Base plate (top-right corner cut) with raised domes for BRAILLE_CELLS, in mm."""
    width = 2 * PLATE_MARGIN + (len(BRAILLE_CELLS) - 1) * CELL_PITCH + DOT_PITCH
    height = 2 * PLATE_MARGIN + 2 * DOT_PITCH
    plate = box((width, height, PLATE_THICKNESS), (width / 2, height / 2,
                                                    PLATE_THICKNESS / 2))
    notch = box((NOTCH * 2, NOTCH * 2, PLATE_THICKNESS * 3), (width, height, 0.0))
    notch.apply_transform(trimesh.transformations.rotation_matrix(
        math.pi / 4, [0, 0, 1], point=(width, height, 0.0)))
    plate = difference(plate, [notch])
    # A dome is the cap of a sphere: base radius a and height h give the sphere radius.
    a, h = DOT_BASE_DIAMETER / 2, DOT_HEIGHT
    sphere_r = (a * a + h * h) / (2 * h)
    dots = []
    for cell_index, cell in enumerate(BRAILLE_CELLS):
        for dot in cell:
            column, row = divmod(dot - 1, 3)
            x = PLATE_MARGIN + cell_index * CELL_PITCH + column * DOT_PITCH
            y = height - PLATE_MARGIN - row * DOT_PITCH
            sphere = trimesh.creation.uv_sphere(radius=sphere_r, count=(12, 20))
            sphere.apply_translation((x, y, PLATE_THICKNESS + h - sphere_r))
            dots.append(sphere)
    ndots = len(dots)
    return union([plate, *dots]), "%d dots, dome 12 x 20 segments" % ndots


# item id: (builder, axis scaled to size_mm, size_mm, method)
BOOLEANS = "procedural geometry: trimesh solids of revolution and primitives, manifold3d " \
    "booleans"
MODELS = {
    "sungnyemun": (sungnyemun, "x", 200.0, BOOLEANS),
    "bulguksa-dabotap": (dabotap, "z", 200.0, BOOLEANS),
    "bulguksa-seokgatap": (seokgatap, "z", 200.0,
                           "procedural geometry: one square solid of revolution (trimesh)"),
    "seongdeok-bell": (seongdeok_bell, "z", 160.0, BOOLEANS),
    "cheomseongdae": (cheomseongdae, "z", 180.0, BOOLEANS),
}


# --- Writing ---------------------------------------------------------------------------


def to_millimetres(mesh, axis, size_mm):
    """Scale so the given axis spans size_mm; centre on x/y and stand on z = 0."""
    index = "xyz".index(axis)
    mesh = mesh.copy()
    mesh.apply_scale(size_mm / mesh.extents[index])
    low, high = mesh.bounds
    mesh.apply_translation((-(low[0] + high[0]) / 2, -(low[1] + high[1]) / 2, -low[2]))
    return mesh


def stl_bytes(mesh):
    """Binary STL with a fixed 80-byte header (no date, no tool version)."""
    data = bytearray(trimesh.exchange.stl.export_stl(mesh))
    header = ("cultural-heritage-3d; mm; " + NOTICE).encode("ascii")[:80]
    data[:80] = header.ljust(80, b" ")
    return bytes(data)


def glb_bytes(mesh, name):
    """GLB (glTF 2.0): metres, Y up, flat shading (no normals), stone-grey material."""
    web = mesh.copy()
    web.apply_scale(0.001)
    web.apply_transform(trimesh.transformations.rotation_matrix(-math.pi / 2, [1, 0, 0]))
    web.visual = trimesh.visual.TextureVisuals(material=trimesh.visual.material.PBRMaterial(
        name="stone", baseColorFactor=[176, 168, 150, 255], metallicFactor=0.0,
        roughnessFactor=0.9))
    scene = trimesh.Scene()
    scene.add_geometry(web, geom_name=name, node_name=name)

    def stamp(tree):
        tree["asset"]["copyright"] = GLB_COPYRIGHT

    return trimesh.exchange.gltf.export_glb(scene, include_normals=False,
                                            tree_postprocessor=stamp)


def loaded(data, file_type):
    """Load bytes as trimesh does by default (merged vertices): what users will see."""
    result = trimesh.load(io.BytesIO(data), file_type=file_type)
    if isinstance(result, trimesh.Scene):
        result = result.to_geometry() if hasattr(result, "to_geometry") else result.dump(
            concatenate=True)
    return result


def describe(data, file_type, units):
    """Counts, closedness and bounding box (mm) of a written file, as reloaded."""
    mesh = loaded(data, file_type)
    to_mm = 1000.0 if units == "m" else 1.0
    x, y, z = (float(v) * to_mm for v in mesh.extents)
    return {
        "bytes": len(data), "vertex_count": len(mesh.vertices), "face_count": len(mesh.faces),
        "watertight": "Y" if mesh.is_watertight else "N",
        "winding_consistent": "Y" if mesh.is_winding_consistent else "N",
        "bbox_x_mm": "%.2f" % x, "bbox_y_mm": "%.2f" % y, "bbox_z_mm": "%.2f" % z,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def read_items():
    """Item ids and English names from the hand-curated items table."""
    try:
        with open(ITEMS_CSV, newline="", encoding="utf-8") as fh:
            items = {r["item_id"]: r for r in csv.DictReader(fh)}
    except OSError as exc:
        raise InputError("cannot read %s: %s" % (ITEMS_CSV, exc.strerror))
    missing = sorted(set(MODELS) - set(items))
    if missing:
        raise InputError("%s lacks the items %s" % (ITEMS_CSV, ", ".join(missing)))
    return items


def _write_atomic(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def build(out_dir, progress=None):
    """Write every model file and assets.csv under out_dir; return the asset rows."""
    items = read_items()
    rows = []
    jobs = []
    for item_id, (make, axis, size_mm, method) in MODELS.items():
        jobs.append((item_id, "print", make, axis, size_mm, method))
        jobs.append((item_id, "model", make, axis, size_mm, method))
        if item_id == BRAILLE_ITEM:
            jobs.append((item_id, "braille", braille_plate, None, None, BOOLEANS))
    built = {}
    for item_id, kind, make, axis, size_mm, method in jobs:
        if kind == "braille":
            mesh, resolution = make()
        else:
            if item_id not in built:
                geometry, resolution = make()
                built[item_id] = (to_millimetres(geometry, axis, size_mm), resolution)
            mesh, resolution = built[item_id]
        name_en = items[item_id]["name_en"]
        if kind == "model":
            stem, fmt, media, units = "%s-web" % item_id, "GLB", "model/gltf-binary", "m"
            data = glb_bytes(mesh, stem)
            what = ("Web-view model of %s (GLB, glTF 2.0: metres, Y up, flat shading)"
                    % name_en)
        else:
            stem = "%s-%s" % (item_id, kind)
            fmt, media, units = "STL", "model/stl", "mm"
            data = stl_bytes(mesh)
            if kind == "print":
                what = ("3D-print file of %s (binary STL, millimetres, Z up, one closed "
                        "solid)" % name_en)
            else:
                what = ("Braille plate: %s (%s) in Korean braille as raised dots "
                        "(binary STL, millimetres)" % (BRAILLE_TEXT, name_en))
        path = "%s/%s.%s" % (MODELS_DIR, stem, fmt.lower())
        if len(data) >= MAX_FILE_BYTES:
            raise InputError("%s would be %d bytes, over the %d limit"
                             % (path, len(data), MAX_FILE_BYTES))
        _write_atomic(out_dir / path, data)
        row = {"asset_id": stem, "item_id": item_id, "kind": kind, "format": fmt,
               "mediatype": media, "path": path, "units": units, "method": method,
               "resolution": resolution,
               # The object's largest real dimension: no source the package or the
               # fact sheet cites gives one for these items, so it stays empty.
               "real_size_m": "",
               "braille_text": BRAILLE_TEXT if kind == "braille" else "",
               "braille_cells": _cells_text() if kind == "braille" else "",
               "description": "%s; %s." % (what, NOTICE)}
        row.update(describe(data, "glb" if fmt == "GLB" else "stl", units))
        rows.append(row)
        if progress:
            progress(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ASSET_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _write_atomic(out_dir / ASSETS_NAME, buffer.getvalue().encode("utf-8"))
    descriptor = out_dir / "datapackage.json"
    if descriptor.is_file():
        refresh_descriptor(descriptor, rows)
    return rows


def _cells_text():
    """Cells as dot numbers, e.g. '56 234 26 6 12456 24 1235'."""
    return " ".join("".join(str(d) for d in cell) for cell in BRAILLE_CELLS)


def refresh_descriptor(path, rows):
    """Replace the descriptor's model-file resources with ones for the files just built."""
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    kept = [r for r in descriptor.get("resources", [])
            if not str(r.get("path", "")).startswith(MODELS_DIR + "/")]
    for row in rows:
        kept.append({
            "name": row["asset_id"],
            "title": "%s (%s, %s)" % (row["asset_id"], row["kind"], row["format"]),
            "description": row["description"],
            "path": row["path"],
            "format": row["format"].lower(),
            "mediatype": row["mediatype"],
            "bytes": row["bytes"],
            "hash": "sha256:%s" % row["sha256"],
        })
    descriptor["resources"] = kept
    _write_atomic(path, (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")
                  .encode("utf-8"))


def check_output(out_dir, overwrite):
    """Refuse an output folder inside a data package or holding earlier output.

    :raises InputError: with the reason, unless overwrite is set
    """
    refuse_package_output(out_dir, overwrite)
    if overwrite:
        return
    if (out_dir / ASSETS_NAME).exists() or (out_dir / MODELS_DIR).exists():
        raise InputError("refusing to replace the earlier output in %s; pass --overwrite "
                         "to replace it" % out_dir)


def _parser():
    parser = builder_parser(
        "build_heritage_3d.py",
        "Write the 3D files (STL print files, GLB web-view files, a braille "
        "plate) and data/assets.csv of datapackages/cultural-heritage-3d: %s. "
        "The same command gives byte-identical files." % NOTICE,
        PACKAGE, "output folder; files go to OUT/data/models and OUT/data/assets.csv "
                 "(default: the package folder, which needs --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="allow writing inside a data package and replacing earlier "
                             "output")
    return parser


def _progress(row):
    print("wrote %s (%s bytes, %s faces, watertight %s)"
          % (row["path"], format(row["bytes"], ","), format(row["face_count"], ","),
             row["watertight"]), file=sys.stderr, flush=True)


def _write_output(args, out_dir):
    check_output(out_dir, args.overwrite)
    try:
        _libs()
        return build(out_dir, _progress)
    except ImportError as exc:
        raise InputError("%s; install requirements-dev.txt into the venv" % exc) from exc


def _report(rows, out_dir):
    total = sum(r["bytes"] for r in rows)
    print("wrote %d files (%s bytes) and %s to %s"
          % (len(rows), format(total, ","), ASSETS_NAME, out_dir))


def main(argv=None):
    return run_builder("build_heritage_3d", _parser(), argv, _write_output, _report)


if __name__ == "__main__":
    sys.exit(main())
