"""Pages of the contaminant quick search (Blueprint ``koreanap_contaminants``).

- ``/contaminants``: filters, summary, chart and a page of rows; the query
  string is the permalink
- ``/contaminants/download.csv``: the rows of the same filter and order, as CSV
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request, stream_with_context

from .. import csvcells, visitor
from ..dictionary import koreanap_column_labels
from ..languages import is_english
from . import cache, columns, config

koreanap_contaminants = Blueprint("koreanap_contaminants", __name__)

# Query-string parameters of the page (the action's filters, sort and the page number).
FILTER_PARAMS = (tuple(columns.FILTERS) + ("substance_group", "survey_year", "detected",
                                           "exceeds_only"))
PAGE_PARAMS = FILTER_PARAMS + ("sort", "page")
_API_ACTIONS = ("koreanap_contaminant_search", "koreanap_contaminant_index")
_MULTI = tuple(columns.FILTERS) + ("substance_group", "survey_year")


def bad_request_status(response):
    """After a request: a quick-search action's Validation Error answers 400, not 409."""
    if (response.status_code == 409 and request.endpoint == "api.action"
            and (request.view_args or {}).get("logic_function") in _API_ACTIONS):
        response.status_code = 400
    return response


def _args() -> dict[str, Any]:
    """The page's query string as action input (unknown names kept, so they are refused)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if key in _MULTI else values[-1]
    return data


def _clean_query() -> str | None:
    """The query string without empty values (what an unfilled form sends), if it differs."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if v.strip()]
    if len(pairs) == len(list(request.args.items(multi=True))):
        return None
    return urlencode(pairs)


def _action_input(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != "page"}
    page = data.get("page", "1")
    size = config.page_size()
    last_page = columns.MAX_OFFSET // size + 1
    if not (isinstance(page, str) and page.isdigit() and 1 <= int(page) <= last_page):
        errors["page"] = [tk._("Page must be between 1 and {n}").format(n=last_page)]
        page = "1"
    out.update(limit=size, offset=(int(page) - 1) * size)
    return out


def _in_page_language(names: Any) -> str:
    """One of a (Korean, English) pair of names: the page's language, else the other."""
    korean, english = (list(names or ()) + [None, None])[:2]
    first, other = (english, korean) if is_english() else (korean, english)
    return first or other or ""


def _local_labels(ref: dict[str, Any]) -> dict[str, dict[str, str]]:
    """column -> code -> name of the code in the page's language."""
    return {column: {code: _in_page_language(names) for code, names in codes.items()}
            for column, codes in ref["labels"].items()}


def _options(values: dict[str, list[Any]], labels: dict[str, dict[str, str]]
             ) -> dict[str, list[dict]]:
    """Choices of each filter: the values present in the table, with their names."""
    out = {}
    for name, (column, _pattern) in columns.FILTERS.items():
        names = labels.get(column, {})
        out[name] = [{"value": str(v), "text": "{} {}".format(v, names.get(str(v), "")).strip()}
                     for v in values[name]]
    out["survey_year"] = [{"value": str(v), "text": str(v)} for v in values["survey_year"]]
    out["substance_group"] = [{"value": k, "text": _in_page_language(names)}
                              for k, names in columns.SUBSTANCE_GROUPS.items()]
    return out


def _sort_links(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per column: the query string that sorts by it (toggling the direction) and the arrow."""
    current = tuple((data.get("sort") or " ".join(columns.DEFAULT_SORT)).split() + ["asc"])[:2]
    base = [(k, v) for k, v in request.args.items(multi=True) if k not in ("sort", "page")]
    links = {}
    for column in columns.COLUMNS:
        direction = "desc" if current == (column, "asc") else "asc"
        links[column] = {
            "query": urlencode(base + [("sort", "{} {}".format(column, direction))]),
            "arrow": ("▲" if current[1] == "asc" else "▼") if current[0] == column else "",
        }
    return links


def _page_query(page: int) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return urlencode(pairs + [("page", str(page))])


def search_page():
    """The quick-search page; bad input re-shows the form with the field named (400)."""
    cleaned = _clean_query()
    if cleaned is not None:
        return tk.redirect_to(request.path + ("?" + cleaned if cleaned else ""))
    raw = _args()
    errors: dict[str, list[str]] = {}
    data = _action_input(raw, errors)
    for key in raw:
        if key not in PAGE_PARAMS:
            errors[key] = [tk._("Unknown parameter")]
            data.pop(key, None)
    extra: dict[str, Any] = {"errors": errors, "raw": raw, "result": None, "options": {},
                             "missing": None, "page": 1, "pages": 1}
    context = visitor.context()
    result = None
    # Every bad field is named at once, and nothing runs while one is bad.
    errors.update(_validation_errors(data))
    try:
        if not errors:
            result = tk.get_action("koreanap_contaminant_search")(
                context, dict(data, include_summary=True, include_chart=True))
    except tk.ValidationError as error:
        errors.update(error.error_dict)
    except tk.ObjectNotFound as error:
        extra["missing"] = _not_found_text(error)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not allowed to read this table"))
    if result is not None and not errors:
        choices = tk.get_action("koreanap_contaminant_choices")(context, {})
        labels = _local_labels(choices)
        size = config.page_size()
        extra.update(
            result=result, options=_options(choices["values"], labels),
            page=data["offset"] // size + 1,
            pages=max(1, -(-result["total"] // size)),
            labels=labels,
            chart_json=json.dumps(result["chart"], ensure_ascii=False).replace("</", "<\\/"),
            sort_links=_sort_links(raw),
            query_string=request.query_string.decode("utf-8", "replace"),
            prev_query=_page_query(data["offset"] // size),
            next_query=_page_query(data["offset"] // size + 2),
            csv_too_large=result["total"] > config.csv_max_rows(),
            # The table's own column names (its data dictionary), else the page's;
            # kept with the data version, as a dictionary is written by datastore_create.
            column_titles=cache.cached(
                {"column_labels": result["resource_id"], "lang": tk.h.lang()},
                lambda: koreanap_column_labels(result["resource_id"])),
        )
    extra.update(columns=columns.COLUMNS, column_labels=columns.LABELS,
                 csv_max_rows=config.csv_max_rows(), selected=_selected(raw))
    body = tk.render("koreanap/contaminants/search.html", extra)
    return Response(body, status=400 if errors else 200)


def _selected(raw: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for key in FILTER_PARAMS:
        value = raw.get(key)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        # "HMT01,HMT02" chooses both, as it does for the action
        out[key] = [part.strip() for v in values for part in str(v).split(",")
                    if part.strip()]
    return out


def download_csv():
    """The rows of the current filter and order as CSV (the columns of the resource)."""
    raw = _args()
    errors = {k: [tk._("Unknown parameter")] for k in raw if k not in PAGE_PARAMS}
    data = {k: v for k, v in raw.items() if k != "page" and k not in errors}
    result = None
    errors.update(_validation_errors(data))
    context = visitor.context()
    try:
        if not errors:
            result = tk.get_action("koreanap_contaminant_search")(
                context, dict(data, limit=0, include_summary=False))
    except tk.ValidationError as error:
        errors.update(error.error_dict)
    except tk.ObjectNotFound as error:
        return _text(404, _not_found_text(error))
    except tk.NotAuthorized:
        return _text(403, tk._("Not allowed to read this table"))
    if errors or result is None:
        return _text(400, "\n".join("{}: {}".format(k, " ".join(map(str, v)))
                                    for k, v in errors.items()))
    if result["total"] > config.csv_max_rows():
        return _text(400, tk._(
            "{n:,} rows match, more than {m:,}; narrow the filter or download the whole "
            "table: {url}").format(n=result["total"], m=config.csv_max_rows(),
                                   url=tk.url_for("datastore.dump",
                                                  resource_id=result["resource_id"],
                                                  _external=True)))

    def generate():
        # One batch of rows at a time from the action (keyset paging), so memory stays
        # bounded however many rows match; at most the total counted above.
        rows_of = tk.get_action("koreanap_contaminant_rows")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns.COLUMNS)
        left, after = result["total"], None
        while left > 0:
            batch = rows_of(context, dict(data, limit=min(left, columns.MAX_ROWS_BATCH),
                                          **({"after": after} if after else {})))
            for n, row in enumerate(batch["rows"], 1):
                writer.writerow([csvcells.cell(v) for v in row])
                if n % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            left -= len(batch["rows"])
            after = batch["next"]
            if after is None:
                break
        yield buffer.getvalue()

    filename = "contaminants-{}.csv".format(result["package_name"] or "search")
    headers = {"Content-Disposition": 'attachment; filename="{}"'.format(filename)}
    if result.get("data_status"):  # said beside the file, never inside it
        headers["X-Koreanap-Data-Status"] = result["data_status"]
    return Response(stream_with_context(generate()), mimetype="text/csv", headers=headers)


def _schema():
    from .logic import schema

    return schema.search()


def _validation_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """The action's own input check, without running it."""
    return tk.navl_validate(dict(data), _schema(), {})[1]


def _not_found_text(error: Exception) -> str:
    """Why there is no table to search (the action says it in the page's language)."""
    return str(getattr(error, "message", None) or tk._(columns.NOT_PUBLISHED))


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


koreanap_contaminants.add_url_rule("/contaminants", view_func=search_page,
                                   endpoint="search")
koreanap_contaminants.add_url_rule("/contaminants/download.csv", view_func=download_csv,
                                   endpoint="download")
