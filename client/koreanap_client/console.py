"""The ``koreanap`` command: publishers' and operators' tools that need no CKAN install.

``validate`` and ``fix-encoding`` import only ``koreanap_validation`` (and
frictionless); ``status`` and ``publish`` talk to a catalogue with ckanapi.
Nothing here imports ``ckan``.

Exit codes: 0 ok, 1 the catalogue (or input) is not as expected, 2 usage error.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import sys
import time
from typing import NoReturn

import click

USER_AGENT = "koreanap-cli/0.1 (+https://github.com/koreanap)"


def _remote(url: str, apikey: str | None):
    import ckanapi

    return ckanapi.RemoteCKAN(url, apikey=apikey, user_agent=USER_AGENT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="koreanap")
def main() -> None:
    """Tools for the Korea OGP 4th National Action Plan open-data catalogue."""


@main.command()
@click.option("--ckan-url", default="http://127.0.0.1:5000", show_default=True,
              envvar="KOREANAP_CKAN_URL", help="Catalogue to check (or KOREANAP_CKAN_URL).")
@click.option("--wait", default=0, show_default=True, type=click.IntRange(0, 3600),
              help="Seconds to keep retrying while the catalogue starts.")
@click.option("--query", default="", help="Also run package_search with this q.")
def status(ckan_url: str, wait: int, query: str) -> None:
    """Check that a catalogue answers: CKAN version, plugins, dataset count.

    Prints one line per check; exits 1 with the reason if the catalogue does
    not answer within --wait seconds or its search fails.
    """
    import ckanapi

    deadline = time.monotonic() + wait
    last_error = ""
    while True:
        try:
            with _remote(ckan_url, None) as ckan:
                info = ckan.action.status_show()
                found = ckan.action.package_search(q=query, rows=0)
            break
        except (ckanapi.errors.CKANAPIError, OSError) as e:
            last_error = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        except Exception as e:  # requests' connection errors and the like
            last_error = "{}: {}".format(e.__class__.__name__, str(e).splitlines()[0][:200])
        if time.monotonic() >= deadline:
            click.echo("error: {} does not answer: {}".format(ckan_url, last_error), err=True)
            sys.exit(1)
        time.sleep(1)
    click.echo("catalogue: {}".format(ckan_url))
    click.echo("ckan: {}".format(info.get("ckan_version")))
    click.echo("plugins: {}".format(" ".join(info.get("extensions", []))))
    label = "datasets matching {!r}".format(query) if query else "datasets"
    click.echo("{}: {}".format(label, found.get("count")))


# -- validate ---------------------------------------------------------------

VALIDATE_EXIT_HELP = """\b
Exit codes:
  0  valid (notes such as a byte-order mark do not count)
  1  invalid: a rule found errors, or the package is malformed or unsafe --
     a descriptor or schema that is not valid JSON (line and column named), a
     resource path that is absolute or escapes the package, a zip with
     "../", absolute or link entries or over --max-unpacked-bytes, a line
     over --max-line-bytes
  2  usage or unreadable input: missing path, a folder or zip without
     datapackage.json, a CSV without --schema, a corrupt zip, a remote URL
     (as PATH or resource path) without --allow-remote, a bad option; or a
     rule that cannot run (a library missing or broken: the line names it
     and how to install it) -- a problem of this install, not of the data
"""


def _fail(message: str, code: int) -> NoReturn:
    click.echo("koreanap: error: {}".format(message), err=True)
    sys.exit(code)


@contextlib.contextmanager
def _rules_loading():
    """Load the rules with the cyclic garbage collector paused, then leave
    every object alive at that point out of its collections (``gc.freeze``)
    until the block ends.

    The rules import frictionless, pyarrow and numpy: some 200,000 objects
    (modules, classes, functions) that live as long as the process. The
    collector traversed them about 140 times while they were created, and
    again in each later full collection: 0.1-0.15 s of every validation's
    CPU, whatever the size of the data. Garbage is still freed by reference
    counts, and the collector's state is restored at the end, so a caller
    in the same process (tests) keeps its own."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        import koreanap_validation.engine  # noqa: F401 - the block uses it
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _rules_loaded(command):
    """Run a command that validates inside :func:`_rules_loading`."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with _rules_loading():
            return command(*args, **kwargs)

    return run


@main.command(epilog=VALIDATE_EXIT_HELP)
@click.argument("path")
@click.option("--schema", metavar="SCHEMA.json",
              help="Table Schema for PATH when PATH is a single CSV file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True, help="Report format (json: the report dict of "
              "validation/koreanap_validation/README.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--max-examples", default=5, show_default=True, type=click.IntRange(0),
              help="Examples shown per rule (text and html).")
@click.option("--limit-errors", default=1000, show_default=True, type=click.IntRange(1),
              help="Stop collecting a resource's errors after this many.")
@click.option("--allow-remote", is_flag=True,
              help="Allow a URL as PATH and remote resource paths (fetched over the network).")
@click.option("--max-unpacked-bytes", default=2 * 1024 ** 3, show_default=True,
              type=click.IntRange(1), help="Refuse a zip that unpacks to more than this.")
@click.option("--max-line-bytes", default=1024 ** 2, show_default=True,
              type=click.IntRange(1), help="Refuse a CSV with a line longer than this.")
@click.option("--progress/--no-progress", default=None,
              help="Rows read on standard error [default: only when it is a terminal].")
@click.option("--metadata", "metadata", type=click.Choice(["off", "report", "strict"]),
              default="report", show_default=True,
              help="Rule 7 on a package's DCAT metadata (SHACL shapes and the score): "
              "off; report (listed, does not make the package invalid); strict "
              "(SHACL violations are errors).")
@click.option("--engine", type=click.Choice(["auto", "frictionless"]), default="auto",
              show_default=True, help="auto reads plain UTF-8 CSV files column at a time "
              "(same rules, much faster); frictionless reads every table row by row.")
def validate(path, schema, fmt, output, max_examples, limit_errors, allow_remote,
             max_unpacked_bytes, max_line_bytes, progress, metadata, engine) -> None:
    """Validate a data package with all the catalogue's quality rules.

    PATH is a package folder, a datapackage.json, a .zip of a package, or a
    single CSV file with --schema. Prints a report grouped by rule with
    counts, the first examples (resource, row, field, value masked where
    personal) and a summary line. Needs no CKAN.
    """
    # The input is checked, and its largest table's reading started, before the
    # rules load (they take ~0.35 s, on one core): these import no frictionless.
    from koreanap_validation.inputs import EXIT_INVALID, InputError, open_input
    from koreanap_validation.internal import RuleCannotRun
    from koreanap_validation.readahead import start_early

    if progress is None:
        progress = sys.stderr.isatty()
    show = _progress_printer() if progress else None
    try:
        with open_input(path, schema=schema, allow_remote=allow_remote,
                        max_unpacked_bytes=max_unpacked_bytes,
                        max_line_bytes=max_line_bytes) as prepared:
            early = (start_early(prepared.descriptor, prepared.basepath)
                     if engine == "auto" else None)
            try:
                with _rules_loading():
                    from koreanap_validation.engine import add_metadata, validate_package

                    report = validate_package(prepared.descriptor,
                                              basepath=prepared.basepath,
                                              limit_errors=limit_errors, progress=show,
                                              engine=engine, early=early)
                    if metadata != "off" and not schema:
                        add_metadata(report, prepared.descriptor,
                                     strict=metadata == "strict",
                                     basepath=prepared.basepath)
            finally:
                if early is not None:
                    early.close()
    except InputError as exc:
        if exc.exit_code == EXIT_INVALID and (fmt != "text" or output):
            from koreanap_validation.report import render

            _write(render(_input_report(exc.message), fmt, source=path,
                          max_examples=max_examples), output)
        _fail(exc.message, exc.exit_code)
    except RuleCannotRun as exc:
        _fail(str(exc), exc.exit_code)
    if show:
        show.finish()
    from koreanap_validation.report import render

    _write(render(report, fmt, source=path, max_examples=max_examples), output)
    if output:
        from koreanap_validation.report import summary_line

        click.echo(summary_line(report), err=True)
    sys.exit(0 if report["valid"] else 1)


def _input_report(message: str) -> dict:
    from koreanap_validation.engine import PACKAGE_RULE, REPORT_VERSION

    error = {"rule": PACKAGE_RULE, "resource": None, "row": None, "field": None,
             "message": message, "value": None}
    return {"version": REPORT_VERSION, "valid": False, "errors": [error],
            "counts": {PACKAGE_RULE: 1}, "notes": [], "resources": []}


def _write(text: str, output: str | None) -> None:
    if not output:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        _fail("cannot write {}: {}".format(output, exc.strerror or exc), 2)


class _progress_printer:
    """Prints ``resource: N rows`` on standard error as rows are read."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()

    def __call__(self, name: str, rows: int, done: bool) -> None:
        if not done or rows >= 10_000:
            line = "  {}: {:,} rows{}".format(name, rows, " done" if done else "")
            if self.tty:
                click.echo("\r\033[K" + line, err=True, nl=done)
            else:
                click.echo(line, err=True)

    def finish(self) -> None:
        click.echo("  read in {:.1f}s".format(time.monotonic() - self.start), err=True)


# -- fix-encoding -----------------------------------------------------------

@main.command("fix-encoding", epilog="""\b
Exit codes:
  0  a UTF-8 copy was written
  1  nothing to do (already plain UTF-8, or empty), or the file cannot be
     decoded (unknown encoding, or not in the --encoding given)
  2  usage: missing FILE, OUT exists without --overwrite, bad option
""")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="Where to write [default: FILE.utf8.csv beside FILE].")
@click.option("--overwrite", is_flag=True, help="Replace OUT (or FILE itself) if it exists.")
@click.option("--encoding", help="Source encoding (default: detected; EUC-KR is read as CP949).")
def fix_encoding_command(file, out, overwrite, encoding) -> None:
    """Write a UTF-8 copy (no byte-order mark) of a CP949/EUC-KR or other file."""
    from koreanap_validation.encoding import check_encoding, fix_encoding

    try:
        found = check_encoding(file)
    except OSError as exc:
        _fail("cannot read {}: {}".format(file, exc.strerror or exc), 2)
    if encoding is None:
        if found.valid and not found.bom:
            click.echo("{} is already UTF-8 ({}); nothing to do".format(
                file, "empty" if "file is empty" in found.notes else "no byte-order mark"),
                err=True)
            sys.exit(1)
        if found.encoding == "unknown":
            _fail("cannot tell the encoding of {}; give it with --encoding".format(file), 1)
    try:
        result = fix_encoding(file, out, encoding=encoding, overwrite=overwrite)
    except FileExistsError as exc:
        _fail("{} (pass --overwrite)".format(str(exc).split(";")[0]), 2)
    except UnicodeDecodeError as exc:
        _fail("{} is not {} (bad byte at offset {} of a block); nothing written".format(
            file, exc.encoding, exc.start), 1)
    except LookupError:
        _fail("unknown encoding: {}".format(encoding), 2)
    except (OSError, ValueError) as exc:
        _fail("cannot convert {}: {}".format(file, exc), 1)
    click.echo("wrote {dst} (UTF-8) from {src} ({encoding}): {bytes_in:,} -> "
               "{bytes_out:,} bytes".format(**result))


# -- publish ----------------------------------------------------------------

@main.command(epilog="""\b
Exit codes:
  0  published (or --dry-run listed the changes)
  1  the package is invalid (nothing published; the report is printed), or
     the catalogue refused it or could not be reached (what was changed
     before that is listed)
  2  usage: missing path or token, unreadable input, a bad option; or a
     rule that cannot run here (a library missing or broken; nothing published)

The API token is read from KOREANAP_API_TOKEN (never from the command line).
""")
@click.argument("path")
@click.option("--ckan-url", default="http://127.0.0.1:5000", show_default=True,
              envvar="KOREANAP_CKAN_URL", help="Catalogue to publish to (or KOREANAP_CKAN_URL).")
@click.option("--organization", help="Organization name [default: from koreanap:publisher].")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(1, 20),
              help="Tries per API call on network errors (backoff 1 s, doubling).")
@click.option("--backoff", default=1.0, show_default=True, type=click.FloatRange(0),
              help="Seconds before the first retry.")
@click.option("--max-unpacked-bytes", default=2 * 1024 ** 3, show_default=True,
              type=click.IntRange(1), help="Refuse a zip that unpacks to more than this.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars [default: only when standard error is a terminal].")
@_rules_loaded
def publish(path, ckan_url, organization, dry_run, retries, backoff, max_unpacked_bytes,
            progress) -> None:
    """Validate a data package, then publish it to a catalogue.

    PATH is a package folder, a datapackage.json or a .zip. The package is
    validated first with every rule of `koreanap validate`; on any error
    nothing is published, the report is printed and the exit code is 1.
    Otherwise the organization, the dataset and its resources are created or
    updated: a second run with the same package prints "unchanged" for
    everything; a changed file replaces only its resource; resources no
    longer in the package are removed. The catalogue then validates the
    dataset itself, loads its tables into the DataStore and scores its metadata.
    """
    from koreanap_validation.engine import validate_package
    from koreanap_validation.inputs import InputError, open_input
    from koreanap_validation.internal import RuleCannotRun
    from koreanap_validation.report import render, summary_line

    from .publishing import Publisher, PublishError, environ_token

    token = environ_token()
    if not token and not dry_run:
        _fail("no API token: set KOREANAP_API_TOKEN to your API token (the catalogue's "
              "user page, API Tokens tab)", 2)
    if progress is None:
        progress = sys.stderr.isatty()
    show = _progress_printer() if progress else None
    try:
        with open_input(path, max_unpacked_bytes=max_unpacked_bytes) as prepared:
            if not isinstance(prepared.descriptor, dict):
                _fail("{} is not a local data package".format(path), 2)
            report = validate_package(prepared.descriptor, basepath=prepared.basepath,
                                      progress=show)
            if show:
                show.finish()
            if not report["valid"]:
                click.echo(render(report, "text", source=path), nl=False)
                _fail("{} is invalid; nothing was published".format(path), 1)
            click.echo("{}: {}".format(path, summary_line(report)))
            bar = _upload_bar() if progress else None
            try:
                with _remote(ckan_url, token) as ckan:
                    publisher = Publisher(ckan, echo=click.echo, dry_run=dry_run,
                                          retries=retries, backoff=backoff, progress=bar)
                    publisher.publish(_inline_schemas(prepared.descriptor, prepared.basepath),
                                      prepared.basepath, organization=organization)
            except PublishError as exc:
                _fail(exc.explain(), 1)
            finally:
                if bar:
                    bar.finish()
    except InputError as exc:
        _fail(exc.message, exc.exit_code)
    except RuleCannotRun as exc:
        _fail("{}; nothing was published".format(exc), exc.exit_code)


def _inline_schemas(descriptor: dict, basepath: str) -> dict:
    """The descriptor with each local ``"schema": "file.json"`` read in."""
    import json
    import os

    out = dict(descriptor)
    resources = []
    for resource in descriptor.get("resources") or []:
        schema = resource.get("schema")
        if isinstance(schema, str) and "://" not in schema:
            try:
                with open(os.path.join(basepath, schema), encoding="utf-8-sig") as fh:
                    resource = dict(resource, schema=json.load(fh))
            except (OSError, ValueError) as exc:
                _fail("cannot read the schema {} of {}: {}".format(
                    schema, resource.get("name"), exc), 1)
        resources.append(resource)
    out["resources"] = resources
    return out


class _upload_bar:
    """Bytes uploaded so far, on standard error."""

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        line = "  uploading [{}{}] {:>5.1f}% {}".format(
            "#" * filled, "-" * (width - filled), 100.0 * done / total if total else 100, name)
        click.echo("\r\033[K" + line, err=True, nl=False)
        self.last = line

    def finish(self) -> None:
        if self.last:
            click.echo("", err=True)


def cli() -> NoReturn:
    """The ``koreanap`` program: :func:`main`, then the process ends as soon
    as its output is written, without Python's teardown.

    After a validation the teardown frees the rules' objects one by one and
    collects them once more: 0.08-0.1 s of a million-row run that ends in
    1.4 s. Nothing of this program needs it: files and temporary folders are
    closed by the commands themselves, and the validation's reading thread
    has nothing to finish. An error that escapes the commands still ends the
    usual way (with its traceback). ``main`` itself (tests, ``-m``) is unchanged."""
    try:
        main.main(prog_name="koreanap")
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click's standalone mode always exits
        code = 0
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)  # what sys.exit prints for a message
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the reader went away
        code = code or 1
    logging.shutdown()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
