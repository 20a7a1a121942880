"""What every data-package test reads, builds and validates its package with."""
import csv
import hashlib
import json
import pathlib
import subprocess
import sys

import frictionless

ROOT = pathlib.Path(__file__).resolve().parents[2]


def read_rows(data, name):
    """The rows of ``<data>/<name>.csv``, as dicts."""
    with open(data / ("%s.csv" % name), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_descriptor(package):
    """The package's ``datapackage.json``, as a dict."""
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def sha256(path):
    """The file's sha256, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_builder(builder, *args, timeout):
    """Run a package's builder script from the repository root, its output captured as text."""
    return subprocess.run([sys.executable, str(builder), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def frictionless_errors(package):
    """``frictionless.validate`` of the package: the report, and one line per error
    (each resource's, then the package's) for the assertion message."""
    report = frictionless.validate(str(package / "datapackage.json"))
    errors = ["%s row %s %s: %s" % (task.name, getattr(err, "row_number", "-"), err.type,
                                    err.message)
              for task in report.tasks for err in task.errors]
    errors += ["%s: %s" % (err.type, err.message) for err in report.errors]
    return report, errors
