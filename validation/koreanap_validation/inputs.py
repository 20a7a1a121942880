"""Safe loading of what ``koreanap validate`` is given, before anything is read.

:func:`open_input` turns a PATH (a package folder, a ``datapackage.json``, a
``.zip`` of a package, or a single CSV with a Table Schema) into a
descriptor dict and the folder its resources are read from, refusing
hostile or broken input with an :class:`InputError` that carries one line
of text and an exit code:

- ``EXIT_USAGE`` (2): nothing usable was given — missing path, a folder or
  zip without ``datapackage.json``, an unreadable or corrupt file, a CSV
  without ``--schema``, a remote URL without ``--allow-remote``.
- ``EXIT_INVALID`` (1): a package was given but it is malformed or unsafe —
  a descriptor or schema that is not valid JSON (line and column named), a
  resource path that is absolute or escapes the package, a zip with
  path-traversal, absolute or link entries or more unpacked bytes than
  allowed (zip bomb), a line longer than allowed.

Every check happens before the data is read; a zip is unpacked into a
temporary folder only after every member has been checked, and the bytes
actually written are counted again while unpacking.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

EXIT_INVALID = 1
EXIT_USAGE = 2

DEFAULT_MAX_UNPACKED_BYTES = 2 * 1024**3  # 2 GiB
DEFAULT_MAX_MEMBERS = 10_000
DEFAULT_MAX_LINE_BYTES = 1024**2  # 1 MiB
DESCRIPTOR = "datapackage.json"
TABULAR_SUFFIXES = {".csv", ".tsv", ".txt"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_CHUNK = 1 << 20


class InputError(Exception):
    """Input that cannot be validated: ``message`` is one line, ``exit_code`` 1 or 2."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class Prepared:
    """A checked input: pass ``descriptor`` and ``basepath`` to ``validate_package``."""

    label: str
    descriptor: dict | str
    basepath: str | None
    notes: list[dict] = field(default_factory=list)


def is_url(text: str) -> bool:
    """True for ``scheme://…`` (http, https, ftp, s3, file, …)."""
    return bool(_URL.match(text))


def read_json(path: Path, what: str = "descriptor") -> dict:
    """A JSON object from ``path``; malformed JSON names the line and column."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 (bad byte at offset {exc.start})",
                         EXIT_INVALID) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} {path} is not valid JSON: line {exc.lineno}, "
                         f"column {exc.colno}: {exc.msg}", EXIT_INVALID) from None
    if not isinstance(data, dict):
        raise InputError(f"{what} {path} must be a JSON object, not {type(data).__name__}",
                         EXIT_INVALID)
    return data


def _unsafe_reason(path: str) -> str | None:
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "is absolute"
    parts = re.split(r"[\\/]+", path)
    if ".." in parts:
        return "escapes the package (..)"
    return None


def check_resource_paths(descriptor: dict, base: Path, *, allow_remote: bool,
                         label: str) -> None:
    """Refuse absolute, escaping (also through links) and, unless allowed, remote paths."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise InputError(f"{label}: \"resources\" must be a list", EXIT_INVALID)
    root = base.resolve()
    for number, resource in enumerate(resources, start=1):
        if not isinstance(resource, dict):
            raise InputError(f"{label}: resource {number} must be an object", EXIT_INVALID)
        name = resource.get("name") or f"#{number}"
        refs = []
        path = resource.get("path")
        refs += [("path", p) for p in (path if isinstance(path, list) else [path])]
        refs += [(key, resource.get(key)) for key in ("schema", "dialect")]
        for key, ref in refs:
            if not isinstance(ref, str) or not ref:
                continue
            where = f'{label}: resource "{name}" {key} "{ref}"'
            if is_url(ref):
                if not allow_remote:
                    raise InputError(f"{where} is remote; refused (pass --allow-remote "
                                     "to fetch it)", EXIT_USAGE)
                continue
            reason = _unsafe_reason(ref)
            if reason is None and not (root / ref).resolve().is_relative_to(root):
                reason = "escapes the package (through a link)"
            if reason:
                raise InputError(f"{where} {reason}; refused before reading", EXIT_INVALID)


def check_line_lengths(path: Path, limit: int, label: str) -> None:
    """Refuse a file with a line longer than ``limit`` bytes (row blow-ups, one-line files)."""
    longest, carry, line_no, at = 0, 0, 1, None
    # Lines are counted only when a number is needed (a refusal, a chunk
    # with \r): up to ``counted`` bytes; the chunks after it hold no \r.
    offset = counted = 0
    with open(path, "rb") as fh:
        while at is None:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            offset += len(chunk)
            if b"\r" not in chunk:
                # the common case, without splitting the chunk into lines:
                # the first and last newline, and the longest piece between
                # newlines (no longer than the chunk, so within a limit that
                # is not shorter; otherwise found with numpy)
                start = chunk.find(b"\n")
                if start < 0:
                    carry += len(chunk)
                    if carry > limit:
                        line_no += _newlines(path, counted, offset)
                        at, longest = line_no, carry
                    continue
                end = chunk.rfind(b"\n")
                inner = 0
                if len(chunk) > limit:
                    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
                    inner = int((np.diff(ends) - 1).max()) if len(ends) > 1 else 0
                last = len(chunk) - end - 1
                if max(start + carry, inner, last) <= limit:
                    carry = last
                    continue
            line_no += _newlines(path, counted, offset - len(chunk))
            counted = offset
            pieces = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            if carry + max(map(len, pieces)) > limit:
                for index, piece in enumerate(pieces):
                    length = len(piece) + (carry if index == 0 else 0)
                    if length > limit:
                        at, longest = line_no + index, length
                        break
            carry = len(pieces[-1]) + (carry if len(pieces) == 1 else 0)
            line_no += len(pieces) - 1
    if at is not None:
        raise InputError(
            f"{label}: line {at} is longer than {limit:,} bytes (at least {longest:,}); "
            "refused (raise --max-line-bytes if this is intended)", EXIT_INVALID)


def _newlines(path: Path, start: int, stop: int) -> int:
    """The newlines in bytes ``start`` to ``stop`` of a file."""
    found = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        while start < stop:
            chunk = fh.read(min(_CHUNK, stop - start))
            if not chunk:
                break
            found += chunk.count(b"\n")
            start += len(chunk)
    return found


def check_zip(archive: zipfile.ZipFile, label: str, *, max_unpacked_bytes: int,
              max_members: int = DEFAULT_MAX_MEMBERS) -> list[zipfile.ZipInfo]:
    """Every member checked: relative, no ``..``, no links, within the size limit."""
    members = archive.infolist()
    if len(members) > max_members:
        raise InputError(f"{label}: {len(members):,} entries, more than {max_members:,}; "
                         "refused", EXIT_INVALID)
    total = 0
    for info in members:
        name = info.filename
        reason = _unsafe_reason(name)
        if reason:
            raise InputError(f'{label}: entry "{name}" {reason}; refused before extracting',
                             EXIT_INVALID)
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            raise InputError(f'{label}: entry "{name}" is a symbolic link; refused',
                             EXIT_INVALID)
        total += info.file_size
        if total > max_unpacked_bytes:
            raise InputError(
                f"{label}: unpacks to more than {max_unpacked_bytes:,} bytes (zip bomb?); "
                "refused before extracting (raise --max-unpacked-bytes if intended)",
                EXIT_INVALID)
    return members


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path,
             label: str, max_unpacked_bytes: int) -> None:
    written = 0
    root = target.resolve()
    for info in members:
        dest = (target / info.filename).resolve()
        if not dest.is_relative_to(root):  # belt and braces after check_zip
            raise InputError(f'{label}: entry "{info.filename}" escapes; refused',
                             EXIT_INVALID)
        if info.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, open(dest, "wb") as out:
            while True:
                block = src.read(_CHUNK)
                if not block:
                    break
                written += len(block)
                if written > max_unpacked_bytes:  # sizes in the header can lie
                    raise InputError(
                        f"{label}: unpacks to more than {max_unpacked_bytes:,} bytes "
                        "(zip bomb?); refused", EXIT_INVALID)
                out.write(block)


def _package_root(folder: Path, label: str, *, nested: bool = False) -> Path:
    if (folder / DESCRIPTOR).is_file():
        return folder
    subfolders = [p for p in folder.iterdir()
                  if nested and p.is_dir() and not p.name.startswith("__")]
    if len(subfolders) == 1 and (subfolders[0] / DESCRIPTOR).is_file():
        return subfolders[0]
    raise InputError(f"not a data package: {label} has no {DESCRIPTOR} at its top level",
                     EXIT_USAGE)


def _resource_name(path: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._")
    return name or "data"


def _single_table(path: Path, schema: Path, *, allow_remote: bool) -> dict:
    if is_url(str(schema)):
        raise InputError(f"schema {schema} is remote; give a local file", EXIT_USAGE)
    if not schema.is_file():
        raise InputError(f"schema not found: {schema}", EXIT_USAGE)
    schema_dict = read_json(schema, "schema")
    resource = {"name": _resource_name(path), "path": path.name, "schema": schema_dict}
    if path.suffix.lower() == ".tsv":
        resource["format"] = "tsv"
    elif path.suffix.lower() in (".csv", ".txt"):
        resource["format"] = "csv"
    return {"name": resource["name"], "resources": [resource]}


def _line_check_all(descriptor: dict, base: Path, limit: int, label: str) -> None:
    for resource in descriptor.get("resources", []):
        paths = resource.get("path")
        for ref in paths if isinstance(paths, list) else [paths]:
            if not isinstance(ref, str) or is_url(ref):
                continue
            file = base / ref
            fmt = str(resource.get("format") or file.suffix.lstrip(".")).lower()
            if fmt in ("csv", "tsv", "txt") and file.is_file():
                check_line_lengths(file, limit, f"{label}: {ref}")


@contextlib.contextmanager
def open_input(path: str, *, schema: str | None = None, allow_remote: bool = False,
               max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Prepared]:
    """Check ``path`` and yield a :class:`Prepared` input; clean up a zip's temp folder after.

    :raises InputError: see the module docstring for what and which exit code
    """
    if is_url(path):
        if not allow_remote:
            raise InputError(f"{path} is a remote URL; refused (pass --allow-remote to "
                             "fetch it)", EXIT_USAGE)
        if schema:
            raise InputError("--schema works with a local CSV file only", EXIT_USAGE)
        yield Prepared(label=path, descriptor=path, basepath=None)
        return

    source = Path(path)
    if not source.exists():
        raise InputError(f"no such file or folder: {path}", EXIT_USAGE)
    if not os.access(source, os.R_OK):
        raise InputError(f"cannot read {path}: permission denied", EXIT_USAGE)

    tmp: str | None = None
    try:
        if source.is_dir():
            if schema:
                raise InputError("--schema is for a single CSV file, not a package folder",
                                 EXIT_USAGE)
            root = _package_root(source, str(source))
            descriptor_path = root / DESCRIPTOR
        elif source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
            if schema:
                raise InputError("--schema is for a single CSV file, not a zip", EXIT_USAGE)
            try:
                archive = zipfile.ZipFile(source)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(f"cannot open zip {path}: {exc}", EXIT_USAGE) from None
            with archive:
                members = check_zip(archive, path, max_unpacked_bytes=max_unpacked_bytes)
                tmp = tempfile.mkdtemp(prefix="koreanap-validate-")
                try:
                    _extract(archive, members, Path(tmp), path, max_unpacked_bytes)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise InputError(f"cannot unpack zip {path}: {exc}", EXIT_USAGE) from None
            root = _package_root(Path(tmp), path, nested=True)
            descriptor_path = root / DESCRIPTOR
        elif source.suffix.lower() == ".json":
            if schema:
                raise InputError("--schema is for a single CSV file, not a descriptor",
                                 EXIT_USAGE)
            root, descriptor_path = source.parent, source
        else:
            if not schema:
                raise InputError(f"{path} is not a data package (folder, datapackage.json "
                                 "or .zip); for a single CSV file give --schema SCHEMA.json",
                                 EXIT_USAGE)
            descriptor = _single_table(source, Path(schema), allow_remote=allow_remote)
            check_line_lengths(source, max_line_bytes, path)
            yield Prepared(label=path, descriptor=descriptor,
                           basepath=str(source.parent.resolve()))
            return

        label = str(source if tmp is None else f"{path}!{descriptor_path.relative_to(tmp)}")
        descriptor = read_json(descriptor_path)
        check_resource_paths(descriptor, root, allow_remote=allow_remote, label=label)
        _line_check_all(descriptor, root, max_line_bytes, label)
        yield Prepared(label=path, descriptor=descriptor, basepath=str(root.resolve()))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
