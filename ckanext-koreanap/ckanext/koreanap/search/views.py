"""``/ckan-admin/synonyms``: sysadmins see the search synonyms and add or remove the
site's own sets (blueprint ``koreanap_search``; the actions do the work)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from .. import visitor

koreanap_search = Blueprint("koreanap_search", __name__)


def _page(errors: dict[str, Any] | None = None, form: dict[str, str] | None = None,
          status: int = 200):
    context = visitor.context()
    try:
        tk.check_access("koreanap_search_synonym_create", context, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins change the search synonyms"))
    listing = tk.get_action("koreanap_search_synonym_list")(context, {})
    return tk.render("koreanap/search/synonyms.html", extra_vars={
        "shipped": listing["shipped"], "site": listing["site"], "errors": errors or {},
        "form": form or {}}), status


@koreanap_search.route("/ckan-admin/synonyms", methods=["GET", "POST"])
def synonyms():
    """The list, and the form that adds a set."""
    if tk.request.method != "POST":
        return _page()
    form = {"terms": tk.request.form.get("terms", ""),
            "source": tk.request.form.get("source", "")}
    try:
        created = tk.get_action("koreanap_search_synonym_create")(visitor.context(), form)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins change the search synonyms"))
    except tk.ValidationError as error:
        return _page(error.error_dict, form, status=400)
    tk.h.flash_success(tk._("Added: {terms}").format(terms=" = ".join(created["terms"])))
    return tk.redirect_to("koreanap_search.synonyms")


@koreanap_search.route("/ckan-admin/synonyms/<synonym_id>/delete", methods=["POST"])
def delete(synonym_id: str):
    """Remove one of the site's sets."""
    try:
        tk.get_action("koreanap_search_synonym_delete")(visitor.context(),
                                                        {"id": synonym_id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins change the search synonyms"))
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("No synonym set {id}").format(id=synonym_id))
    tk.h.flash_success(tk._("The synonym set was removed"))
    return tk.redirect_to("koreanap_search.synonyms")
