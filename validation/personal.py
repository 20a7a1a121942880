"""Find and mask personal data in text: resident registration numbers (RRN,
주민등록번호), Korean phone numbers and e-mail addresses.

Masked forms are what the Korean de-identification practice publishes
(``711231-*******``, ``010-****-5678``), so they pass; everything reported
goes through :func:`mask_text` first, so no report ever carries the value
found.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

#: The kinds of personal data this module knows, in reporting order.
KINDS = ("rrn", "phone", "email")

KIND_LABELS = {
    "rrn": "resident registration number",
    "phone": "phone number",
    "email": "e-mail address",
}

# YYMMDD, optional hyphen, gender/century digit 1-8, six more digits. Letters
# and digits around it mean it is part of a longer identifier (hashes, codes).
_RRN = re.compile(
    r"(?<![0-9A-Za-z])(\d{2})(\d{2})(\d{2})(\s?-\s?|)([1-8])(\d{6})(?![0-9A-Za-z])"
)

# Mobile 010/011/016-019, Seoul 02, the other area codes 031-064, internet
# phone 070; domestic (0…) or international (+82 / 0082, optional "(0)").
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?P<prefix>(?:\+|00)82[-. ]?(?:\(0\)[-. ]?)?|0)"
    r"(?P<area>1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)"
    r"(?P<sep1>[-. )]?|\) ?)"
    r"(?P<middle>\d{3,4})"
    r"(?P<sep2>[-. ]?)"
    r"(?P<last>\d{4})"
    r"(?![\d])"
)

# A local part glued to asterisks (``k***@…``) is already masked.
_EMAIL = re.compile(
    r"(?<![\w.*%+\-])"
    r"(?P<local>[A-Za-z0-9][A-Za-z0-9._%+\-]*)"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})"
)

# For column-at-a-time validation (fast.py): a pattern for pyarrow's RE2
# engine that every cell holding personal data matches, so cells that do not
# match can skip the Python search. It is the three patterns above without
# their look-arounds (RE2 has none; dropping one only widens a pattern), with
# Python's ASCII whitespace for \s, or-ed with "any non-ASCII character"
# (Python's \d and \s also match Unicode digits and spaces; RE2's do not).
_LOOKAROUND = re.compile(r"\(\?<?[!=][^()]*\)")


def _candidate_pattern() -> str:
    parts = [_LOOKAROUND.sub("", p.pattern).replace(r"\s", r"[\s\x0b\x1c-\x1f]")
             for p in (_RRN, _PHONE, _EMAIL)]
    return "|".join([r"[^\x00-\x7f]", *parts])


#: RE2 pattern matched by every text in which :func:`find_personal_data`
#: can find something (a necessary condition, not a finding).
CANDIDATE_PATTERN = _candidate_pattern()

_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900,
            "3": 2000, "4": 2000, "7": 2000, "8": 2000}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text.

    :param kind: ``rrn``, ``phone`` or ``email``
    :param start: offset of the match in the text
    :param end: offset just after the match
    :param masked: the match, masked (safe to print)
    """

    kind: str
    start: int
    end: int
    masked: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _plausible_rrn(match: re.Match) -> bool:
    yy, mm, dd, _sep, gender, _rest = match.groups()
    year = _CENTURY[gender] + int(yy)
    try:
        datetime.date(year, int(mm), int(dd))
    except ValueError:
        return False
    return True


def _mask_digits(text: str, keep: int) -> str:
    """Keep the first ``keep`` digits of ``text`` and star the other digits."""
    out, seen = [], 0
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_rrn(value: str) -> str:
    """Mask a resident registration number: ``711231-1234567`` → ``7112**-*******``.

    Only the birth year and month stay, as in the usual published form.
    """
    return _mask_digits(value, 4)


def mask_phone(value: str) -> str:
    """Mask a phone number's middle group: ``010-1234-5678`` → ``010-****-5678``.

    A value that is not a recognised phone number has all but its last four
    digits starred.
    """
    match = _PHONE.fullmatch(value.strip())
    if not match:
        digits = sum(ch.isdigit() for ch in value)
        return _mask_digits(value, 0) if digits <= 4 else _mask_tail(value, 4)
    return (
        match["prefix"] + match["area"] + match["sep1"]
        + "*" * len(match["middle"]) + match["sep2"] + match["last"]
    )


def _mask_tail(value: str, visible: int) -> str:
    """Star every digit except the last ``visible`` ones."""
    total = sum(ch.isdigit() for ch in value)
    return _mask_digits_from(value, total - visible)


def _mask_digits_from(value: str, hide: int) -> str:
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append("*" if seen <= hide else ch)
        else:
            out.append(ch)
    return "".join(out)


def mask_email(value: str) -> str:
    """Mask an e-mail address's local part: ``kim.minsu@example.org`` → ``k***@example.org``."""
    local, sep, domain = value.partition("@")
    if not sep:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"


_MASKERS = {"rrn": mask_rrn, "phone": mask_phone, "email": mask_email}


def find_personal_data(text: str, kinds: Iterable[str] = KINDS) -> list[Finding]:
    """Find unmasked personal data in ``text``.

    :param text: any cell text
    :param kinds: which kinds to look for (default: all of :data:`KINDS`)
    :returns: findings in text order, none overlapping; an RRN wins over a
        phone number read inside it
    """
    if not text:
        return []
    kinds = set(kinds)
    has_digit = any(ch.isdigit() for ch in text)
    found: list[Finding] = []
    if "rrn" in kinds and has_digit:
        for m in _RRN.finditer(text):
            if _plausible_rrn(m):
                found.append(Finding("rrn", m.start(), m.end(), mask_rrn(m.group())))
    if "email" in kinds and "@" in text:
        for m in _EMAIL.finditer(text):
            found.append(Finding("email", m.start(), m.end(), mask_email(m.group())))
    if "phone" in kinds and has_digit:
        for m in _PHONE.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            found.append(Finding("phone", m.start(), m.end(), mask_phone(m.group())))
    found.sort(key=lambda f: f.start)
    return found


def mask_text(text: str | None, kinds: Iterable[str] = KINDS) -> str | None:
    """Return ``text`` with every piece of personal data in it masked.

    Use on anything that goes into a message or report (values, notes,
    frictionless messages that quote a cell).
    """
    if not text:
        return text
    findings = find_personal_data(text, kinds)
    if not findings:
        return text
    out, pos = [], 0
    for f in findings:
        out.append(text[pos:f.start])
        out.append(f.masked)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def mask_value(kind: str, value: str) -> str:
    """Mask ``value`` as the given kind (``rrn``, ``phone`` or ``email``)."""
    return _MASKERS[kind](value)


def iter_kinds(findings: Iterable[Finding]) -> Iterator[str]:
    """The distinct kinds among ``findings``, in :data:`KINDS` order."""
    present = {f.kind for f in findings}
    return (k for k in KINDS if k in present)
