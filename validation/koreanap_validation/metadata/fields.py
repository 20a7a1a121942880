"""Column metadata of a data package: every Table Schema field should have a
``title`` (its Korean column name, as data.go.kr shows columns). A field
without one is a metadata warning, in the same list as the SHACL results, so
``koreanap validate`` reports it whichever engine read the tables.

How the data dictionary is written (``title`` Korean, ``koreanap:title_en``,
``description`` English, ``koreanap:description_ko``): validation/koreanap_validation/README.md.
"""
from __future__ import annotations

from typing import Any

RULE = "field-title"


def untitled_fields(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """One warning per tabular field that has no ``title``.

    :param descriptor: a data package descriptor (dict)
    :returns: result dicts shaped as the SHACL results (``path``, ``message``,
        ``severity`` "Warning", ``focus`` ``resource.field``, ``value``,
        ``constraint``), in the package's order
    """
    found = []
    for index, resource in enumerate(descriptor.get("resources") or []):
        if not isinstance(resource, dict):
            continue
        schema = resource.get("schema")
        if not isinstance(schema, dict):  # a schema given as a path is read elsewhere
            continue
        name = resource.get("name") or "resource %d" % (index + 1)
        for field in schema.get("fields") or []:
            if not isinstance(field, dict):
                continue
            title = field.get("title")
            if isinstance(title, str) and title.strip():
                continue
            found.append({
                "path": "resources[%s].schema.fields[%s].title" % (name, field.get("name")),
                "focus": "%s.%s" % (name, field.get("name")),
                "message": ("field %r of resource %r has no title: give its Korean column "
                            "name (and koreanap:title_en, koreanap:description_ko), so "
                            "previews and the DataStore data dictionary can show it"
                            % (field.get("name"), name)),
                "severity": "Warning",
                "value": None,
                "constraint": RULE,
            })
    return found
