"""The ``koreanap`` command: publishers' and operators' tools that need no CKAN install.

Exit codes: 0 ok, 1 the catalogue (or input) is not as expected, 2 usage error.
"""
from __future__ import annotations

import sys
import time

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


if __name__ == "__main__":  # pragma: no cover
    main()
