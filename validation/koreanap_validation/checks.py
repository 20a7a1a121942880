"""The catalogue's row checks as frictionless checks, and the plugin that
lets a checklist name them.

Importing this module registers :class:`KoreanapPlugin` with frictionless'
``system``, so ``Checklist.from_descriptor({"checks": [{"type":
"koreanap-value-domain"}]})`` works in this process. (For the stock
``frictionless`` command line to find it, a top-level module named
``frictionless_koreanap`` exposing ``KoreanapPlugin`` must be installed;
frictionless discovers plugins by that module-name prefix.)

Every message and error cell goes through :func:`.personal.mask_text`, so
frictionless' own report of these errors never carries personal data.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from frictionless import Check, Plugin, errors, system

from . import assets3d, contaminants, domains, personal, rules
from .error_types import declare_error, failed_cells

if TYPE_CHECKING:
    from frictionless.error import Error
    from frictionless.table import Row


def _masked_cells(row: Row) -> list[str]:
    return [personal.mask_text(str(v)) if v is not None else "" for v in row.cells]


# Errors

@attrs.define(kw_only=True, repr=False)
class ValueDomainError(errors.CellError):
    """A value outside its Korean public-data domain."""

    type = "koreanap-value-domain"
    title = "Korean Value Domain"
    description = (
        "A value does not fit the domain its field declares with the "
        '"koreanap:domain" property (MOIS common standard domains).'
    )
    template = (
        'Row {rowNumber}, field "{fieldName}": value "{cell}" is outside its '
        "domain: {note}"
    )
    tags = ["#table", "#row", "#cell", "#koreanap"]


@attrs.define(kw_only=True, repr=False)
class PersonalDataError(errors.CellError):
    """Unmasked personal data (RRN, phone number, e-mail) in a cell."""

    type = "koreanap-personal-data"
    title = "Unmasked Personal Data"
    description = (
        "A cell holds an unmasked resident registration number, phone number "
        "or e-mail address (Public Data Act Art. 17: personal data is not "
        "published). Mask or remove it."
    )
    template = 'Row {rowNumber}, field "{fieldName}": {note}'
    tags = ["#table", "#row", "#cell", "#koreanap"]


PossiblePersonalDataError = declare_error(
    "PossiblePersonalDataError", "koreanap-personal-data-possible", "Possible Personal Data",
    "A cell holds a number shaped like a resident registration number "
    "(real birth date, gender/century digit) whose check digit fails: a "
    "mistyped RRN or another identifier. Check it; validate_package "
    "reports it as a note, not an error.",
    doc="An RRN-shaped number whose check digit fails (lower severity).")


@attrs.define(kw_only=True, repr=False)
class NumberError(errors.CellError):
    """A number cell that other tools read differently (NaN, Infinity, ４.２)."""

    type = "koreanap-number"
    title = "Number Other Tools Cannot Use"
    description = (
        "A number or integer field holds NaN or Infinity (Table Schema reads "
        "them as numbers, but they are no measurement, cannot be compared and "
        "break sums: leave the cell empty when there is no value), or digits "
        "written in full-width or other non-ASCII forms (frictionless reads "
        "them, pyarrow and the DataStore do not: write ASCII digits)."
    )
    template = 'Row {rowNumber}, field "{fieldName}": {note}'
    tags = ["#table", "#row", "#cell", "#koreanap"]

    @staticmethod
    def fix_for(cell: str) -> str | None:
        """The cell as plain ASCII digits (NFKC), when that is what differs."""
        fixed = unicodedata.normalize("NFKC", cell).strip()
        return fixed if fixed != cell.strip() else None


RegionCoordinatesError = declare_error(
    "RegionCoordinatesError", "koreanap-region-coordinates",
    "Coordinates Outside the Row's Region",
    "A row's latitude and longitude lie outside the extent of the "
    "province its region code names (Busan coordinates on a Seoul row): "
    "the code or the coordinates are wrong.",
    doc="Coordinates outside the province that the row's region code names.")


class DomainSetupError(errors.TableError):
    """A field names an unknown domain or code list (the schema is wrong)."""

    type = "koreanap-domain-setup"
    title = "Korean Value Domain Set-up"
    description = (
        'A field\'s "koreanap:domain" or "koreanap:codelist" names something '
        "this catalogue does not know; fix the schema."
    )
    template = "Value-domain set-up: {note}"
    tags = ["#table", "#koreanap"]


def _cell_error(Error: type[errors.CellError], row: Row, field_name: str,
                field_number: int, note: str, cell: str,
                masked_cell: str | None = None) -> errors.CellError:
    """An error about one cell, masked; ``masked_cell`` replaces the cell
    where :func:`.personal.mask_text` would not see the personal data (a
    phone number stored as an integer)."""
    cells = _masked_cells(row)
    if masked_cell is not None and 0 < field_number <= len(cells):
        cells[field_number - 1] = masked_cell
    return Error(
        note=personal.mask_text(note),
        cells=cells,
        row_number=row.row_number,
        cell=masked_cell if masked_cell is not None else personal.mask_text(cell),
        field_name=field_name,
        field_number=field_number,
    )


# Checks


# Open ranges inside which a finite number certainly fits its numeric domain
# (the column-wise pre-filter reads every value on or outside them exactly).
_NUMERIC_BOUNDS = {
    "amount": (0.0, np.inf), "count": (0.0, np.inf), "rate": (0.0, 100.0),
    "latitude": domains.LAT_RANGE, "longitude": domains.LON_RANGE,
}


@attrs.define(kw_only=True, repr=False)
class ValueDomainCheck(Check):
    """Check each field that declares ``koreanap:domain`` against that domain.

    With ``fieldName`` and ``domain`` (and ``codelist``) the check applies
    one domain to one field instead, whatever its properties say.
    """

    type = "koreanap-value-domain"
    # A set-up problem is a table error, not frictionless' check-error: that
    # would drop the whole check (and, in frictionless 5.21, skip the next
    # check's validate_start), leaving the well-declared fields unchecked.
    Errors = [ValueDomainError, DomainSetupError]

    field_name: str | None = None
    domain: str | None = None
    codelist: str | None = None

    # The schema may be inferred when the resource opens, after connect(),
    # so the fields are read in validate_start().
    def validate_start(self) -> Iterable[Error]:
        self._targets: list[tuple[str, int, str, str | None]] = []
        self._setup_errors: list[str] = []
        schema = self.resource.schema
        fields = schema.fields if schema else []
        for number, field in enumerate(fields, start=1):
            if self.field_name is not None:
                if field.name != self.field_name:
                    continue
                domain, codelist = self.domain, self.codelist
            else:
                domain = field.custom.get(domains.DOMAIN_PROPERTY)
                codelist = field.custom.get(domains.CODELIST_PROPERTY)
            if not domain:
                continue
            if domain not in domains.DOMAINS:
                self._setup_errors.append(
                    f'field "{field.name}" names unknown domain "{domain}"; '
                    f'known: {", ".join(domains.DOMAINS)}'
                )
                continue
            if domain == "code":
                try:
                    domains.load_codelist(codelist or "")
                except domains.UnknownCodeList as exc:
                    self._setup_errors.append(f'field "{field.name}": {exc}')
                    continue
            self._targets.append((field.name, number, domain, codelist))
        if self.field_name is not None and not self._targets and not self._setup_errors:
            self._setup_errors.append(
                f'value-domain check requires field "{self.field_name}" and a known domain'
            )
        for note in self._setup_errors:
            yield DomainSetupError(note=note)

    # Column-at-a-time form (fast.py): the fields read, and one started
    # single-field check per field so each column is grouped on its own.
    @property
    def row_fields(self) -> list[str]:
        return [target[0] for target in getattr(self, "_targets", [])]

    def row_parts(self) -> list[ValueDomainCheck]:
        parts = []
        for name, _number, domain, codelist in self._targets:
            part = ValueDomainCheck(field_name=name, domain=domain, codelist=codelist)
            part.connect(self.resource)
            list(part.validate_start())
            parts.append(part)
        return parts

    def candidate_rows(self, view: Any) -> Any:
        """Column-at-a-time pre-filter (fast.py) of a one-field part whose
        domain is numeric on a number/integer field: the rows that may fail
        (a superset: cells that failed their type or a constraint, and every
        value that is not a finite float strictly inside the domain's range
        or, for counts, not whole). None for any other part: all rows are read."""
        if len(getattr(self, "_targets", [])) != 1:
            return None
        name, _number, domain, _codelist = self._targets[0]
        bounds = _NUMERIC_BOUNDS.get(domain)
        field = self.resource.schema.get_field(name)
        if bounds is None or field.type not in ("number", "integer"):
            return None
        number = view.floats(name)
        with np.errstate(invalid="ignore"):
            inside = (number > bounds[0]) & (number < bounds[1])
            if domain == "count":
                inside &= number == np.floor(number)
        # a number field's non-blank cell is a number or failed its type
        return view.failed(name) | (~view.blank(name) & ~inside)

    def validate_row(self, row: Row) -> Iterable[Error]:
        failed = failed_cells(row)
        for name, number, domain, codelist in self._targets:
            if name in failed:  # its type or a constraint already reported it
                continue
            value = row[name]
            expects = domains.check_value(domain, value, codelist)
            if expects:
                yield _cell_error(
                    ValueDomainError, row, name, number,
                    f'domain "{domain}" expects {expects}', str(value),
                )

    metadata_profile_patch = {
        "properties": {
            "fieldName": {"type": "string"},
            "domain": {"type": "string", "enum": list(domains.DOMAINS)},
            "codelist": {"type": "string"},
        },
    }


@attrs.define(kw_only=True, repr=False)
class PersonalDataCheck(Check):
    """Look for unmasked personal data in every text cell, and in number
    columns for numbers that lost their leading 0.

    Text cells are those whose parsed value is a string (string and any
    fields). Integer and number cells are read as digits
    (:func:`.personal.find_in_number`): an RRN with a right check digit
    anywhere, phone numbers and RRN-shaped numbers with a wrong check digit
    only where the field's name or title says it holds them. A field with
    ``"koreanap:domain": "phone"`` (an organisation's phone) is exempt from
    phone detection, and one with ``"email"`` (a role mailbox) from e-mail
    detection; ``"koreanap:personal-data": false`` on a field skips it
    entirely (use sparingly, e.g. a column of synthetic test identifiers).

    A cell whose only findings are RRN-shaped numbers with a wrong check
    digit gets the lower-severity ``koreanap-personal-data-possible``.
    """

    type = "koreanap-personal-data"
    Errors = [PersonalDataError, PossiblePersonalDataError]

    field_names: list[str] | None = None
    kinds: list[str] = attrs.field(factory=lambda: list(personal.KINDS))

    def validate_start(self) -> Iterable[Error]:
        # (name, number, kinds, hints of a number column or None for text)
        self._targets: list[tuple[str, int, tuple[str, ...], tuple[str, ...] | None]] = []
        schema = self.resource.schema
        fields = schema.fields if schema else []
        for number, field in enumerate(fields, start=1):
            if self.field_names is not None and field.name not in self.field_names:
                continue
            if field.custom.get("koreanap:personal-data") is False:
                continue
            domain = field.custom.get(domains.DOMAIN_PROPERTY)
            hints = None
            if field.type in ("integer", "number"):
                if domain in domains.NUMERIC_DOMAINS:
                    continue  # amounts, counts, rates, coordinates: no identifiers
                hints = personal.number_hints(field.name, field.title)
            exempt = domains.EXEMPT_PERSONAL_KINDS.get(domain)
            kinds = tuple(k for k in personal.KINDS if k in self.kinds and k != exempt)
            if kinds:
                self._targets.append((field.name, number, kinds, hints))
        return []

    # Column-at-a-time form (fast.py), as for ValueDomainCheck; a cell that
    # does not match ``candidate_pattern`` cannot hold personal data.
    @property
    def candidate_pattern(self) -> str:
        targets = getattr(self, "_targets", [])
        if len(targets) == 1 and targets[0][3] is not None:
            return personal.NUMBER_CANDIDATE_PATTERN
        return personal.CANDIDATE_PATTERN

    @property
    def row_fields(self) -> list[str]:
        return [target[0] for target in getattr(self, "_targets", [])]

    def row_parts(self) -> list[PersonalDataCheck]:
        parts = []
        for name, _number, kinds, _hints in self._targets:
            part = PersonalDataCheck(field_names=[name], kinds=list(kinds))
            part.connect(self.resource)
            list(part.validate_start())
            parts.append(part)
        return parts

    def validate_row(self, row: Row) -> Iterable[Error]:
        for name, number, kinds, hints in self._targets:
            value: Any = row[name]
            masked_cell = None
            if isinstance(value, str):
                findings = personal.find_personal_data(value, kinds) if value else []
            elif hints is not None:
                findings = personal.find_in_number(value, kinds, hints)
                masked_cell = findings[0].masked if findings else None
            else:
                continue
            if not findings:
                continue
            what = ", ".join(
                f"{f.label} {f.masked}" for f in findings[:5]
            ) + (f" and {len(findings) - 5} more" if len(findings) > 5 else "")
            if all(f.possible for f in findings):
                note = (f"{what}: its check digit is wrong, so it may be a mistyped "
                        "number or another identifier; check it, and mask or remove "
                        "it if it is personal")
                Error = PossiblePersonalDataError
            else:
                note = f"unmasked personal data: {what}; mask or remove it"
                Error = PersonalDataError
            yield _cell_error(Error, row, name, number, note, str(value), masked_cell)

    metadata_profile_patch = {
        "properties": {
            "fieldNames": {"type": "array", "items": {"type": "string"}},
            "kinds": {
                "type": "array",
                "items": {"type": "string", "enum": list(personal.KINDS)},
            },
        },
    }


@attrs.define(kw_only=True, repr=False)
class NumberCheck(Check):
    """Number and integer fields hold finite numbers in ASCII digits.

    NaN/Infinity in a field with a numeric ``koreanap:domain`` is left to
    :class:`ValueDomainCheck` (which names the domain), and a cell that failed
    its type or a constraint (``NaN`` against a ``minimum``) is not reported
    twice. Full-width digits (``４.２``) are reported with the NFKC form as
    the fix.
    """

    type = "koreanap-number"
    Errors = [NumberError]

    field_names: list[str] | None = None

    def validate_start(self) -> Iterable[Error]:
        # (name, number, whether NaN/Infinity is reported here)
        self._targets: list[tuple[str, int, bool]] = []
        schema = self.resource.schema
        fields = schema.fields if schema else []
        for number, field in enumerate(fields, start=1):
            if self.field_names is not None and field.name not in self.field_names:
                continue
            if field.type not in ("number", "integer"):
                continue
            # NaN in a field with a numeric domain is that domain's error
            by_domain = field.custom.get(domains.DOMAIN_PROPERTY) in domains.NUMERIC_DOMAINS
            self._targets.append((field.name, number, not by_domain))
        return []

    @property
    def row_fields(self) -> list[str]:
        return [target[0] for target in getattr(self, "_targets", [])]

    def row_parts(self) -> list[NumberCheck]:
        parts = []
        for name, _number, _non_finite in self._targets:
            part = NumberCheck(field_names=[name])
            part.connect(self.resource)
            list(part.validate_start())
            parts.append(part)
        return parts

    # Column-at-a-time pre-filter: NaN/Infinity hold n or i, a float too
    # large for a float (1e400 in a floatNumber field reads as inf) an e,
    # full-width digits are non-ASCII; other ASCII numbers skip the Python check.
    candidate_pattern = r"[^\x00-\x7f]|[nNiIeE]"

    def validate_row(self, row: Row) -> Iterable[Error]:
        failed = failed_cells(row)
        cells = row.cells
        for name, number, non_finite in self._targets:
            if name in failed:
                continue
            value = row[name]
            if domains.non_finite(value):
                if not non_finite:
                    continue
                yield _cell_error(NumberError, row, name, number,
                                  f'"{value}" is not a finite number: '
                                  f"{domains.NON_FINITE_HINT}", str(value))
                continue
            raw = cells[number - 1] if value is not None and number <= len(cells) else None
            fixed = NumberError.fix_for(raw) if isinstance(raw, str) and not raw.isascii() \
                else None
            if fixed is not None:
                yield _cell_error(NumberError, row, name, number,
                                  f'"{raw}" is written with full-width (or other non-ASCII) '
                                  "characters: frictionless reads it, pyarrow and the "
                                  f'DataStore do not; write "{fixed}"', raw)

    metadata_profile_patch = {
        "properties": {"fieldNames": {"type": "array", "items": {"type": "string"}}},
    }


@attrs.define(kw_only=True, repr=False)
class RegionCoordinatesCheck(Check):
    """A row's coordinates lie in the province its region code names.

    Applies to a table with exactly one field whose ``koreanap:codelist`` is
    a province code list with extents (:data:`.domains.EXTENT_COLUMNS`) and
    one field each with the ``latitude`` and ``longitude`` domains; the
    options ``regionField``, ``latitudeField`` and ``longitudeField`` (with
    ``codelist``) name them instead. Cells that failed their type, a
    constraint or their domain are left to those rules.
    """

    type = "koreanap-region-coordinates"
    Errors = [RegionCoordinatesError]

    region_field: str | None = None
    latitude_field: str | None = None
    longitude_field: str | None = None
    codelist: str | None = None

    def validate_start(self) -> Iterable[Error]:
        self._target: tuple[str, int, str, str, str] | None = None
        schema = self.resource.schema
        fields = schema.fields if schema else []
        numbers = {f.name: i for i, f in enumerate(fields, start=1)}
        by_domain: dict[str, list[str]] = {}
        regions: list[tuple[str, str]] = []
        for field in fields:
            domain = field.custom.get(domains.DOMAIN_PROPERTY)
            codelist = field.custom.get(domains.CODELIST_PROPERTY)
            by_domain.setdefault(domain, []).append(field.name)
            if domain == "code" and codelist in domains.EXTENT_COLUMNS:
                regions.append((field.name, codelist))
        if self.region_field:
            regions = [(name, self.codelist or dict(regions).get(name) or "")
                       for name in [self.region_field] if name in numbers]
        lats = [self.latitude_field] if self.latitude_field else by_domain.get("latitude", [])
        lons = [self.longitude_field] if self.longitude_field else by_domain.get("longitude", [])
        # Two region columns (e.g. origin and sampling place) or two points:
        # which pairs with which is not said, so nothing is guessed.
        if len(regions) == 1 and len(lats) == 1 and len(lons) == 1 and \
                regions[0][1] in domains.EXTENT_COLUMNS and \
                lats[0] in numbers and lons[0] in numbers:
            region, codelist = regions[0]
            self._target = (region, numbers[region], codelist, lats[0], lons[0])
        return []

    @property
    def row_fields(self) -> list[str]:
        target = getattr(self, "_target", None)
        return [target[0], target[3], target[4]] if target else []

    def row_parts(self) -> list[RegionCoordinatesCheck]:
        """Itself when it applies (the column-at-a-time path skips it otherwise)."""
        return [self] if self._target else []

    def validate_row(self, row: Row) -> Iterable[Error]:
        if self._target is None:
            return
        region, number, codelist, lat, lon = self._target
        if failed_cells(row) & {region, lat, lon}:
            return
        code = row[region]
        if domains.check_value("code", code, codelist) or \
                domains.check_value("latitude", row[lat]) or \
                domains.check_value("longitude", row[lon]):
            return  # the value-domain rule reports it
        note = domains.region_contradiction(codelist, code, row[lat], row[lon])
        if note:
            yield _cell_error(RegionCoordinatesError, row, region, number, note, str(code))

    metadata_profile_patch = {
        "properties": {
            "regionField": {"type": "string"},
            "latitudeField": {"type": "string"},
            "longitudeField": {"type": "string"},
            "codelist": {"type": "string", "enum": list(domains.EXTENT_COLUMNS)},
        },
    }


CHECKS: list[type[Check]] = [ValueDomainCheck, PersonalDataCheck, NumberCheck,
                             RegionCoordinatesCheck]
ERRORS: list[type[errors.Error]] = [ValueDomainError, PersonalDataError, DomainSetupError,
                                     NumberError, PossiblePersonalDataError,
                                     RegionCoordinatesError]

#: Error types that validate_package reports as notes (lower severity): they
#: do not make a package invalid.
NOTE_TYPES = frozenset({PossiblePersonalDataError.type, *assets3d.NOTE_TYPES})


class KoreanapPlugin(Plugin):
    """Frictionless plugin: makes our check and error types selectable by name."""

    def select_check_class(self, type: str | None = None):
        for Class in (*CHECKS, *contaminants.CHECKS, *assets3d.CHECKS, *rules.CHECKS):
            if Class.type == type:
                return Class
        return None

    def select_error_class(self, type: str | None = None):
        for Class in (*ERRORS, *contaminants.ERRORS, *assets3d.ERRORS, *rules.ERRORS):
            if Class.type == type:
                return Class
        return None


PLUGIN_NAME = "koreanap"


def register() -> None:
    """Register :class:`KoreanapPlugin` with frictionless (idempotent)."""
    system.register(PLUGIN_NAME, KoreanapPlugin())
    # register() only drops frictionless' caches when both were built
    system.__dict__.pop("plugins", None)
    system.__dict__.pop("methods", None)


register()
