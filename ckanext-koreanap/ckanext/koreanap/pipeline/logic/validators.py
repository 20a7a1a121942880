"""Validators of the dataset schema (``schemas/dataset.yaml``); all named ``koreanap_*``."""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

from koreanap_client import datapackage as dp

from ... import config
from .. import fetch
from .. import model as kmodel

Invalid = tk.Invalid
missing = tk.missing

# Free-mail providers: an address there is a person's, never an agency's role
# mailbox (the same list as the SHACL shape's, validation/koreanap_validation/metadata/shapes).
FREE_MAIL = (
    "gmail.com", "naver.com", "daum.net", "hanmail.net", "kakao.com", "nate.com",
    "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com", "yahoo.co.kr",
    "icloud.com", "me.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "mail.ru",
    "qq.com", "163.com",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def koreanap_commitment(value: Any, context: dict) -> Any:
    """An OGP commitment id of the plan (``KR0043``), when the commitments are known."""
    if _empty(value):
        return value
    known = dp.commitments(config.commitments_package())
    if known and not any(c["ogp_id"] == str(value) for c in known):
        raise Invalid(tk._("Unknown commitment {value}; expected one of {ids}").format(
            value=value, ids=", ".join(c["ogp_id"] for c in known)))
    return str(value)


def koreanap_role_mailbox(value: Any, context: dict) -> Any:
    """An e-mail address that is not at a free-mail provider (a role mailbox)."""
    if _empty(value):
        return value
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL.match(text):
        raise Invalid(tk._("{value} is not an e-mail address").format(value=text))
    domain = text.rsplit("@", 1)[1].lower()
    if domain in FREE_MAIL:
        raise Invalid(tk._("{value} is a personal free-mail address; give the agency's role "
                           "mailbox (e.g. opendata@agency.go.kr)").format(value=text))
    return text


def koreanap_json_text(value: Any, context: dict) -> Any:
    """JSON text of an object (a dict given through the API is turned into text)."""
    if _empty(value):
        return value
    if isinstance(value, dict):
        return dp.canonical_json(value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError) as error:
        raise Invalid(tk._("Not valid JSON: {error}").format(error=error))
    if not isinstance(parsed, dict):
        raise Invalid(tk._("Expected a JSON object"))
    return value


def koreanap_relative_path(value: Any, context: dict) -> Any:
    """A path inside the data package: relative, no ``..``, no URL."""
    if _empty(value):
        return value
    text = str(value)
    parts = text.replace("\\", "/").split("/")
    if text.startswith(("/", "\\")) or ".." in parts or "://" in text or re.match(
            r"^[A-Za-z]:", text):
        raise Invalid(tk._("{value} is not a path inside the data package").format(value=text))
    return text


def koreanap_safe_url(key, data, errors, context) -> None:
    """A linked resource URL must be public http(s): no ``file://``, no private addresses."""
    value = data.get(key)
    if _empty(value):
        return
    url_type = data.get(key[:-1] + ("url_type",))
    if url_type == "upload" or url_type == "datastore":
        return
    reason = fetch.refusal(str(value))
    if reason:
        errors[key].append(tk._("Refused URL {url}: {reason}").format(url=value, reason=reason))


def koreanap_public_guard(key, data, errors, context) -> None:
    """A dataset cannot be made public while one of its resources is invalid."""
    if not config.public_requires_valid():
        return
    private = data.get(("private",))
    package_id = data.get(("id",))
    if _empty(package_id) or private in (True, "True", "true") or _empty(private):
        return
    from ckan import model

    current = model.Package.get(package_id)
    if current is None:
        return
    invalid = [s for s in kmodel.statuses_of(current.id).values() if s["status"] == "invalid"]
    if not invalid or not current.private:
        return  # already public, or nothing invalid: not our business here
    names = {r.id: r.name or r.id for r in current.resources}
    errors.setdefault(("private",), []).append(tk._(
        "This dataset cannot be made public while a resource is invalid: {names}; "
        "fix it (see its validation report) and try again").format(
        names=", ".join(sorted(names.get(s["resource_id"], s["resource_id"])
                               for s in invalid))))
