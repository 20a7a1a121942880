"""pyarrow's reading of a large CSV table in a thread, ahead of its validation.

This module imports pyarrow and the standard library only, so ``koreanap
validate`` can start reading a package's largest table (:func:`start_early`)
as soon as its input is checked, before it loads the rules: frictionless and
the checks take about 0.35 s to import, on one core, while the other core
would be idle. The fast path (:class:`.fast.Prefetch`) takes that reading
over when it is of the very table it validates, read the very same way
(:meth:`EarlyRead.matches`); otherwise the reading is closed and the table
is opened again, so what is reported never depends on it.
"""
from __future__ import annotations

import atexit
import os
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyarrow import csv as pacsv

from .encoding import EncodingResult, check_encoding

BATCH_BYTES = 2 << 20  # 2 MiB: 1 MiB cost ~8% more CPU, 4 MiB ~90 MiB more memory
# A package's largest table of at least PREFETCH_FROM bytes is read from the
# moment the package is open, up to PREFETCH_BATCHES batches ahead (~2 MiB
# each), while the descriptor, the rules and the smaller tables are checked.
PREFETCH_FROM = 8 << 20
PREFETCH_BATCHES = 24
THREAD_NAME = "koreanap-read-ahead"
_CODED = pa.dictionary(pa.int32(), pa.string())  # how the reader gives each column


class Unsupported(Exception):
    """This table needs frictionless' own row-by-row validation."""


def open_reader(path: str, names: list[str], delimiter: str, quote: str,
                batch_bytes: int = BATCH_BYTES, only: list[str] | None = None,
                check_utf8: bool = True) -> tuple[Any, list[str]]:
    """pyarrow's streaming reader of a CSV file as text columns named as the
    schema's fields ``names``, each dictionary-encoded (``only``: just those
    columns, for a second read; ``check_utf8=False``: the whole file is known
    to be UTF-8). The header must be the fields' names (spaces around a label
    aside, as frictionless reads it), else :class:`Unsupported`."""
    read = pacsv.ReadOptions(block_size=batch_bytes, use_threads=True)
    if only is not None:  # the header was checked on the first read
        read = pacsv.ReadOptions(block_size=batch_bytes, use_threads=True,
                                 column_names=names, skip_rows=1)
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=quote, double_quote=True,
                               newlines_in_values=True, ignore_empty_lines=False)
    # Dictionary-encoded by the reader itself (each batch its own dictionary):
    # one call per batch in the read-ahead thread instead of one per column
    # after it, each of which waited for the GIL while the validating thread
    # ran Python (the validating thread waited 0.25 s for the reader on 1M rows).
    convert = pacsv.ConvertOptions(column_types={n: _CODED for n in names},
                                   strings_can_be_null=False,
                                   quoted_strings_can_be_null=False,
                                   include_columns=only, check_utf8=check_utf8)
    try:
        # pyarrow's own pool (mimalloc) keeps the pages it frees for the next
        # batches: with the system allocator every batch's buffers were new
        # pages to fault in (84,000 page faults against 30,000 on a million
        # rows, 0.2 s CPU), for 11 MiB less peak memory at 1M and at 3M rows
        # alike (so no growth with the file).
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                convert_options=convert)
    except (pa.ArrowInvalid, OSError) as exc:
        raise Unsupported(f"pyarrow cannot open it: {exc}") from exc
    if only is None:
        # frictionless strips labels (the engine reports spaces around them)
        header = [name.lstrip("\ufeff").strip() for name in reader.schema.names]
        if header != names:
            raise Unsupported("the header differs from the schema's fields")
        if reader.schema.names != names:  # read again under the schema's names
            return open_reader(path, names, delimiter, quote, batch_bytes, names, check_utf8)
    return reader, names


class ReadAhead:
    """pyarrow's reader run in a thread ahead of validation: it opens the
    file and parses the next batches (pyarrow releases the GIL) while this
    one is validated, on the second core. ``next()`` gives the batches in
    order and raises what opening or reading raised. Close it when done; one
    still open when Python ends is closed then (:func:`_close_open`)."""

    _END = object()

    def __init__(self, open_reader: Callable[[], Any], depth: int = 1) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(open_reader,), daemon=True,
                                        name=THREAD_NAME)
        _OPEN.add(self)
        self._thread.start()

    def _run(self, open_reader: Callable[[], Any]) -> None:
        try:
            reader = open_reader()
        except BaseException as exc:  # handed to the validating thread
            self._put(exc)
            return
        while not self._stop.is_set():
            try:
                item = reader.read_next_batch()
            except StopIteration:
                item = self._END
            except BaseException as exc:  # handed to the validating thread
                item = exc
            self._put(item)
            if item is self._END or isinstance(item, BaseException):
                return

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next(self) -> Any:
        item = self._queue.get()
        if item is self._END:
            raise StopIteration
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self, timeout: float | None = None) -> None:
        """Stop reading (also when validation stopped early at its error limit)
        and wait for the thread (at most ``timeout`` seconds, if given)."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout)


_OPEN: weakref.WeakSet[ReadAhead] = weakref.WeakSet()


@atexit.register
def _close_open() -> None:
    """Close the readers still open when Python ends, before it stops its
    threads: a reading thread stopped inside pyarrow's reader (even one that
    has handed over its last batch and is freeing the reader) aborts the
    process ("terminate called without an active exception", exit 134)."""
    for ahead in list(_OPEN):
        ahead.close(timeout=10)  # a thread stuck in a read is not waited for forever


def source_key(path: str, names: list[str], delimiter: str, quote: str) -> tuple:
    """What a reader opened by :func:`open_reader` depends on: the file as it
    is now (size, time, inode), and the options it is read with."""
    path = os.path.normpath(path)
    try:
        stat = os.stat(path)
    except OSError:
        return (path, None)
    return (path, stat.st_size, stat.st_mtime_ns, stat.st_ino, delimiter, quote, tuple(names))


class EncodingCheck:
    """:func:`.encoding.check_encoding` of a file run in a thread of its own,
    beside the reading of the same file: pyarrow validates the UTF-8 without
    the GIL, so the ~0.03 s it takes on a 92 MB table leaves the validating
    thread, which only waits for it if it is not done at the table's turn."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._done: tuple[EncodingResult | None, BaseException | None] = (None, None)
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="koreanap-encoding-check")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._done = (check_encoding(self.path), None)
        except BaseException as exc:  # handed to the validating thread
            self._done = (None, exc)

    def result(self) -> EncodingResult:
        """What :func:`.encoding.check_encoding` returned, or what it raised."""
        self._thread.join()
        found, raised = self._done
        if raised is not None:
            raise raised
        assert found is not None
        return found


class EarlyRead:
    """The reading of one table started by :func:`start_early`, and its
    encoding check: ``key`` says what it reads (:func:`source_key`); close it
    when it is not taken over."""

    def __init__(self, key: tuple, ahead: ReadAhead,
                 encoding: EncodingCheck | None = None) -> None:
        self.key = key
        self.ahead = ahead
        self.encoding = encoding

    def matches(self, key: tuple) -> bool:
        """It reads the file ``key`` (a :func:`source_key` taken now) names,
        unchanged since it started, with those options."""
        return key == self.key

    def close(self) -> None:
        self.ahead.close()


def _plain_csv(resource: Any, basepath: str) -> tuple[str, list[str]] | None:
    """(file, field names) of a descriptor's resource that is a local UTF-8
    CSV read with the default dialect and an inline schema; None otherwise
    (those are left to the engine, which knows every other form)."""
    if not isinstance(resource, dict):
        return None
    path, schema = resource.get("path"), resource.get("schema")
    if (not isinstance(path, str) or "://" in path or os.path.isabs(path)
            or ".." in path.replace("\\", "/").split("/")):
        return None
    if str(resource.get("format") or "csv").lower() != "csv" or \
            not path.lower().endswith(".csv"):
        return None
    if str(resource.get("encoding") or "utf-8").lower() not in ("utf-8", "utf8"):
        return None
    if resource.get("dialect") or resource.get("compression") or not isinstance(schema, dict):
        return None
    fields = schema.get("fields")
    if not isinstance(fields, list) or len(fields) < 2:
        return None
    names = [f.get("name") if isinstance(f, dict) else None for f in fields]
    if not all(isinstance(n, str) and n for n in names):
        return None
    return os.path.join(basepath, path), names


def start_early(descriptor: Any, basepath: str | None,
                depth: int = PREFETCH_BATCHES) -> EarlyRead | None:
    """Start reading the largest plain CSV table (:func:`_plain_csv`) of at
    least :data:`PREFETCH_FROM` bytes of a package ``descriptor`` (a dict,
    with its resources' folder ``basepath``); None when there is none. The
    caller checked the input first (paths inside the package, line lengths)."""
    if not isinstance(descriptor, dict) or not basepath:
        return None
    chosen, largest = None, PREFETCH_FROM - 1
    for resource in descriptor.get("resources") or []:
        found = _plain_csv(resource, basepath)
        if found is None:
            continue
        try:
            size = os.path.getsize(found[0])
        except OSError:
            continue
        if size > largest:
            chosen, largest = found, size
    if chosen is None:
        return None
    path, names = chosen
    key = source_key(path, names, ",", '"')
    return EarlyRead(key, ReadAhead(lambda: open_reader(key[0], names, ",", '"')[0],
                                    depth=depth), EncodingCheck(key[0]))
