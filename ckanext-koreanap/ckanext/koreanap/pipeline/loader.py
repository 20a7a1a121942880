"""Load a validated CSV into the DataStore with PostgreSQL ``COPY``.

``datastore_create`` makes the table with the Table Schema's types (so the
DataStore API and the preview see real types); the rows then go in with one
``COPY … FROM STDIN`` on the DataStore write engine, inside one transaction
that first empties the table: a failure leaves the previous rows in place.
``_full_text`` is filled as the DataStore's row trigger would fill it, in
one statement, and the table's indexes are rebuilt once afterwards. Each
column's data dictionary entry (``info``: label, notes) comes from the Table
Schema too (:mod:`ckanext.koreanap.dictionary`). The validation job calls
:func:`load_table` for each valid table, then :func:`add_previews`.
"""
from __future__ import annotations

import contextvars
import csv
import io
import json
import logging
from pathlib import Path
from typing import IO, Any

import ckan.plugins.toolkit as tk
from ckan import model

from .. import config, dictionary, siteuser
from . import model as kmodel

log = logging.getLogger(__name__)

# Set while we create DataStore tables, so the datastore_active resource_patch
# that datastore_create makes does not enqueue another validation.
LOADING: contextvars.ContextVar[bool] = contextvars.ContextVar("koreanap_loading", default=False)
# Sent with the resource id after rows were loaded with COPY (no DataStore action ran).
LOADED = tk.signals.ckanext.signal("koreanap_datastore_loaded")

_SIMPLE_TYPES = {"string": "text", "integer": "int8", "number": "numeric", "year": "int4",
                 "object": "json", "array": "json"}
_ISO_TYPES = {"date": "date", "datetime": "timestamp", "time": "time"}


def datastore_type(field: dict[str, Any]) -> str:
    """The DataStore column type for a Table Schema field (text when unsure)."""
    kind = field.get("type", "string")
    if kind in _SIMPLE_TYPES:
        if kind == "number" and (field.get("decimalChar") or field.get("groupChar")
                                 or field.get("bareNumber") is False):
            return "text"
        if kind == "integer" and field.get("bareNumber") is False:
            return "text"
        return _SIMPLE_TYPES[kind]
    if kind in _ISO_TYPES:
        return _ISO_TYPES[kind] if field.get("format", "default") == "default" else "text"
    if kind == "boolean":
        custom = field.get("trueValues") or field.get("falseValues")
        return "text" if custom else "bool"
    return "text"


def _ident(name: str) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def _open_text(path: str) -> IO[str]:
    return open(path, encoding="utf-8-sig", newline="")


def _header(path: str, delimiter: str) -> list[str]:
    with _open_text(path) as fh:
        return next(csv.reader(fh, delimiter=delimiter), [])


def _rewritten(path: str, delimiter: str, missing: set[str]) -> IO[str]:
    """The CSV with every missing-value marker made an empty cell (rare: non-default
    ``missingValues``); built in memory a chunk at a time is not worth it here."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with _open_text(path) as fh:
        for i, row in enumerate(csv.reader(fh, delimiter=delimiter)):
            writer.writerow(row if i == 0 else ["" if c in missing else c for c in row])
    out.seek(0)
    return out


def load_csv(resource_id: str, path: str, schema: dict[str, Any],
             dialect: dict[str, Any] | None = None) -> int:
    """Replace the DataStore table of ``resource_id`` with the rows of ``path``.

    :param resource_id: the resource whose DataStore table is (re)made
    :param path: a UTF-8 CSV (a byte-order mark is allowed) that passed validation
    :param schema: its Table Schema (field names and types)
    :param dialect: the resource's CSV dialect (``delimiter``), if any
    :returns: the number of rows loaded
    """
    from ckanext.datastore.backend.postgres import get_write_engine

    delimiter = (dialect or {}).get("delimiter") or ","
    fields = [{"id": f["name"], "type": datastore_type(f)} for f in schema.get("fields", [])]
    header = _header(path, delimiter)
    known = {f["id"] for f in fields}
    unknown = [h for h in header if h not in known]
    if unknown:
        raise ValueError("columns not in the Table Schema: {}".format(", ".join(unknown)))
    _ensure_table(siteuser.context(), resource_id, fields, dictionary.schema_info(schema))

    missing = set(schema.get("missingValues", [""])) - {""}
    columns = ", ".join(_ident(h) for h in header)
    sql = ("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {}, "
           "ENCODING 'UTF8')").format(_ident(resource_id), columns,
                                      "'{}'".format(delimiter.replace("'", "''")))
    table = _ident(resource_id)
    text_of = "to_tsvector(concat_ws(' ', {}))".format(
        ", ".join("{}::text".format(_ident(h)) for h in header))
    connection = get_write_engine().raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SET LOCAL statement_timeout = 0")
        # A request reading or dropping this table makes the load wait, not hang.
        cursor.execute("SELECT set_config('lock_timeout', %s, true)",
                       ("{}s".format(max(1, int(config.job_lock_timeout()))),))
        # Bulk path: rows go to a temporary table with COPY, then into the
        # DataStore table in one INSERT … SELECT that computes _full_text the
        # way the DataStore's row trigger does (the values joined by spaces),
        # with that trigger off and the indexes rebuilt once at the end.
        cursor.execute("SELECT indexdef, indexname FROM pg_indexes WHERE schemaname = "
                       "'public' AND tablename = %s AND indexname <> %s",
                       (resource_id, resource_id + "_pkey"))
        indexes = cursor.fetchall()
        for _, name in indexes:
            cursor.execute("DROP INDEX {}".format(_ident(name)))
        cursor.execute("TRUNCATE {}".format(table))
        cursor.execute("CREATE TEMP TABLE koreanap_stage ON COMMIT DROP AS "
                       "SELECT {} FROM {} WITH NO DATA".format(columns, table))
        source = _rewritten(path, delimiter, missing) if missing else _open_text(path)
        with source:
            cursor.copy_expert(sql.replace(table, "koreanap_stage", 1), source)
        cursor.execute("ALTER TABLE {} DISABLE TRIGGER USER".format(table))
        cursor.execute("INSERT INTO {t} ({c}, _full_text) SELECT {c}, {f} FROM koreanap_stage"
                       .format(t=table, c=columns, f=text_of))
        rows = cursor.rowcount
        cursor.execute("ALTER TABLE {} ENABLE TRIGGER USER".format(table))
        for definition, _ in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE {}".format(table))
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    finally:
        connection.close()
    log.info("DataStore: loaded %s rows into %s with COPY", rows, resource_id)
    # For whoever keeps results computed from the rows (the quick search's cache).
    LOADED.send(resource_id)
    return rows


def set_dictionary(resource_id: str, schema: dict[str, Any]) -> bool:
    """Write the Table Schema's labels and notes into the data dictionary of an
    existing DataStore table whose columns match the schema (rows untouched), as
    when a package is published again with the same file but new column titles.

    :returns: False when there is no such table (nothing written), else True
    """
    fields = [{"id": f["name"], "type": datastore_type(f)} for f in schema.get("fields", [])]
    context = siteuser.context()
    try:
        found = tk.get_action("datastore_info")(dict(context), {"id": resource_id})["fields"]
    except tk.ObjectNotFound:
        return False
    if [{"id": f["id"], "type": f["type"]} for f in found] != fields:
        return False
    _ensure_table(context, resource_id, fields, dictionary.schema_info(schema))
    return True


def _ensure_table(context: dict, resource_id: str, fields: list[dict[str, str]],
                  infos: dict[str, dict[str, str]]) -> None:
    """Create the table, or re-create it when its columns or types differ; the
    columns' data dictionary (``info``) is set from ``infos`` either way."""
    token = LOADING.set(True)
    try:
        try:
            info = tk.get_action("datastore_info")(dict(context), {"id": resource_id})
            current = [{"id": f["id"], "type": f["type"]} for f in info.get("fields", [])]
            described = [f.get("info") or {} for f in info.get("fields", [])]
        except tk.ObjectNotFound:
            current = described = None
        if current is not None and current != fields:
            tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id,
                                                             "force": True})
            current = None
        wanted = [infos.get(f["id"]) or {} for f in fields]
        if current is None or described != wanted:
            # On an existing table this only rewrites the column comments.
            tk.get_action("datastore_create")(dict(context), {
                "resource_id": resource_id, "fields": dictionary.datastore_fields(fields, infos),
                "force": True})
        elif not tk.get_action("resource_show")(dict(context), {"id": resource_id}).get(
                "datastore_active"):
            # The table was made but flagging the resource failed (e.g. the job
            # gave up waiting for the dataset's row): flag it now.
            tk.get_action("resource_patch")(dict(context), {"id": resource_id,
                                                            "datastore_active": True})
    finally:
        LOADING.reset(token)


def load_table(resource: dict, path: Path, schema: dict, sha: str) -> int | None:
    """Load the rows unless the DataStore already holds this very file (then only
    its data dictionary is brought up to the schema's column titles)."""
    if not config.datastore_enabled():
        return None
    before = kmodel.get_status(resource["id"]) or {}
    if (before.get("file_sha256") == sha and before.get("datastore_rows") is not None
            and resource.get("datastore_active")):
        set_dictionary(resource["id"], schema)
        return before["datastore_rows"]
    extra = resource.get("datapackage_extra")
    dialect = (json.loads(extra) if isinstance(extra, str) and extra else {}).get("dialect")
    return load_csv(resource["id"], str(path), schema, dialect)


def add_previews(resource_id: str) -> None:
    """The default views that need the DataStore (the table preview), once the rows
    are in it: CKAN creates default views when a resource is made, before the load."""
    context = siteuser.context()
    try:
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
        tk.get_action("resource_create_default_resource_views")(
            context, {"resource": resource, "create_datastore_views": True})
    except Exception:  # noqa: BLE001 - a preview is a convenience; never fail the load
        log.exception("default views of %s failed", resource_id)
        model.Session.rollback()
