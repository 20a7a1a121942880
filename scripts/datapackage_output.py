"""What the data-package builders share: reading reference tables, where they may
write, weighted choices, writing a CSV file, and the command line around the building:
``--out``, exit codes, one-line errors, the line saying what was written.

Imported by scripts/build_*.py (run as scripts, so this folder is on sys.path).
"""
from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import os
import pathlib
import sys

EXIT_CODES = ("Exit codes: 0 ok, 1 invalid input (e.g. an output folder inside a data "
              "package without --overwrite), 2 usage error.")


class InputError(Exception):
    """Invalid input: exit code 1."""


class WeightedChoice:
    """A weighted choice with pre-computed cumulative weights (fast, deterministic)."""

    def __init__(self, weights):
        self.items = list(weights)
        total, self.cum = 0.0, []
        for key in self.items:
            total += weights[key]
            self.cum.append(total)
        self.total = total

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def read_reference_table(folder, name):
    """The rows of ``folder/name.csv`` (a hand-edited reference table) as dicts.

    :raises InputError: when the file cannot be read
    """
    path = folder / ("%s.csv" % name)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError("cannot read reference table %s: %s" % (path, exc.strerror))


def enclosing_package(folder):
    """Return the nearest folder, folder itself included, holding a datapackage.json."""
    for candidate in (folder, *folder.parents):
        if (candidate / "datapackage.json").is_file():
            return candidate
    return None


def refuse_package_output(out_dir, overwrite):
    """Refuse an output folder that is not a folder or lies inside a data package.

    :raises InputError: with the reason, unless overwrite is set (a non-folder
        is refused either way)
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("--out %s is not a folder" % out_dir)
    if overwrite:
        return
    package = enclosing_package(out_dir)
    if package is not None:
        raise InputError(
            "refusing to write into %s: it is inside the data package %s (it has a "
            "datapackage.json), so its files would be replaced; pass --overwrite to do that "
            "on purpose, or choose another --out" % (out_dir, package))


def file_sha256(path):
    """The sha256 of the file at ``path``, in hex (read a MiB at a time)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_csv(path, header, rows):
    """Write ``header`` and then ``rows`` to the CSV file ``path`` (UTF-8, ``\\n`` line
    ends) through a hidden ``.<name>.partial`` file beside it, so a failed run leaves
    no half-written file and the earlier one whole.

    :returns: ``(rows written, bytes, sha256)`` of the file
    """
    partial = path.parent / (".%s.partial" % path.name)
    count = 0
    try:
        with open(partial, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count, path.stat().st_size, file_sha256(path)


def wrote_rows(rows, path, size, digest):
    """The line a builder prints for a table it wrote."""
    return "wrote %s rows to %s (%s bytes, sha256 %s)" % (
        format(rows, ","), path, format(size, ","), digest)


def builder_parser(prog, description, out_default, out_help):
    """A builder's argument parser with what all builders have: ``--out`` (a folder) and
    the exit codes after ``--help``. The builder adds its own options, then ``--overwrite``."""
    parser = argparse.ArgumentParser(prog=prog, description=description, epilog=EXIT_CODES)
    parser.add_argument("--out", type=pathlib.Path, default=out_default, help=out_help)
    return parser


def run_builder(prog, parser, argv, build, report):
    """A builder's ``main``: parse ``argv``, build, report what was written.

    Invalid input and a file that cannot be written end in one line
    ``<prog>: error: …`` on stderr, never a traceback.

    :param prog: the script's name, first on the error line
    :param parser: the builder's argument parser (a usage error exits 2 there)
    :param build: ``build(args, out_dir)``, with ``--out`` resolved: checks the
        output folder, writes the files and returns what it wrote
    :param report: ``report(what build returned, out_dir)`` prints it
    :returns: the exit code: 0 ok, 1 invalid input or a failed write
    """
    args = parser.parse_args(argv)  # exits 2 on a usage error
    out_dir = args.out.resolve()
    try:
        written = build(args, out_dir)
    except InputError as exc:
        print("%s: error: %s" % (prog, exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print("%s: error: cannot write %s: %s" % (prog, exc.filename or out_dir, exc.strerror),
              file=sys.stderr)
        return 1
    report(written, out_dir)
    return 0
