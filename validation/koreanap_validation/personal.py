"""Find and mask personal data in text: resident registration numbers (RRN,
주민등록번호), Korean phone numbers and e-mail addresses.

Masked forms are what the Korean de-identification practice publishes
(``711231-*******``, ``010-****-5678``), so they pass; everything reported
goes through :func:`mask_text` first, so no report ever carries the value
found.
"""
from __future__ import annotations

import datetime
import decimal
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

# A local part glued to asterisks (``k***@…``) is already masked. Letters
# are any script's (``홍길동@example.kr``, ``kim@우리기관.kr``, ``.한국``), and
# a top-level domain may be punycode (``xn--3e0b707e``).
_EMAIL = re.compile(
    r"(?<![\w.*%+\-])"
    r"(?P<local>[^\W_][\w.%+\-]*)"
    r"@(?P<domain>[^\W_](?:[\w\-]*[^\W_])?"
    r"(?:\.[^\W_](?:[\w\-]*[^\W_])?)*\.(?:xn--[A-Za-z0-9\-]+|[^\W\d_]{2,}))"
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

#: RRNs issued from this day on end in random digits (no region code, no
#: check digit); numbers of people born before it carry the check digit.
RANDOM_DIGITS_FROM = datetime.date(2020, 10, 1)
_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

# Full-width forms (what Korean input methods type: ０-９, －, ＠, Ａ-ｚ), the
# ideographic space and other dashes, read as their ASCII characters one for
# one, so offsets into the original text stay valid for masking.
_ASCII_FORMS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_ASCII_FORMS.update({0x3000: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D,
                     0x2013: 0x2D, 0x2014: 0x2D, 0x2015: 0x2D, 0x2212: 0x2D,
                     0xFE63: 0x2D})

# Field names and titles that say a number column holds phone numbers or
# RRNs (an integer column loses the leading 0: 1012345678 is 010-1234-5678).
# Short English words only as a whole word (``tel_no``, not ``hotel``).
_PHONE_HINT = re.compile(r"phone|mobile|contact|(?<![a-z])(?:tel|hp|fax|cell)(?![a-z])"
                         r"|전화|연락|휴대|핸드폰|팩스", re.IGNORECASE)
_RRN_HINT = re.compile(r"rrn|ssn|jumin|resident|주민", re.IGNORECASE)
# A phone number without its leading 0: mobile 10/11/16-19, the area codes, 70.
_PHONE_WITHOUT_ZERO = re.compile(
    r"(?:10\d{8}|1[16789]\d{7,8}|2\d{7,8}|(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])\d{7,8}"
    r"|70\d{8})")

#: RE2 pattern matched by the raw text of every integer or number cell in
#: which :func:`find_in_number` can find something.
NUMBER_CANDIDATE_PATTERN = r"[0-9]{8}|[^\x00-\x7f]"


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
    possible: bool = False
    """An RRN-shaped number whose check digit fails: maybe a typo of a real
    number, maybe another identifier; reported with lower severity."""

    @property
    def label(self) -> str:
        label = KIND_LABELS[self.kind]
        return f"possible {label}" if self.possible else label


def rrn_status(digits: str, *, today: datetime.date | None = None) -> str | None:
    """What 13 digits are as a resident registration number.

    :param digits: the number without its hyphen
    :returns: ``"rrn"`` (a real birth date, not in the future, for the
        century the 7th digit gives, and the check digit right, or a birth
        on or after :data:`RANDOM_DIGITS_FROM`, whose numbers have none),
        ``"possible"`` (all that but a wrong check digit) or None
    """
    if len(digits) != 13 or not digits.isdigit():
        return None
    numbers = [int(d) for d in digits]
    century = _CENTURY.get(str(numbers[6]))
    if century is None:
        return None
    try:
        born = datetime.date(century + numbers[0] * 10 + numbers[1],
                             numbers[2] * 10 + numbers[3], numbers[4] * 10 + numbers[5])
    except ValueError:
        return None
    if born > (today or datetime.date.today()):
        return None
    if born >= RANDOM_DIGITS_FROM:
        return "rrn"
    total = sum(n * w for n, w in zip(numbers[:12], _RRN_WEIGHTS, strict=True))
    # Foreigners' registration numbers (7th digit 5-8) use another remainder.
    expected = (11 - total % 11) % 10 if numbers[6] <= 4 else (13 - total % 11) % 10
    return "rrn" if numbers[12] == expected else "possible"


def _other_identifier(digits: str, separated: bool) -> bool:
    """13 digits that are a corporate registration number (법인등록번호,
    weights 1,2,1,2…) or, written without a separator, an EAN-13 barcode
    (weights 1,3,1,3…; ``880…`` is Korea's GS1 prefix)."""
    numbers = [int(d) for d in digits]

    def check(weights: tuple[int, int]) -> int:
        total = sum(n * weights[i % 2] for i, n in enumerate(numbers[:12]))
        return (10 - total % 10) % 10

    return check((1, 2)) == numbers[12] or (not separated and check((1, 3)) == numbers[12])


_CORPORATE_CONTEXT = re.compile(r"법인|corporat", re.IGNORECASE)


def _rrn_finding(digits: str, separated: bool, start: int, end: int,
                 masked: str, report_possible: bool = True,
                 before: str = "") -> Finding | None:
    """The finding for RRN-shaped digits, or None. ``before``: the text just
    before them (a corporate number labelled as one is not an RRN)."""
    status = rrn_status(digits)
    if status and _CORPORATE_CONTEXT.search(before) and _other_identifier(digits, True):
        return None
    if status == "rrn":
        return Finding("rrn", start, end, masked)
    if status == "possible" and report_possible and not _other_identifier(digits, separated):
        return Finding("rrn", start, end, masked, possible=True)
    return None


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
    original = text
    if not text.isascii():
        text = text.translate(_ASCII_FORMS)  # one for one: offsets stay valid
    has_digit = any(ch.isdigit() for ch in text)
    found: list[Finding] = []
    if "rrn" in kinds and has_digit:
        for m in _RRN.finditer(text):
            yy, mm, dd, sep, gender, rest = m.groups()
            digits = str(int(yy + mm + dd + gender + rest)).zfill(13)  # any script's digits
            finding = _rrn_finding(digits, bool(sep), m.start(), m.end(),
                                   mask_rrn(original[m.start():m.end()]),
                                   before=text[max(0, m.start() - 20):m.start()])
            if finding:
                found.append(finding)
    if "email" in kinds and "@" in text:
        for m in _EMAIL.finditer(text):
            found.append(Finding("email", m.start(), m.end(),
                                 mask_email(original[m.start():m.end()])))
    if "phone" in kinds and has_digit:
        for m in _PHONE.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            found.append(Finding("phone", m.start(), m.end(),
                                 _mask_phone_match(m, original)))
    found.sort(key=lambda f: f.start)
    return found


def _mask_phone_match(match: re.Match, original: str) -> str:
    """The phone number as written (full-width digits and all), middle group starred."""
    start, end = match.span("middle")
    return (original[match.start():start] + "*" * (end - start)
            + original[end:match.end()])


def number_hints(name: str, title: str | None = None) -> tuple[str, ...]:
    """The kinds a number column's name or title says it holds (``phone``, ``rrn``)."""
    text = f"{name} {title or ''}"
    return tuple(kind for kind, hint in (("rrn", _RRN_HINT), ("phone", _PHONE_HINT))
                 if hint.search(text))


def find_in_number(value: object, kinds: Iterable[str] = KINDS,
                   hints: Iterable[str] = ()) -> list[Finding]:
    """Find an RRN or phone number stored as a number (its leading 0 lost:
    ``1012345678`` was ``010-1234-5678``; ``12313123456`` was
    ``0012313123456``).

    :param value: the parsed cell (int, or a whole Decimal/float)
    :param kinds: which kinds to look for
    :param hints: the kinds the column's name says it holds
        (:func:`number_hints`). Without a hint only an RRN whose check
        digit is right is found (a won amount of 1,012,345,678 is no phone)
    :returns: at most one finding spanning the whole value
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        return []
    try:
        if value != int(value) or value < 0:
            return []
        text = str(int(value))
    except (ValueError, OverflowError, decimal.InvalidOperation):
        return []
    kinds, hints = set(kinds), set(hints)
    if "rrn" in kinds and 11 <= len(text) <= 13:
        digits = text.zfill(13)
        finding = _rrn_finding(digits, False, 0, len(text), mask_rrn(digits),
                               report_possible="rrn" in hints)
        if finding:
            return [finding]
    if "phone" in kinds and "phone" in hints and _PHONE_WITHOUT_ZERO.fullmatch(text):
        return [Finding("phone", 0, len(text), mask_phone("0" + text))]
    return []


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
