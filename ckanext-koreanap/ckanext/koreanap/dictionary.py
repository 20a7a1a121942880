"""The data dictionary: column names and descriptions from a Table Schema, kept in
CKAN's DataStore and shown in the page's language.

A Table Schema field carries its Korean column name in ``title``, the English
one in ``koreanap:title_en``, the English description in ``description`` and
the Korean one in ``koreanap:description_ko`` (validation/koreanap_validation/README.md, "Column
names and the data dictionary"). In the DataStore each column's ``info``
(CKAN's data dictionary) gets them as the catalogue's bilingual pairs, the
plain key Korean and ``_en`` English: ``label`` / ``label_en`` and
``notes`` / ``notes_en``. ``type_override`` is left unset: the loader makes
each column with the Table Schema's own type, so there is nothing to override.

The English pair is stored as the column's plugin data (CKAN's
``IDataDictionaryForm``: ``datastore_create`` takes ``label_en`` and
``notes_en`` beside a field's ``info``) and ``datastore_info`` puts it back
into ``info``. So CKAN's data dictionary form, which saves ``info`` from its
own inputs (label, description), keeps it instead of dropping it.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from .languages import koreanap_localized


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def field_info(field: dict[str, Any]) -> dict[str, str]:
    """The DataStore ``info`` of one Table Schema field (empty when it says nothing).

    A schema in one language only fills the plain keys with what it has, so
    CKAN's own readers of ``label`` and ``notes`` always find the text.
    """
    label, label_en = _text(field.get("title")), _text(field.get("koreanap:title_en"))
    notes, notes_en = (_text(field.get("koreanap:description_ko")),
                       _text(field.get("description")))
    info = {"label": label or label_en, "label_en": label_en,
            "notes": notes or notes_en, "notes_en": notes_en}
    return {key: value for key, value in info.items() if value}


def schema_info(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """``{column: info}`` for every field of a Table Schema."""
    return {f["name"]: field_info(f) for f in schema.get("fields") or []
            if isinstance(f, dict) and f.get("name")}


PLUGIN_KEY = "koreanap"
ENGLISH_KEYS = ("label_en", "notes_en")


def datastore_fields(fields: list[dict[str, Any]], infos: dict[str, dict[str, str]]
                     ) -> list[dict[str, Any]]:
    """The ``fields`` of a ``datastore_create`` that writes the dictionary: the
    Korean pair in ``info``, the English pair beside it (always sent, empty when
    the schema has none, so an earlier English text does not linger)."""
    out = []
    for field in fields:
        info = infos.get(field["id"]) or {}
        out.append(dict(field, info={k: v for k, v in info.items() if k not in ENGLISH_KEYS},
                        **{k: info.get(k, "") for k in ENGLISH_KEYS}))
    return out


def datastore_create_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``IDataDictionaryForm``: a field's ``label_en`` and ``notes_en`` go to its
    plugin data; a field without them (CKAN's form) leaves the stored ones."""
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    to_plugin_data = tk.get_validator("to_datastore_plugin_data")(PLUGIN_KEY)
    for key in ENGLISH_KEYS:
        schema["fields"][key] = [ignore_missing, unicode_safe, to_plugin_data]
    return schema


def datastore_info_field(field: dict[str, Any], plugin_data: dict[str, Any]
                         ) -> dict[str, Any]:
    """``IDataDictionaryForm``: the stored English pair back in the field's ``info``."""
    stored = plugin_data.get(PLUGIN_KEY)
    english = {k: v for k, v in (stored if isinstance(stored, dict) else {}).items()
               if k in ENGLISH_KEYS and isinstance(v, str) and v}
    if english:
        field["info"] = dict(field.get("info") or {}, **english)
    return field


def localized_info(info: Any, lang: str | None = None) -> dict[str, Any]:
    """A column's ``info`` with ``label`` and ``notes`` in the page's language
    (the other language when that one is missing)."""
    if not isinstance(info, dict):
        return {}
    shown = dict(info)
    for key in ("label", "notes"):
        text = koreanap_localized(info, key, lang)
        if text:
            shown[key] = text
    return shown


def koreanap_column_labels(resource_id: str, lang: str | None = None) -> dict[str, str]:
    """``{column: label}`` of a DataStore table in the page's language, for the
    columns that have a label; ``{}`` when the table cannot be read."""
    try:
        fields = tk.get_action("datastore_info")(
            {}, {"id": resource_id, "include_meta": False,
                 "include_fields_schema": False})["fields"]
    except (tk.ObjectNotFound, tk.NotAuthorized, KeyError):
        return {}
    labels = {}
    for field in fields:
        label = localized_info(field.get("info"), lang).get("label")
        if label:
            labels[field["id"]] = label
    return labels


def schema_of(resource: dict[str, Any]) -> dict[str, Any] | None:
    """A resource's Table Schema as a dict (stored as JSON text or a dict), or None."""
    schema = resource.get("schema")
    if isinstance(schema, str) and schema.strip():
        try:
            schema = json.loads(schema)
        except ValueError:
            return None
    return schema if isinstance(schema, dict) else None


def koreanap_schema_columns(pkg: dict[str, Any], lang: str | None = None
                            ) -> list[dict[str, Any]]:
    """The data dictionary of a dataset's tables, read from each resource's Table
    Schema (so it shows before any DataStore load): per resource with a schema,
    ``{"resource", "columns": [{"name", "label", "notes", "type", "untitled"}]}``,
    label and notes in the page's language; ``untitled`` marks a column whose
    schema gives no title (``label`` is then its name)."""
    tables = []
    for resource in pkg.get("resources") or []:
        schema = schema_of(resource)
        if not schema or not schema.get("fields"):
            continue
        columns = []
        for field in schema["fields"]:
            if not isinstance(field, dict) or not field.get("name"):
                continue
            shown = localized_info(field_info(field), lang)
            columns.append({"name": field["name"], "type": field.get("type") or "string",
                            "label": shown.get("label") or field["name"],
                            "notes": shown.get("notes") or "",
                            "untitled": not shown.get("label")})
        tables.append({"resource": resource, "columns": columns})
    return tables


@tk.chained_helper
def datastore_dictionary(next_helper: Any, resource_id: str,
                         include_columns: list[str] | None = None) -> list[dict[str, Any]]:
    """CKAN's ``h.datastore_dictionary`` (read by the table preview's column heads
    and the resource page's data dictionary) with labels and notes in the page's
    language. The dictionary edit form reads ``datastore_info`` itself, so what it
    saves is never the localised copy."""
    return [dict(f, info=localized_info(f["info"])) if isinstance(f.get("info"), dict) else f
            for f in next_helper(resource_id, include_columns)]


def get_helpers() -> dict[str, Any]:
    """The template helpers of this module (registered by the ``koreanap`` plugin);
    ``datastore_dictionary`` is chained only when the datastore plugin, which owns
    it, is loaded (CKAN refuses to chain a helper that does not exist)."""
    helpers: dict[str, Any] = {"koreanap_column_labels": koreanap_column_labels,
                               "koreanap_schema_columns": koreanap_schema_columns}
    if p.plugin_loaded("datastore"):
        helpers["datastore_dictionary"] = datastore_dictionary
    return helpers
