"""Contaminant survey rules (fact sheet §1, "automated checks"), as
frictionless checks.

``koreanap-contaminant-results`` checks each row of a survey-results table:

- ``koreanap-contaminant-lod-loq`` (field ``lod``): the limit of detection is
  not above the limit of quantification (LOD <= LOQ).
- ``koreanap-contaminant-detection`` (field ``value``): ``detected = Y``
  needs a value >= LOD; ``detected = N`` ("불검출", not detected) needs an
  empty value. ``0`` is an error ("not detected must be empty, not 0"): a
  zero would be read as a measured zero and skew exposure statistics.
- ``koreanap-contaminant-unit`` (field ``unit``): the unit is the substance's
  unit in the ``substances`` resource.
- ``koreanap-contaminant-exceedance`` (field ``exceeds_ml``, or
  ``maximum_level_id``): the exceedance flag agrees with the maximum level
  for the row's substance and food group in ``maximum_levels`` (the row's
  ``maximum_level_id`` when it has one). ``Y`` when the value is above a
  ``maximum`` limit or anything is detected under a ``not_detected`` limit,
  ``N`` otherwise, empty where no limit applies. A ``maximum_level_id`` that
  names a limit for another substance or food group, or is empty while a
  limit applies, is reported on ``maximum_level_id``.

``koreanap-cas-number`` checks a substances table: each CAS Registry Number
in the CAS column (several separated by ``;``) has the form
``NNNNNNN-NN-N`` (2–7 digits first) and a correct check digit (the last
digit equals the sum of the other digits, each times its position counted
from the right, modulo 10).

Cells that failed their Table Schema type or a constraint (a negative
value against ``minimum: 0``) are not checked again, and a rule
whose columns the table lacks is skipped. The cross-resource look-ups (the
substances' units and the maximum levels) are read once per validation:
from the check's ``substanceUnits``/``maximumLevels`` options when given
(see :meth:`ContaminantResultsCheck.from_package`), otherwise from the
``substances`` and ``maximum_levels`` resources of the package the
validated resource belongs to. When neither is available the unit and
exceedance rules report one ``koreanap-contaminant-setup`` table error.

Column names are check options whose defaults are the food-contaminants
package's names (``detectedField``, ``valueField``, ``unitField``,
``lodField``, ``loqField``, ``substanceField``, ``foodGroupField``,
``maximumLevelIdField``, ``exceedsField``; ``casField`` for the CAS check).

For the engine, :func:`package_checks` picks the checks that apply to each
resource of a package by its columns.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from frictionless import Check, errors

from .domains import non_finite
from .error_types import declare_error, failed_cells

if TYPE_CHECKING:
    from frictionless import Package
    from frictionless.error import Error
    from frictionless.table import Row

CAS_PATTERN = re.compile(r"^([0-9]{2,7})-([0-9]{2})-([0-9])$")
LIMIT_MAXIMUM = "maximum"
LIMIT_NOT_DETECTED = "not_detected"


# Errors

LodLoqError = declare_error(
    "LodLoqError", "koreanap-contaminant-lod-loq", "LOD Above LOQ",
    "The limit of detection must not be above the limit of quantification.",
    doc="LOD above LOQ.")
DetectionError = declare_error(
    "DetectionError", "koreanap-contaminant-detection", "Detected Flag and Value Disagree",
    "detected = Y needs a value at or above the LOD; detected = N (불검출) "
    "needs an empty value, never 0.",
    doc="The detected flag and the value disagree.")
UnitError = declare_error(
    "UnitError", "koreanap-contaminant-unit", "Unit Is Not the Substance's Unit",
    "A result's unit must be the unit of its substance (substances resource).",
    doc="A result in another unit than its substance's.")
ExceedanceError = declare_error(
    "ExceedanceError", "koreanap-contaminant-exceedance",
    "Exceedance Flag Disagrees With Maximum Level",
    "The exceedance flag must agree with the maximum level for the "
    "substance and food group (maximum_levels resource).",
    doc="The exceedance flag disagrees with the maximum level.")
CasNumberError = declare_error(
    "CasNumberError", "koreanap-cas-number", "Invalid CAS Registry Number",
    "A CAS Registry Number is malformed or fails its check digit.",
    doc="A malformed CAS number or a wrong check digit.")
ContaminantSetupError = declare_error(
    "ContaminantSetupError", "koreanap-contaminant-setup", "Contaminant Rules Set-up",
    "The substances or maximum_levels look-ups are not available (no "
    "package, a missing resource or a missing column).",
    doc="The look-up tables a contaminant rule needs are missing.",
    template="Contaminant rules set-up: {note}", base=errors.TableError)


# Helpers


def cas_problem(cas: str) -> str | None:
    """Why one CAS Registry Number is invalid, or None when it is valid."""
    match = CAS_PATTERN.match(cas.strip())
    if not match:
        return f'"{cas}" is not of the form NNNNNNN-NN-N (2 to 7 digits first)'
    body = match.group(1) + match.group(2)
    check = int(match.group(3))
    total = sum(int(d) * i for i, d in enumerate(reversed(body), start=1))
    if total % 10 != check:
        return f'"{cas}" fails its check digit (expected {total % 10}, found {check})'
    return None


_MICRO_U = re.compile(r"(?<![A-Za-z])u(?=[gLlm])")


def unit_key(unit: str) -> str:
    """A unit notation for comparison: µg/kg (U+00B5 MICRO SIGN), μg/kg
    (U+03BC GREEK MU), ㎍/kg (U+338D SQUARE MU G) and ug/kg are one unit.
    Compare with this, publish the text as written."""
    return _MICRO_U.sub("μ", unicodedata.normalize("NFKC", unit).strip())


def _number(value: Any) -> float | None:
    """A finite number, or None (NaN and Infinity are reported as domain or
    number errors, and compare with nothing)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _present(value: Any) -> bool:
    """Not empty as the detection rule reads a value (``_text(value) != ""``)."""
    return value is not None and _text(value) != ""


def _is_y(value: Any) -> bool:
    return _text(value) == "Y"


def _is_n(value: Any) -> bool:
    return _text(value) == "N"


def _cells(row: Row) -> list[str]:
    return [_text(v) for v in row.cells]


def _error(Error: type[errors.CellError], row: Row, numbers: dict[str, int],
           field: str, note: str) -> errors.CellError:
    return Error(note=note, cells=_cells(row), row_number=row.row_number,
                 cell=_text(row[field]), field_name=field,
                 field_number=numbers.get(field, 0))


def _rows(package: Package, name: str) -> list[dict] | None:
    if not package.has_resource(name):
        return None
    resource = package.get_resource(name)
    return [row.to_dict() for row in resource.read_rows()]


def load_lookups(package: Package, *, substances: str = "substances",
                 maximum_levels: str = "maximum_levels",
                 substance_field: str = "substance_code", unit_field: str = "unit",
                 food_group_field: str = "food_group_code",
                 ) -> tuple[dict[str, str] | None, list[dict] | None]:
    """The substances' units ``{code: unit}`` and the maximum levels (a list
    of ``{ml_id, substance_code, food_group_code, limit_type,
    maximum_level}``) read from a package; None for a missing resource."""
    units = None
    rows = _rows(package, substances)
    if rows is not None:
        units = {_text(r.get(substance_field)): _text(r.get(unit_field)) for r in rows}
    levels = None
    rows = _rows(package, maximum_levels)
    if rows is not None:
        levels = [{
            "ml_id": _text(r.get("ml_id")),
            "substance_code": _text(r.get(substance_field)),
            "food_group_code": _text(r.get(food_group_field)),
            "limit_type": _text(r.get("limit_type")) or LIMIT_MAXIMUM,
            "maximum_level": _number(r.get("maximum_level")),
        } for r in rows]
    return units, levels


# Checks


@attrs.define(kw_only=True, repr=False)
class ContaminantResultsCheck(Check):
    """LOD/LOQ, detected/value, unit and exceedance rules for survey rows."""

    type = "koreanap-contaminant-results"
    Errors = [LodLoqError, DetectionError, UnitError, ExceedanceError,
              ContaminantSetupError]

    detected_field: str = "detected"
    value_field: str = "value"
    unit_field: str = "unit"
    lod_field: str = "lod"
    loq_field: str = "loq"
    substance_field: str = "substance_code"
    food_group_field: str = "food_group_code"
    maximum_level_id_field: str = "maximum_level_id"
    exceeds_field: str = "exceeds_ml"
    substances_resource: str = "substances"
    maximum_levels_resource: str = "maximum_levels"
    substance_units: dict[str, str] | None = None
    """``{substance_code: unit}``; read from the package when not given."""
    maximum_levels: list[dict] | None = None
    """Rows ``{ml_id, substance_code, food_group_code, limit_type
    ("maximum" or "not_detected"), maximum_level}``; read from the package
    when not given."""

    @classmethod
    def from_package(cls, package: Package, **options: Any) -> ContaminantResultsCheck:
        """A check whose look-ups are read from ``package`` now, once."""
        units, levels = load_lookups(
            package,
            substances=options.get("substances_resource", "substances"),
            maximum_levels=options.get("maximum_levels_resource", "maximum_levels"),
            substance_field=options.get("substance_field", "substance_code"),
            unit_field=options.get("unit_field", "unit"),
            food_group_field=options.get("food_group_field", "food_group_code"),
        )
        return cls(substance_units=units, maximum_levels=levels, **options)

    def validate_start(self) -> Iterable[Error]:
        schema = self.resource.schema
        names = [f.name for f in schema.fields] if schema else []
        self._numbers = {name: i for i, name in enumerate(names, start=1)}
        self._number_typed = {f.name: f.type in ("number", "integer")
                              for f in (schema.fields if schema else [])}
        has = set(names).__contains__
        self._do_lod = has(self.lod_field) and has(self.loq_field)
        self._do_detect = has(self.detected_field) and has(self.value_field)
        self._do_unit = has(self.unit_field) and has(self.substance_field)
        self._do_exceed = (has(self.exceeds_field) and has(self.detected_field)
                           and has(self.value_field) and has(self.substance_field)
                           and has(self.food_group_field))
        self._has_ml_id = has(self.maximum_level_id_field)

        units, levels = self.substance_units, self.maximum_levels
        if (units is None and self._do_unit) or (levels is None and self._do_exceed):
            package = getattr(self.resource, "package", None)
            if package is not None:
                loaded_units, loaded_levels = load_lookups(
                    package, substances=self.substances_resource,
                    maximum_levels=self.maximum_levels_resource,
                    substance_field=self.substance_field, unit_field=self.unit_field,
                    food_group_field=self.food_group_field)
                units = units if units is not None else loaded_units
                levels = levels if levels is not None else loaded_levels
        notes = []
        if self._do_unit and units is None:
            self._do_unit = False
            notes.append(f'no "{self.substances_resource}" resource (or substanceUnits '
                         "option): units not checked")
        if self._do_exceed and levels is None:
            self._do_exceed = False
            notes.append(f'no "{self.maximum_levels_resource}" resource (or '
                         "maximumLevels option): exceedance flags not checked")
        if not (self._do_lod or self._do_detect or self._do_unit or self._do_exceed
                or notes):
            notes.append("the table has none of the columns the contaminant rules read")
        self._units = units or {}
        self._memo: dict[tuple, Any] = {}
        self._levels_by_id = {lv["ml_id"]: lv for lv in levels or []}
        self._levels_by_key = {(lv["substance_code"], lv["food_group_code"]): lv
                               for lv in levels or []}
        for note in notes:
            yield ContaminantSetupError(note=note)

    @property
    def row_fields(self) -> list[str]:
        """The fields validate_row reads (for column-at-a-time validation)."""
        wanted = (self.detected_field, self.value_field, self.unit_field, self.lod_field,
                  self.loq_field, self.substance_field, self.food_group_field,
                  self.maximum_level_id_field, self.exceeds_field)
        return [name for name in wanted if name in getattr(self, "_numbers", {})]

    def candidate_rows(self, view: Any) -> np.ndarray:
        """The rows of a batch that may fail a rule (column-at-a-time path).

        A superset, computed on whole columns: every row for which
        :meth:`validate_row` could report something is flagged, and only
        those rows are then read by :meth:`validate_row` itself (which gives
        the messages). ``view`` is the fast path's batch view: ``values(name)``
        (the distinct parsed values), ``codes(name)`` (each row's index into
        them), ``combinations(names)`` (the distinct combinations of several
        fields' values and each row's index into them) and ``failed(name)``
        (rows whose cell failed its type or a constraint).
        """
        count = view.count
        flag = np.zeros(count, dtype=bool)
        for name in self.row_fields:
            flag |= view.failed(name)

        def per_row(name: str, function: Any) -> np.ndarray:
            distinct = view.values(name)
            return np.fromiter(map(function, distinct), dtype=bool,
                               count=len(distinct))[view.codes(name)]

        n = self._numbers
        floats: dict[str, np.ndarray] = {}
        present: dict[str, np.ndarray] = {}
        for name in (self.value_field, self.lod_field, self.loq_field):
            if name in n:
                distinct = view.values(name)
                codes = view.codes(name)
                # NaN where _number finds no finite number (None reads as NaN);
                # a number field's values are numbers or None: the same floats
                if self._number_typed.get(name):
                    floats[name] = view.floats(name)
                    # None or a number; not blank also holds cells that failed
                    # their type (flagged anyway): a superset of _present
                    present[name] = ~view.blank(name)
                else:
                    floats[name] = np.array([_number(v) for v in distinct],
                                            dtype=float)[codes]
                    present[name] = per_row(name, _present)
                # NaN/Infinity, and any other cell that is no finite number
                flag |= present[name] & np.isnan(floats[name])
        with np.errstate(invalid="ignore"):
            if self._do_lod:
                flag |= floats[self.lod_field] > floats[self.loq_field]
            detected_y = (per_row(self.detected_field, _is_y)
                          if self.detected_field in n else np.zeros(count, dtype=bool))
            if self._do_detect:
                value = floats[self.value_field]
                flag |= detected_y & np.isnan(value)
                if self.lod_field in n:
                    flag |= detected_y & (value < floats[self.lod_field])
                flag |= per_row(self.detected_field, _is_n) & present[self.value_field]
        if self._do_unit:
            flag |= self._pairs_failing(view, [self.substance_field, self.unit_field],
                                        self._unit_differs)
        if self._do_exceed:
            flag |= self._exceedance_candidates(view, detected_y, floats[self.value_field])
        return flag

    def _unit_differs(self, code: Any, unit: Any) -> bool:
        expected = self._units.get(_text(code))
        text = _text(unit)
        return bool(expected is not None and text and unit_key(text) != unit_key(expected))

    def _pairs_failing(self, view: Any, names: list[str], test: Any) -> np.ndarray:
        combos, inverse = view.combinations(names)
        return np.fromiter((self._remember(("pair", *c), test, *c) for c in combos),
                           dtype=bool, count=len(combos))[inverse]

    def _remember(self, key: tuple, function: Any, *args: Any) -> Any:
        """``function(*args)``, computed once per ``key`` (batches repeat the
        same few combinations of codes; forgotten past 100,000)."""
        memo = self._memo
        found = memo.get(key)
        if found is None:
            if len(memo) >= 100_000:
                memo.clear()
            found = memo[key] = function(*args)
        return found

    def _exceedance_candidates(self, view: Any, detected_y: np.ndarray,
                               value: np.ndarray) -> np.ndarray:
        """Rows whose exceedance flag may be wrong, by the level that applies."""
        names = [self.substance_field, self.food_group_field]
        if self._has_ml_id:
            names.append(self.maximum_level_id_field)
        combos, inverse = view.combinations(names)
        found = [self._remember(("level", *c), self._level_kind, c) for c in combos]
        kinds = np.array([f[0] for f in found], dtype=np.int8)
        limits = np.array([f[1] for f in found], dtype=float)
        kind, limit = kinds[inverse], limits[inverse]
        actual = view.codes(self.exceeds_field)
        texts = [_text(v) for v in view.values(self.exceeds_field)]
        is_y = np.array([t == "Y" for t in texts], dtype=bool)[actual]
        is_n = np.array([t == "N" for t in texts], dtype=bool)[actual]
        is_empty = np.array([t == "" for t in texts], dtype=bool)[actual]
        with np.errstate(invalid="ignore"):
            over = detected_y & ~np.isnan(value) & (value > limit)
        return ((kind == 1) | ((kind == 2) & ~is_empty)
                | ((kind == 3) & np.where(detected_y, ~is_y, ~is_n))
                | ((kind == 4) & np.where(over, ~is_y, ~is_n)))

    def _level_kind(self, combo: tuple) -> tuple[int, float]:
        """For a (substance, food group[, maximum level id]) combination: 0
        skip, 1 certainly an error, 2 no level (expect empty), 3 "not
        detected" limit, 4 a maximum; and that maximum (NaN otherwise)."""
        code, group = _text(combo[0]), _text(combo[1])
        level = by_key = self._levels_by_key.get((code, group))
        if self._has_ml_id:
            ml_id = _text(combo[2])
            if ml_id:
                level = self._levels_by_id.get(ml_id)
                if level is None:
                    return 0, math.nan
                if (level["substance_code"], level["food_group_code"]) != (code, group):
                    return 1, math.nan
            elif by_key is not None:
                return 1, math.nan
        if level is None:
            return 2, math.nan
        if level["limit_type"] == LIMIT_NOT_DETECTED:
            return 3, math.nan
        if level["maximum_level"] is not None:
            return 4, float(level["maximum_level"])
        return 0, math.nan

    def validate_row(self, row: Row) -> Iterable[Error]:
        # Cells frictionless or the number rules report: one report per fault.
        bad = failed_cells(row)
        n = self._numbers
        bad.update(name for name in (self.value_field, self.lod_field, self.loq_field)
                   if name in n and non_finite(row[name]))
        if self._do_lod and self.lod_field not in bad and self.loq_field not in bad:
            lod, loq = _number(row[self.lod_field]), _number(row[self.loq_field])
            if lod is not None and loq is not None and lod > loq:
                yield _error(LodLoqError, row, n, self.lod_field,
                             f"LOD {row[self.lod_field]} is above LOQ {row[self.loq_field]}")
        if self._do_detect and self.value_field not in bad:
            yield from self._detection(row, bad)
        if self._do_unit and self.unit_field not in bad:
            code = _text(row[self.substance_field])
            unit = _text(row[self.unit_field])
            expected = self._units.get(code)
            if expected is not None and unit and unit_key(unit) != unit_key(expected):
                yield _error(UnitError, row, n, self.unit_field,
                             f'unit "{unit}" is not the unit of substance {code} '
                             f'("{expected}")')
        if self._do_exceed and self.value_field not in bad and self.exceeds_field not in bad:
            yield from self._exceedance(row)

    def _detection(self, row: Row, bad: set[str]) -> Iterable[Error]:
        detected = _text(row[self.detected_field])
        value = _number(row[self.value_field])
        field = self.value_field
        if detected == "Y":
            if value is None:
                yield _error(DetectionError, row, self._numbers, field,
                             "detected = Y needs a value")
            elif self.lod_field in self._numbers and self.lod_field not in bad:
                lod = _number(row[self.lod_field])
                if lod is not None and value < lod:
                    yield _error(DetectionError, row, self._numbers, field,
                                 f"detected value {row[field]} is below the LOD "
                                 f"{row[self.lod_field]}")
        elif detected == "N" and row[field] is not None and _text(row[field]) != "":
            note = ("not detected must be empty, not 0" if value == 0 else
                    f"not detected must have an empty value, found {row[field]}")
            yield _error(DetectionError, row, self._numbers, field, note)

    def _exceedance(self, row: Row) -> Iterable[Error]:
        n = self._numbers
        code = _text(row[self.substance_field])
        group = _text(row[self.food_group_field])
        by_key = self._levels_by_key.get((code, group))
        level = by_key
        if self._has_ml_id:
            ml_id = _text(row[self.maximum_level_id_field])
            if ml_id:
                level = self._levels_by_id.get(ml_id)
                if level is None:  # unknown id: the foreign key reports it
                    return
                if (level["substance_code"], level["food_group_code"]) != (code, group):
                    yield _error(ExceedanceError, row, n, self.maximum_level_id_field,
                                 f"maximum level {ml_id} is for {level['substance_code']} "
                                 f"in {level['food_group_code']}, not {code} in {group}")
                    return
            elif by_key is not None:
                yield _error(ExceedanceError, row, n, self.maximum_level_id_field,
                             f"maximum level {by_key['ml_id']} applies to {code} in "
                             f"{group} but maximum_level_id is empty")
        detected = _text(row[self.detected_field]) == "Y"
        value = _number(row[self.value_field])
        if level is None:
            expected, why = "", f"no maximum level applies to {code} in {group}"
        elif level["limit_type"] == LIMIT_NOT_DETECTED:
            expected = "Y" if detected else "N"
            why = (f"the limit {level['ml_id']} is 'not detected' and the result is "
                   + ("detected" if detected else "not detected"))
        else:
            limit = level["maximum_level"]
            if limit is None:
                return
            over = detected and value is not None and value > limit
            expected = "Y" if over else "N"
            shown = row[self.value_field] if value is not None else "no value"
            why = (f"{shown} is {'above' if over else 'not above'} the maximum level "
                   f"{level['maximum_level']:g} ({level['ml_id']})")
        actual = _text(row[self.exceeds_field])
        if actual != expected:
            want = f'"{expected}"' if expected else "empty"
            yield _error(ExceedanceError, row, n, self.exceeds_field,
                         f'exceedance flag is "{actual}" but should be {want}: {why}')

    metadata_profile_patch = {
        "properties": {
            **{name: {"type": "string"} for name in (
                "detectedField", "valueField", "unitField", "lodField", "loqField",
                "substanceField", "foodGroupField", "maximumLevelIdField",
                "exceedsField", "substancesResource", "maximumLevelsResource")},
            "substanceUnits": {"type": "object",
                               "additionalProperties": {"type": "string"}},
            "maximumLevels": {"type": "array", "items": {"type": "object"}},
        },
    }


@attrs.define(kw_only=True, repr=False)
class CasNumberCheck(Check):
    """CAS Registry Numbers (``;``-separated) pass their check digit."""

    type = "koreanap-cas-number"
    Errors = [CasNumberError, ContaminantSetupError]

    cas_field: str = "cas_numbers"
    separator: str = ";"

    def validate_start(self) -> Iterable[Error]:
        schema = self.resource.schema
        names = [f.name for f in schema.fields] if schema else []
        self._number = names.index(self.cas_field) + 1 if self.cas_field in names else 0
        if not self._number:
            yield ContaminantSetupError(note=f'the table has no "{self.cas_field}" column')

    @property
    def row_fields(self) -> list[str]:
        """The fields validate_row reads (for column-at-a-time validation)."""
        return [self.cas_field] if getattr(self, "_number", 0) else []

    def validate_row(self, row: Row) -> Iterable[Error]:
        if not self._number or self.cas_field in failed_cells(row):
            return
        text = _text(row[self.cas_field])
        if not text:
            return  # required is Table Schema's business
        problems = [p for p in (cas_problem(c) for c in text.split(self.separator)) if p]
        if problems:
            yield CasNumberError(note="; ".join(problems), cells=_cells(row),
                                 row_number=row.row_number, cell=text,
                                 field_name=self.cas_field, field_number=self._number)

    metadata_profile_patch = {
        "properties": {"casField": {"type": "string"}, "separator": {"type": "string"}},
    }


CHECKS: list[type[Check]] = [ContaminantResultsCheck, CasNumberCheck]
ERRORS: list[type[errors.Error]] = [LodLoqError, DetectionError, UnitError,
                                     ExceedanceError, CasNumberError, ContaminantSetupError]

RESULT_COLUMNS = ("detected", "value", "lod", "loq")


def package_checks(package: Package) -> dict[str, list[Check]]:
    """The contaminant checks for each resource of ``package`` that they fit,
    by column names (defaults): results tables (``detected``, ``value``,
    ``lod``, ``loq``) get :class:`ContaminantResultsCheck` with the look-ups
    read once here; tables with ``cas_numbers`` get :class:`CasNumberCheck`.
    Fresh check objects: use each for one resource validation."""
    found: dict[str, list[Check]] = {}
    lookups = None
    for resource in package.resources:
        if not resource.tabular or not resource.schema:
            continue
        names = set(resource.schema.field_names)
        chosen: list[Check] = []
        if all(c in names for c in RESULT_COLUMNS):
            if lookups is None:
                lookups = load_lookups(package)
            chosen.append(ContaminantResultsCheck(substance_units=lookups[0],
                                                  maximum_levels=lookups[1]))
        if "cas_numbers" in names:
            chosen.append(CasNumberCheck())
        if chosen:
            found[resource.name] = chosen
    return found
