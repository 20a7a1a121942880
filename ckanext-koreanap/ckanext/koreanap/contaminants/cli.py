"""``ckan koreanap-contaminants``: maintenance of the quick search."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from .. import siteuser

__all__ = ["koreanap_contaminants"]


@click.group("koreanap-contaminants", short_help="Contaminant quick search")
def koreanap_contaminants():
    """The contaminant quick search (/contaminants)."""


@koreanap_contaminants.command("index")
@click.option("--resource-id", default="", help="The survey table (default: the lookup rule "
              "in README.md).")
def index(resource_id: str):
    """Create the quick-search indexes on the survey table (safe to repeat)."""
    data = {"resource_id": resource_id} if resource_id else {}
    try:
        result = tk.get_action("koreanap_contaminant_index")(siteuser.context(), data)
    except tk.ObjectNotFound as error:
        raise click.ClickException("{} (publish the food-contaminants data package first)"
                                   .format(error.message or error))
    except tk.ValidationError as error:
        raise click.ClickException("; ".join(
            "{}: {}".format(k, " ".join(v)) for k, v in error.error_dict.items()))
    if result["created"]:
        click.echo("indexed {} on {}".format(", ".join(result["created"]),
                                             result["resource_id"]))
    else:
        click.echo("all {} indexes already exist on {}".format(len(result["indexed"]),
                                                                result["resource_id"]))
