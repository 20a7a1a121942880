"""Column-at-a-time validation of large CSV tables: the same rules, read fast.

frictionless validates a table one row at a time in Python; on a million
survey rows that takes over a minute. This module gives the same errors at
the same rows in a fraction of the time, without a second copy of any rule:

* The CSV is read in batches by pyarrow's streaming reader (memory stays
  at a batch, not the file), each column dictionary-encoded as it is read.
* Each column's distinct values in a batch are read once with
  frictionless' own cell reader for that field (types, formats, missing
  values, required, pattern, enum, minimum/maximum...), and the results are
  spread back to the rows with numpy.
* Our checks (value domains, personal data, contaminant rules, 3D assets)
  run their own ``validate_row`` once per distinct combination of the
  fields they declare in ``row_fields`` and the errors are copied to every
  row holding that combination. The personal-data check also declares a
  ``candidate_pattern``: cells that do not match it cannot hold personal
  data and are skipped by a vectorised regex before Python sees them.
* Unique fields and the primary key are checked on the parsed values as
  frictionless does: 64-bit hashes of the parsed key first, then the rows
  whose hashes repeat are read again and compared on their values (the
  note names the previous row with the same key, as frictionless' does).
  Foreign keys are looked up by value.

The path applies to a plain local CSV: UTF-8, comma or declared delimiter,
a header row that matches the schema, no declared bytes/hash/row counts
and checks that declare ``row_fields``. Anything else, or a row pyarrow
cannot split into the schema's columns, and :func:`validate_table` raises
:class:`Unsupported`; the engine then validates with frictionless itself.
"""
from __future__ import annotations

import ctypes
import decimal
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
from frictionless import FrictionlessException, errors

from . import kernels
from .encoding import EncodingResult
from .readahead import (
    BATCH_BYTES,
    PREFETCH_BATCHES,
    EarlyRead,
    EncodingCheck,
    ReadAhead,
    Unsupported,
    open_reader,
    source_key,
)

CACHE_LIMIT = 50_000  # entries per column, or per check that reads one column
# A column with at most this many distinct values in a batch remembers the
# cells a check's candidate pattern rules out, so later batches skip the regex.
_FEW = 256
# A column with more distinct values than this in a batch has them tested
# column-wise by pyarrow (plain strings, plain numbers; tests set it to 0).
VECTOR_FROM = 256
TUPLE_CACHE_LIMIT = 100_000  # per check reading several columns (the survey has ~90k)
_MIX = np.uint64(0x100000001B3)

# Stages order a row's errors as frictionless does: cell errors, then
# unique, primary key and foreign keys, then the checks in checklist order.
_CELL, _UNIQUE, _PRIMARY, _FOREIGN, _CHECKS = range(5)


TRIM_EVERY = 4
RUN_BATCHES = 8  # a key's hashes are sorted in runs of this many batches (see _KeyHashes)
# Checks with ``candidate_rows`` read only the rows it flags (off: every row,
# as before; the tests compare both).
PREFILTER = True


def _trim() -> None:
    """Give freed heap pages back to the OS (glibc keeps them otherwise, so
    the resident size would creep up with the file although live data does not)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


try:
    # glibc's own name: find_library would run ldconfig in a subprocess at
    # every start to find it (malloc_trim is glibc's only)
    _LIBC = ctypes.CDLL("libc.so.6")
    _LIBC.malloc_trim  # noqa: B018 - glibc only
except (OSError, AttributeError):
    _LIBC = None


class _Row(dict):
    """Just enough of :class:`frictionless.table.Row` for a check's validate_row:
    the parsed values, the cells that failed their type (``error_cells``) and
    the constraint errors of the cells read (``errors``)."""

    def __init__(self, values: dict, row_number: int, error_cells: dict,
                 constraint_cells: dict | None = None,
                 raw_cells: dict[int, str] | None = None) -> None:
        super().__init__(values)
        self.row_number = row_number
        self.error_cells = error_cells
        self.errors = [errors.ConstraintError(note="", cells=[], row_number=row_number,
                                              cell=cell, field_name=name, field_number=0)
                       for name, cell in (constraint_cells or {}).items()]
        # The raw text of the cells read, at their field's position ("" elsewhere).
        raw_cells = raw_cells or {}
        self.cells: list[str] = [raw_cells.get(n, "")
                                 for n in range(1, max(raw_cells, default=0) + 1)]


def unsupported_reason(resource: Any, checks: list) -> str | None:
    """Why the fast path cannot validate ``resource`` (None when it can)."""
    if not resource.path or resource.remote or resource.multipart:
        return "not a single local file"
    if (resource.format or "").lower() != "csv":
        return "not CSV"
    if resource.compression:
        return "compressed"
    if any(getattr(resource, name, None) for name in ("hash", "bytes", "rows", "fields")):
        return "declares file statistics"
    if (resource.encoding or "utf-8").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        return "not UTF-8"
    schema = resource.schema
    if schema is None or len(schema.fields) < 2:
        return "fewer than two fields"
    for check in checks:
        if not hasattr(check, "row_fields"):
            return f'check "{check.type}" has no column-at-a-time form'
    return None


def csv_option(dialect: Any, name: str, default: Any) -> Any:
    """A CSV control option of a frictionless dialect (``default`` when unset)."""
    if not dialect.has_control("csv"):
        return default
    value = getattr(dialect.get_control("csv"), name, None)
    return default if value is None else value


def _read_options(resource: Any) -> tuple[str, list[str], str, str]:
    """(file, field names, delimiter, quote) the fast path reads ``resource``
    with; :class:`Unsupported` for a dialect it does not read."""
    dialect = resource.dialect
    delimiter = csv_option(dialect, "delimiter", ",")
    quote = csv_option(dialect, "quote_char", '"')
    if (dialect.header_rows != [1] or dialect.comment_char or dialect.comment_rows
            or csv_option(dialect, "escape_char", None)
            or csv_option(dialect, "skip_initial_space", False)
            or not csv_option(dialect, "double_quote", True)
            or len(delimiter) != 1 or len(quote) != 1):
        raise Unsupported("a non-default dialect")
    return resource.normpath, resource.schema.field_names, delimiter, quote


def _open_reader(resource: Any, batch_bytes: int, only: list[str] | None = None,
                 check_utf8: bool = True) -> tuple[Any, Any]:
    """pyarrow's streaming reader of the table (:func:`.readahead.open_reader`)
    as text columns named as the schema's fields, each dictionary-encoded
    (``only``: just those columns, for a second read; ``check_utf8=False``:
    the whole file is known to be UTF-8)."""
    path, names, delimiter, quote = _read_options(resource)
    return open_reader(path, names, delimiter, quote, batch_bytes, only, check_utf8)


def _reader_source(resource: Any) -> tuple:
    """What a reader opened for ``resource`` depends on (see :class:`Prefetch`):
    its file as it is, its whole dialect and its fields' names."""
    return (source_key(resource.normpath, resource.schema.field_names, "", ""),
            resource.dialect.to_descriptor())


def early_key(resource: Any) -> tuple | None:
    """The :func:`.readahead.source_key` of ``resource`` as an early reading
    (:func:`.readahead.start_early`) would have it: None unless its dialect
    is the default one that reading assumes."""
    if resource.dialect.to_descriptor():
        return None
    try:
        path, names, delimiter, quote = _read_options(resource)
    except Unsupported:
        return None
    return source_key(path, names, delimiter, quote)


class Prefetch:
    """A large table whose batches are read before its turn, in a thread,
    while the validating thread does the package's other work (the second
    core is idle then). Used by :func:`validate_table` for the same resource
    when nothing it was opened by has changed; :meth:`close` it in any case.

    ``early``: the reading :func:`.readahead.start_early` started for this
    very table (the caller checked :meth:`.readahead.EarlyRead.matches`),
    taken over instead of opening the file again.

    The reading thread makes one call into pyarrow per batch, because each
    call's return waits for the GIL while the validating thread runs Python
    (the encoding check, in 92 chunks, took 0.17 s there instead of 0.04):
    pyarrow checks the text is UTF-8 as it reads, and the table's encoding
    check runs in a thread of its own (:class:`.readahead.EncodingCheck`),
    which the engine asks at the table's turn (:meth:`encoding`)."""

    def __init__(self, resource: Any, depth: int = PREFETCH_BATCHES,
                 early: EarlyRead | None = None) -> None:
        self.resource = resource
        self._source = _reader_source(resource)
        if early is not None:
            self.ahead, encoding = early.ahead, early.encoding
        else:
            self.ahead, encoding = ReadAhead(
                lambda: _open_reader(resource, BATCH_BYTES, check_utf8=True)[0],
                depth=depth), None
        self._encoding = encoding or EncodingCheck(resource.normpath)

    def _reads(self, resource: Any) -> bool:
        """It reads ``resource`` as it is now (file, dialect, field names)."""
        return resource is self.resource and _reader_source(resource) == self._source

    def encoding(self, resource: Any) -> EncodingResult | None:
        """The encoding check of ``resource``'s file (what
        :func:`.encoding.check_encoding` returns or raises), if this reads
        it as it is now, by the same name; None otherwise (then check it again)."""
        if not self._reads(resource) or self._encoding.path != resource.normpath:
            return None
        return self._encoding.result()

    def take(self, resource: Any) -> ReadAhead | None:
        """The running reader, if it reads ``resource`` as it is now (else
        None, and this prefetch is closed)."""
        if self._reads(resource):
            return self.ahead
        self.close()
        return None

    def close(self) -> None:
        self.ahead.close()


class _Cache(dict):
    """A dict that forgets everything when it grows past its limit
    (``CACHE_LIMIT`` unless given), so memory stays flat on long files."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: Any, value: Any) -> None:
        if len(self) >= (self.limit or CACHE_LIMIT):
            self.clear()
        self[key] = value


@attrs.define
class _Column:
    """One field: its cell reader and per-distinct-value results."""

    name: str
    number: int
    reader: Callable
    cache: _Cache = attrs.field(factory=_Cache)
    # For the current batch (one entry per distinct value):
    raw: list = attrs.field(factory=list)
    values: list = attrs.field(factory=list)
    type_error: Any = None
    constraint_error: Any = None
    blank: Any = None
    codes: Any = None  # row -> distinct value index
    dictionary: Any = None  # the distinct values as a pyarrow array (``raw``)
    # (missing values, pattern match or None, enum set or None) of a plain
    # string field whose cells that pass these tests read as themselves
    simple: tuple | None = None
    # a number/integer field whose parsed value is the number its plain
    # decimal text denotes (:func:`_plain_number`): (the text's pattern for
    # RE2, the Python type of the value, missing values, the bounds as
    # floats that a value strictly between passes, None where there is none)
    plain_number: tuple | None = None
    _decimals: tuple | None = None  # this batch's (plain cells, their floats)

    def read_batch(self, encoded: pa.DictionaryArray) -> list[tuple[int, int, Any]]:
        """Read a batch's distinct values (the column dictionary-encoded, as
        the reader gives it); return (value index, stage order, error)."""
        # as numpy's own index type: indexing by int32 indices converts them
        # on every use (4-5 times slower), and each batch indexes by them often
        self.codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp,
                                                                             copy=False)
        self.dictionary = encoded.dictionary
        self.raw = self.dictionary.to_pylist()
        self._decimals = None
        count = len(self.raw)
        if self.plain_number is not None and count > VECTOR_FROM:
            values, pending = self._plain_numbers()
        elif self.simple is not None:
            # A plain string cell that is no missing value and passes the
            # pattern and enum is its own value without notes (what
            # frictionless' reader returns); only the others are read by it.
            missing, match, enum, plain_pattern = self.simple
            values = list(self.raw)
            if count > VECTOR_FROM and (match is None or plain_pattern is not None):
                pending = self._pending_strings(missing, plain_pattern, enum)
            else:
                pending = [(i, r) for i, r in enumerate(self.raw)
                           if r in missing or (match is not None and match(r) is None)
                           or (enum is not None and r not in enum)]
        else:
            values = [None] * count
            pending = enumerate(self.raw)
        type_errors: list[int] = []
        constraint_errors: list[int] = []
        blanks: list[int] = []
        found: list[tuple[int, int, Any]] = []
        get = self.cache.get
        for index, raw in pending:
            result = get(raw)
            if result is None:
                value, notes = self.reader(raw)
                notes = dict(notes) if notes else {}
                result = (value, notes.pop("type", None), tuple(notes.values()))
                self.cache.remember(raw, result)
            value, type_note, constraint_notes = result
            values[index] = value
            if type_note:
                type_errors.append(index)
                found.append((index, 0, (errors.TypeError, type_note)))
            elif value is None:
                blanks.append(index)
            for note in constraint_notes:
                found.append((index, 1, (errors.ConstraintError, note)))
            if constraint_notes:
                constraint_errors.append(index)
        self.values = values
        self.type_error = np.zeros(count, dtype=bool)
        self.type_error[type_errors] = True
        self.constraint_error = np.zeros(count, dtype=bool)
        self.constraint_error[constraint_errors] = True
        self.blank = np.zeros(count, dtype=bool)
        self.blank[blanks] = True
        return found

    def _pending_strings(self, missing: frozenset, pattern: str | None,
                         enum: frozenset | None) -> list[tuple[int, str]]:
        """:meth:`read_batch`'s test of a plain string field's distinct
        values, with pyarrow: those that are a missing value, do not match
        the pattern by RE2 (a plain pattern: RE2's match is also Python's,
        see :func:`_plain_pattern`) or are outside the enum."""
        dictionary = self.dictionary
        pending = kernels.is_in(dictionary, pa.array(sorted(missing), pa.string()))
        if pattern is not None:
            pending = kernels.or_(pending, kernels.invert(kernels.matches(dictionary, pattern)))
        if enum is not None:
            pending = kernels.or_(pending, kernels.invert(kernels.is_in(
                dictionary, pa.array(sorted(enum), pa.string()))))
        raw = self.raw
        return [(i, raw[i]) for i in np.flatnonzero(pending.to_numpy(zero_copy_only=False))
                .tolist()]

    def decimals(self) -> tuple[np.ndarray, np.ndarray]:
        """For a plain number field (:func:`_plain_number`): which distinct
        values of the batch are plain decimal text and no missing value (so
        their parsed value is the number the text denotes), and the float
        of each (NaN elsewhere), cast by pyarrow (both round correctly)."""
        if self._decimals is None:
            pattern, _, missing, _, _ = self.plain_number
            dictionary = self.dictionary
            plain = kernels.matches(dictionary, pattern)
            if missing:
                plain = kernels.and_not(plain, kernels.is_in(
                    dictionary, pa.array(sorted(missing), pa.string())))
            picked = plain
            plain = plain.to_numpy(zero_copy_only=False)
            floats = np.full(len(plain), math.nan)
            at = np.flatnonzero(plain)
            if len(at):
                floats[at] = kernels.to_float(kernels.filter(dictionary, picked)).to_numpy(
                    zero_copy_only=False)
            self._decimals = (plain, floats)
        return self._decimals

    def _plain_numbers(self) -> tuple[_PlainNumbers, list[tuple[int, str]]]:
        """:meth:`read_batch`'s values of a plain number field: a plain
        decimal strictly inside the field's bounds is the number its text
        denotes, without notes (what frictionless' reader returns); the
        others are left to the reader."""
        _, make, _, low, high = self.plain_number
        plain, floats = self.decimals()
        with np.errstate(invalid="ignore"):
            if low is not None:
                plain = plain & (floats > low)
            if high is not None:
                plain = plain & (floats < high)
        raw = self.raw
        return (_PlainNumbers(raw, make, plain),
                [(i, raw[i]) for i in np.flatnonzero(~plain).tolist()])

    def none(self) -> np.ndarray:
        """Which distinct values parsed to None (a missing value, or a cell
        that failed its type)."""
        return self.blank | self.type_error


_UNREAD = object()


class _PlainNumbers:
    """The distinct values of a batch's plain number column (a list to
    :meth:`_Column.read_batch` and the checks): a plain decimal's number
    (``make(text)``: a Decimal, float or int) is made when it is first read.
    The pre-filters compare these columns as floats, so only the few values
    of flagged rows are ever made (a million rows have ~140,000 distinct
    values, 0.035 s of Decimals); the others are set by read_batch."""

    __slots__ = ("_values", "_raw", "_make")

    def __init__(self, raw: list[str], make: Callable[[str], Any], plain: np.ndarray) -> None:
        values: list = [None] * len(raw)
        for index in np.flatnonzero(plain).tolist():
            values[index] = _UNREAD
        self._values, self._raw, self._make = values, raw, make

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> Any:
        value = self._values[index]
        if value is _UNREAD:
            value = self._values[index] = self._make(self._raw[index])
        return value

    def __setitem__(self, index: int, value: Any) -> None:
        self._values[index] = value

    def __iter__(self) -> Iterator[Any]:
        return map(self.__getitem__, range(len(self._values)))


def _simple_string(field: Any) -> tuple | None:
    """For a string field of the default format whose constraints are only
    required, pattern and enum: (missing values, the pattern's match as
    frictionless compiles it, the enum as a set); None for any other field."""
    if field.type != "string" or field.format not in (None, "default"):
        return None
    constraints = {k: v for k, v in (field.constraints or {}).items() if v is not None}
    if not set(constraints) <= {"required", "pattern", "enum", "unique"}:
        return None
    missing = field.missing_values
    if not field.has_defined("missing_values") and field.schema:
        missing = field.schema.missing_values
    pattern = constraints.get("pattern")
    match = re.compile(f"^{pattern}$").match if pattern is not None else None
    enum = constraints.get("enum")
    if enum is not None and not all(isinstance(item, str) for item in enum):
        return None
    plain = _plain_pattern(pattern) if pattern is not None else None
    return (frozenset(missing), match, (frozenset(enum) if enum is not None else None),
            plain)


# What a plain pattern may hold besides other characters: a backslash only
# before punctuation (a literal in both engines), braces only as {n}, {n,}
# or {n,m}, no (? but (?: and no [: or [[ (POSIX classes in RE2).
_BRACES = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_NOT_PLAIN = re.compile(r"\\[^!-/:-@\[-`{-~]|\(\?(?!:)|\[:|\[\[|[\x00-\x1f]")


def _plain_pattern(pattern: str) -> str | None:
    """``^pattern$`` for RE2 (pyarrow's regular expressions) when every text
    RE2 finds matching it is matched by Python's ``re`` too, as frictionless
    compiles it; None for a pattern that may differ (``\\d``, ``\\b``, a
    look-ahead, a flag, ``{,n}``...). Then RE2 only picks the cells that
    certainly pass; the others are read by frictionless as before."""
    if not isinstance(pattern, str) or _NOT_PLAIN.search(pattern):
        return None
    if "{" in _BRACES.sub("", pattern) or "}" in _BRACES.sub("", pattern):
        return None
    compiled = f"^{pattern}$"
    try:
        kernels.matches(pa.array([""]), compiled)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return compiled


# ASCII decimal text that pyarrow casts to a float and frictionless' number
# reader (Decimal or float) reads as the same number; integers for an integer field
_DECIMAL = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_INTEGER = r"^[+-]?[0-9]+$"
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _plain_number(field: Any) -> tuple | None:
    """For a number or integer field read without a group or decimal
    character, with bare numbers and without an enum: what
    :attr:`_Column.plain_number` holds; None for any other field.

    A bound is kept as a float when it is one exactly: a float read from
    the text strictly above (below) it is then the float of a number
    strictly above (below) it, since rounding keeps order, so the cell
    passes that bound. A bound that is no float exactly leaves every cell
    to frictionless' reader."""
    if (field.type not in ("number", "integer")
            or getattr(field, "bare_number", True) is not True
            or getattr(field, "group_char", "") != ""
            or getattr(field, "decimal_char", ".") != "."):
        return None
    constraints = {k: v for k, v in (field.constraints or {}).items() if v is not None}
    if not set(constraints) <= {"required", "unique", *_BOUNDS}:
        return None
    bounds: list[float | None] = []
    for names in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        given = [constraints[n] for n in names if n in constraints]
        if len(given) > 1:
            return None
        if not given:
            bounds.append(None)
            continue
        bound = given[0]
        if isinstance(bound, bool) or not isinstance(bound, (int, float, str)):
            return None
        try:
            exact = decimal.Decimal(str(bound))
            as_float = float(exact)
        except (decimal.InvalidOperation, ValueError, OverflowError):
            return None
        if not math.isfinite(as_float) or decimal.Decimal(as_float) != exact:
            return None
        bounds.append(as_float)
    missing = field.missing_values
    if not field.has_defined("missing_values") and field.schema:
        missing = field.schema.missing_values
    if field.type == "integer":
        pattern, make = _INTEGER, int
    else:
        pattern, make = _DECIMAL, (float if field.float_number else decimal.Decimal)
    return pattern, make, frozenset(missing), bounds[0], bounds[1]


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads Python's small-integer hashes (hash(2) == 2)
    over all 64 bits, so combining columns and marking "no key" stay sound."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _value_hashes(values: list) -> np.ndarray:
    """A uint64 hash per parsed value (equal values, equal hashes, as in a dict)."""
    # hash() is a signed 64-bit number: the same bits as an unsigned one
    return _mix(np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
                .view(np.uint64))


def _keyed(hashes: np.ndarray, none: np.ndarray) -> np.ndarray:
    """Row hashes with 0 meaning "no key" (a real key hashing to 0 becomes 1)."""
    return np.where(none, np.uint64(0), np.where(hashes == 0, np.uint64(1), hashes))


def _combine(columns: list[_Column], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Group a batch's rows by their distinct values in ``columns``.

    :returns: (a row of each group, group of each row)
    """
    if not columns:
        return _groups([np.zeros(rows, dtype=np.int64)], [1])
    return _groups([c.codes for c in columns], [len(c.raw) for c in columns])


def _groups(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by their codes in several columns (``sizes``: each
    column's number of distinct values), in the order of the codes.

    :returns: (a row of each group, group of each row)
    """
    key = np.zeros(len(codes[0]), dtype=np.int64)
    span = 1
    for column, size in zip(codes, sizes, strict=True):
        size = max(size, 1)
        if span * size >= 2 ** 62:
            _, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * size + column
        span *= size
    rows = len(key)
    if span > max(4 * rows, 1 << 16):
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
        return first, group.reshape(-1)
    # few possible keys: number them through a table instead of sorting
    seen = np.zeros(span, dtype=bool)
    seen[key] = True
    present = np.flatnonzero(seen)
    index = np.zeros(span, dtype=np.int64)
    index[present] = np.arange(len(present))
    group = index[key]
    first = np.zeros(len(present), dtype=np.int64)
    first[group] = np.arange(rows)  # any row of a group has its codes
    return first, group


def _at_row(error: Any, row_number: int) -> Any:
    """The same error reported at another row (frictionless renders its message anew)."""
    return error if error.row_number == row_number else attrs.evolve(error,
                                                                     row_number=row_number)


def validate_table(resource: Any, checks: list, *, limit_errors: int = 1000,
                   progress: Callable[[int], None] | None = None,
                   batch_bytes: int | None = None,
                   lookups: dict | None = None, known_valid: bool = False,
                   known_utf8: bool = False,
                   prefetch: Prefetch | None = None) -> tuple[list, int, bool]:
    """Validate a CSV resource column-at-a-time.

    :param resource: a frictionless TableResource (its package gives foreign keys)
    :param checks: our checks (each with ``row_fields``), fresh objects
    :param limit_errors: keep the first errors by row, like frictionless' limit
    :param progress: called with the rows read after each batch
    :param lookups: the referenced keys read for foreign keys so far, kept
        for the other tables of the same package (a dict the caller keeps)
    :param known_valid: the caller validated the resource's descriptor (a
        package's validation covers each of its resources), so it is not
        validated again here
    :param known_utf8: the caller checked that the whole file is UTF-8
        (:func:`.encoding.check_encoding`), so pyarrow does not check each
        cell again
    :param prefetch: this table's reading, started earlier (:class:`Prefetch`)
    :returns: (frictionless errors in row order, rows read, partial)
    :raises Unsupported: when frictionless must validate it instead
    """
    reason = unsupported_reason(resource, checks)
    if reason:
        raise Unsupported(reason)
    if not known_valid:
        try:
            resource.to_descriptor(validate=True)
        except FrictionlessException as exc:
            raise Unsupported("the resource descriptor is invalid") from exc
    foreign = _foreign_lookups(resource, lookups)
    ahead = prefetch.take(resource) if prefetch is not None and not batch_bytes else None
    if ahead is None:
        reader, _ = _open_reader(resource, batch_bytes or BATCH_BYTES,
                                 check_utf8=not known_utf8)
    schema = resource.schema
    columns = [_Column(f.name, i, f.create_cell_reader(), simple=_simple_string(f),
                       plain_number=_plain_number(f))
               for i, f in enumerate(schema.fields, start=1)]
    by_name = {c.name: c for c in columns}

    table_errors: list = []
    row_checks: list[tuple[int, Any, list[_Column], Any]] = []
    for order, check in enumerate(checks):
        check.connect(resource)
        table_errors.extend(check.validate_start())
        for part in check.row_parts() if hasattr(check, "row_parts") else [check]:
            wanted = [by_name[n] for n in part.row_fields if n in by_name]
            pattern = getattr(part, "candidate_pattern", None)
            row_checks.append((order, part, wanted, pattern))
    check_caches = [_Cache(TUPLE_CACHE_LIMIT if len(cols) > 1 else None)
                    for _, _, cols, _ in row_checks]
    # a key's look-up depends on its cells' text only: judged once per run
    foreign_caches = [_Cache(TUPLE_CACHE_LIMIT if len(fields) > 1 else None)
                      for fields, _, _, _ in foreign]

    unique_fields = [c for c in columns if schema.get_field(c.name).constraints.get("unique")]
    primary = [by_name[n] for n in schema.primary_key] if schema.primary_key else []
    keyed: dict[str, _KeyHashes] = {c.name: _KeyHashes() for c in unique_fields}
    primary_hashes = _KeyHashes()
    # The key columns' text, batch by batch, to compare the rows whose hashes
    # repeat on their values at the end (no second reading of the file).
    key_names = list(dict.fromkeys([c.name for c in unique_fields]
                                   + [c.name for c in primary]))
    key_text: dict[str, list[pa.Array]] = {name: [] for name in key_names}

    found: list[tuple[int, int, int, Any]] = []  # (row, stage, order, error)
    rows_read = 0
    batches = 0
    partial = False
    if ahead is None:  # parsed and dictionary-encoded in its own thread
        ahead = ReadAhead(lambda: reader)
    try:
        while True:
            try:
                batch = ahead.next()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise Unsupported(f"a row pyarrow cannot read: {exc}") from exc
            count = batch.num_rows
            if not count:
                continue
            first_row = rows_read + 2  # the header is row 1
            numbers = np.arange(first_row, first_row + count, dtype=np.int64)
            blank_rows = np.ones(count, dtype=bool)
            maybe_blank = True  # till a column has no blank cell: then no row is blank
            for column, coded in zip(columns, batch.columns, strict=True):
                for index, kind, (Error, note) in column.read_batch(coded):
                    rows = numbers[column.codes == index]
                    cell = column.raw[index]
                    for row_number in rows:
                        found.append((int(row_number), _CELL, column.number * 2 + kind,
                                      Error(note=note, cells=[], row_number=int(row_number),
                                            cell=cell, field_name=column.name,
                                            field_number=column.number)))
                if maybe_blank:
                    maybe_blank = bool(column.blank.any())
                    if maybe_blank:
                        blank_rows &= column.blank[column.codes]

            # Blank rows: frictionless keeps only a blank-row error for them.
            if maybe_blank and blank_rows.any():
                blank_numbers = set(numbers[blank_rows].tolist())
                found = [f for f in found if not (f[1] == _CELL and f[0] in blank_numbers)]
                for row_number in sorted(blank_numbers):
                    found.append((row_number, _CELL, 0,
                                  errors.BlankRowError(note="", cells=[], row_number=row_number)))

            # Keys: hashes of parsed values, compared once every row is read.
            for name in key_names:
                key_text[name].append(batch.column(name))
            for column in unique_fields:
                hashes = _value_hashes(column.values)[column.codes]
                nones = column.none()[column.codes]
                keyed[column.name].append(_keyed(hashes, nones))
            if primary:
                combined = np.zeros(count, dtype=np.uint64)
                all_none = np.ones(count, dtype=bool)
                for column in primary:
                    combined = _mix(combined * _MIX ^ _value_hashes(column.values)[column.codes])
                    all_none &= column.none()[column.codes]
                combined = _keyed(combined, all_none)
                primary_hashes.append(combined)
                for row_number in numbers[all_none]:
                    note = 'cells composing the primary keys are all "None"'
                    found.append((int(row_number), _PRIMARY, 0,
                                  errors.PrimaryKeyError(note=note, cells=[],
                                                         row_number=int(row_number))))

            for order, (fields, source, source_key, lookup) in enumerate(foreign):
                cols = [by_name[n] for n in fields]
                _group_errors(cols, count, numbers, found, _FOREIGN, order, None,
                              foreign_caches[order],
                              lambda values, row_number, _e, _f, _r, f=fields, s=source,
                              k=source_key, lk=lookup: _foreign_error(values, row_number, f, s,
                                                                      k, lk))

            view = _BatchView(by_name, count)
            for (order, part, cols, pattern), cache in zip(row_checks, check_caches, strict=True):
                subset = None
                if PREFILTER and cols and hasattr(part, "candidate_rows"):
                    flagged = part.candidate_rows(view)
                    if flagged is not None:  # None: this part has no column-wise form
                        subset = np.nonzero(flagged)[0]
                _group_errors(cols, count, numbers, found, _CHECKS, order, pattern, cache,
                              lambda values, row_number, error_cells, failed, raw, p=part: list(
                                  p.validate_row(_Row(values, row_number, error_cells, failed,
                                                      raw))),
                              subset=subset)

            rows_read += count
            batches += 1
            if batches % TRIM_EVERY == 0:
                _trim()
            if progress:
                progress(rows_read)
            if limit_errors and len(found) >= limit_errors:
                partial = True
                break
    finally:
        ahead.close()
    found.extend(_duplicates(key_text, primary_hashes, keyed, primary, columns))
    del key_text
    if not partial:
        for check in checks:
            table_errors.extend(check.validate_end())
    found.sort(key=lambda f: f[:3])
    result = table_errors + [f[3] for f in found]
    if limit_errors and len(result) > limit_errors:
        result, partial = result[:limit_errors], True
    return result, rows_read, partial


def _group_errors(cols: list[_Column], count: int, numbers: np.ndarray, found: list,
                  stage: int, order: int, pattern: str | None, cache: _Cache | None,
                  evaluate: Callable[[dict, int, dict, dict, dict], list],
                  subset: np.ndarray | None = None) -> None:
    """Run ``evaluate`` once per distinct combination of ``cols`` in the batch
    and copy its errors to every row with that combination.

    ``subset``: only these rows (positions in the batch) can fail, as the
    check's vectorised ``candidate_rows`` found; the others are not read."""
    if not cols:
        return
    if subset is not None:
        if not len(subset):
            return
        _group_rows(cols, subset, numbers, found, stage, order, cache, evaluate)
        return
    single = cols[0] if len(cols) == 1 else None
    if single is not None:
        group = single.codes
        size = len(single.raw)
        if pattern is not None:
            few = cache is not None and size <= _FEW
            if few and all(r in cache for r in single.raw):
                candidates = range(size)  # all known: no regex needed
            else:
                matches = kernels.matches(single.dictionary, pattern).to_numpy(
                    zero_copy_only=False)
                candidates = np.nonzero(matches)[0].tolist()
                if few:  # a cell the pattern rules out has nothing to report
                    for g in np.nonzero(~matches)[0].tolist():
                        cache.remember(single.raw[g], [])
        else:
            candidates = range(size)
        representatives = None
    else:
        first, group = _combine(cols, count)
        size = len(first)
        candidates = range(size)
        # the codes of each group's first row, as Python ints, in one step
        representatives = np.stack([c.codes[first] for c in cols], axis=1).tolist()
    failing: dict[int, list] = {}
    for g in candidates:
        if single is not None:
            key = single.raw[g]
            got = cache.get(key) if cache is not None else None
            if got is None:
                error_cells = {single.name: key} if single.type_error[g] else {}
                failed = {single.name: key} if single.constraint_error[g] else {}
                got = evaluate({single.name: single.values[g]}, 0, error_cells, failed,
                               {single.number: key})
        else:
            indices = representatives[g]
            key = tuple([c.raw[i] for c, i in zip(cols, indices, strict=True)])
            got = cache.get(key) if cache is not None else None
            if got is None:
                values = {}
                error_cells = {}
                failed = {}
                raw = {}
                for c, i in zip(cols, indices, strict=True):
                    values[c.name] = c.values[i]
                    raw[c.number] = c.raw[i]
                    if c.type_error[i]:
                        error_cells[c.name] = c.raw[i]
                    if c.constraint_error[i]:
                        failed[c.name] = c.raw[i]
                got = evaluate(values, 0, error_cells, failed, raw)
        if cache is not None and key not in cache:
            cache.remember(key, got)
        if got:
            failing[g] = got
    if not failing:
        return
    flags = np.zeros(size, dtype=bool)
    flags[list(failing)] = True
    hit = np.nonzero(flags[group])[0]
    for position in hit:
        row_number = int(numbers[position])
        for error in failing[int(group[position])]:
            found.append((row_number, stage, order, _at_row(error, row_number)))


def _group_rows(cols: list[_Column], subset: np.ndarray, numbers: np.ndarray, found: list,
                stage: int, order: int, cache: _Cache | None,
                evaluate: Callable[[dict, int, dict, dict, dict], list]) -> None:
    """:func:`_group_errors` on the rows ``subset`` of the batch only."""
    codes = [c.codes[subset] for c in cols]
    first, group = _groups(codes, [len(c.raw) for c in cols])
    representatives = np.stack([c[first] for c in codes], axis=1).tolist()
    failing: dict[int, list] = {}
    for g, indices in enumerate(representatives):
        key = tuple([c.raw[i] for c, i in zip(cols, indices, strict=True)])
        got = cache.get(key) if cache is not None else None
        if got is None:
            values, error_cells, failed, raw = {}, {}, {}, {}
            for c, i in zip(cols, indices, strict=True):
                values[c.name] = c.values[i]
                raw[c.number] = c.raw[i]
                if c.type_error[i]:
                    error_cells[c.name] = c.raw[i]
                if c.constraint_error[i]:
                    failed[c.name] = c.raw[i]
            got = evaluate(values, 0, error_cells, failed, raw)
            if cache is not None:
                cache.remember(key, got)
        if got:
            failing[g] = got
    for position, g in enumerate(group.tolist()):
        errors_found = failing.get(g)
        if errors_found:
            row_number = int(numbers[subset[position]])
            for error in errors_found:
                found.append((row_number, stage, order, _at_row(error, row_number)))


class _BatchView:
    """A batch's columns for a check's vectorised ``candidate_rows``."""

    def __init__(self, by_name: dict[str, _Column], count: int) -> None:
        self._by_name = by_name
        self.count = count
        self._floats: dict[str, np.ndarray] = {}
        # per-row flags the checks ask for, once per column and batch (the
        # contaminant rules alone ask for nine columns' failed cells)
        self._blank: dict[str, np.ndarray] = {}
        self._failed: dict[str, np.ndarray] = {}

    def floats(self, name: str) -> np.ndarray:
        """Each row's parsed number as a float; NaN where the value is no
        finite number (None, NaN, Infinity, text). Read once per batch."""
        found = self._floats.get(name)
        if found is None:
            column = self._by_name[name]
            distinct = _distinct_floats(column)
            distinct[~np.isfinite(distinct)] = math.nan
            found = self._floats[name] = distinct[column.codes]
        return found

    def combinations(self, names: list[str]) -> tuple[list[tuple], np.ndarray]:
        """The distinct combinations of the values of ``names`` in the batch
        and each row's index into them."""
        cols = [self._by_name[name] for name in names]
        first, group = _combine(cols, self.count)
        picked = [c.codes[first].tolist() for c in cols]
        combos = [tuple([c.values[i] for c, i in zip(cols, indices, strict=True)])
                  for indices in zip(*picked, strict=True)]
        return combos, group

    def blank(self, name: str) -> np.ndarray:
        """Rows whose cell is empty (a missing value that failed nothing).
        Shared by the checks of a batch: read it, do not change it."""
        found = self._blank.get(name)
        if found is None:
            column = self._by_name[name]
            found = self._blank[name] = self._per_row(column.blank, column.codes)
        return found

    def values(self, name: str) -> list:
        """The distinct parsed values of a column in this batch."""
        return self._by_name[name].values

    def codes(self, name: str) -> np.ndarray:
        """Each row's index into :meth:`values`."""
        return self._by_name[name].codes

    def failed(self, name: str) -> np.ndarray:
        """Rows whose cell failed its type or a constraint. Shared by the
        checks of a batch: read it, do not change it."""
        found = self._failed.get(name)
        if found is None:
            column = self._by_name[name]
            found = self._failed[name] = self._per_row(
                column.type_error | column.constraint_error, column.codes)
        return found

    def _per_row(self, distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """A flag per distinct value spread to the rows (no indexing when
        no value is flagged, the common case)."""
        if not distinct.any():
            return np.zeros(self.count, dtype=bool)
        return distinct[codes]


def _distinct_floats(column: _Column) -> np.ndarray:
    """The float of each distinct value of a batch's column (NaN for None).

    A plain number field's values whose text is a plain decimal have the
    text's float, cast by pyarrow (:meth:`_Column.decimals`); the others,
    and every value of any other field, are converted one by one.
    """
    values = column.values
    count = len(values)
    pending: Any = range(count)
    distinct = np.full(count, math.nan)
    if column.plain_number is not None and count:
        plain, floats = column.decimals()
        plain = plain & ~column.none()
        distinct[plain] = floats[plain]
        pending = np.flatnonzero(~plain).tolist()
    try:  # a number field's values: Decimal, int, float or None
        picked = [values[i] for i in pending]
        if any(isinstance(v, (str, bool)) for v in picked):
            raise TypeError("not only numbers")
        distinct[list(pending)] = np.array([math.nan if v is None else v for v in picked],
                                           dtype=float)
    except (TypeError, ValueError, OverflowError):  # sNaN, huge ints, text
        distinct[list(pending)] = np.array([_as_float(values[i]) for i in pending],
                                           dtype=float)
    return distinct


def _as_float(value: Any) -> float | None:
    """A parsed int/float/Decimal as a finite float (None otherwise, NaN in arrays)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # sNaN; an int too large for a float
        return None
    return number if np.isfinite(number) else None


def _foreign_lookups(resource: Any, known: dict | None = None
                     ) -> list[tuple[list[str], str, tuple, set]]:
    """The foreign keys as (fields, resource, key, set of referenced tuples),
    read from the referenced resources as frictionless reads them (``known``:
    the sets already read from this package, by resource, key and encoding,
    which the engine may set on a resource as it goes)."""
    result = []
    schema = resource.schema
    known = {} if known is None else known
    for fk in schema.foreign_keys:
        source_name = fk["reference"]["resource"]
        source_key = tuple(fk["reference"]["fields"])
        if not source_name or source_name == resource.name:
            raise Unsupported("a self-referencing foreign key")
        package = resource.package
        if package is None or not package.has_resource(source_name):
            raise Unsupported(f'foreign key to a missing resource "{source_name}"')
        referenced = package.get_resource(source_name)
        memo = lookup_memo(referenced, source_key)
        keys = known.get(memo)
        if keys is None:
            source = referenced.to_copy()
            if source.schema:
                source.schema.foreign_keys = []
            with source:
                keys = referenced_keys(source, [source_key])[source_key]
            known[memo] = keys
        result.append((list(fk["fields"]), source_name, source_key, keys))
    return result


def lookup_memo(referenced: Any, key: tuple) -> tuple:
    """Where a referenced table's key set is kept for :func:`validate_table`'s
    ``lookups``: by package, resource, key and the encoding it is read with."""
    return id(referenced.package), referenced.name, key, referenced.encoding


def referenced_keys(opened: Any, keys: Iterable[tuple]) -> dict[tuple, set]:
    """Each key's (field names') tuples of parsed values in the rows of an
    opened frictionless resource, rows whose key cells are all None left out."""
    found: dict[tuple, set] = {key: set() for key in keys}
    for row in opened.row_stream:
        for key, seen in found.items():
            cells = tuple(row.get(name) for name in key)
            if set(cells) != {None}:
                seen.add(cells)
    return found


def _foreign_error(values: dict, row_number: int, fields: list[str], source: str,
                   source_key: tuple, lookup: set) -> list:
    cells = tuple(values[name] for name in fields)
    if set(cells) == {None} or cells in lookup:
        return []
    note = 'for "%s": values "%s" not found in the lookup table "%s" as "%s"' % (
        ", ".join(fields), ", ".join(str(c) for c in cells), source, ", ".join(source_key))
    return [errors.ForeignKeyError(note=note, cells=[], row_number=row_number,
                                   field_names=list(fields),
                                   field_cells=["" if c is None else str(c) for c in cells],
                                   reference_name=source,
                                   reference_field_names=list(source_key))]


class _KeyHashes:
    """One key's 64-bit row hashes, batch by batch, sorted in runs of
    :data:`RUN_BATCHES` batches by a thread of their own while the next
    batches are validated (numpy sorts without holding the GIL): at the end
    the hashes that occur twice are found by merging a few sorted runs
    (~12 ms on a million rows) instead of sorting them all (~65 ms) on the
    validating thread."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []  # in row order
        self._unsorted: list[np.ndarray] = []
        self._runs: list[np.ndarray | None] = []
        self._sorting: list[threading.Thread] = []

    def append(self, hashes: np.ndarray) -> None:
        self.chunks.append(hashes)
        self._unsorted.append(hashes)
        if len(self._unsorted) >= RUN_BATCHES:
            self._sort_run()

    def _sort_run(self) -> None:
        run = np.concatenate(self._unsorted)
        self._unsorted = []
        slot = len(self._runs)
        self._runs.append(None)
        thread = threading.Thread(target=self._sort, args=(slot, run), daemon=True,
                                  name="koreanap-key-sort")
        thread.start()
        self._sorting.append(thread)

    def _sort(self, slot: int, run: np.ndarray) -> None:
        try:
            run.sort()
        except MemoryError:  # left unsorted: sorted again below, on the validating thread
            return
        self._runs[slot] = run

    def repeated(self) -> np.ndarray:
        """The hashes other than 0 ("no key") that occur more than once."""
        for thread in self._sorting:
            thread.join()
        runs, unsorted = self._runs, self._unsorted
        self._runs, self._unsorted, self._sorting = [], [], []
        if any(run is None for run in runs):  # a run could not be sorted: all at once here
            runs, unsorted = [], self.chunks
        if unsorted:
            runs.append(np.sort(np.concatenate(unsorted)))
        if not runs:
            return np.zeros(0, dtype=np.uint64)
        if len(runs) == 1:
            ordered = runs[0]
        else:
            ordered = np.concatenate(runs)
            del runs  # the runs' memory goes before the merge's own
            ordered.sort(kind="stable")  # in place: timsort finds the sorted runs and merges them
        return ordered[1:][(ordered[1:] == ordered[:-1]) & (ordered[1:] != 0)]


def _among(hashes: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """Which ``hashes`` are among the sorted ``repeated`` ones. numpy's isin
    compares each of a few (7 ms on a million rows) but sorts everything past
    ~70 of them (0.24 s for 300); a binary search takes 0.02-0.05 s at any count."""
    if len(repeated) <= 64:
        return np.isin(hashes, repeated)
    at = np.searchsorted(repeated, hashes)
    at[at == len(repeated)] = 0
    return repeated[at] == hashes


def _duplicates(key_text: dict[str, list[pa.Array]], primary: _KeyHashes,
                unique: dict[str, _KeyHashes], primary_columns: list[_Column],
                columns: list[_Column]) -> Iterable[tuple[int, int, int, Any]]:
    """Rows repeating an earlier row's key (hash 0 = no key: skipped).

    Row ``i`` of the table (from 0) is row number ``i + 2``. Only the rows
    whose hash occurs twice are candidates (:meth:`_KeyHashes.repeated`, not
    a sort of the rows); their parsed values are then read again from
    the key columns' text kept batch by batch (``key_text``) and compared
    exactly, so two keys whose hashes collide (``hash(-1) == hash(-2)``) are
    not duplicates.
    """
    by_name = {c.name: c for c in columns}
    targets: list[tuple[str | None, list[_Column], np.ndarray]] = []
    for field_name, hashes in [*unique.items(), (None, primary)]:
        if not hashes.chunks:
            continue
        repeated = hashes.repeated()
        if len(repeated):
            key_columns = [by_name[field_name]] if field_name else primary_columns
            targets.append((field_name, key_columns,
                            _among(np.concatenate(hashes.chunks), repeated)))
    if not targets:
        return
    last: list[dict] = [{} for _ in targets]
    start = 0
    for index in range(len(next(iter(key_text.values())))):
        count = len(next(iter(key_text.values()))[index])
        for (field_name, cols, candidate), seen in zip(targets, last, strict=True):
            local = np.nonzero(candidate[start:start + count])[0]
            if not len(local):
                continue
            at = _arrow_indices(local)
            parts = [_parsed(c, kernels.take(key_text[c.name][index], at).to_pylist())
                     for c in cols]
            for position, values in zip(local.tolist(), zip(*parts, strict=True),
                                        strict=True):
                key = values[0] if field_name else values
                row_number = start + position + 2
                previous = seen.get(key)
                seen[key] = row_number
                if previous is None:
                    continue
                note = "the same as in the row at position %s" % previous
                if field_name is None:
                    yield (row_number, _PRIMARY, 1,
                           errors.PrimaryKeyError(note=note, cells=[],
                                                  row_number=row_number))
                else:
                    number = by_name[field_name].number
                    yield (row_number, _UNIQUE, number,  # the cell as frictionless shows it
                           errors.UniqueError(note=note, cells=[], row_number=row_number,
                                              cell=str(key), field_name=field_name,
                                              field_number=number))
        start += count


def _arrow_indices(at: np.ndarray) -> pa.Array:
    """Row positions as a pyarrow array, sharing the numpy array's memory
    (``pa.array`` of a numpy array imports numpy.ma, ~15 ms, to look for a
    mask that positions never have)."""
    at = np.ascontiguousarray(at, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(at), [None, pa.py_buffer(at)])


def _parsed(column: _Column, raw: list[str]) -> list:
    """The parsed values of ``raw`` cells as key parts: equal exactly when
    frictionless finds them equal (a NaN equals nothing, not even itself)."""
    out = []
    for cell in raw:
        result = column.cache.get(cell)
        value = result[0] if result is not None else column.reader(cell)[0]
        out.append(_Unequal() if _is_nan(value) else value)
    return out


class _Unequal:
    """A key part equal only to itself (frictionless' NaN: a new object per row)."""


def _is_nan(value: Any) -> bool:
    if isinstance(value, float):
        return value != value
    return isinstance(value, decimal.Decimal) and value.is_nan()
