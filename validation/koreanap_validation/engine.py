"""Validate a data package with frictionless plus the catalogue's rules and
return a plain, stable dict report (documented in ``validation/koreanap_validation/README.md``).

Per tabular resource: the encoding check on its file, then frictionless'
row-by-row validation (Table Schema) with :class:`.checks.ValueDomainCheck`
(fields that declare ``koreanap:domain``) and
:class:`.checks.PersonalDataCheck` (every text cell), plus any checks of a
caller's checklist. The package's own rules from error reports
(``koreanap:rules``, :mod:`.rules`) run on the tables they name, and the
errors they cause carry ``rule_id`` and ``report``. Every message and value
is masked before it is reported.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Union

import attrs
from frictionless import Check, Checklist, FrictionlessException, Package, Resource

from . import assets3d, checks, contaminants, fast, filehash, personal, readahead, rules
from .encoding import check_encoding
from .internal import RuleCannotRun

REPORT_VERSION = 1
ENGINES = ("auto", "frictionless")
METADATA_MODES = ("off", "report", "strict")
METADATA_RULE = "koreanap-metadata"
ENCODING_RULE = "koreanap-encoding"
DIALECT_RULE = "koreanap-dialect"
HEADER_RULE = "koreanap-header"
SNIFFED_DELIMITERS = (";", "\t", "|")
PACKAGE_RULE = "package-error"
RESOURCE_RULE = "resource-error"
MESH_MEDIATYPES = {"model/stl": "stl", "model/x.stl-binary": "stl", "model/x.stl-ascii": "stl",
                   "model/obj": "obj", "model/gltf-binary": "glb", "application/ply": "ply"}
TABLE_SCHEMA_RULE = "table-schema"
"""The rule named when frictionless' own reading of a table fails unexpectedly."""

ChecklistLike = Union[Checklist, dict, str, "os.PathLike[str]", None]
Progress = Callable[[str, int, bool], None]
PROGRESS_EVERY = 10_000
MAX_ROW_NOTES = 100
"""Notes of one lower-severity type kept per resource (then one "more" note)."""


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


def _our_checks() -> list[Check]:
    """Fresh objects of the general checks every table gets."""
    return [checks.ValueDomainCheck(), checks.PersonalDataCheck(), checks.NumberCheck(),
            checks.RegionCoordinatesCheck()]


def _resource_checklist(user: Checklist | None, progress: Progress | None = None,
                        name: str = "", every: int = PROGRESS_EVERY,
                        specific: list | None = None) -> Checklist:
    # Fresh check objects per resource: checks keep per-resource state.
    # ``specific``: the domain rules chosen for this resource by its columns.
    ours = _our_checks() + list(specific or [])
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


# Cells that spreadsheets and Korean survey tools write for "no value" or
# "below the limit"; as a number they are type errors that need a hint.
MISSING_TOKENS = frozenset({"-", "--", "—", "–", "－", ".", "n/a", "na", "n.a.", "nd",
                            "n.d.", "null", "none", "해당없음", "해당 없음", "없음",
                            "불검출", "미검출", "검출안됨", "미량", "미측정", "결측", "x"})
_BELOW_LIMIT = re.compile(r"^\s*[<>≤≥＜＞]\s*[0-9０-９]|^\s*[0-9０-９.．]+\s*(?:미만|이하)\s*$")


def _missing_value_hint(cell: str) -> str | None:
    """How to express a missing-value or below-the-limit cell that failed its type."""
    text = cell.strip()
    if _BELOW_LIMIT.match(text):
        return (f'"{text}" is a result below a limit: leave the value empty, set the '
                '"detected" flag to N and give the limit in its own field (e.g. lod)')
    if text.lower() in MISSING_TOKENS:
        return (f'"{text}" looks like a missing-value marker: leave the cell empty, or '
                f'list it in the schema\'s "missingValues" (e.g. ["", "{text}"]); for a '
                'result below the detection limit use the "detected" flag')
    return None


def _from_frictionless(error: Any, resource: str | None) -> dict:
    message = error.message
    cell = getattr(error, "cell", None)
    if error.type == "type-error" and isinstance(cell, str):
        hint = _missing_value_hint(cell)
        if hint:
            message = f"{message}; {hint}"
    extra = {}
    fix_for = getattr(type(error), "fix_for", None)
    fix = fix_for(cell) if fix_for and isinstance(cell, str) else None
    if fix is not None:
        extra["fix"] = fix
    return _error(
        error.type,
        resource,
        message,
        row=getattr(error, "row_number", None),
        field=getattr(error, "field_name", None),
        value=cell,
        **extra,
    )


def _look_alike_hint(cell: Any, schema: Any, field_name: str) -> str | None:
    """For a cell outside its field's enum that looks like an allowed value
    (µ U+00B5 against μ U+03BC, ㎍, ug): which code points differ."""
    if not isinstance(cell, str) or not schema.has_field(field_name):
        return None
    allowed = [str(v) for v in schema.get_field(field_name).constraints.get("enum") or []]
    key = contaminants.unit_key(cell)
    match = next((a for a in allowed if a != cell and contaminants.unit_key(a) == key), None)
    if match is None:
        return None
    differ = sorted({ch for ch in cell if ch not in match} | {ch for ch in match if ch not in cell})
    named = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in differ)
    return (f'"{cell}" is the allowed "{match}" written with other characters ({named}): '
            f'write it as "{match}"')


def _add(errors: list[dict], notes: list[dict], error: Any, resource: str,
         schema: Any = None, resource_rules: list[dict] | None = None) -> None:
    """Report a frictionless error: as an error, or as a note (with its row,
    field and masked value) for the lower-severity types of
    :data:`.checks.NOTE_TYPES`, which do not make a package invalid. An error
    that one of the table's ``resource_rules`` (``koreanap:rules``) caused
    gets ``rule_id`` and ``report``, and its message names them."""
    entry = _from_frictionless(error, resource)
    if entry["rule"] == "constraint-error" and schema is not None and entry["field"]:
        hint = _look_alike_hint(getattr(error, "cell", None), schema, entry["field"])
        if hint:
            entry["message"] = personal.mask_text(f'{entry["message"]}; {hint}')
    rule = rules.caused_by(error, resource_rules, schema) if resource_rules else None
    if rule is not None:
        entry.update(rule_id=rule["id"], report=rule.get("report"))
        if entry["rule"] not in (rules.RULE_ERROR, rules.SETUP_ERROR):  # those say it already
            entry["message"] = personal.mask_text(entry["message"] + rules.attribution(rule))
    elif entry["rule"] == rules.SETUP_ERROR:
        entry.update(rule_id=getattr(error, "rule_id", None),
                     report=getattr(error, "rule_report", None))
    if entry["rule"] not in checks.NOTE_TYPES:
        errors.append(entry)
        return
    shown = sum(1 for n in notes if n["rule"] == entry["rule"] and n["resource"] == resource)
    if shown < MAX_ROW_NOTES:
        notes.append(entry)
    elif shown == MAX_ROW_NOTES:
        notes.append({"rule": entry["rule"], "resource": resource, "row": None,
                      "field": None, "value": None,
                      "message": f"more {entry['rule']} findings not listed (first "
                                 f"{MAX_ROW_NOTES} shown)"})


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


def _descriptor_of(source: Any, basepath: str | None) -> tuple[dict, str | None] | None:
    """The descriptor dict of a local source and the folder its paths are
    relative to, or None (a remote or unreadable source)."""
    if isinstance(source, dict):
        return source, basepath
    if isinstance(source, (str, os.PathLike)) and "://" not in str(source):
        path = Path(source)
        if path.is_dir():
            path = path / "datapackage.json"
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return (descriptor, str(path.parent)) if isinstance(descriptor, dict) else None
    return None


def _without_invalid_resources(descriptor: dict, basepath: str | None
                               ) -> tuple[dict, list[tuple[str, str, Any]]]:
    """The descriptor less the resources whose own descriptor is invalid, and
    ``(name, message, path)`` of each of those: one bad resource (a model
    file with a malformed ``bytes``) must not make its neighbours unreadable."""
    kept, bad = [], []
    for number, item in enumerate(descriptor.get("resources") or [], start=1):
        name = item.get("name") if isinstance(item, dict) else None
        name = name if isinstance(name, str) and name else f"resource {number}"
        try:
            if not isinstance(item, dict):
                raise ValueError("a resource must be an object")
            Resource.from_descriptor(dict(item), basepath=basepath)
        except FrictionlessException as exc:
            reasons = "; ".join(r.message for r in exc.reasons) or exc.error.message
            bad.append((name, reasons, item.get("path")))
            continue
        except ValueError as exc:
            bad.append((name, str(exc), None))
            continue
        kept.append(item)
    return dict(descriptor, resources=kept), bad


def _mesh_type(resource: Any) -> str | None:
    """The trimesh file type of a 3D model resource (by its file extension,
    ``format`` or ``mediatype``), or None."""
    ext = os.path.splitext(str(resource.path or ""))[1].lower().lstrip(".")
    for candidate in (ext, (resource.format or "").lower()):
        if candidate in assets3d.FORMATS:
            return assets3d.FORMATS[candidate]
    return MESH_MEDIATYPES.get((resource.mediatype or "").lower())


def _check_mesh_resource(resource: Any, file_type: str, measured: dict[str, dict]
                         ) -> list[dict]:
    """Errors of a 3D model file published as a resource, judged on its own:
    the file exists, matches its declared ``bytes``/``hash``, and trimesh
    reads a mesh from it that is not inside out (the loading of the asset
    rule; a file an assets table names was measured there already)."""
    name, path = resource.name, resource.path
    full = resource.normpath
    if not os.path.isfile(full):
        return [_error(assets3d.AssetFileError.type, name, f'no file at "{path}"')]
    found = []
    size = os.path.getsize(full)
    if size > assets3d.DEFAULT_MAX_BYTES:
        return [_error(assets3d.AssetFileError.type, name,
                       f"{size} bytes is over the {assets3d.DEFAULT_MAX_BYTES}-byte limit; "
                       "not parsed")]
    declared_hash = str(resource.hash or "")
    if resource.bytes is not None or declared_hash:
        size, sha = filehash.file_digest(full)
        if resource.bytes is not None and resource.bytes != size:
            found.append(_error("byte-count", name, f'the resource says {resource.bytes} '
                                f'bytes but "{path}" has {size}'))
        algorithm, _, digest = declared_hash.rpartition(":")
        if digest and algorithm in ("", "sha256") and digest.lower() != sha:
            found.append(_error("hash-count", name, f'the resource says sha256 {digest} '
                                f'but "{path}" has {sha}'))
    fact = measured.get(os.path.normpath(str(path)))
    if fact is not None and (fact.get("error") or "inside_out" in fact):
        unreadable, inverted = fact.get("error"), fact.get("inside_out")
        inverted = assets3d.inverted_message() if inverted else None
    else:
        mesh, unreadable = assets3d.read_file(full, file_type)
        inverted = assets3d.inside_out(mesh) if mesh is not None else None
    if unreadable:
        found.append(_error(assets3d.AssetFileError.type, name, f'"{path}": {unreadable}'))
    if inverted:
        found.append(_error(assets3d.AssetInvertedError.type, name, f'"{path}": {inverted}'))
    return found


def _failing_rule(exc: BaseException) -> str | None:
    """The type of the innermost of our checks whose code raised ``exc``, if
    any (frictionless' own checks, e.g. ``baseline``, read the cells: that is
    the Table Schema's reading)."""
    rule = None
    tb = exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, Check) and not type(owner).__module__.startswith("frictionless"):
            rule = owner.type
        tb = tb.tb_next
    return rule


@contextlib.contextmanager
def _rule_guard(resource: str | None, rule: str = TABLE_SCHEMA_RULE,
                passing: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """Turn an unexpected exception into :class:`RuleCannotRun` naming the
    check it came from (``rule`` when no check is on the stack) and the
    resource: a bug of a rule is the validator's problem, never a traceback
    and never a verdict on the data. ``passing`` exceptions go through."""
    try:
        yield
    except (RuleCannotRun, fast.Unsupported, *passing):
        raise
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc).strip() else ""
        what = type(exc).__name__ + (f" ({reason[:200]})" if reason else "")
        raise RuleCannotRun(
            _failing_rule(exc) or rule,
            personal.mask_text(f"unexpected {what}; the data was not judged by this "
                               "rule: please report it with the file"),
            resource) from exc


def _sniff(resource: Any, keys: set | None = None, lookups: dict | None = None
           ) -> tuple[str, str, list[str]] | None:
    """The delimiter and quote frictionless finds in a CSV file, and the
    labels it reads (None when it cannot open it). One opening of a copy
    without foreign keys, so the tables they name are not read for this.

    ``keys``: the keys of this table that other tables' foreign keys name;
    the same opening reads their values into ``lookups`` (as the fast path's
    foreign-key check would read them from such a copy), so the table is not
    opened once more for each."""
    try:
        copy = resource.to_copy()
        if copy.schema is not None:
            copy.schema.foreign_keys = []
        with copy as opened:  # frictionless sniffs the sample
            found = (fast.csv_option(opened.dialect, "delimiter", ","),
                     fast.csv_option(opened.dialect, "quote_char", '"'),
                     [str(label) for label in opened.labels])
            if keys and lookups is not None and resource.package is not None:
                try:
                    read = fast.referenced_keys(opened, keys)
                except Exception:  # noqa: BLE001 - the foreign-key check reads it again
                    read = {}
                for key, values in read.items():
                    lookups[fast.lookup_memo(resource, key)] = values
            return found
    except FrictionlessException:
        return None


def _spaced_labels(resource: Any, sniffed: tuple | None) -> list[str]:
    """Header labels of a CSV file with spaces around them (frictionless strips
    them, so its validation passes; the DataStore keeps them)."""
    if (resource.format or "").lower() != "csv" or resource.dialect.header_rows != [1]:
        return []
    if sniffed is None:
        return []
    delimiter, quote, _ = sniffed  # the delimiter and quote frictionless found
    encoding = "cp949" if resource.encoding == "cp949" else "utf-8-sig"
    try:
        with open(resource.normpath, encoding=encoding, errors="replace", newline="") as fh:
            labels = next(csv.reader(fh, delimiter=delimiter, quotechar=quote), [])
    except (OSError, csv.Error):
        return []
    return [label for label in labels if label != label.strip()]


def _delimiter_problem(resource: Any, sniffed: tuple | None) -> str | None:
    """A CSV file whose delimiter is not the one its dialect declares."""
    if (resource.format or "").lower() != "csv":
        return None
    declared = fast.csv_option(resource.dialect, "delimiter", ",")
    if sniffed is None:
        return None  # reading it fails again below, with frictionless' message
    found, _, labels = sniffed
    schema = resource.schema
    if found == declared or found not in SNIFFED_DELIMITERS or len(labels) < 2:
        return None
    if schema is not None and labels != schema.field_names:
        return None
    shown = {"\t": "tab"}.get(found, f'"{found}"')
    return (f"{resource.path} is delimited by {shown}, but its dialect says "
            f'"{declared}" (the CSV default): save it with commas, or declare '
            f'"dialect": {{"csv": {{"delimiter": {json.dumps(found)}}}}} on the resource')


def validate_package(source: Any, checklist: ChecklistLike = None, *,
                     basepath: str | None = None, limit_errors: int = 1000,
                     limit_rows: int | None = None, progress: Progress | None = None,
                     progress_every: int = PROGRESS_EVERY, engine: str = "auto",
                     early: readahead.EarlyRead | None = None) -> dict:
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
    :param engine: ``"auto"`` validates plain UTF-8 CSV files column at a
        time (:mod:`.fast`: same rules and errors, much faster) and anything
        else with frictionless; ``"frictionless"`` always uses frictionless
    :param early: a reading of the package's largest table that the caller
        started before loading the rules (:func:`.readahead.start_early`):
        used when it reads a table this validation reads the same way, closed
        in any case
    :returns: the report dict (see ``validation/koreanap_validation/README.md``)
    :raises RuleCannotRun: a rule could not run (a library missing, or an
        unexpected exception inside a rule: the rule and resource are named)
    """
    with contextlib.ExitStack() as closing:  # what it starts is closed whatever happens
        if early is not None:
            closing.callback(early.close)
        if engine not in ENGINES:
            raise ValueError(f'engine must be one of {", ".join(ENGINES)}, not "{engine}"')
        return _validate(source, checklist, basepath, limit_errors, limit_rows, progress,
                         progress_every, engine, closing, early)


def _prefetch(package: Package, early: readahead.EarlyRead | None) -> fast.Prefetch | None:
    """The reading of the package's largest table that the fast path reads,
    started now, or ``early`` when it reads one of its tables as the fast
    path would (None when none is large enough to gain from it)."""
    readable = [resource for resource in package.resources
                if resource.tabular and not fast.unsupported_reason(resource, [])]
    if early is not None:
        for resource in readable:
            key = fast.early_key(resource)
            if key is not None and early.matches(key):
                return fast.Prefetch(resource, early=early)
        early.close()
    chosen, largest = None, readahead.PREFETCH_FROM - 1
    for resource in readable:
        try:
            size = os.path.getsize(resource.normpath)
        except OSError:
            continue  # reported at its turn
        if size > largest:
            chosen, largest = resource, size
    return None if chosen is None else fast.Prefetch(chosen)


def _validate(source: Any, checklist: ChecklistLike, basepath: str | None, limit_errors: int,
              limit_rows: int | None, progress: Progress | None, progress_every: int,
              engine: str, closing: contextlib.ExitStack,
              early: readahead.EarlyRead | None = None) -> dict:
    """:func:`validate_package`'s work (``closing``: closes the prefetch it starts)."""
    errors: list[dict] = []
    notes: list[dict] = []
    resources: list[dict] = []
    assets: list[dict] = []

    order: dict[str | None, int] = {}
    try:
        user_checklist = load_checklist(checklist)
        try:
            package = _open_package(source, basepath)
        except FrictionlessException:
            # Judge each resource on its own: leave out those whose own
            # descriptor is invalid, report them, and read the rest.
            found = _descriptor_of(source, basepath)
            if found is None:
                raise
            descriptor, folder = found
            descriptor, bad = _without_invalid_resources(descriptor, folder)
            if not bad:
                raise
            for number, item in enumerate(found[0].get("resources") or []):
                name = item.get("name") if isinstance(item, dict) else None
                order[name if isinstance(name, str) and name else f"resource {number + 1}"] \
                    = number
            package = Package.from_descriptor(descriptor, basepath=folder)
            for name, message, path in bad:
                errors.append(_error(RESOURCE_RULE, name, message))
                resources.append({"name": name, "path": path, "tabular": None,
                                  "encoding": None, "rows": None, "checked": False,
                                  "partial": False, "engine": None})
    except FrictionlessException as exc:
        errors.append(_error(PACKAGE_RULE, None, exc.error.message))
        return _finish(errors, notes, resources)
    except (OSError, ValueError) as exc:
        errors.append(_error(PACKAGE_RULE, None, str(exc)))
        return _finish(errors, notes, resources)
    for number, resource in enumerate(package.resources):
        order.setdefault(resource.name, number)
    fast_path = engine == "auto" and user_checklist is None and limit_rows is None
    # the largest table's reading starts now, on the idle core
    if early is not None and not fast_path:
        early.close()  # frictionless reads every table: the early reading is of no use
    prefetch = _prefetch(package, early) if fast_path else None
    if prefetch is not None:
        closing.callback(prefetch.close)

    descriptor_valid = True  # then so is each resource's (validate_table need not ask)
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        descriptor_valid = False
        # A resource's own problem is reported at that resource; only what
        # none of them explains is the package's.
        own = []
        for resource in package.resources:
            try:
                resource.to_descriptor(validate=True)
            except FrictionlessException as problem:
                own.extend(_error(RESOURCE_RULE, resource.name, error.message)
                           for error in problem.to_errors())
        errors.extend(own or [_error(PACKAGE_RULE, None, error.message)
                              for error in exc.to_errors()])

    # The package's own rules (koreanap:rules): those that cannot apply are
    # reported at their resource or the package; the others run as a check.
    with _rule_guard(None, rules.RuleCheck.type):
        table_rules, problems = rules.package_rules(package)
    for problem in problems:
        errors.append(_error(rules.SETUP_ERROR, problem.resource,
                             f"Rule set-up: {problem.message}", rule_id=problem.rule_id,
                             report=problem.report))

    # Contaminant and 3D asset rules, chosen per resource by its columns, and
    # the package's own rules.
    specific: dict[str, list] = {}
    for chooser, rule in ((contaminants.package_checks, "koreanap-contaminant-results"),
                          (assets3d.package_checks, "koreanap-mesh-asset"),
                          (rules.package_checks, rules.RuleCheck.type)):
        with _rule_guard(None, rule):
            chosen = chooser(package)
        for resource_name, found in chosen.items():
            specific.setdefault(resource_name, []).extend(found)

    lookups: dict = {}  # foreign keys' referenced values, read once per package
    referenced: dict[str, set[tuple]] = {}  # the keys foreign keys name, by table
    for resource in package.resources:
        schema = getattr(resource, "schema", None)
        for fk in (schema.foreign_keys if schema is not None else None) or []:
            target = fk.get("reference", {}).get("resource")
            if target and target != resource.name:
                referenced.setdefault(target, set()).add(tuple(fk["reference"]["fields"]))
    for resource in package.resources:
        name = resource.name
        summary = {"name": name, "path": resource.path, "tabular": resource.tabular,
                   "encoding": None, "rows": None, "checked": False, "partial": False,
                   "engine": None}
        resources.append(summary)
        if not resource.tabular:
            mesh = _mesh_type(resource)
            notes.append({"rule": None, "resource": name, "message": (
                f"a 3D model ({mesh.upper()}): read with trimesh, not row-checked"
                if mesh and not resource.remote else
                "not a table: row checks do not apply")})
            continue

        local = resource.normpath if resource.path and not resource.remote else None
        mine = prefetch if prefetch is not None and prefetch.resource is resource else None
        utf8 = False  # the whole file checked and found UTF-8
        if local and os.path.isfile(local):
            enc = (mine.encoding(resource) if mine is not None else None) or \
                check_encoding(local)
            utf8 = enc.valid
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
            sniffed = (_sniff(resource, referenced.get(name), lookups)
                       if (resource.format or "").lower() == "csv"
                       else None)
            problem = _delimiter_problem(resource, sniffed)
            if problem:
                errors.append(_error(DIALECT_RULE, name, problem))
            for label in _spaced_labels(resource, sniffed):
                errors.append(_error(
                    HEADER_RULE, name,
                    f'header "{label}" has spaces around it: frictionless reads it as '
                    f'"{label.strip()}", but the DataStore would name the column '
                    f'"{label}"; remove the spaces', row=1, field=label.strip(),
                    value=label))

        if fast_path and local and resource.encoding != "cp949":
            fast_checks = _our_checks() + list(specific.get(name) or [])
            def tell(rows: int, _name: str = name, _seen: list = [0]) -> None:  # noqa: B006
                # once per progress_every rows crossed (batches hold ~10,000 rows)
                if progress and rows // progress_every > _seen[0] // progress_every:
                    progress(_name, rows, False)
                _seen[0] = rows

            try:
                with _rule_guard(name, passing=(FrictionlessException,)):
                    found, rows, partial = fast.validate_table(
                        resource, fast_checks, limit_errors=limit_errors, progress=tell,
                        lookups=lookups, known_valid=descriptor_valid, known_utf8=utf8,
                        prefetch=mine)
            except (fast.Unsupported, FrictionlessException):
                # frictionless validates it below (and reports what it cannot
                # read), without the prefetched batches kept meanwhile
                if mine is not None:
                    mine.close()
            else:
                if progress:
                    progress(name, rows, True)
                summary.update(checked=True, rows=rows, partial=partial, engine="fast")
                for error in found:
                    _add(errors, notes, error, name, resource.schema, table_rules.get(name))
                if partial:
                    notes.append({"rule": None, "resource": name,
                                  "message": f"reached error limit: {limit_errors}"})
                assets.extend(_measured(name, specific.get(name)))
                continue

        summary["engine"] = "frictionless"
        with _rule_guard(name):
            report = resource.validate(
                checklist=_resource_checklist(user_checklist, progress, name,
                                              progress_every, specific.get(name)),
                limit_errors=limit_errors,
                limit_rows=limit_rows,
            )
        summary["checked"] = True
        for task in report.tasks:
            summary["rows"] = task.stats.get("rows")
            summary["partial"] = len(task.errors) >= limit_errors
            for error in task.errors:
                _add(errors, notes, error, name, resource.schema, table_rules.get(name))
            for warning in task.warnings:
                notes.append({"rule": None, "resource": name,
                              "message": personal.mask_text(warning)})
        for error in report.errors:  # errors outside any task
            _add(errors, notes, error, name, resource_rules=table_rules.get(name))
        assets.extend(_measured(name, specific.get(name)))

    # 3D files published as resources, after the assets tables that measured them.
    measured = {os.path.normpath(str(a["path"])): a for a in assets}
    for resource in package.resources:
        mesh = None if resource.tabular or resource.remote else _mesh_type(resource)
        if mesh:
            with _rule_guard(resource.name, assets3d.Asset3DCheck.type):
                errors.extend(_check_mesh_resource(resource, mesh, measured))
    # In resource order (package errors first), each resource's in row order.
    errors.sort(key=lambda e: order.get(e["resource"], -len(order) - 1))
    resources.sort(key=lambda r: order.get(r["name"], 0))
    return _finish(errors, notes, resources, assets)


def _measured(resource: str, found: list | None) -> list[dict]:
    """What the 3D asset rule measured of each file of an assets table."""
    return [dict(fact, resource=resource) for check in found or ()
            for fact in getattr(check, "measured", None) or ()]


def check_package_metadata(descriptor: Any, *, basepath: str | None = None) -> dict:
    """Rule 7 on a data package: its DCAT RDF against the SHACL shapes, and
    the MQA-style score.

    :param descriptor: a descriptor dict, a ``datapackage.json`` path or folder
    :param basepath: the package's folder (default: the folder ``descriptor``
        names): file sizes and the score's URL indicators read the files there
    :returns: ``{"conforms", "results": [{path, message, severity, focus,
        value, constraint}], "score": {total, max, band, dimensions,
        indicators}}``, or ``{"error": message}`` when no DCAT could be built
    """
    from .metadata import dcat, fields, links, score, shacl

    try:
        loaded = dcat.load_descriptor(descriptor)
        if basepath is None:
            basepath = links.package_folder(descriptor)
        graph = dcat.descriptor_to_graph(loaded, basepath=basepath)
        checked = shacl.check_graph(graph)
        scored = score.score_graph(graph, checked["conforms"],
                                   links.package_links(loaded, basepath)
                                   if basepath is not None else None)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return {"error": f"cannot build DCAT metadata from the package: {exc}"}
    # Columns without a title (Korean name) are warnings beside the SHACL results.
    return {"conforms": checked["conforms"],
            "results": checked["results"] + fields.untitled_fields(loaded),
            "score": scored}


def add_metadata(report: dict, descriptor: Any, *, strict: bool = False,
                 basepath: str | None = None) -> dict:
    """Put :func:`check_package_metadata`'s result in ``report["metadata"]``;
    with ``strict`` every SHACL violation is also an error (rule
    ``koreanap-metadata``), otherwise they are reported but do not make the
    package invalid."""
    found = check_package_metadata(descriptor, basepath=basepath)
    report["metadata"] = found
    problems = []
    if "error" in found:
        problems.append(found["error"])
    else:
        problems = [f'{r["path"] or r["focus"]}: {r["message"]}' for r in found["results"]
                    if r["severity"] == "Violation"]
    if strict and problems:
        for message in problems:
            report["errors"].append(_error(METADATA_RULE, None, message))
        report.update(_finish(report["errors"], report["notes"], report["resources"]),
                      metadata=found)
    return report


def _finish(errors: list[dict], notes: list[dict], resources: list[dict],
            assets: list[dict] | None = None) -> dict:
    report = {
        "version": REPORT_VERSION,
        "valid": not errors,
        "errors": errors,
        "counts": dict(Counter(e["rule"] for e in errors)),
        "notes": notes,
        "resources": resources,
    }
    if assets:  # only packages with an assets table (3D files)
        report["assets"] = assets
    return report


def report_to_json(report: dict) -> str:
    """The report as JSON text (UTF-8 Korean kept readable)."""
    return json.dumps(report, ensure_ascii=False, indent=2)
