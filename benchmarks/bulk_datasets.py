"""Write generated datasets straight into CKAN's tables, in batches, for
catalogues too large to create through ``package_create`` (100,000 at 4.4/s
would take six hours).

The rows are the ones ``package_create`` writes for the same data dict and
``package_show`` reads back: ``package`` (schema fields and extras in its
``extras`` column), ``resource`` (undeclared core fields such as ``schema`` in
its ``extras``), ``tag``/``package_tag`` and ``member`` (groups, and the owner
organization with capacity ``organization``). They are written with CKAN's
own table objects through SQLAlchemy core. What ``package_create`` writes
beside them and neither reads is left out: the activity stream entry and the
default resource views. :func:`check_against_package_create` compares the two
paths' ``package_show`` for one dataset; ``benchmarks/search.py --bulk`` runs
it before every bulk load.

Nothing here indexes: the datasets are then indexed through CKAN's own
``index_update_package`` (``package_show`` → ``index_package``), so each
index document is the real one.
"""
from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

# package_show keys that differ between any two datasets whatever path made them.
VOLATILE = {"id", "package_id", "metadata_created", "metadata_modified", "created",
            "revision_id", "last_modified", "name"}

# Scheming fields package_create keeps in the package's extras column.
_CORE_PACKAGE = {"name", "title", "notes", "owner_org", "groups", "tags", "license_id",
                 "private", "resources", "extras", "url", "version", "author",
                 "author_email", "maintainer", "maintainer_email", "type", "state"}
_CORE_RESOURCE = {"url", "format", "description", "name", "resource_type", "mimetype",
                  "mimetype_inner", "size", "hash", "last_modified", "cache_url",
                  "cache_last_updated", "url_type"}


class Ids:
    """Organization, group, tag and user ids by name, read once; new tags are
    created as they are first needed."""

    def __init__(self, admin: str) -> None:
        from ckan import model

        rows = model.Session.query(model.Group.name, model.Group.id).filter(
            model.Group.state == "active").all()
        self.groups = dict(rows)
        self.tags = dict(model.Session.query(model.Tag.name, model.Tag.id).filter(
            model.Tag.vocabulary_id.is_(None)).all())
        self.admin = model.User.get(admin).id
        self.new_tags: list[dict[str, Any]] = []

    def tag(self, name: str) -> str:
        if name not in self.tags:
            self.tags[name] = str(uuid.uuid4())
            self.new_tags.append({"id": self.tags[name], "name": name,
                                  "vocabulary_id": None})
        return self.tags[name]


def rows_for(data: dict[str, Any], ids: Ids,
             now: datetime.datetime) -> dict[str, list[dict[str, Any]]]:
    """The table rows of one dataset (a ``package_create`` data dict)."""
    package_id = str(uuid.uuid4())
    extras = {k: v for k, v in data.items() if k not in _CORE_PACKAGE}
    extras.update({e["key"]: e["value"] for e in data.get("extras") or []})
    org = ids.groups[data["owner_org"]]
    package = {
        "id": package_id, "name": data["name"], "title": data.get("title"),
        "version": None, "url": None, "author": None, "author_email": None,
        "maintainer": None, "maintainer_email": None, "notes": data.get("notes"),
        "license_id": data.get("license_id"), "type": "dataset", "owner_org": org,
        "creator_user_id": ids.admin, "metadata_created": now, "metadata_modified": now,
        "private": bool(data.get("private")), "state": "active", "plugin_data": None,
        "extras": {k: str(v) for k, v in extras.items()},
    }
    resources = []
    for position, res in enumerate(data.get("resources") or []):
        res_extras = {k: v for k, v in res.items() if k not in _CORE_RESOURCE}
        resources.append({
            "id": str(uuid.uuid4()), "package_id": package_id, "url": res["url"],
            "format": res.get("format"), "description": res.get("description"),
            "hash": "", "position": position, "name": res.get("name"),
            "resource_type": None, "mimetype": None, "mimetype_inner": None, "size": None,
            "created": now, "last_modified": None, "metadata_modified": now,
            "cache_url": None, "cache_last_updated": None, "url_type": None,
            "extras": json.dumps(res_extras, ensure_ascii=False) if res_extras else None,
            "state": "active"})
    package_tags = [{"id": str(uuid.uuid4()), "package_id": package_id,
                     "tag_id": ids.tag(t["name"]), "state": "active"}
                    for t in data.get("tags") or []]
    members = [{"id": str(uuid.uuid4()), "table_name": "package", "table_id": package_id,
                "capacity": "public", "group_id": ids.groups[g["name"]], "state": "active"}
               for g in data.get("groups") or []]
    members.append({"id": str(uuid.uuid4()), "table_name": "package",
                    "table_id": package_id, "capacity": "organization", "group_id": org,
                    "state": "active"})
    return {"package": [package], "resource": resources, "package_tag": package_tags,
            "member": members}


def insert(datasets: list[dict[str, Any]], ids: Ids) -> list[str]:
    """Insert the datasets' rows in one transaction; return their package ids.
    The caller commits."""
    from ckan import model

    tables = {"package": model.package_table, "resource": model.resource_table,
              "package_tag": model.package_tag_table, "member": model.member_table}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    now = datetime.datetime.utcnow()
    for data in datasets:
        for name, table_rows in rows_for(data, ids, now).items():
            rows[name].extend(table_rows)
    if ids.new_tags:
        model.Session.execute(model.tag_table.insert(), ids.new_tags)
        ids.new_tags = []
    for name, table in tables.items():  # package first: the others refer to it
        if rows[name]:
            model.Session.execute(table.insert(), rows[name])
    return [p["id"] for p in rows["package"]]


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two package_show dicts differ, ids and timestamps aside."""
    a, b = _comparable(a), _comparable(b)
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append("%s.%s only in %s" % (path, key, "bulk" if key in a else
                                                 "package_create"))
            else:
                out.extend(differences(a[key], b[key], "%s.%s" % (path, key)))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        if all(isinstance(x, dict) for x in a + b):
            return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                    for d in differences(x, y, "%s[%d]" % (path, i))]
        key = lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)  # noqa: E731
        a, b = sorted(a, key=key), sorted(b, key=key)
    return [] if a == b else ["%s: bulk %r, package_create %r" % (path or ".", a, b)]


def check_against_package_create(data: dict[str, Any], ids: Ids, admin: str) -> list[str]:
    """Write ``data`` through both paths in turn and compare their
    ``package_show``; each is purged afterwards. Returns the differences."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    def show(name: str) -> dict[str, Any]:
        return tk.get_action("package_show")(
            {"ignore_auth": True, "user": admin, "use_cache": False}, {"id": name})

    def purge(name: str) -> None:
        tk.get_action("dataset_purge")({"ignore_auth": True, "user": admin}, {"id": name})

    insert([data], ids)
    model.Session.commit()
    bulk = show(data["name"])
    purge(data["name"])
    tk.get_action("package_create")({"ignore_auth": True, "user": admin}, dict(data))
    created = show(data["name"])
    purge(data["name"])
    model.Session.commit()
    return differences(bulk, created)
