"""Declaring the catalogue's frictionless error types (used by every rule
module), and which cells frictionless already reported.

A module of its own so the rule modules and ``checks`` (which selects their
errors by type) can all import it without importing each other.
"""
from __future__ import annotations

import sys
import types
from typing import Any

import attrs
from frictionless import errors

ROW_TEMPLATE = 'Row {rowNumber}, field "{fieldName}": {note}'


def declare_error(name: str, type: str, title: str, description: str, *, doc: str,
                  template: str = ROW_TEMPLATE,
                  base: type[errors.Error] = errors.CellError) -> type[errors.Error]:
    """Declare one of the catalogue's frictionless error types in one call.

    The same as writing ``class <name>(<base>)`` with these attributes
    (decorated as frictionless asks of an error class), tagged ``#koreanap``
    after the base's tags, so a check lists it in ``Errors`` and
    :class:`KoreanapPlugin` selects it by ``type``.

    :param name: the class name; assign the result to a module attribute of that name
    :param type: the error type that reports carry (``koreanap-…``)
    :param title: the error's title
    :param description: what the rule asks, for report readers
    :param doc: the class docstring
    :param template: the message; by default a row error's
        ``Row <n>, field "<name>": <note>``
    :param base: ``errors.CellError`` (an error about one cell of a row, the
        default) or ``errors.TableError`` (the whole table)
    :returns: the error class
    """
    attributes = {
        "__doc__": doc,
        # like collections.namedtuple: the class belongs to the declaring module
        "__module__": sys._getframe(1).f_globals["__name__"],
        "type": type,
        "title": title,
        "description": description,
        "template": template,
        "tags": [*base.tags, "#koreanap"],
    }
    Class = types.new_class(name, (base,), exec_body=lambda ns: ns.update(attributes))
    return attrs.define(kw_only=True, repr=False)(Class)


def failed_cells(row: Any) -> set[str]:
    """The fields whose cell in ``row`` failed its Table Schema type or a
    constraint (frictionless reports those), so a rule does not report the
    same fault again: a negative concentration is a ``minimum`` error, not
    also "below the LOD".

    :param row: a frictionless row (or the column-at-a-time path's stand-in)
    """
    names = set(row.error_cells)
    names.update(e.field_name for e in row.errors if e.type == errors.ConstraintError.type)
    return names
