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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
from frictionless import Check, Plugin, errors, system

from . import assets3d, contaminants, domains, personal
from .error_types import failed_cells

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


@attrs.define(kw_only=True, repr=False)
class NumberError(errors.CellError):
    """A number cell that other tools read differently (NaN, Infinity)."""

    type = "koreanap-number"
    title = "Number Other Tools Cannot Use"
    description = (
        "A number or integer field holds NaN or Infinity: Table Schema reads "
        "them as numbers, but they are no measurement, cannot be compared and "
        "break sums. Leave the cell empty when there is no value."
    )
    template = 'Row {rowNumber}, field "{fieldName}": {note}'
    tags = ["#table", "#row", "#cell", "#koreanap"]


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
                field_number: int, note: str, cell: str) -> errors.CellError:
    return Error(
        note=personal.mask_text(note),
        cells=_masked_cells(row),
        row_number=row.row_number,
        cell=personal.mask_text(cell),
        field_name=field_name,
        field_number=field_number,
    )


# Checks


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
    """Look for unmasked personal data in every text cell.

    Text cells are those whose parsed value is a string (string and any
    fields). A field with ``"koreanap:domain": "phone"`` (an organisation's
    phone) is exempt from phone detection, and one with ``"email"`` (a role
    mailbox) from e-mail detection; ``"koreanap:personal-data": false`` on a
    field skips it entirely (use sparingly, e.g. a column of synthetic test
    identifiers).
    """

    type = "koreanap-personal-data"
    Errors = [PersonalDataError]

    field_names: list[str] | None = None
    kinds: list[str] = attrs.field(factory=lambda: list(personal.KINDS))

    def validate_start(self) -> Iterable[Error]:
        self._targets: list[tuple[str, int, tuple[str, ...]]] = []
        schema = self.resource.schema
        fields = schema.fields if schema else []
        for number, field in enumerate(fields, start=1):
            if self.field_names is not None and field.name not in self.field_names:
                continue
            if field.custom.get("koreanap:personal-data") is False:
                continue
            exempt = domains.EXEMPT_PERSONAL_KINDS.get(
                field.custom.get(domains.DOMAIN_PROPERTY)
            )
            kinds = tuple(k for k in personal.KINDS if k in self.kinds and k != exempt)
            if kinds:
                self._targets.append((field.name, number, kinds))
        return []

    # Column-at-a-time form (fast.py), as for ValueDomainCheck; a cell that
    # does not match ``candidate_pattern`` cannot hold personal data.
    candidate_pattern = personal.CANDIDATE_PATTERN

    @property
    def row_fields(self) -> list[str]:
        return [target[0] for target in getattr(self, "_targets", [])]

    def row_parts(self) -> list[PersonalDataCheck]:
        parts = []
        for name, _number, kinds in self._targets:
            part = PersonalDataCheck(field_names=[name], kinds=list(kinds))
            part.connect(self.resource)
            list(part.validate_start())
            parts.append(part)
        return parts

    def validate_row(self, row: Row) -> Iterable[Error]:
        for name, number, kinds in self._targets:
            value: Any = row[name]
            if not isinstance(value, str) or not value:
                continue
            findings = personal.find_personal_data(value, kinds)
            if findings:
                what = ", ".join(
                    f"{f.label} {f.masked}" for f in findings[:5]
                ) + (f" and {len(findings) - 5} more" if len(findings) > 5 else "")
                note = f"unmasked personal data: {what}; mask or remove it"
                yield _cell_error(PersonalDataError, row, name, number, note, value)

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
    """Number and integer fields hold finite numbers.

    A field with a numeric ``koreanap:domain`` is left to
    :class:`ValueDomainCheck` (which names the domain), and a cell that failed
    its type or a constraint (``NaN`` against a ``minimum``) is not reported
    twice.
    """

    type = "koreanap-number"
    Errors = [NumberError]

    field_names: list[str] | None = None

    def validate_start(self) -> Iterable[Error]:
        self._targets: list[tuple[str, int]] = []
        schema = self.resource.schema
        fields = schema.fields if schema else []
        for number, field in enumerate(fields, start=1):
            if self.field_names is not None and field.name not in self.field_names:
                continue
            if field.type not in ("number", "integer"):
                continue
            if field.custom.get(domains.DOMAIN_PROPERTY) in domains.NUMERIC_DOMAINS:
                continue
            self._targets.append((field.name, number))
        return []

    @property
    def row_fields(self) -> list[str]:
        return [target[0] for target in getattr(self, "_targets", [])]

    def row_parts(self) -> list[NumberCheck]:
        parts = []
        for name, _number in self._targets:
            part = NumberCheck(field_names=[name])
            part.connect(self.resource)
            list(part.validate_start())
            parts.append(part)
        return parts

    def validate_row(self, row: Row) -> Iterable[Error]:
        failed = failed_cells(row)
        for name, number in self._targets:
            if name in failed:
                continue
            value = row[name]
            if domains.non_finite(value):
                yield _cell_error(NumberError, row, name, number,
                                  f'"{value}" is not a finite number: '
                                  f"{domains.NON_FINITE_HINT}", str(value))

    metadata_profile_patch = {
        "properties": {"fieldNames": {"type": "array", "items": {"type": "string"}}},
    }


CHECKS: list[type[Check]] = [ValueDomainCheck, PersonalDataCheck, NumberCheck]
ERRORS: list[type[errors.Error]] = [ValueDomainError, PersonalDataError, DomainSetupError,
                                     NumberError]


class KoreanapPlugin(Plugin):
    """Frictionless plugin: makes our check and error types selectable by name."""

    def select_check_class(self, type: str | None = None):
        for Class in (*CHECKS, *contaminants.CHECKS, *assets3d.CHECKS):
            if Class.type == type:
                return Class
        return None

    def select_error_class(self, type: str | None = None):
        for Class in (*ERRORS, *contaminants.ERRORS, *assets3d.ERRORS):
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
