"""Validate a data package with frictionless plus the catalogue's rules and
return a plain, stable dict report (documented in ``validation/README.md``).

Per tabular resource: the encoding check on its file, then frictionless'
row-by-row validation (Table Schema) with :class:`.checks.ValueDomainCheck`
(fields that declare ``koreanap:domain``) and
:class:`.checks.PersonalDataCheck` (every text cell), plus any checks of a
caller's checklist. Every message and value is masked before it is
reported.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

import attrs
from frictionless import Check, Checklist, FrictionlessException, Package

from . import assets3d, checks, contaminants, personal
from .encoding import check_encoding

REPORT_VERSION = 1
ENCODING_RULE = "koreanap-encoding"
PACKAGE_RULE = "package-error"

ChecklistLike = Union[Checklist, dict, str, "os.PathLike[str]", None]
Progress = Callable[[str, int, bool], None]
PROGRESS_EVERY = 10_000


@attrs.define(kw_only=True, repr=False)
class _ProgressCheck(Check):
    """Reports rows read to a callback every ``every`` rows; finds no errors."""

    type = "koreanap-progress"
    Errors = []

    callback: Any = None
    name: str = ""
    every: int = PROGRESS_EVERY

    def validate_start(self):
        self._rows = 0
        return []

    def validate_row(self, row):
        self._rows += 1
        if self._rows % self.every == 0:
            self.callback(self.name, self._rows, False)
        return []

    def validate_end(self):
        self.callback(self.name, self._rows, True)
        return []


def load_checklist(checklist: ChecklistLike) -> Checklist | None:
    """A :class:`frictionless.Checklist` from an object, a dict or a JSON/YAML file."""
    if checklist is None or isinstance(checklist, Checklist):
        return checklist
    if isinstance(checklist, (str, os.PathLike)):
        return Checklist.from_descriptor(str(checklist))
    return Checklist.from_descriptor(checklist)


def _resource_checklist(user: Checklist | None, progress: Progress | None = None,
                        name: str = "", every: int = PROGRESS_EVERY,
                        specific: list | None = None) -> Checklist:
    # Fresh check objects per resource: checks keep per-resource state.
    # ``specific``: the domain rules chosen for this resource by its columns.
    ours = [checks.ValueDomainCheck(), checks.PersonalDataCheck()] + list(specific or [])
    tail = [_ProgressCheck(callback=progress, name=name, every=every)] if progress else []
    if user is None:
        return Checklist(checks=ours + tail)
    copy = Checklist.from_descriptor(user.to_descriptor())
    taken = {c.type for c in copy.checks}
    extra = [c for c in ours if c.type not in taken]
    return Checklist(checks=extra + list(copy.checks) + tail,
                     pick_errors=copy.pick_errors, skip_errors=copy.skip_errors)


def _error(rule: str, resource: str | None, message: str, *, row: int | None = None,
           field: str | None = None, value: str | None = None, **extra: Any) -> dict:
    entry = {
        "rule": rule,
        "resource": resource,
        "row": row,
        "field": field,
        "message": personal.mask_text(message),
        "value": personal.mask_text(value) if value is not None else None,
    }
    entry.update(extra)
    return entry


def _from_frictionless(error: Any, resource: str | None) -> dict:
    return _error(
        error.type,
        resource,
        error.message,
        row=getattr(error, "row_number", None),
        field=getattr(error, "field_name", None),
        value=getattr(error, "cell", None),
    )


def _open_package(source: Any, basepath: str | None) -> Package:
    if isinstance(source, Package):
        return source
    if isinstance(source, dict):
        return Package.from_descriptor(source, basepath=basepath)
    if isinstance(source, str) and "://" in source:
        return Package(source)  # a remote descriptor; the caller allowed it
    path = Path(source)
    if path.is_dir():
        path = path / "datapackage.json"
    return Package(str(path))


def validate_package(source: Any, checklist: ChecklistLike = None, *,
                     basepath: str | None = None, limit_errors: int = 1000,
                     limit_rows: int | None = None, progress: Progress | None = None,
                     progress_every: int = PROGRESS_EVERY) -> dict:
    """Validate every resource of a data package.

    :param source: a package folder, a ``datapackage.json`` path, a
        descriptor dict (with ``basepath``) or a :class:`frictionless.Package`
    :param checklist: extra checks (a Checklist, a descriptor dict or a
        JSON/YAML file); its ``pickErrors``/``skipErrors`` apply too
    :param basepath: folder that relative resource paths of a dict
        descriptor are read from
    :param limit_errors: stop collecting a resource's errors after this many
        (frictionless' default, 1000); the resource is then marked partial
    :param limit_rows: validate only the first rows of each resource
    :param progress: called as ``progress(resource_name, rows_read, done)``
        every ``progress_every`` rows and once at the end of each table
    :returns: the report dict (see ``validation/README.md``)
    """
    errors: list[dict] = []
    notes: list[dict] = []
    resources: list[dict] = []

    try:
        user_checklist = load_checklist(checklist)
        package = _open_package(source, basepath)
    except FrictionlessException as exc:
        errors.append(_error(PACKAGE_RULE, None, exc.error.message))
        return _finish(errors, notes, resources)
    except (OSError, ValueError) as exc:
        errors.append(_error(PACKAGE_RULE, None, str(exc)))
        return _finish(errors, notes, resources)

    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        for error in exc.to_errors():
            errors.append(_error(PACKAGE_RULE, None, error.message))

    # Contaminant and 3D asset rules, chosen per resource by its columns.
    specific: dict[str, list] = {}
    for chooser in (contaminants.package_checks, assets3d.package_checks):
        for resource_name, found in chooser(package).items():
            specific.setdefault(resource_name, []).extend(found)

    for resource in package.resources:
        name = resource.name
        summary = {"name": name, "path": resource.path, "tabular": resource.tabular,
                   "encoding": None, "rows": None, "checked": False, "partial": False}
        resources.append(summary)
        if not resource.tabular:
            notes.append({"rule": None, "resource": name,
                          "message": "not a table: row checks do not apply"})
            continue

        local = resource.normpath if resource.path and not resource.remote else None
        if local and os.path.isfile(local):
            enc = check_encoding(local)
            summary["encoding"] = enc.encoding
            for note in enc.notes:
                notes.append({"rule": ENCODING_RULE, "resource": name, "message": note})
            if not enc.valid:
                errors.append(_error(ENCODING_RULE, name, enc.message,
                                     encoding=enc.encoding, fix=enc.fix))
                if enc.encoding in ("euc-kr", "cp949"):
                    # Read it as it is, so the other rules still report.
                    resource.encoding = "cp949"
                else:
                    continue
            elif enc.bom:
                resource.encoding = "utf-8-sig"

        report = resource.validate(
            checklist=_resource_checklist(user_checklist, progress, name, progress_every,
                                          specific.get(name)),
            limit_errors=limit_errors,
            limit_rows=limit_rows,
        )
        summary["checked"] = True
        for task in report.tasks:
            summary["rows"] = task.stats.get("rows")
            summary["partial"] = len(task.errors) >= limit_errors
            for error in task.errors:
                errors.append(_from_frictionless(error, name))
            for warning in task.warnings:
                notes.append({"rule": None, "resource": name,
                              "message": personal.mask_text(warning)})
        for error in report.errors:  # errors outside any task
            errors.append(_from_frictionless(error, name))

    return _finish(errors, notes, resources)


def _finish(errors: list[dict], notes: list[dict], resources: list[dict]) -> dict:
    return {
        "version": REPORT_VERSION,
        "valid": not errors,
        "errors": errors,
        "counts": dict(Counter(e["rule"] for e in errors)),
        "notes": notes,
        "resources": resources,
    }


def report_to_json(report: dict) -> str:
    """The report as JSON text (UTF-8 Korean kept readable)."""
    return json.dumps(report, ensure_ascii=False, indent=2)
