"""What the data-package builders share: reading reference tables, where they may
write, and weighted choices.

Imported by scripts/build_*.py (run as scripts, so this folder is on sys.path).
"""
from __future__ import annotations

import bisect
import csv


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
