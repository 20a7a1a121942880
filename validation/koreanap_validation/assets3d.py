"""3D asset rules (fact sheet §2), as a frictionless check over an
``assets`` table: one row per model file, the file named by its ``path``
column relative to the package folder.

``koreanap-mesh-asset`` checks, for each row:

- ``koreanap-asset-path`` (field ``path``): the path stays inside the
  package. Absolute paths, ``..`` components, URLs and symbolic links that
  lead outside are refused and the file is not opened.
- ``koreanap-asset-file`` (field ``path``): the file exists, is not larger
  than ``maxBytes`` (default 200 MB) and trimesh parses it as the format its
  extension names (STL, PLY, OBJ, GLB) into a mesh with at least one face.
- ``koreanap-asset-mismatch`` (field = the column): the row describes the
  file: ``bytes`` and ``sha256`` of the file; ``vertex_count`` and
  ``face_count`` as trimesh loads it (identical vertices merged, the way the
  package's builder measured them); ``watertight`` and
  ``winding_consistent`` (Y/N) as trimesh finds them; the bounding-box
  columns ``bbox_x_mm``/``bbox_y_mm``/``bbox_z_mm`` within ``bboxTolerance``
  mm (default 0.01, i.e. the two decimals written), converting metres when
  ``units`` = ``m``.
- ``koreanap-asset-printable``, for print assets (``kind`` in
  ``printKinds``, default ``print`` and ``braille``): the mesh is watertight
  (every edge shared by exactly two faces; field ``watertight``) and its
  winding is consistent (a manifold, orientable surface; field
  ``winding_consistent``); it is in millimetres (``units`` = ``mm``, and
  its largest extent is at least ``minPrintSizeMm``, default 1 mm, which a
  model written in metres fails; field ``units``); and it fits the build
  volume ``buildVolumeMm`` (default 250 x 250 x 250 mm, compared axis by
  axis; field ``path``).
- ``koreanap-asset-inverted`` (field ``winding_consistent``), for every
  kind: a closed, consistently wound mesh is not inside out (negative
  volume); a print asset that is, is also not printable.
- ``koreanap-asset-size`` (field ``path``; a note in ``validate_package``):
  a print asset's largest extent is at least ``plausiblePrintMm`` (20 mm),
  and a scan (``scanKinds``) is within ``scanRatio`` times of the object's
  ``real_size_m``; the note names both sizes and a likely unit slip.

A binary STL whose size is not 84 + 50 times its header's triangle count,
or a GLB whose header length is not its size, is unreadable with both
figures named (:func:`stl_problem`, :func:`glb_problem`).

What the check measured is kept too: after a validation, ``measured`` holds
one dict per row whose file it read (see ``Asset3DCheck._new_fact``), which
the engine reports as ``assets`` so a catalogue can show each file's
printability without parsing the mesh again.

Meshes are read with trimesh (no parser of our own). Why a row check rather
than a separate pass: each rule is about one row of the assets table, so
errors carry frictionless' resource/row/field like every other rule, the
check runs from a checklist (``frictionless validate`` with our plugin) as
well as from the engine, and the package folder is the validated resource's
``basepath`` (or the ``basepath`` option). A rule whose column the table
lacks is skipped, and cells that failed their Table Schema type are not
checked again. :func:`package_checks` picks the resources it applies to.
"""
from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import attrs
from frictionless import Check, errors

from . import filehash
from .error_types import declare_error
from .internal import RuleCannotRun, missing_library

if TYPE_CHECKING:
    from frictionless import Package
    from frictionless.error import Error
    from frictionless.table import Row

FORMATS = {"stl": "stl", "ply": "ply", "obj": "obj", "glb": "glb"}
DEFAULT_BUILD_VOLUME_MM = [250.0, 250.0, 250.0]
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_PLAUSIBLE_PRINT_MM = 20.0
DEFAULT_SCAN_RATIO = 2.0
UNIT_SLIPS = ((25.4, "inches"), (1000.0, "metres"), (10.0, "centimetres"))
"""Factors by which a model in the wrong units is too small, and the unit it looks like."""
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


# Errors

AssetPathError = declare_error(
    "AssetPathError", "koreanap-asset-path", "Unsafe Asset Path",
    "An asset's path must be relative and stay inside the package "
    "folder (no absolute paths, '..', URLs or links outside).",
    doc="An asset path that leaves the package.")
AssetFileError = declare_error(
    "AssetFileError", "koreanap-asset-file", "Unreadable 3D File",
    "The 3D file is missing, too large, or does not parse as STL, PLY, OBJ or GLB.",
    doc="A missing, oversized or unparsable 3D file.")
AssetMismatchError = declare_error(
    "AssetMismatchError", "koreanap-asset-mismatch", "Asset Row Does Not Match Its File",
    "Bytes, SHA-256, vertex and face counts, closedness and bounding "
    "box in the assets table must be those of the file.",
    doc="The assets row does not describe its file.")
AssetPrintableError = declare_error(
    "AssetPrintableError", "koreanap-asset-printable", "Print Asset Not Printable",
    "A 3D-print (or braille) file must be a watertight, consistently "
    "wound mesh in millimetres that fits the build volume.",
    doc="A print asset that cannot be printed as is.")
AssetInvertedError = declare_error(
    "AssetInvertedError", "koreanap-asset-inverted", "Inside-out 3D File",
    "A closed mesh's faces must point outward: one whose faces all point "
    "inward (negative volume) is inside out, and printers and viewers read "
    "it as a hole, not a solid.",
    doc="A closed mesh turned inside out.")
AssetSizeWarning = declare_error(
    "AssetSizeWarning", "koreanap-asset-size", "Implausible 3D Asset Size",
    "A print file smaller than a plausible print, or a scan not at the "
    "real object's size, usually has the wrong units (inches, metres). "
    "validate_package reports it as a note.",
    doc="A model size implausible for its kind and the object's real size.")
AssetSetupError = declare_error(
    "AssetSetupError", "koreanap-asset-setup", "3D Asset Rules Set-up",
    "The assets table has no path column, or the package folder is unknown.",
    doc="The asset rules cannot run on this table.",
    template="3D asset rules set-up: {note}", base=errors.TableError)


# Helpers


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def unsafe_path(path: str) -> str | None:
    """Why ``path`` (relative to the package) is not safe, or None."""
    if not path:
        return "the path is empty"
    if _URL.match(path):
        return f'"{path}" is a URL; assets must be files inside the package'
    win = PureWindowsPath(path)
    if path.startswith(("/", "\\")) or win.drive or PurePosixPath(path).is_absolute():
        return f'"{path}" is absolute; give a path relative to the package folder'
    if ".." in re.split(r"[\\/]", path):
        return f'"{path}" goes up with ".."; it must stay inside the package folder'
    return None


def resolve_inside(basepath: str, path: str) -> str | None:
    """The real path of ``path`` under ``basepath``, or None if it leaves it
    (e.g. through a symbolic link)."""
    root = os.path.realpath(basepath)
    full = os.path.realpath(os.path.join(root, path))
    return full if os.path.commonpath([root, full]) == root else None


def import_trimesh():
    """trimesh (only this rule needs it, so it is imported late), or
    :class:`RuleCannotRun` naming it when it is missing or broken."""
    try:
        import trimesh
    except Exception as exc:  # ImportError, or a broken install failing at import
        raise missing_library(Asset3DCheck.type, "trimesh", exc) from exc
    return trimesh


def stl_problem(data: bytes) -> str | None:
    """Why ``data`` is neither a binary STL whose size fits its triangle count
    nor an ASCII STL, or None. A binary STL is an 80-byte header, a 4-byte
    little-endian triangle count N and N records of 50 bytes, so its size is
    84 + 50 * N; trimesh reads a file that is cut off or padded as "no
    geometry", which hides the cause."""
    size = len(data)
    count = int.from_bytes(data[80:84], "little") if size >= 84 else None
    if count is not None and size == 84 + 50 * count:
        return None
    head = data[:4096]
    text = b"\0" not in head
    if text and head.lstrip().lower().startswith(b"solid") and (
            b"facet" in data or b"endsolid" in data):
        return None  # ASCII STL: trimesh reads (and judges) it
    if text:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            text = False
    if text:
        return ("the file is text but not an ASCII STL (which starts with \"solid\" "
                "and lists \"facet\" records)")
    if count is None:
        return (f"{size} bytes is too short for a binary STL (an 80-byte header and "
                "a 4-byte triangle count come first)")
    return (f"the binary STL header says {count} triangles, which take "
            f"{84 + 50 * count} bytes (84 + 50 x {count}), but the file has {size} "
            "bytes: it is cut off or has extra bytes")


def glb_problem(data: bytes) -> str | None:
    """Why ``data`` is not a whole GLB (binary glTF), or None: a GLB starts
    with "glTF", version 2 and the total length, so a file cut off in
    transfer says how long it should be."""
    if len(data) < 12 or data[:4] != b"glTF":
        return "the file does not start with a GLB header (\"glTF\", version, length)"
    length = int.from_bytes(data[8:12], "little")
    if length != len(data):
        return (f"the GLB header says the file is {length} bytes, but it has "
                f"{len(data)}: it is cut off or has extra bytes")
    return None


def load_mesh(path: str, file_type: str):
    """The file as one trimesh mesh, loaded the way trimesh does by default
    (identical vertices merged; a GLB/OBJ scene concatenated).

    :raises ValueError: the file is no mesh (a binary STL whose size does not
        fit its header's triangle count names both)
    """
    trimesh = import_trimesh()

    with open(path, "rb") as fh:
        data = fh.read()
    check = {"stl": stl_problem, "glb": glb_problem}.get(file_type)
    problem = check(data) if check else None
    if problem:
        raise ValueError(problem)
    result = trimesh.load(io.BytesIO(data), file_type=file_type)
    if isinstance(result, trimesh.Scene):
        if not result.geometry:
            raise ValueError("the file holds no geometry")
        result = (result.to_geometry() if hasattr(result, "to_geometry")
                  else result.dump(concatenate=True))
    if not isinstance(result, trimesh.Trimesh):
        raise ValueError(f"the file holds {type(result).__name__}, not a triangle mesh")
    if len(result.faces) == 0:
        raise ValueError("the file holds no triangles")
    return result


def inside_out(mesh) -> str | None:
    """Why a closed, consistently wound mesh is inside out (its faces point
    inward, so its signed volume is negative), or None. The volume of an open
    or inconsistently wound mesh means nothing, so those are not judged here."""
    if not (mesh.is_watertight and mesh.is_winding_consistent):
        return None
    volume = float(mesh.volume)
    return inverted_message(volume) if volume < 0 else None


def inverted_message(volume: float | None = None) -> str:
    """The message for an inside-out mesh (``volume``: its signed volume)."""
    shown = f" (volume {volume:.2f} cubic units, negative)" if volume is not None else ""
    return (f"the mesh is inside out: every face points inward{shown}; flip its "
            "normals (trimesh: mesh.invert())")


def read_file(full: str, file_type: str) -> tuple[Any, str | None]:
    """``(mesh, None)`` for a file trimesh reads, ``(None, why)`` otherwise: the
    same loading the asset rule uses, for a 3D file published on its own."""
    try:
        return load_mesh(full, file_type), None
    except RuleCannotRun:
        raise
    except Exception as exc:  # trimesh raises many kinds on bad input
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"trimesh cannot read it as {file_type.upper()}: {reason[:200]}"


# Check


@attrs.define(kw_only=True, repr=False)
class Asset3DCheck(Check):
    """Each row's 3D file is safe, parses, matches the row and (print
    assets) is printable."""

    type = "koreanap-mesh-asset"
    Errors = [AssetPathError, AssetFileError, AssetMismatchError,
              AssetPrintableError, AssetInvertedError, AssetSizeWarning, AssetSetupError]

    basepath: str | None = None
    """Package folder; default: the validated resource's basepath."""
    path_field: str = "path"
    kind_field: str = "kind"
    units_field: str = "units"
    bytes_field: str = "bytes"
    sha256_field: str = "sha256"
    vertex_count_field: str = "vertex_count"
    face_count_field: str = "face_count"
    watertight_field: str = "watertight"
    winding_field: str = "winding_consistent"
    bbox_fields: list[str] = attrs.field(
        factory=lambda: ["bbox_x_mm", "bbox_y_mm", "bbox_z_mm"])
    bbox_tolerance: float = 0.01
    print_kinds: list[str] = attrs.field(factory=lambda: ["print", "braille"])
    build_volume_mm: list[float] = attrs.field(
        factory=lambda: list(DEFAULT_BUILD_VOLUME_MM))
    min_print_size_mm: float = 1.0
    plausible_print_mm: float = DEFAULT_PLAUSIBLE_PRINT_MM
    """A print file whose largest extent is smaller gets a size warning."""
    real_size_field: str = "real_size_m"
    scan_kinds: list[str] = attrs.field(factory=lambda: ["scan"])
    """Kinds expected at the real object's size (a scan), when ``real_size_m`` is given."""
    scan_ratio: float = DEFAULT_SCAN_RATIO
    """How many times larger or smaller than the object a scan may be before the warning."""
    max_bytes: int = DEFAULT_MAX_BYTES

    def validate_start(self) -> Iterable[Error]:
        self.measured: list[dict[str, Any]] = []
        schema = self.resource.schema
        names = [f.name for f in schema.fields] if schema else []
        self._numbers = {name: i for i, name in enumerate(names, start=1)}
        self._root = self.basepath or getattr(self.resource, "basepath", None) or os.getcwd()
        if self.path_field not in self._numbers:
            yield AssetSetupError(note=f'the table has no "{self.path_field}" column')
        # A missing library is the validator's problem: stop here, before any
        # row, rather than report each file as unreadable.
        try:
            import_trimesh()
        except RuleCannotRun as problem:
            problem.resource = getattr(self.resource, "name", None)
            raise

    def _err(self, Error: type[errors.CellError], row: Row, field: str,
             note: str) -> errors.CellError:
        if field not in self._numbers:
            field = self.path_field
        return Error(note=note, cells=[_text(v) for v in row.cells],
                     row_number=row.row_number, cell=_text(row[field]),
                     field_name=field, field_number=self._numbers.get(field, 0))

    def _cell(self, row: Row, field: str) -> Any:
        """The cell, or None when the column is missing or failed its type."""
        if field not in self._numbers or field in row.error_cells:
            return None
        return row[field]

    @property
    def row_fields(self) -> list[str]:
        """Every field: the rule reads the asset file a row names and its columns."""
        return list(getattr(self, "_numbers", {}))

    def validate_row(self, row: Row) -> Iterable[Error]:
        if self.path_field not in self._numbers or self.path_field in row.error_cells:
            return
        path = _text(row[self.path_field])
        kind = _text(self._cell(row, self.kind_field))
        units = _text(self._cell(row, self.units_field))
        problem = unsafe_path(path)
        full = None if problem else resolve_inside(self._root, path)
        if problem is None and full is None:
            problem = f'"{path}" leads outside the package folder (a symbolic link)'
        if problem:
            yield self._err(AssetPathError, row, self.path_field, problem)
            return
        assert full is not None
        yield from self._read(row, path, full, kind, units)

    def _read(self, row: Row, path: str, full: str, kind: str,
              units: str) -> Iterable[Error]:
        """Measure the file of a row whose path is safe; remember what was found."""
        fact = self._new_fact(path, kind, units)
        self.measured.append(fact)
        if not os.path.isfile(full):
            fact["error"] = f'no file at "{path}"'
            yield self._err(AssetFileError, row, self.path_field, fact["error"])
            return
        size = os.path.getsize(full)
        if size > self.max_bytes:
            fact["error"] = f"{size} bytes is over the {self.max_bytes}-byte limit; not parsed"
            yield self._err(AssetFileError, row, self.path_field, fact["error"])
            return
        file_type = FORMATS.get(os.path.splitext(path)[1].lower().lstrip("."))
        if file_type is None:
            fact["error"] = f'"{path}" is not an STL, PLY, OBJ or GLB file'
            yield self._err(AssetFileError, row, self.path_field, fact["error"])
            return

        size, sha = filehash.file_digest(full)
        fact.update(format=file_type, bytes=size, sha256=sha)
        yield from self._compare(row, self.bytes_field, size)
        yield from self._compare(row, self.sha256_field, sha)

        mesh, unreadable = read_file(full, file_type)
        if mesh is None:
            fact["error"] = unreadable
            yield self._err(AssetFileError, row, self.path_field, unreadable)
            return

        watertight = bool(mesh.is_watertight)
        winding = bool(mesh.is_winding_consistent)
        extents = [float(v) for v in mesh.extents]
        to_mm = 1000.0 if units == "m" else 1.0
        inverted = inside_out(mesh)
        fact.update(vertices=len(mesh.vertices), faces=len(mesh.faces),
                    watertight=watertight, winding_consistent=winding,
                    inside_out=inverted is not None,
                    size_mm=[round(e * to_mm, 2) for e in extents])
        yield from self._compare(row, self.vertex_count_field, len(mesh.vertices))
        yield from self._compare(row, self.face_count_field, len(mesh.faces))
        yield from self._compare(row, self.watertight_field, "Y" if watertight else "N")
        yield from self._compare(row, self.winding_field, "Y" if winding else "N")

        for field, extent in zip(self.bbox_fields, extents, strict=False):
            stated = self._cell(row, field)
            if stated is None or stated == "":
                continue
            if abs(float(stated) - extent * to_mm) > self.bbox_tolerance:
                yield self._err(AssetMismatchError, row, field,
                                f"the row says {stated} mm but the file measures "
                                f"{extent * to_mm:.2f} mm")

        if inverted is not None:
            yield self._err(AssetInvertedError, row, self.winding_field, inverted)
        if kind in self.print_kinds:
            problems = list(self._printable(row, watertight, winding, units, extents))
            if inverted is not None:
                problems.append(("inside-out", None))
            fact["printable"] = not problems
            fact["problems"] = [{"code": code, "message": error.note if error else inverted}
                                for code, error in problems]
            yield from (error for _code, error in problems if error is not None)
            if not any(code == "not-millimetres" for code, _error in problems):
                yield from self._size_warning(row, fact, kind, max(extents) * to_mm)
        elif kind in self.scan_kinds:
            yield from self._size_warning(row, fact, kind, max(extents) * to_mm)

    def _real_size_m(self, row: Row) -> float | None:
        value = self._cell(row, self.real_size_field)
        try:
            size = float(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None
        return size if size and size > 0 and size != float("inf") else None

    def _size_warning(self, row: Row, fact: dict[str, Any], kind: str,
                      largest_mm: float) -> Iterable[Error]:
        """A size warning when the largest extent is implausible for ``kind``:
        a print file under ``plausiblePrintMm``, or a scan more than
        ``scanRatio`` times off the object's ``real_size_m``."""
        real_m = self._real_size_m(row)
        real = (f"the object is {real_m:g} m ({real_m * 1000:g} mm)"
                if real_m else f'the row gives no real size ("{self.real_size_field}")')
        if kind in self.scan_kinds:
            if real_m is None:
                return
            ratio = largest_mm / (real_m * 1000)
            if 1 / self.scan_ratio <= ratio <= self.scan_ratio:
                return
            note = (f"a {kind} is at the object's real size, but its largest extent is "
                    f"{largest_mm:.2f} mm and {real}")
            low, high = real_m * 1000 / self.scan_ratio, real_m * 1000 * self.scan_ratio
        else:
            if largest_mm >= self.plausible_print_mm:
                return
            scale = f" (scale 1:{real_m * 1000 / largest_mm:,.0f})" if real_m else ""
            note = (f"largest extent {largest_mm:.2f} mm is implausibly small for a {kind} "
                    f"file (under {self.plausible_print_mm:g} mm){scale}; {real}")
            low, high = self.plausible_print_mm, min(float(v) for v in self.build_volume_mm)
        for factor, unit in UNIT_SLIPS:
            if low <= largest_mm * factor <= high:
                note += (f"; it looks written in {unit}: x {factor:g} gives "
                         f"{largest_mm * factor:.2f} mm")
                break
        fact["warnings"] = [{"code": "implausible-size", "message": note}]
        yield self._err(AssetSizeWarning, row, self.path_field, note)

    def _new_fact(self, path: str, kind: str, units: str) -> dict[str, Any]:
        """What is known of a row's file before it is read. Keys, once read:
        ``format``, ``bytes``, ``sha256``, ``vertices``, ``faces``,
        ``watertight``, ``winding_consistent``, ``size_mm`` ([x, y, z], metres
        converted); ``printable`` (None unless ``kind`` is a print kind) with
        ``problems`` (``code``, ``message``); ``error`` when it could not be read."""
        # No row number: the column-at-a-time engine runs the rule once per
        # distinct row, not at the row's own number; the path names the file.
        return {"path": path, "kind": kind, "units": units,
                "print_kinds": list(self.print_kinds),
                "build_volume_mm": [float(v) for v in self.build_volume_mm],
                "printable": None, "problems": [], "warnings": []}

    def _compare(self, row: Row, field: str, actual: Any) -> Iterable[Error]:
        stated = self._cell(row, field)
        if stated is None or stated == "":
            return
        if _text(stated) != _text(actual):
            yield self._err(AssetMismatchError, row, field,
                            f"the row says {stated} but the file has {actual}")

    def _printable(self, row: Row, watertight: bool, winding: bool, units: str,
                   extents: list[float]) -> Iterable[tuple[str, errors.CellError]]:
        """``(code, error)`` for each reason a print asset cannot be printed as is."""
        kind = _text(row[self.kind_field])
        if not watertight:
            yield "not-watertight", self._err(
                AssetPrintableError, row, self.watertight_field,
                f"a {kind} file must be watertight (a closed surface: every "
                "edge shared by exactly two faces); this mesh has holes")
        if not winding:
            yield "inconsistent-winding", self._err(
                AssetPrintableError, row, self.winding_field,
                f"a {kind} file must be a manifold with consistent winding "
                "(outward normals); this mesh's faces disagree")
        if units and units != "mm":
            yield "not-millimetres", self._err(
                AssetPrintableError, row, self.units_field,
                f'a {kind} file must be in millimetres (units = mm), not "{units}"')
        elif max(extents) < self.min_print_size_mm:
            yield "not-millimetres", self._err(
                AssetPrintableError, row, self.units_field,
                f"largest extent is {max(extents):g}: the coordinates look like "
                f"metres; a {kind} file must be in millimetres")
        volume = [float(v) for v in self.build_volume_mm]
        if any(e > v for e, v in zip(extents, volume, strict=False)):
            size = " x ".join(f"{e:.2f}" for e in extents)
            box = " x ".join(f"{v:g}" for v in volume)
            yield "too-big", self._err(
                AssetPrintableError, row, self.path_field,
                f"{size} mm does not fit the {box} mm build volume")

    metadata_profile_patch = {
        "properties": {
            **{name: {"type": "string"} for name in (
                "basepath", "pathField", "kindField", "unitsField", "bytesField",
                "sha256Field", "vertexCountField", "faceCountField", "watertightField",
                "windingField")},
            "bboxFields": {"type": "array", "items": {"type": "string"}},
            "bboxTolerance": {"type": "number", "minimum": 0},
            "printKinds": {"type": "array", "items": {"type": "string"}},
            "buildVolumeMm": {"type": "array", "items": {"type": "number"},
                              "minItems": 3, "maxItems": 3},
            "minPrintSizeMm": {"type": "number", "minimum": 0},
            "plausiblePrintMm": {"type": "number", "minimum": 0},
            "realSizeField": {"type": "string"},
            "scanKinds": {"type": "array", "items": {"type": "string"}},
            "scanRatio": {"type": "number", "minimum": 1},
            "maxBytes": {"type": "integer", "minimum": 1},
        },
    }


CHECKS: list[type[Check]] = [Asset3DCheck]
ERRORS: list[type[errors.Error]] = [AssetPathError, AssetFileError, AssetMismatchError,
                                     AssetPrintableError, AssetInvertedError,
                                     AssetSizeWarning, AssetSetupError]
NOTE_TYPES = frozenset({AssetSizeWarning.type})
"""Error types validate_package reports as notes: they do not make a package invalid."""

ASSET_COLUMNS = ("path", "sha256", "vertex_count", "face_count")


def package_checks(package: Package) -> dict[str, list[Check]]:
    """:class:`Asset3DCheck` for each tabular resource of ``package`` with the
    asset columns (``path``, ``sha256``, ``vertex_count``, ``face_count``).
    Fresh check objects: use each for one resource validation."""
    found: dict[str, list[Check]] = {}
    for resource in package.resources:
        if resource.tabular and resource.schema and all(
                c in resource.schema.field_names for c in ASSET_COLUMNS):
            found[resource.name] = [Asset3DCheck()]
    return found


def check_assets(package_dir: str, resource: str = "assets", **options: Any) -> list[dict]:
    """Run :class:`Asset3DCheck` on one resource of the package in
    ``package_dir`` and return its errors in the engine's error-dict shape
    (``rule, resource, row, field, message, value``)."""
    from frictionless import Checklist, Package

    package = Package(os.path.join(package_dir, "datapackage.json"))
    report = package.get_resource(resource).validate(
        checklist=Checklist(checks=[Asset3DCheck(**options)]))
    found = []
    for task in report.tasks:
        for error in task.errors:
            if error.type not in {E.type for E in ERRORS}:
                continue
            found.append({"rule": error.type, "resource": resource,
                          "row": getattr(error, "row_number", None),
                          "field": getattr(error, "field_name", None),
                          "message": error.message,
                          "value": getattr(error, "cell", None)})
    return found
