"""A dataset read for a write shows the dataset as it is now.

CKAN's write actions read the dataset (``package_show``) and then place its
resources by the positions they read. ``package_show`` returns the search
index's copy when that copy's ``metadata_modified`` is the dataset's. Two things
let an older copy pass that check, and a re-upload beside the validation job
then ended in ``IndexError`` in CKAN's ``package_resource_list_save`` (a 500):

- CKAN's session keeps the objects it loaded across commits
  (``expire_on_commit=False``), and its ``SELECT … FOR UPDATE`` does not
  refresh an object already loaded. A process that had read the dataset before
  (a web worker, the job) compared the index with the time it saw then, and
  built its dict from the fields it saw then: a write on it put them back.
- CKAN's ``resource_delete`` passes the dataset on as it read it, with its
  ``metadata_modified``, which ``package_update`` takes as the time to keep.
  The dataset lost a resource but kept its time, and a job that had read it
  before the removal and indexed it after left a copy that still matched.

So before each ``package_show`` the dataset's object, when this session holds
it with nothing of its own unsaved, is expired: its next use reads the row
again (after the lock, when the read is ``for_update``). And a
``package_update`` whose ``metadata_modified`` only repeats the stored one is
given none, so CKAN stamps the change as its other write actions do.
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy.orm.util import identity_key


def _held(reference: Any) -> model.Package | None:
    """The dataset's object if this session holds it (by id or name), loading nothing."""
    if not isinstance(reference, str) or not reference:
        return None
    held = model.Session.identity_map.get(identity_key(model.Package, reference))
    if held is None:
        held = next((obj for obj in list(model.Session.identity_map.values())
                     if isinstance(obj, model.Package)
                     and sa.inspect(obj).dict.get("name") == reference), None)
    return held


def _expire_held(reference: Any) -> None:
    held = _held(reference)
    if held is not None and sa.inspect(held).persistent \
            and not model.Session.is_modified(held):
        model.Session.expire(held)


def _as_time(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None


@tk.chained_action
@tk.side_effect_free
def package_show(up_func, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's ``package_show`` of the dataset as the database has it now."""
    _expire_held(data_dict.get("id") or data_dict.get("name_or_id"))
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's ``package_update``; a ``metadata_modified`` equal to the stored one is
    dropped, so a change moves it (a sysadmin can still set another time)."""
    passed = data_dict.get("metadata_modified")
    if passed:
        reference = data_dict.get("id") or data_dict.get("name")
        _expire_held(reference)
        stored = model.Package.get(reference) if isinstance(reference, str) else None
        if stored is not None and _as_time(passed) == stored.metadata_modified:
            data_dict.pop("metadata_modified")
    return up_func(context, data_dict)


def actions() -> dict[str, Any]:
    return {"package_show": package_show, "package_update": package_update}
