"""What the "Upload data package" page (and its action) tells a user when it refuses.

The messages come from code that also serves the ``koreanap`` command:
they may name files by their path on the server (the upload's work folder,
a temporary folder a zip was unpacked to) and give command-line advice
(``--max-unpacked-bytes``, ``KOREANAP_API_TOKEN``, ``ckan koreanap-jobs worker``).
Neither means anything to a web user, and paths tell an attacker about the
server, so :func:`public_text` keeps the file's own name and drops the
advice; the full text goes to the log.

The refusals are ``ValidationError`` subclasses, so the API answers them as
before (409 with the field named) while the page picks its HTTP status.
"""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk


class UploadRefused(tk.ValidationError):
    """The upload is bad input (400 on the page)."""

    status = 400


class UploadTooLarge(UploadRefused):
    """The upload is over the size limit (413)."""

    status = 413


class PublishConflict(UploadRefused):
    """The package is fine but publishing it conflicts with the catalogue's state
    (another organization's dataset, validation still running): 409."""

    status = 409


class CannotValidate(UploadRefused):
    """The catalogue cannot validate right now: its fault, not the data's (503)."""

    status = 503


# A parenthesis or clause that advises an option or a variable of the command line.
_HINTS = re.compile(r"\s*\([^()]*(?:\s--[a-z]|KOREANAP_[A-Z_]+|ckan jobs|scripts/)[^()]*\)"
                    r"|;\s*(?:give|pass|raise|use) [^;]*--[a-z][^;]*")
# The folders of an absolute path (kept: the file's own name), not inside a URL.
_FOLDERS = re.compile(r"(?<![\w:/.~-])/(?:[^\s'\"/:;,()]+/)+")


def public_text(text: str, names: dict[str, str] | None = None) -> str:
    """``text`` without server paths and command-line hints.

    :param names: server path -> what to say instead (e.g. the upload's work
        file -> the name the user uploaded it under); longest replaced first
    """
    out = str(text)
    for path, name in sorted((names or {}).items(), key=lambda item: -len(item[0])):
        out = out.replace(path, name)
    out = _HINTS.sub("", out)
    return _FOLDERS.sub("", out)
