"""Publish a validated data package to a catalogue through its action API.

Used by ``koreanap publish`` (over HTTP with ckanapi's ``RemoteCKAN``) and
by the catalogue's "Upload data package" page (in process with
``LocalCKAN`` as the uploading user), so both do exactly the same. No
``ckan`` import here.

Every object is shown first and then created or patched only when it
differs, so a second run prints ``unchanged`` for everything. A resource
is matched by its data package name; its file by SHA-256 (kept in the
resource's ``hash``). Only changed resources are replaced and resources no
longer in the package are removed. The catalogue then validates the
dataset itself (same rules) and loads its tables into the DataStore, in its
job worker: the publisher queues that job and reads the validation state
until nothing is pending (bounded by ``validation_timeout``).
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from koreanap_validation.filehash import sha256_of

from . import datapackage as dp

# Fields an editor may fill in the catalogue when the package leaves them out.
_DEFAULTED = {"lead_division", "ogp_values"}


class PublishError(Exception):
    """Publishing stopped: ``message`` is one line; ``done`` lists what was changed;
    ``hint`` is advice for the ``koreanap`` command's user (options, environment,
    commands to run), which the upload page does not show."""

    def __init__(self, message: str, done: list[str] | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.done = list(done or [])
        self.hint = hint

    def explain(self, hint: bool = True) -> str:
        """The message (with the command-line hint unless ``hint`` is false) plus
        exactly what the run changed before it stopped."""
        message = "{} ({})".format(self.message, self.hint) if hint and self.hint else \
            self.message
        if not self.done:
            return "{}; the catalogue was not changed".format(message)
        return "{}; changed before it stopped: {}".format(message, "; ".join(self.done))


@dataclass
class Result:
    """What one publish did: ``lines`` as printed, ``changed`` true if anything changed."""

    lines: list[str] = field(default_factory=list)
    changed: bool = False
    dataset: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None


def _same(current: Any, wanted: Any) -> bool:
    if wanted in (None, "", []) and current in (None, "", []):
        return True
    if isinstance(wanted, list) and isinstance(current, str):
        try:
            current = json.loads(current)
        except ValueError:
            return False
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(map(str, wanted)) == sorted(map(str, current))
    return str(current) == str(wanted) if current is not None else False


def dataset_changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from the catalogue's ``current`` dataset."""
    changes = {}
    for key, value in wanted.items():
        if key == "tags":
            if sorted(t["name"] for t in current.get("tags") or []) != sorted(
                    t["name"] for t in value):
                changes[key] = value
        elif key == "owner_org":
            org = current.get("organization") or {}
            if value not in (org.get("name"), org.get("id")):
                changes[key] = value
        elif value is None and key in _DEFAULTED:
            continue
        elif not _same(current.get(key), value):
            changes[key] = value
    return changes


class Publisher:
    """Publishes packages through ``ckan`` (a ckanapi RemoteCKAN or LocalCKAN).

    :param echo: called with each line to print
    :param dry_run: show what would change, change nothing
    :param retries: tries per call on network errors (with backoff)
    :param backoff: seconds before the first retry (doubled each time)
    :param progress: ``progress(label, done_bytes, total_bytes)`` during uploads
    :param validation_timeout: seconds to wait for the catalogue's validation
        job before giving up with a PublishError (what was published stays)
    :param sleep: how to wait between two looks at the validation state
    """

    def __init__(self, ckan: Any, *, echo: Callable[[str], None] = print,
                 dry_run: bool = False, retries: int = 4, backoff: float = 1.0,
                 progress: Callable[[str, int, int], None] | None = None,
                 validation_timeout: float = 3600.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.ckan = ckan
        self.echo = echo
        self.dry_run = dry_run
        self.retries = max(1, retries)
        self.backoff = backoff
        self.progress = progress
        self.validation_timeout = validation_timeout
        self.sleep = sleep
        self.done: list[str] = []

    # -- calls ---------------------------------------------------------------

    def _call(self, action: str, files: dict | None = None, **data: Any) -> Any:
        """One action, retried with backoff on network errors; refusals are PublishError."""
        import ckanapi

        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                if files:
                    return self.ckan.call_action(action, data, files=files)
                return self.ckan.call_action(action, data)
            except ckanapi.NotFound:
                raise
            except ckanapi.NotAuthorized as error:
                raise PublishError(
                    "the catalogue refused {} (403 not authorized): {}".format(
                        action, _first_line(error)), self.done,
                    hint="check the API token (KOREANAP_API_TOKEN) and that its user may "
                         "edit datasets of this organization") from None
            except ckanapi.ValidationError as error:
                raise PublishError("the catalogue refused {}: {}".format(
                    action, _validation_text(error)), self.done) from None
            except ckanapi.CKANAPIError as error:
                if not _transient(error) or attempt == self.retries:
                    raise PublishError("the catalogue failed on {}: {}".format(
                        action, _first_line(error)), self.done) from None
            except OSError as error:  # requests' ConnectionError/Timeout are OSErrors
                if attempt == self.retries:
                    raise PublishError("network error on {} after {} tries: {}".format(
                        action, attempt, _first_line(error)), self.done) from None
            if files:
                for fh in files.values():
                    fh.seek(0)
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _show(self, action: str, **data: Any) -> dict | None:
        import ckanapi

        try:
            return self._call(action, **data)
        except ckanapi.NotFound:
            return None

    def _say(self, line: str, result: Result) -> None:
        result.lines.append(line)
        self.echo(line)

    # -- publish -------------------------------------------------------------

    def publish(self, descriptor: dict[str, Any], basepath: str,
                organization: str | None = None) -> Result:
        """Create or update the organization, dataset and resources of one package.

        :param descriptor: the validated ``datapackage.json`` dict
        :param basepath: folder its resource paths are relative to
        :param organization: organization name (default: from ``koreanap:publisher``)
        :raises PublishError: refused, or network errors outlasted the retries
        """
        result = Result()
        self.done = []
        org = self._organization(descriptor, organization, result)
        wanted = dp.descriptor_to_dataset(descriptor, owner_org=org)
        name = wanted["name"]
        if not name:
            raise PublishError("the package has no name")
        current = self._show("package_show", id=name)
        if current is None:
            if self.dry_run:
                self._say("dataset {}: would be created".format(name), result)
            else:
                current = self._call("package_create", **{k: v for k, v in wanted.items()
                                                         if v is not None})
                self.done.append("dataset {} created".format(name))
                self._say("dataset {}: created".format(name), result)
            result.changed = True
        else:
            changes = dataset_changes(current, wanted)
            if current.get("state") == "deleted":
                changes["state"] = "active"
            if not changes:
                self._say("dataset {}: unchanged".format(name), result)
            elif self.dry_run:
                self._say("dataset {}: would be updated ({})".format(
                    name, ", ".join(sorted(changes))), result)
                result.changed = True
            else:
                current = self._call("package_patch", id=current["id"], **changes)
                self.done.append("dataset {} updated ({})".format(name, ", ".join(
                    sorted(changes))))
                self._say("dataset {}: updated ({})".format(name, ", ".join(sorted(changes))),
                          result)
                result.changed = True
        resources_changed = self._resources(descriptor, Path(basepath), current, result)
        result.changed = result.changed or resources_changed
        if self.dry_run or current is None:
            return result
        result.validation = self._validate(current, resources_changed, result)
        result.dataset = current
        return result

    def _organization(self, descriptor: dict, name: str | None, result: Result) -> str:
        found = dp.organization_for(descriptor)
        if name:
            org = {"name": name, "title": (found or {}).get("title") or name}
        elif found:
            org = found
        else:
            raise PublishError("cannot tell the package's organization from koreanap:publisher",
                               hint="give it with --organization")
        current = self._show("organization_show", id=org["name"])
        if current is not None and current.get("state") != "deleted":
            if not self.dry_run:
                self._check_editor(org["name"])
            self._say("organization {}: unchanged".format(org["name"]), result)
            return org["name"]
        if self.dry_run:
            self._say("organization {}: would be created".format(org["name"]), result)
        else:
            self._call("organization_create", name=org["name"], title=org["title"])
            self.done.append("organization {} created".format(org["name"]))
            self._say("organization {}: created".format(org["name"]), result)
        result.changed = True
        return org["name"]

    def _check_editor(self, org: str) -> None:
        """Refuse before any change unless the token's user may publish in ``org``.

        A wrong or expired token makes CKAN treat the caller as anonymous, and
        an unchanged package would then "succeed" without any write: ask first.
        """
        allowed = self._call("organization_list_for_user", permission="create_dataset")
        if org not in {o.get("name") for o in allowed or []}:
            raise PublishError(
                "the catalogue refused (403 not authorized): the user may not publish in "
                "organization {}".format(org), self.done,
                hint="a wrong or expired KOREANAP_API_TOKEN, or a user who is not an editor "
                     "of {}".format(org))

    def _resources(self, descriptor: dict, base: Path, dataset: dict | None,
                   result: Result) -> bool:
        existing = {r.get("datapackage_name") or r.get("name"): r
                    for r in (dataset or {}).get("resources") or []}
        plan = []
        for resource in descriptor.get("resources") or []:
            wanted = dp.descriptor_resource(resource)
            path = base / str(resource.get("path") or "")
            if not isinstance(resource.get("path"), str) or not path.is_file():
                raise PublishError("resource {} has no local file at {}".format(
                    resource.get("name"), resource.get("path")), self.done)
            plan.append((wanted, path, existing.pop(wanted["datapackage_name"], None)))
        total = sum(p.stat().st_size for w, p, cur in plan)
        sent = 0
        changed = False
        order = []
        for wanted, path, current in plan:
            label = "resource {}".format(wanted["datapackage_name"])
            sha = sha256_of(path)
            if current is None:
                verb = "created"
            else:
                meta = {k: v for k, v in wanted.items() if not _same(current.get(k), v)}
                same_file = current.get("hash") == sha and current.get("url_type") == "upload"
                verb = "unchanged" if not meta and same_file else (
                    "replaced" if not same_file else "updated")
            if verb == "unchanged":
                self._say("{}: unchanged".format(label), result)
                order.append(current["id"])
                sent += path.stat().st_size
                continue
            changed = True
            if self.dry_run:
                self._say("{}: would be {}".format(label, verb), result)
                continue
            if verb == "updated":
                new = self._call("resource_patch", id=current["id"], **meta)
            else:
                data = {k: v for k, v in wanted.items() if v is not None}
                data.update(hash=sha, url=path.name)
                if self.progress:
                    self.progress(path.name, sent, total)
                with path.open("rb") as fh:
                    if current is None:
                        new = self._call("resource_create", files={"upload": fh},
                                         package_id=dataset["id"], **data)
                    else:
                        new = self._call("resource_update", files={"upload": fh},
                                         id=current["id"], **data)
            sent += path.stat().st_size
            if self.progress:
                self.progress(path.name, sent, total)
            order.append(new["id"])
            self.done.append("{} {}".format(label, verb))
            self._say("{}: {}".format(label, verb), result)
        for name, gone in existing.items():
            changed = True
            if self.dry_run:
                self._say("resource {}: would be removed".format(name), result)
                continue
            self._call("resource_delete", id=gone["id"])
            self.done.append("resource {} removed".format(name))
            self._say("resource {}: removed".format(name), result)
        if not self.dry_run and dataset is not None and order:
            now = [r["id"] for r in (dataset.get("resources") or []) if r["id"] in order]
            if changed or now != order:
                self._call("package_resource_reorder", id=dataset["id"], order=order)
        return changed

    def _validate(self, dataset: dict, changed: bool, result: Result) -> dict:
        """Have the catalogue validate the dataset (when something changed or is not valid)."""
        state = self._call("koreanap_dataset_validation_show", id=dataset["id"])
        if changed or state.get("status") != "valid" or state.get("score") is None:
            queued = self._call("koreanap_package_validate", id=dataset["id"])
            state = self._wait_for_validation(dataset, queued)
        score = state.get("score") or {}
        line = "validation {}: {}".format(dataset["name"], state.get("status"))
        if score:
            line += "; metadata score {}/{} ({})".format(score.get("total"), score.get("max"),
                                                        score.get("band"))
        if changed:
            self._say(line, result)
        if state.get("status") not in ("valid", None):
            bad = ["{} ({})".format(r.get("name"), r.get("status"))
                   for r in state.get("resources", []) if r.get("status") != "valid"]
            raise PublishError("the catalogue's validation of {} found problems: {}".format(
                dataset["name"], ", ".join(bad)), self.done)
        return state


    def _wait_for_validation(self, dataset: dict, state: dict) -> dict:
        """Read the validation state until no resource is pending (the catalogue's job
        validates; the request only queued it), for at most ``validation_timeout`` s."""
        started = time.monotonic()
        pause = 0.5
        while _pending(state):
            waited = time.monotonic() - started
            if state.get("workers") == 0 and waited >= _NO_WORKER_GRACE:
                raise PublishError(
                    "the catalogue has no job worker running, so the validation of {} "
                    "stays pending".format(dataset["name"]), self.done,
                    hint="start one (ckan koreanap-jobs worker; scripts/serve does) and run "
                         "publish again")
            if waited >= self.validation_timeout:
                raise PublishError(
                    "the catalogue is still validating {} after {:.0f} s; its validation "
                    "page shows the result when the job ends".format(dataset["name"], waited),
                    self.done, hint="run publish again to see it here")
            self.sleep(pause)
            pause = min(pause * 1.5, 5.0)
            state = self._call("koreanap_dataset_validation_show", id=dataset["id"])
        return state


# Seconds to wait before saying that no worker runs (one may be starting).
_NO_WORKER_GRACE = 30.0


def _pending(state: dict) -> bool:
    return state.get("status") == "pending" or any(
        r.get("status") == "pending" for r in state.get("resources") or [])


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    if isinstance(getattr(error, "args", None), tuple) and error.args:
        first = error.args[0]
        if isinstance(first, dict):
            text = first.get("message") or json.dumps(first, ensure_ascii=False)
    return (text.splitlines() or [error.__class__.__name__])[0][:300]


def _validation_text(error: Exception) -> str:
    detail = error.error_dict if hasattr(error, "error_dict") else (
        error.args[0] if error.args else {})
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            if key == "__type":
                continue
            parts.append("{}: {}".format(key, "; ".join(map(str, value))
                                         if isinstance(value, list) else value))
        return ", ".join(parts)[:500] or str(error)
    return str(detail)[:500]


def _transient(error: Exception) -> bool:
    """502/503/504 and empty or non-JSON answers from a proxy are worth retrying."""
    text = str(error)
    return any(code in text for code in ("502", "503", "504")) or "JSON" in text


def environ_token() -> str | None:
    """The API token from ``KOREANAP_API_TOKEN`` (None when unset or blank)."""
    return (os.environ.get("KOREANAP_API_TOKEN") or "").strip() or None
