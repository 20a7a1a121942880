"""Known faults of every row rule kind, injected into a survey_results.csv.

Used by ``benchmarks/validate.py`` (one million rows) and by the fast-path
tests (a few thousand rows), so both prove the same thing: each validation
path finds every fault at the row it was put in.

Each fault kind changes one row so that exactly one rule is the reason
(some changes also trip a second rule by nature, e.g. an unknown region code
is outside the code list *and* not in the regions table; ``expect`` names the
rule the fault is about and the comparison needs it found at that row).
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

Row = dict[str, str]

# The other unit a substance's rows can wrongly carry.
_OTHER_UNIT = {"mg/kg": "µg/kg", "µg/kg": "mg/kg", "pg TEQ/g fat": "mg/kg"}


def _type(row: Row) -> bool:
    row["lod"] = "0.00x"
    return True


def _enum(row: Row) -> bool:
    row["producer_country"] = "ZZ"
    return True


def _required(row: Row) -> bool:
    row["method_code"] = ""
    return True


def _pattern(row: Row) -> bool:
    row["food_group_code"] = "G-12"
    return True


def _minimum(row: Row) -> bool:
    if row["detected"] != "Y":
        return False
    row["value"] = "-" + row["value"]
    return True


def _foreign(row: Row) -> bool:
    row["food_item_code"] = "FI999"
    return True


def _domain(row: Row) -> bool:
    if row["producer_country"] != "KR":
        return False
    row["production_region_code"] = "99"
    return True


def _personal(row: Row) -> bool:
    row["collection_place_code"] = "market 010-2345-6789"
    return True


def _lod_loq(row: Row) -> bool:
    if row["detected"] != "N":
        return False
    row["lod"], row["loq"] = row["loq"], row["lod"]
    return row["lod"] != row["loq"]


def _detection(row: Row) -> bool:
    if row["detected"] != "N":
        return False
    row["value"] = "0"
    return True


def _unit(row: Row) -> bool:
    row["unit"] = _OTHER_UNIT[row["unit"]]
    return True


def _infinite_lod(row: Row) -> bool:
    # LOD "Infinity" passes minimum 0; it is the amount domain's error only,
    # not also "LOD above LOQ" (issue 14: one report per fault).
    if row["detected"] != "N":
        return False
    row["lod"] = "Infinity"
    return True


def _exceedance(row: Row) -> bool:
    if not row["maximum_level_id"] or row["exceeds_ml"] not in ("Y", "N"):
        return False
    row["exceeds_ml"] = "N" if row["exceeds_ml"] == "Y" else "Y"
    return True


# Issue 14's faults. Each is synthetic (no real person's number): the RRNs
# and barcodes are made up here with their check digits.

_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def _rrn_check(twelve: str) -> int:
    return (11 - sum(int(d) * w for d, w in zip(twelve, _RRN_WEIGHTS, strict=True)) % 11) % 10


def _ean_check(twelve: str) -> int:
    return (10 - sum(int(d) * (1, 3)[i % 2] for i, d in enumerate(twelve)) % 10) % 10


def _cycle(*options: str) -> Callable[[], str]:
    """Each call the next of ``options`` (every spelling gets its rows)."""
    state = [0]

    def pick() -> str:
        state[0] += 1
        return options[(state[0] - 1) % len(options)]
    return pick


_NAN = _cycle("NaN", "nan")
_EMAIL = _cycle("홍길동@example.kr", "kim@우리기관.kr")
_MICRO = _cycle("\u03bcg/kg", "\u338d/kg", "ug/kg")  # GREEK MU, SQUARE MU G, u
_MISSING = _cycle("-", "N/A", "해당없음", "없음", "불검출", "ND", "<0.01")
_SERIAL = [10000]


def _rrn(valid: bool) -> str:
    """A made-up RRN of a 1980s birth: right check digit, or (``valid``
    False) a 13-digit number that is an EAN-13 barcode but fails the RRN check."""
    while True:
        _SERIAL[0] += 1
        twelve = f"8{_SERIAL[0] % 10}0{1 + _SERIAL[0] % 9}1{_SERIAL[0] % 2}1{_SERIAL[0]:05d}"
        if valid:
            return twelve + str(_rrn_check(twelve))
        ean = _ean_check(twelve)
        if ean != _rrn_check(twelve):
            return twelve + str(ean)


def _nan(row: Row) -> bool:
    # NaN fails the value's minimum 0 (frictionless compares NaN with
    # nothing): one constraint error, no crash, not also a domain error.
    if row["detected"] != "Y":
        return False
    row["value"] = _NAN()
    return True


def _barcode(row: Row) -> bool:
    # An EAN-13 barcode (880 is Korea's GS1 prefix in real data; here a
    # date-shaped one) is no RRN: nothing to report.
    row["collection_place_code"] = _rrn(False)
    return True


def _rrn_text(row: Row) -> bool:
    twelve_and_check = _rrn(True)
    row["collection_place_code"] = f"buyer {twelve_and_check[:6]}-{twelve_and_check[6:]}"
    return True


def _korean_email(row: Row) -> bool:
    row["collection_place_code"] = _EMAIL()
    return True


def _rrn_integer(row: Row) -> bool:
    # An RRN stored as a number (the integer column survey_year): also
    # above its maximum, but the personal data must be found.
    row["survey_year"] = _rrn(True)
    return True


def _full_width(row: Row) -> bool:
    # ２０１９: frictionless reads it as 2019, pyarrow and the DataStore do not.
    row["survey_year"] = row["survey_year"].translate(
        {ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return True


def _micro(row: Row) -> bool:
    # The schema's enum pins "µg/kg" (U+00B5): another spelling of the same
    # unit is its constraint error (naming the code point), not a unit error.
    if row["unit"] != "\u00b5g/kg":
        return False
    row["unit"] = _MICRO()
    return True


def _missing(row: Row) -> bool:
    # A missing-value token in a number field: a type error with the hint.
    row["lod"] = _MISSING()
    return True


#: A header label with spaces around it (``value ``): reported once, on
#: row 1, by koreanap validate (frictionless strips labels: not its rule).
HEADER_FAULT = {"kind": "header-space", "row": 1, "rule": "koreanap-header",
                "field": "value", "engine_only": True}

#: Faults whose row must hold exactly the expected error (a fault reported
#: once). A kind whose rule is None is no fault: its row must hold no error
#: on its field (a barcode is no RRN; the foreign key still reports the
#: unknown place code, on no field).
EXACT = {"minimum", "nan", "barcode", "non-finite"}

#: kind -> (change, (rule, field) the validation must report at that row)
KINDS: dict[str, tuple[Callable[[Row], bool], tuple[str | None, str | None]]] = {
    "type": (_type, ("type-error", "lod")),
    "enum": (_enum, ("constraint-error", "producer_country")),
    "required": (_required, ("constraint-error", "method_code")),
    "pattern": (_pattern, ("constraint-error", "food_group_code")),
    "minimum": (_minimum, ("constraint-error", "value")),
    "primary-key": (None, ("primary-key", None)),  # a copy of the previous row
    "foreign-key": (_foreign, ("foreign-key", None)),
    "value-domain": (_domain, ("koreanap-value-domain", "production_region_code")),
    "personal-data": (_personal, ("koreanap-personal-data", "collection_place_code")),
    "lod-loq": (_lod_loq, ("koreanap-contaminant-lod-loq", "lod")),
    "detection": (_detection, ("koreanap-contaminant-detection", "value")),
    "unit": (_unit, ("koreanap-contaminant-unit", "unit")),
    "exceedance": (_exceedance, ("koreanap-contaminant-exceedance", "exceeds_ml")),
    "non-finite": (_infinite_lod, ("koreanap-value-domain", "lod")),
    "nan": (_nan, ("constraint-error", "value")),
    "barcode": (_barcode, (None, "collection_place_code")),
    "rrn": (_rrn_text, ("koreanap-personal-data", "collection_place_code")),
    "korean-email": (_korean_email, ("koreanap-personal-data", "collection_place_code")),
    "rrn-integer": (_rrn_integer, ("koreanap-personal-data", "survey_year")),
    "full-width": (_full_width, ("koreanap-number", "survey_year")),
    "unit-spelling": (_micro, ("constraint-error", "unit")),
    "missing-token": (_missing, ("type-error", "lod")),
}


def inject(path: Path, per_kind: int = 5, *, header: bool = True) -> list[dict]:
    """Rewrite ``path`` with ``per_kind`` faults of every kind, spread over the file.

    :param header: also put spaces after the ``value`` header label
        (:data:`HEADER_FAULT`)
    :returns: one dict per fault: kind, row (frictionless numbering: the
        header is row 1), and the rule and field expected there (rule None:
        no error on that field)
    """
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        labels = list(reader.fieldnames or [])
        rows = list(reader)
    kinds = list(KINDS)
    slots = len(kinds) * per_kind
    step = max(len(rows) // (slots + 1), 2)
    faults: list[dict] = []
    taken: set[int] = set()
    for slot in range(slots):
        kind = kinds[slot % len(kinds)]
        change, (rule, field) = KINDS[kind]
        index = (slot + 1) * step
        while index < len(rows):
            if index not in taken and index - 1 not in taken and index + 1 not in taken:
                if change is None:  # the previous row's key again
                    row = rows[index]
                    row["sample_id"] = rows[index - 1]["sample_id"]
                    row["substance_code"] = rows[index - 1]["substance_code"]
                    break
                candidate = dict(rows[index])
                if change(candidate):
                    rows[index] = candidate
                    break
            index += 1
        else:
            raise ValueError(f"no row to put a {kind} fault in after slot {slot}")
        taken.add(index)
        faults.append({"kind": kind, "row": index + 2, "rule": rule, "field": field,
                       "exact": kind in EXACT})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f"{name} " if header and name == "value" else name
                         for name in labels])
        writer.writerows([row[name] for name in labels] for row in rows)
    if header:
        faults.append(dict(HEADER_FAULT, exact=False))
    return faults


def missed(faults: list[dict], errors: list[dict], *, engine: bool = True) -> list[dict]:
    """The injected faults a report's errors do not show at their row, and
    the exact ones (reported once, or not a fault) whose row holds anything
    else too. ``engine`` False: a report without koreanap validate's own
    file rules (plain frictionless), which is not asked for those."""
    found = {(e["rule"], e["row"], e.get("field")) for e in errors}
    found |= {(e["rule"], e["row"], None) for e in errors}
    at_row: dict[int, list[tuple]] = {}
    for e in errors:
        at_row.setdefault(e["row"], []).append((e["rule"], e.get("field")))
    result = []
    for f in faults:
        if f.get("engine_only") and not engine:
            continue
        if f["rule"] is not None and (f["rule"], f["row"], f["field"]) not in found:
            result.append(f)
        elif f["rule"] is None:
            if any(field == f["field"] for _, field in at_row.get(f["row"], [])):
                result.append(f)
        elif f.get("exact") and at_row.get(f["row"], []) != [(f["rule"], f["field"])]:
            result.append(f)
    return result
