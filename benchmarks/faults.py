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


#: kind -> (change, (rule, field) the validation must report at that row)
KINDS: dict[str, tuple[Callable[[Row], bool], tuple[str, str | None]]] = {
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
}


def inject(path: Path, per_kind: int = 5) -> list[dict]:
    """Rewrite ``path`` with ``per_kind`` faults of every kind, spread over the file.

    :returns: one dict per fault: kind, row (frictionless numbering: the
        header is row 1), and the rule and field expected there
    """
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
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
        faults.append({"kind": kind, "row": index + 2, "rule": rule, "field": field})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return faults


def missed(faults: list[dict], errors: list[dict]) -> list[dict]:
    """The injected faults a report's errors do not show at their row."""
    found = {(e["rule"], e["row"], e.get("field")) for e in errors}
    found |= {(e["rule"], e["row"], None) for e in errors}
    return [f for f in faults if (f["rule"], f["row"], f["field"]) not in found]
