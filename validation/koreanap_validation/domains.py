"""Korean public-data value domains (MOIS common standard 2020, fact sheet
section 4) and the code lists they name.

A field opts in with a field property, e.g.::

    {"name": "reg_date", "type": "string", "koreanap:domain": "date"}
    {"name": "sido", "type": "string",
     "koreanap:domain": "code", "koreanap:codelist": "region-bjd-2018"}

:func:`check_value` answers ``None`` for a good value and otherwise says
what the domain expects; the frictionless check in :mod:`.checks` turns that
into an error.
"""
from __future__ import annotations

import csv
import datetime
import decimal
import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

DOMAIN_PROPERTY = "koreanap:domain"
CODELIST_PROPERTY = "koreanap:codelist"

CODELIST_DIR = Path(__file__).resolve().parent / "codelists"

# Korea's extent as the catalogue checks it (mainland, Jeju, Ulleungdo and
# Dokdo fit; Marado at 33.11 N fits).
LAT_RANGE = (33.0, 38.7)
LON_RANGE = (124.5, 131.9)

_DATE_DASH = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_DATE_PLAIN = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_YEARMONTH = re.compile(r"^(\d{4})-?(\d{2})$", re.ASCII)
_POSTCODE = re.compile(r"^\d{5}$", re.ASCII)
_OLD_POSTCODE = re.compile(r"^\d{3}-?\d{3}$", re.ASCII)
# (9)99-(9)999-9999 with a real Korean prefix; hyphens optional; plus the
# 8-digit nationwide representative numbers 15xx/16xx/18xx-xxxx.
_PHONE = re.compile(
    r"^(?:0(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|80|50\d))"
    r"(?:-\d{3,4}-\d{4}|\d{7,8})$"
    r"|^1[568]\d{2}-?\d{4}$",
    re.ASCII,
)
# Letters of any script (an agency's Korean domain, 우리기관.kr or .한국).
_EMAIL = re.compile(r"^[\w.%+\-]+@[^\W_][\w\-]*(\.[^\W_][\w\-]*)*"
                    r"\.(?:xn--[A-Za-z0-9\-]+|[^\W\d_]{2,})$")


class UnknownCodeList(LookupError):
    """A field names a code list this package does not ship."""


# Code lists


@functools.cache
def codelist_index() -> dict[str, dict[str, str]]:
    """The shipped code lists with title, code system, source and certainty."""
    with open(CODELIST_DIR / "index.json", encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def load_codelist(name: str) -> dict[str, str]:
    """Codes of the named list, mapped to their Korean names.

    :param name: a key of :func:`codelist_index`, e.g. ``region-bjd-2018``
    :raises UnknownCodeList: the name is not shipped
    """
    if name not in codelist_index():
        raise UnknownCodeList(
            f'unknown code list "{name}"; known: {", ".join(sorted(codelist_index()))}'
        )
    with open(CODELIST_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return {row["code"]: row["name_ko"] for row in csv.DictReader(fh)}


# Domains


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


NON_FINITE_HINT = ("NaN and Infinity are not values (leave the cell empty when there "
                   "is no value)")


def non_finite(value: Any) -> bool:
    """Whether ``value`` is a parsed number that is not finite (NaN, sNaN,
    Infinity): Table Schema reads ``NaN``/``INF`` as numbers, but they are
    no measurement, cannot be compared and break every sum."""
    if isinstance(value, decimal.Decimal):
        return not value.is_finite()
    if isinstance(value, float):
        return not math.isfinite(value)
    return False


def _number(value: Any) -> decimal.Decimal | None:
    """A finite number, or None (also for NaN and Infinity, parsed or text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, decimal.Decimal)):
        number = decimal.Decimal(str(value))
    else:
        text = str(value).strip()
        if not text.isascii():  # Decimal reads "４.２"; pyarrow and the DataStore do not
            return None
        try:
            number = decimal.Decimal(text)
        except (decimal.InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def _not_a_number(value: Any, expects: str) -> str:
    """What a numeric domain expects, saying why when the value is NaN or Infinity."""
    if non_finite(value) or (isinstance(value, str) and non_finite(_decimal(value))):
        return f"{expects}; {NON_FINITE_HINT}"
    return expects


def _decimal(text: str) -> decimal.Decimal | None:
    try:
        return decimal.Decimal(text.strip())
    except (decimal.InvalidOperation, ValueError):
        return None


def _date(value: Any, _codelist: str | None) -> str | None:
    expects = "a real calendar date as YYYY-MM-DD or YYYYMMDD"
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return None
    text = _as_text(value).strip()
    match = _DATE_DASH.match(text) or _DATE_PLAIN.match(text)
    if not match:
        return expects
    year, month, day = (int(part) for part in match.groups())
    if year < 1:
        return expects + " (year 0001-9999)"
    try:
        datetime.date(year, month, day)
    except ValueError:
        return expects + " (this day does not exist)"
    return None


def _year(value: Any, _codelist: str | None) -> str | None:
    text = _as_text(value).strip()
    if not _YEAR.match(text) or int(text) < 1:
        return "a four-digit year 0001-9999"
    return None


def _yearmonth(value: Any, _codelist: str | None) -> str | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:  # frictionless yearmonth
        return None
    match = _YEARMONTH.match(_as_text(value).strip())
    if not match or int(match[1]) < 1 or not 1 <= int(match[2]) <= 12:
        return "a year and month as YYYY-MM or YYYYMM (month 01-12)"
    return None


def _yn(value: Any, _codelist: str | None) -> str | None:
    if _as_text(value) not in ("Y", "N"):
        return 'a yes/no flag: "Y" or "N" only'
    return None


def _code(value: Any, codelist: str | None) -> str | None:
    if not codelist:
        return f'a code from a code list, but the field names none ("{CODELIST_PROPERTY}")'
    codes = load_codelist(codelist)
    if _as_text(value) not in codes:
        return f'a code from the list "{codelist}" ({", ".join(codes)})'
    return None


def _amount(value: Any, _codelist: str | None) -> str | None:
    number = _number(value)
    if number is None or number < 0:
        return _not_a_number(value, "a non-negative amount")
    return None


def _count(value: Any, _codelist: str | None) -> str | None:
    number = _number(value)
    if number is None or number < 0 or number != number.to_integral_value():
        return _not_a_number(value, "a non-negative whole number (count)")
    return None


def _rate(value: Any, _codelist: str | None) -> str | None:
    number = _number(value)
    if number is None or not 0 <= number <= 100:
        return _not_a_number(value, "a rate from 0 to 100 (per cent)")
    return None


def _coordinate(low: float, high: float, what: str) -> Callable[[Any, str | None], str | None]:
    def check(value: Any, _codelist: str | None) -> str | None:
        number = _number(value)
        if number is None or not decimal.Decimal(str(low)) <= number <= decimal.Decimal(str(high)):
            return _not_a_number(value, f"a {what} inside Korea ({low}-{high})")
        return None
    return check


def _postcode(value: Any, _codelist: str | None) -> str | None:
    text = _as_text(value).strip()
    if _POSTCODE.match(text):
        return None
    if _OLD_POSTCODE.match(text):
        return "a five-digit postcode (the six-digit form was replaced in 2015)"
    return "a five-digit postcode"


def _phone(value: Any, _codelist: str | None) -> str | None:
    if not _PHONE.match(_as_text(value).strip()):
        return "an organisation phone number as (9)99-(9)999-9999, e.g. 02-2100-1234"
    return None


def _email(value: Any, _codelist: str | None) -> str | None:
    if not _EMAIL.match(_as_text(value).strip()):
        return "an organisation (role) e-mail address, e.g. opendata@agency.go.kr"
    return None


#: Domain name → validator(value, codelist) returning None or what it expects.
DOMAINS: dict[str, Callable[[Any, str | None], str | None]] = {
    "date": _date,
    "year": _year,
    "yearmonth": _yearmonth,
    "yn": _yn,
    "code": _code,
    "amount": _amount,
    "count": _count,
    "rate": _rate,
    "latitude": _coordinate(*LAT_RANGE, "latitude"),
    "longitude": _coordinate(*LON_RANGE, "longitude"),
    "postcode": _postcode,
    "phone": _phone,
    "email": _email,
}

#: Domains whose values are numbers (a NaN or Infinity is reported by them).
NUMERIC_DOMAINS = frozenset({"amount", "count", "rate", "latitude", "longitude"})

#: Domains that hold an organisation's contact and are exempt from that
#: kind of personal-data detection.
EXEMPT_PERSONAL_KINDS = {"phone": "phone", "email": "email"}


def check_value(domain: str, value: Any, codelist: str | None = None) -> str | None:
    """Check one value against a domain.

    :param domain: a key of :data:`DOMAINS`
    :param value: the cell (raw text or the frictionless-parsed value);
        ``None`` and ``""`` are left to ``required``
    :param codelist: the code list name for the ``code`` domain
    :returns: ``None`` if the value fits, else what the domain expects
    :raises KeyError: unknown domain
    """
    if value is None or value == "":
        return None
    expects = DOMAINS[domain](value, codelist)
    if expects and isinstance(value, str) and not value.isascii():
        fixed = unicodedata.normalize("NFKC", value).strip()
        if fixed != value.strip() and DOMAINS[domain](fixed, codelist) is None:
            expects += f' (it is written with full-width characters: write "{fixed}")'
    return expects


# Region extents: where each province's coordinates can lie

#: Column of ``codelists/region-extents.csv`` holding each code list's codes.
EXTENT_COLUMNS = {
    "region-bjd-2018": "bjd_2018",
    "region-bjd-2024": "bjd_2024",
    "region-iso3166-2": "iso3166_2",
    "region-kostat": "kostat",
    "heritage-ccba-ctcd": "ccba_ctcd",
}
#: Degrees added around each extent (about 1 km): a coastal point rounded to
#: four decimals, or a pier or rock the boundary data leaves out, still fits.
EXTENT_MARGIN = 0.01


@functools.cache
def region_extents(codelist: str) -> dict[str, tuple[str, float, float, float, float]]:
    """Each province's code in ``codelist`` mapped to ``(name_ko, lat_min,
    lat_max, lon_min, lon_max)``: the bounding box of its official boundary
    (see ``codelists/region-extents.json`` for the source and method).

    :param codelist: a key of :data:`EXTENT_COLUMNS`
    :raises KeyError: a code list without extents
    """
    column = EXTENT_COLUMNS[codelist]
    with open(CODELIST_DIR / "region-extents.csv", encoding="utf-8", newline="") as fh:
        return {row[column]: (row["name_ko"], float(row["lat_min"]), float(row["lat_max"]),
                              float(row["lon_min"]), float(row["lon_max"]))
                for row in csv.DictReader(fh)}


def region_contradiction(codelist: str, code: Any, latitude: Any,
                         longitude: Any) -> str | None:
    """Why a point cannot lie in the province ``code`` names, or None (also
    when a value is missing, not a finite number or outside Korea, or the
    code is unknown: the domain rules report those).

    A point outside the province's bounding box (plus :data:`EXTENT_MARGIN`)
    is certainly not in it; one inside may still be in a neighbour, so the
    rule finds most wrong codes, never a right one (see the README).
    """
    extent = region_extents(codelist).get(_as_text(code).strip())
    lat, lon = _number(latitude), _number(longitude)
    if extent is None or lat is None or lon is None or not (
            lat.is_finite() and lon.is_finite()):
        return None
    lat_f, lon_f = float(lat), float(lon)
    if not (LAT_RANGE[0] <= lat_f <= LAT_RANGE[1] and LON_RANGE[0] <= lon_f <= LON_RANGE[1]):
        return None
    name, lat_min, lat_max, lon_min, lon_max = extent
    m = EXTENT_MARGIN
    if lat_min - m <= lat_f <= lat_max + m and lon_min - m <= lon_f <= lon_max + m:
        return None
    fits = [other[0] for other in region_extents(codelist).values()
            if other[1] - m <= lat_f <= other[2] + m and other[3] - m <= lon_f <= other[4] + m]
    where = (f"; it lies within the extent of {', '.join(fits)}" if fits else "")
    shown = f"{_as_text(latitude).strip()}, {_as_text(longitude).strip()}"
    return (f"the point ({shown}) is outside {name} (code {code}), which "
            f"spans latitude {lat_min:.4f}-{lat_max:.4f} and longitude "
            f"{lon_min:.4f}-{lon_max:.4f}{where}: the code or the coordinates are wrong")
