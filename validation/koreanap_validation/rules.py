"""Rules from error reports: a dataset's own rules beyond its Table Schema.

A quality evaluator turns a confirmed error report ("the unit column holds
ug/kg") into a rule on one table of the dataset. Rules are data: a list under
the package-level descriptor property ``"koreanap:rules"``, so ``koreanap
validate`` on a downloaded ``datapackage.zip`` applies them offline::

    {"id": "R1", "resource": "survey_results", "kind": "allowed_values",
     "field": "unit", "values": ["mg/kg", "μg/kg"],
     "report": "ER-2026-0001", "report_url": "https://…/error-report/ER-2026-0001"}

This module owns the vocabulary (:data:`KINDS` and the keys each kind takes),
says what is wrong with rules as data (:func:`rule_problems`) and with a rule
against its table's schema (:func:`fit_problem`), states a rule in English
(:func:`describe`), and checks rows: :func:`evaluate` (one row, the stateless
kinds), :func:`breaking_rows` (any rows, e.g. a CSV before a rule is saved)
and :class:`RuleCheck` (frictionless, on both validation paths). ``required``
and ``unique`` rules are Table Schema constraints: :func:`package_checks` sets
them on the field, and frictionless' own ``constraint-error`` and
``unique-error`` report them; :func:`caused_by` links such an error back to
its rule.

Values are compared as text (:func:`cell_text`). ``allowed_values``,
``pattern`` and ``range`` pass an empty cell (``required`` is for that), and a
cell that already failed its Table Schema type or a constraint is not
reported again.
"""
from __future__ import annotations

import datetime
import decimal
import functools
import json
import math
import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from frictionless import Check, errors

from . import personal
from .error_types import ROW_TEMPLATE, failed_cells

if TYPE_CHECKING:
    from frictionless import Package
    from frictionless.error import Error
    from frictionless.table import Row

# Vocabulary

RULES_PROPERTY = "koreanap:rules"
"""The package-level descriptor property that holds the list of rules."""

KINDS = ("allowed_values", "pattern", "range", "required", "unique", "row_condition")
ROW_KINDS = ("allowed_values", "pattern", "range", "row_condition")
"""Kinds checked row by row (:func:`evaluate`, :class:`RuleCheck`)."""
SCHEMA_KINDS = ("required", "unique")
"""Kinds checked as the Table Schema constraint of the same name."""

COMMON_KEYS = ("id", "resource", "kind")
"""Keys every rule has."""
OPTIONAL_KEYS = ("report", "report_url", "title")
"""Keys any rule may have: the error report it came from, its address, a statement."""
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "allowed_values": ("field", "values"),
    "pattern": ("field", "pattern"),
    "range": ("field",),
    "required": ("field",),
    "unique": ("field",),
    "row_condition": ("if", "then"),
}
"""Keys each kind needs besides :data:`COMMON_KEYS`."""
KIND_OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {"range": ("minimum", "maximum")}
"""Keys a kind may have (a range needs at least one of them)."""

IF_TESTS = ("equals", "in")
"""A row condition's ``if``: ``{"field", "equals": text}`` or ``{"field", "in": [texts]}``."""
THEN_TESTS = ("is", "values")
"""Its ``then``: ``{"field", "is": one of THEN_IS}`` or ``{"field", "values": [texts]}``."""
THEN_IS = ("empty", "not_empty")

RANGE_TYPES = ("number", "integer", "string")
"""Table Schema types a range can apply to (a string field's number-like text is read)."""

RULE_ERROR = "koreanap-rule"
SETUP_ERROR = "koreanap-rule-setup"

SHOWN_VALUES = 10
"""Allowed values listed in a description or message before "and N more"."""

_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


# Rules as data


def _json_kind(value: Any) -> str:
    """What a JSON value is, for a message (never the value itself, which may be huge)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _label(rule: Any, position: int) -> str:
    """``rule R1``, or ``rule at position 3`` (from 1) when it has no usable id."""
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    if isinstance(rule_id, str) and rule_id.strip():
        return f"rule {rule_id}"
    return f"rule at position {position}"


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _texts_problem(value: Any, key: str) -> str | None:
    if not isinstance(value, list) or not value:
        return f'"{key}" must be a non-empty list of strings, not {_json_kind(value)}'
    if not all(isinstance(item, str) for item in value):
        return f'"{key}" must hold strings only'
    return None


def _keys_problems(found: dict, needed: tuple[str, ...], allowed: tuple[str, ...],
                   where: str = "") -> list[str]:
    problems = [f'missing key "{where}{key}"' for key in needed if key not in found]
    problems += [f'unexpected key "{where}{key}"' for key in found if key not in allowed]
    return problems


def _condition_problems(part: Any, name: str, tests: tuple[str, ...]) -> list[str]:
    """What is wrong with a row condition's ``if`` or ``then`` object."""
    if not isinstance(part, dict):
        return [f'"{name}" must be an object, not {_json_kind(part)}']
    problems = _keys_problems(part, ("field",), ("field", *tests), f"{name}.")
    if "field" in part and not _is_text(part["field"]):
        problems.append(f'"{name}.field" must be a field name')
    given = [test for test in tests if test in part]
    if len(given) != 1:
        problems.append(f'"{name}" needs exactly one of ' + ", ".join(f'"{t}"' for t in tests))
    for test in given:
        value = part[test]
        if test == "equals" and not isinstance(value, str):
            problems.append(f'"{name}.equals" must be a string, not {_json_kind(value)}')
        elif test == "is" and value not in THEN_IS:
            problems.append(f'"{name}.is" must be "empty" or "not_empty"')
        elif test in ("in", "values"):
            problem = _texts_problem(value, f"{name}.{test}")
            if problem:
                problems.append(problem)
    return problems


# Patterns: refused when they can take exponential time on a long cell (a rule is
# checked on every row of every later upload, and offline by any Table Schema tool).
PATTERN_MAX_LENGTH = 500
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


# Character sets are compared within the Basic Multilingual Plane (Hangul and CJK
# included); what a class holds beyond it is not looked at. Built when a pattern
# is first judged, not at import (65,536 strings: 10-40 ms at every start).
@functools.cache
def _plane() -> frozenset[str]:
    return frozenset(map(chr, range(0x10000)))


_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
               sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
               sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}


@functools.cache
def _category(category: Any) -> frozenset[str] | None:
    test = _CATEGORIES.get(category)
    return frozenset(filter(re.compile(test).fullmatch, _plane())) if test else None


def _class(members: Any) -> frozenset[str] | None:
    """The characters of a parsed character class (``[...]``, ``\\d``), or None."""
    found: set[str] = set()
    negate = False
    for member, argument in members:
        if member == sre.NEGATE:
            negate = True
        elif member == sre.LITERAL:
            found.add(chr(argument))
        elif member == sre.RANGE:
            found.update(map(chr, range(argument[0], min(argument[1], 0xFFFF) + 1)))
        elif member == sre.CATEGORY and _category(argument) is not None:
            found.update(_category(argument))
        else:
            return None
    return _plane().difference(found) if negate else frozenset(found)


def _first_characters(items: Any) -> frozenset[str] | None:
    """The characters a match of the parsed ``items`` can begin with (the empty set
    when it can match nothing), or None when that is not known (something optional
    first, a back-reference, a look-around)."""
    for op, value in items:
        if op == sre.AT:
            continue  # an anchor takes no character
        if op == sre.LITERAL:
            return frozenset(chr(value))
        if op == sre.NOT_LITERAL:
            return _plane().difference(chr(value))
        if op == sre.ANY:
            return _plane().difference("\n")
        if op == sre.IN:
            return _class(value)
        if op == sre.SUBPATTERN:
            return _first_characters(value[3])
        if op == sre.ATOMIC_GROUP:
            return _first_characters(value)
        if op in _REPEATS and value[0] > 0:
            return _first_characters(value[2])
        if op == sre.BRANCH:
            firsts = [_first_characters(branch) for branch in value[1]]
            return None if None in firsts else frozenset().union(*firsts)
        return None
    return frozenset()


def _characters(items: Any) -> frozenset[str] | None:
    """Every character a match of the parsed ``items`` can take, or None when that is
    not a small known set."""
    found: set[str] = set()
    for op, value in items:
        if op == sre.AT:
            continue
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            part = _first_characters([(op, value)])
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP) or op in _REPEATS:
            part = _characters(_children(op, value))
        elif op == sre.BRANCH:
            parts = [_characters(branch) for branch in value[1]]
            part = None if None in parts else frozenset().union(*parts)
        else:
            part = None
        if part is None:
            return None
        found.update(part)
    return frozenset(found)


def _children(op: Any, value: Any) -> Any:
    """The parsed items inside a group or a repetition (None for other items)."""
    if op == sre.SUBPATTERN:
        return value[3]
    if op == sre.ATOMIC_GROUP:
        return value
    return value[2] if op in _REPEATS else None


def _inner_repetitions(items: Any) -> list[frozenset[str] | None]:
    """The characters of each repetition (more than once) in ``items``, its groups
    included."""
    found = []
    for op, value in items:
        if op in _REPEATS and value[1] > 1:
            found.append(_characters(value[2]))
        elif _children(op, value) is not None:
            found += _inner_repetitions(_children(op, value))
        elif op == sre.BRANCH:
            found += [None] if any(_inner_repetitions(b) for b in value[1]) else []
    return found


def _overlapping_branches(items: Any) -> bool:
    """Whether an alternation in ``items`` has branches that can begin alike (or more
    than one that can match nothing)."""
    for op, value in items:
        if op == sre.BRANCH:
            firsts = [_first_characters(branch) for branch in value[1]]
            if None in firsts or firsts.count(frozenset()) > 1 or \
                    sum(map(len, firsts)) != len(frozenset().union(*firsts)):
                return True
            if any(_overlapping_branches(branch) for branch in value[1]):
                return True
        elif _children(op, value) is not None and _overlapping_branches(_children(op, value)):
            return True
    return False


def _ambiguous(items: Any) -> bool:
    """Whether ``items``, the body of a repetition, can split one text in many ways
    between turns: it holds a repetition with no character that must come between
    turns and cannot be part of it (the "-" of ``(?:[0-9]+-)+``), or an alternation
    whose branches can begin alike."""
    repetitions = _inner_repetitions(items)
    if repetitions:
        delimiters = [_first_characters([(op, value)]) for op, value in items
                      if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN)]
        if None in repetitions or not any(
                delimiter and all(delimiter.isdisjoint(r) for r in repetitions)
                for delimiter in delimiters):
            return True
    return _overlapping_branches(items)


def _slow(items: Any) -> bool:
    """Whether a repetition in ``items`` repeats something ambiguous."""
    for op, value in items:
        if op in _REPEATS and value[1] > 1 and _ambiguous(value[2]):
            return True
        children = _children(op, value)
        groups = (value[1] if op == sre.BRANCH else [value[1], value[2]]
                  if op == sre.GROUPREF_EXISTS else [children] if children else [])
        if any(group and _slow(group) for group in groups):
            return True
    return False


@functools.lru_cache(maxsize=256)
def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a rule's regular expression, or None: not one, longer than
    :data:`PATTERN_MAX_LENGTH`, or one whose time can grow exponentially with the cell
    (a repeated repetition such as ``(a+)+``, or a repeated alternation whose branches
    begin alike such as ``(a|ab)*``)."""
    if len(pattern) > PATTERN_MAX_LENGTH:
        return f'"pattern" is longer than {PATTERN_MAX_LENGTH} characters'
    try:
        parsed = sre_parse.parse(pattern)
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        return f'"pattern" is not a valid regular expression: {exc}'
    if _slow(parsed):
        return ('"pattern" repeats a repetition or an alternation whose branches begin '
                'alike (like "(a+)+" or "(a|ab)*"), which can take exponential time on a '
                'long cell; write it without the nesting, e.g. "a+" or "(ab?)*"')
    return None


def _problems_of(rule: Any) -> list[str]:
    """What is wrong with one rule as data (its id's uniqueness aside)."""
    if not isinstance(rule, dict):
        return [f"a rule must be an object, not {_json_kind(rule)}"]
    problems = []
    for key in COMMON_KEYS:
        if key not in rule:
            problems.append(f'missing key "{key}"')
    if "id" in rule and not _is_text(rule["id"]):
        problems.append('"id" must be a non-empty string')
    if "resource" in rule and not _is_text(rule["resource"]):
        problems.append('"resource" must be a resource name')
    for key in OPTIONAL_KEYS:
        if key in rule and not isinstance(rule[key], str):
            problems.append(f'"{key}" must be a string, not {_json_kind(rule[key])}')
    kind = rule.get("kind")
    if "kind" not in rule:
        return problems
    if not isinstance(kind, str) or kind not in KINDS:
        shown = f'"{kind}"' if isinstance(kind, str) else _json_kind(kind)
        return problems + [f"unknown kind {shown} (one of {', '.join(KINDS)})"]
    needed = KIND_KEYS[kind]
    problems += _keys_problems(rule, needed, (*COMMON_KEYS, *OPTIONAL_KEYS, *needed,
                                              *KIND_OPTIONAL_KEYS.get(kind, ())))
    if "field" in rule and not _is_text(rule["field"]):
        problems.append('"field" must be a field name')
    if kind == "allowed_values" and "values" in rule:
        problem = _texts_problem(rule["values"], "values")
        if problem:
            problems.append(problem)
    elif kind == "pattern" and "pattern" in rule:
        pattern = rule["pattern"]
        if not isinstance(pattern, str):
            problems.append(f'"pattern" must be a string, not {_json_kind(pattern)}')
        else:
            problem = pattern_problem(pattern)
            if problem:
                problems.append(problem)
    elif kind == "range":
        bounds = [key for key in ("minimum", "maximum") if key in rule]
        if not bounds:
            problems.append('a range needs "minimum", "maximum" or both')
        for key in bounds:
            if not _is_number(rule[key]):
                problems.append(f'"{key}" must be a finite number, not {_json_kind(rule[key])}')
        if len(bounds) == 2 and all(_is_number(rule[key]) for key in bounds) and \
                _decimal(rule["minimum"]) > _decimal(rule["maximum"]):
            problems.append(f'"minimum" {cell_text(rule["minimum"])} is above "maximum" '
                            f'{cell_text(rule["maximum"])}')
    elif kind == "row_condition":
        if "if" in rule:
            problems += _condition_problems(rule["if"], "if", IF_TESTS)
        if "then" in rule:
            problems += _condition_problems(rule["then"], "then", THEN_TESTS)
    return problems


def _sorted_out(rules: Any) -> tuple[list[dict], list[tuple[Any, str]]]:
    """The well-formed rules, and ``(rule, message)`` for each of the others (the
    message names the rule). A repeated id makes the later rule malformed."""
    if not isinstance(rules, list):
        return [], [(None, f'"{RULES_PROPERTY}" must be a list of rules, not '
                           f"{_json_kind(rules)}")]
    good: list[dict] = []
    bad: list[tuple[Any, str]] = []
    first: dict[str, int] = {}
    for position, rule in enumerate(rules, start=1):
        problems = _problems_of(rule)
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if isinstance(rule_id, str):
            if rule_id in first:
                problems.append(f'the id "{rule_id}" is also the id of the rule at '
                                f"position {first[rule_id]}")
            else:
                first[rule_id] = position
        if problems:
            bad.append((rule, f"{_label(rule, position)}: " + "; ".join(problems)))
        else:
            good.append(rule)
    return good, bad


def rule_problems(rules: Any) -> list[str]:
    """What is wrong with a list of rules as data; empty when every rule is well formed.

    Never raises, whatever JSON ``rules`` is. Each message names the rule (its
    id, or its position from 1) and, for a rule with several faults, lists them
    separated by ``;``.

    :param rules: the value of ``koreanap:rules`` (a list of rule objects)
    """
    return [message for _, message in _sorted_out(rules)[1]]


def _fields_of(rule: dict) -> list[str]:
    """The fields a well-formed rule reads (a row condition: its if, then its then)."""
    if rule["kind"] == "row_condition":
        return list(dict.fromkeys([rule["if"]["field"], rule["then"]["field"]]))
    return [rule["field"]]


def _target(rule: dict) -> str:
    """The field an error of the rule is reported at."""
    return rule["then"]["field"] if rule["kind"] == "row_condition" else rule["field"]


def fit_problem(rule: dict, fields: Mapping[str, str] | None) -> str | None:
    """Why a well-formed rule no longer fits its table's schema, or None when it does.

    :param rule: a rule that :func:`rule_problems` finds nothing wrong with
    :param fields: ``{field name: Table Schema type}`` of the rule's resource;
        None when the package has no such table (or it has no Table Schema)
    :returns: a message naming the rule's id and the field
    """
    head = f"rule {rule['id']} ({describe(rule)}) does not fit"
    if fields is None:
        return (f'{head}: the package has no table "{rule["resource"]}" with a Table Schema '
                f'(field "{_target(rule)}")')
    for name in _fields_of(rule):
        if name not in fields:
            return f'{head}: resource "{rule["resource"]}" has no field "{name}"'
    if rule["kind"] == "range":
        field_type = fields[rule["field"]] or "string"
        if field_type not in RANGE_TYPES:
            return (f'{head}: field "{rule["field"]}" is a {field_type} field; a range needs '
                    "a number, integer or string field")
    return None


def _quoted(texts: Iterable[Any], more: str = "{values} and {more} more") -> str:
    """The first SHOWN_VALUES texts quoted, and ``more`` saying how many are left out."""
    texts = list(texts)
    shown = ", ".join(json.dumps(t, ensure_ascii=False) for t in texts[:SHOWN_VALUES])
    left = len(texts) - SHOWN_VALUES
    return more.format(values=shown, more=left) if left > 0 else shown


def _condition_text(condition: dict) -> str:
    field = condition["field"]
    if "equals" in condition:
        return f'{field} is {json.dumps(condition["equals"], ensure_ascii=False)}'
    return f'{field} is one of {_quoted(condition["in"])}'


def N_(message: str) -> str:
    """Marks a sentence for the catalogue's message catalog (it is extracted from this
    file, and translated where the catalogue states a rule); returns it unchanged."""
    return message


# The sentences :func:`describe` states a rule in. The catalogue passes them translated
# into the page's language (``phrases``); the command line states rules in English.
PHRASES: dict[str, str] = {
    "one_of": N_("{field} is one of {values}"),
    "empty": N_("{field} is empty"),
    "not_empty": N_("{field} is filled in"),
    "if_equals": N_("if {field} is {value}, then {then}"),
    "if_one_of": N_("if {field} is one of {values}, then {then}"),
    "pattern": N_("{field} matches the pattern {pattern}"),
    "unique": N_("{field} has no repeated value"),
    "between": N_("{field} is between {minimum} and {maximum}"),
    "at_least": N_("{field} is at least {minimum}"),
    "at_most": N_("{field} is at most {maximum}"),
    "more": N_("{values} and {more} more"),
    "malformed": N_("malformed {problem}"),
}


def describe(rule: dict, phrases: Mapping[str, str] | None = None) -> str:
    """One line stating a rule, e.g. ``unit is one of "mg/kg", "μg/kg"`` or
    ``if detected is "N", then value is empty``: in English, or with ``phrases`` (the
    sentences of :data:`PHRASES`, translated). A malformed rule is described by what is
    wrong with it."""
    say = {**PHRASES, **(phrases or {})}
    problems = rule_problems([rule])
    if problems:
        return say["malformed"].format(problem=problems[0])

    def values(texts: Iterable[Any]) -> str:
        return _quoted(texts, say["more"])

    def then_text(then: dict) -> str:
        if "values" in then:
            return say["one_of"].format(field=then["field"], values=values(then["values"]))
        return say["empty" if then["is"] == "empty" else "not_empty"].format(
            field=then["field"])

    kind = rule["kind"]
    if kind == "row_condition":
        condition, then = rule["if"], then_text(rule["then"])
        if "equals" in condition:
            return say["if_equals"].format(field=condition["field"], then=then,
                                           value=json.dumps(condition["equals"],
                                                            ensure_ascii=False))
        return say["if_one_of"].format(field=condition["field"], then=then,
                                       values=values(condition["in"]))
    field = rule["field"]
    if kind == "allowed_values":
        return then_text({"field": field, "values": rule["values"]})
    if kind == "pattern":
        return say["pattern"].format(field=field, pattern=rule["pattern"])
    if kind == "required":
        return then_text({"field": field, "is": "not_empty"})
    if kind == "unique":
        return say["unique"].format(field=field)
    low, high = rule.get("minimum"), rule.get("maximum")
    if low is not None and high is not None:
        return say["between"].format(field=field, minimum=cell_text(low),
                                     maximum=cell_text(high))
    if low is not None:
        return say["at_least"].format(field=field, minimum=cell_text(low))
    return say["at_most"].format(field=field, maximum=cell_text(high))


def attribution(rule: dict) -> str:
    """What an error message caused by ``rule`` ends with:
    `` (rule R1, from error report ER-2026-0001)``, or `` (rule R1)``."""
    report = rule.get("report")
    return f" (rule {rule['id']}, from error report {report})" if report else \
        f" (rule {rule['id']})"


# Checking rows


def cell_text(value: Any) -> str:
    """A cell's parsed value as the text rules compare: strings as they are,
    None as empty, integers (and whole floats) without ``.0``, a decimal as
    frictionless read it (``2.50`` stays ``2.50``), booleans ``true``/``false``,
    dates and times in ISO 8601, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _decimal(number: int | float | decimal.Decimal) -> decimal.Decimal:
    """A number as a Decimal of its shortest text, so ``0.1`` in a rule equals a
    cell's ``0.1`` (the float 0.1 is a little more than the decimal 0.1)."""
    if isinstance(number, decimal.Decimal):
        return number
    return decimal.Decimal(number if isinstance(number, int) else repr(number))


def _cell_number(value: Any) -> decimal.Decimal | str:
    """A cell as a finite Decimal, or why it is none (a message part)."""
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        number = _decimal(value) if not isinstance(value, float) or math.isfinite(value) \
            else None
        if number is not None and number.is_finite():
            return number
        return "is not a finite number"
    text = cell_text(value).strip()
    if _NUMBER_TEXT.fullmatch(text):
        try:
            return decimal.Decimal(text)
        except decimal.InvalidOperation:  # an exponent beyond any real measurement
            return "is not a finite number"
    try:
        float(text)
    except ValueError:
        return "is not a number"
    return "is not a finite number"  # NaN, Infinity


def _shown(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _breaks(rule: dict, row: Mapping[str, Any]) -> str | None:
    kind = rule["kind"]
    if kind == "row_condition":
        condition, then = rule["if"], rule["then"]
        found = cell_text(row.get(condition["field"]))
        applies = found == condition["equals"] if "equals" in condition else \
            found in condition["in"]
        if not applies:
            return None
        text = cell_text(row.get(then["field"]))
        given = f"{_condition_text(condition)}, so {then['field']} must"
        if "values" in then:
            if text == "" or text in then["values"]:
                return None
            return f"{given} be one of {_quoted(then['values'])}; found {_shown(text)}"
        if then["is"] == "empty":
            return None if text == "" else f"{given} be empty; found {_shown(text)}"
        return None if text != "" else f"{given} not be empty"
    field = rule["field"]
    value = row.get(field)
    text = cell_text(value)
    if text == "":
        return None  # blank cells are the required rule's
    if kind == "allowed_values":
        if text in rule["values"]:
            return None
        return f"{field} {_shown(text)} is not one of {_quoted(rule['values'])}"
    if kind == "pattern":
        if re.fullmatch(rule["pattern"], text) is not None:
            return None
        return f"{field} {_shown(text)} does not match the pattern {rule['pattern']}"
    if kind == "range":
        number = _cell_number(value)
        if isinstance(number, str):
            return f"{field} {_shown(text)} {number}"
        low, high = rule.get("minimum"), rule.get("maximum")
        if low is not None and number < _decimal(low):
            return f"{field} {text} is below the minimum {cell_text(low)}"
        if high is not None and number > _decimal(high):
            return f"{field} {text} is above the maximum {cell_text(high)}"
        return None
    raise ValueError(f'a "{kind}" rule is checked as a Table Schema constraint, not by row')


def evaluate(rule: dict, row: Mapping[str, Any]) -> str | None:
    """Whether one row breaks a well-formed rule of a stateless kind
    (:data:`ROW_KINDS`); the message (masked) when it does, else None.

    :param rule: a well-formed rule whose kind is in :data:`ROW_KINDS`
    :param row: field name → value (parsed values, or a CSV row's text)
    :raises ValueError: for a ``required`` or ``unique`` rule
    """
    found = _breaks(rule, row)
    return personal.mask_text(found) if found is not None else None


def breaking_rows(rule: dict, rows: Iterable[Mapping[str, Any]], *,
                  first_row: int = 2) -> Iterator[tuple[int, str]]:
    """The ``(row number, message)`` of every row of ``rows`` that breaks ``rule``.

    Every kind: ``required`` breaks on an empty cell, ``unique`` on the second and
    later rows whose cell repeats an earlier one (empty cells never repeat), the
    others as :func:`evaluate` says (the same messages as the check's).

    :param rule: a well-formed rule
    :param rows: field name → value mappings (from a CSV, a database), in order
    :param first_row: the number of the first row (2: a CSV file with a header)
    """
    kind = rule["kind"]
    if kind in ROW_KINDS:
        for number, row in enumerate(rows, start=first_row):
            found = evaluate(rule, row)
            if found is not None:
                yield number, found
        return
    field = rule["field"]
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row):
        text = cell_text(row.get(field))
        if kind == "required":
            if text == "":
                yield number, f"{field} is empty"
        elif text != "":
            if text in seen:
                yield number, personal.mask_text(
                    f"{field} {_shown(text)} is the same as in row {seen[text]}")
            else:
                seen[text] = number


# Errors and the check

_PROFILE_PATCH = {"properties": {"ruleId": {"type": "string"},
                                 "ruleReport": {"type": ["string", "null"]}}}


@attrs.define(kw_only=True, repr=False)
class RuleError(errors.CellError):
    """A row breaks a rule made from an error report (``koreanap:rules``)."""

    type = RULE_ERROR
    title = "Breaks a Rule From an Error Report"
    description = ("A row breaks one of the dataset's own rules (koreanap:rules), made "
                   "from a confirmed error report; the message names the rule and the report.")
    template = ROW_TEMPLATE
    tags = [*errors.CellError.tags, "#koreanap"]

    rule_id: str = ""
    """The rule's id."""
    rule_report: str | None = None
    """The code of the error report the rule came from."""

    metadata_profile_patch = _PROFILE_PATCH


@attrs.define(kw_only=True, repr=False)
class RuleSetupError(errors.TableError):
    """A rule that does not fit the table's schema (or is malformed)."""

    type = SETUP_ERROR
    title = "Rule From an Error Report Set-up"
    description = ("A rule in koreanap:rules is malformed or no longer fits its table (the "
                   "table or a field it names is gone, a range on a date field): fix or "
                   "retire the rule. The table's other rules still apply.")
    template = "Rule set-up: {note}"
    tags = [*errors.TableError.tags, "#koreanap"]

    rule_id: str | None = None
    rule_report: str | None = None

    metadata_profile_patch = _PROFILE_PATCH


def _rule_id(rule: Any) -> str | None:
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    return rule_id if isinstance(rule_id, str) else None


def _rule_report(rule: Any) -> str | None:
    report = rule.get("report") if isinstance(rule, dict) else None
    return report if isinstance(report, str) else None


@attrs.define(kw_only=True, repr=False)
class RuleCheck(Check):
    """The rules of one table: each row kind (:data:`ROW_KINDS`) row by row.

    ``required`` and ``unique`` rules are only checked to fit the schema here
    (:func:`package_checks` makes them Table Schema constraints). A rule that
    is malformed or does not fit (:func:`fit_problem`) is one
    ``koreanap-rule-setup`` table error; the others still apply. The rules'
    ``resource`` is not compared with the table's name (the caller picks them).
    """

    type = RULE_ERROR
    Errors = [RuleError, RuleSetupError]

    rules: list = attrs.field(factory=list)
    """The table's rules (``koreanap:rules`` objects)."""

    def validate_start(self) -> Iterable[Error]:
        schema = self.resource.schema
        fields = {f.name: f.type for f in schema.fields} if schema else None
        self._numbers = {f.name: i for i, f in enumerate(schema.fields, start=1)} \
            if schema else {}
        self._active: list[dict] = []
        good, bad = _sorted_out(self.rules)
        found = []
        for rule, message in bad:
            found.append(RuleSetupError(note=message, rule_id=_rule_id(rule),
                                        rule_report=_rule_report(rule)))
        for rule in good:
            problem = fit_problem(rule, fields)
            if problem:
                found.append(RuleSetupError(note=problem, rule_id=rule["id"],
                                            rule_report=rule.get("report")))
            elif rule["kind"] in ROW_KINDS:
                self._active.append(rule)
        return found

    # Column-at-a-time form (fast.py): the fields read, and one started check
    # per rule, so each rule's columns are grouped on their own.
    @property
    def row_fields(self) -> list[str]:
        """The fields validate_row reads."""
        names: dict[str, None] = {}
        for rule in getattr(self, "_active", []):
            names.update(dict.fromkeys(_fields_of(rule)))
        return list(names)

    def row_parts(self) -> list[RuleCheck]:
        parts = []
        for rule in self._active:
            part = RuleCheck(rules=[rule])
            part.connect(self.resource)
            part.validate_start()
            parts.append(part)
        return parts

    def validate_row(self, row: Row) -> Iterable[Error]:
        # Stateless: the fast path calls this once per distinct combination.
        failed = failed_cells(row)
        for rule in self._active:
            if failed.intersection(_fields_of(rule)):
                continue  # its type or a constraint already reported it
            found = evaluate(rule, row)
            if found is None:
                continue
            field = _target(rule)
            yield RuleError(
                note=found + personal.mask_text(attribution(rule)),
                cells=[personal.mask_text(cell_text(v)) for v in row.cells],
                row_number=row.row_number,
                cell=personal.mask_text(cell_text(row.get(field))),
                field_name=field, field_number=self._numbers.get(field, 0),
                rule_id=rule["id"], rule_report=rule.get("report"))

    metadata_profile_patch = {
        "properties": {"rules": {"type": "array"}},
    }


CHECKS: list[type[Check]] = [RuleCheck]
ERRORS: list[type[errors.Error]] = [RuleError, RuleSetupError]


# A package's rules


class Problem(NamedTuple):
    """A rule of a package that cannot apply: malformed, or naming no table."""

    resource: str | None
    """Where to report it: the rule's resource when the package has it, else None."""
    rule_id: str | None
    report: str | None
    message: str


def package_rules(package: Package) -> tuple[dict[str, list[dict]], list[Problem]]:
    """A package's well-formed rules by table name, and the rules that cannot
    apply: malformed ones (:func:`rule_problems`) and those whose resource is
    not a table of the package.

    :param package: a frictionless package; its ``koreanap:rules`` is kept in
        ``package.custom``
    """
    if RULES_PROPERTY not in package.custom:
        return {}, []
    good, bad = _sorted_out(package.custom[RULES_PROPERTY])  # null too is no list
    names = {resource.name for resource in package.resources}
    tables = {resource.name for resource in package.resources if resource.tabular}
    problems = []
    for rule, message in bad:
        resource = rule.get("resource") if isinstance(rule, dict) else None
        resource = resource if isinstance(resource, str) and resource in names else None
        problems.append(Problem(resource, _rule_id(rule),
                                _rule_report(rule), message))
    by_table: dict[str, list[dict]] = {}
    for rule in good:
        if rule["resource"] in tables:
            by_table.setdefault(rule["resource"], []).append(rule)
        else:
            problems.append(Problem(rule["resource"] if rule["resource"] in names else None,
                                    rule["id"], rule.get("report"), fit_problem(rule, None)))
    return by_table, problems


def package_checks(package: Package) -> dict[str, list[Check]]:
    """A :class:`RuleCheck` for each table of ``package`` that its
    ``koreanap:rules`` name, and each ``required``/``unique`` rule set as the
    constraint of its field (when not already set). Fresh check objects: use
    each for one resource validation. Rules that cannot apply are left out:
    :func:`package_rules` gives them."""
    by_table, _problems = package_rules(package)
    found: dict[str, list[Check]] = {}
    for resource in package.resources:
        chosen = by_table.get(resource.name)
        if not chosen:
            continue
        schema = resource.schema
        by_rows = []
        for rule in chosen:
            field = (schema.get_field(rule["field"]) if schema and rule.get("field")
                     and schema.has_field(rule["field"]) else None)
            if rule["kind"] in SCHEMA_KINDS and field is not None:
                if field.constraints.get(rule["kind"]) is not True:
                    # assigned, not updated in place: frictionless exports only
                    # the properties it saw assigned
                    field.constraints = {**field.constraints, rule["kind"]: True}
            if field is not None and rule["kind"] in ROW_KINDS and \
                    in_schema(rule, field.type, field.constraints):
                continue  # the field's own constraint checks it (caused_by links it)
            by_rows.append(rule)
        found[resource.name] = [RuleCheck(rules=by_rows)]
    return found


def caused_by(error: Error, rules: Iterable[dict], schema: Any = None) -> dict | None:
    """The rule among one table's ``rules`` that caused a frictionless error:
    a ``koreanap-rule`` or ``koreanap-rule-setup`` error names it; a
    ``required`` constraint error or a unique error on the field of a
    ``required`` or ``unique`` rule is its; an ``enum``, ``pattern``,
    ``minimum`` or ``maximum`` constraint error is the rule's whose
    :func:`schema_constraints` the field of ``schema`` holds (the catalogue's
    export writes them there). None for any other error."""
    if error.type in (RULE_ERROR, SETUP_ERROR):
        rule_id = getattr(error, "rule_id", None)
        return next((r for r in rules if r.get("id") == rule_id), None)
    field = getattr(error, "field_name", None)
    if error.type == errors.UniqueError.type:
        constraint = "unique"
    elif error.type == errors.ConstraintError.type:
        named = re.match(r'constraint "(\w+)"', str(getattr(error, "note", "")))
        constraint = named.group(1) if named else None
    else:
        return None
    if constraint in SCHEMA_KINDS:
        return next((r for r in rules if r.get("kind") == constraint
                     and r.get("field") == field), None)
    if schema is None or not field or not schema.has_field(field):
        return None
    descriptor = schema.get_field(field)
    return next((r for r in rules if r.get("field") == field and r.get("kind") in ROW_KINDS
                 and constraint in (schema_constraints(r, descriptor.type) or {})
                 and in_schema(r, descriptor.type, descriptor.constraints)), None)


def schema_constraints(rule: dict, field_type: str | None) -> dict | None:
    """The Table Schema constraints that say what a well-formed ``rule`` says, when they
    fit a field of type ``field_type``: ``required``/``unique``; allowed values as
    ``enum`` and a pattern as ``pattern`` (wrapped so it matches the whole cell, as
    the rule does) on a string field; a range as ``minimum``/``maximum`` on a number or
    integer field (whole numbers on an integer field). None when they do not fit (a
    row condition, a string field's range …): the rule check applies the rule."""
    kind = rule.get("kind")
    if kind in SCHEMA_KINDS:
        return {kind: True}
    if kind == "allowed_values" and field_type == "string":
        return {"enum": list(rule["values"])}
    if kind == "pattern" and field_type == "string":
        return {"pattern": "(?:{})".format(rule["pattern"])}
    if kind == "range" and field_type in ("number", "integer"):
        bounds = {k: rule[k] for k in ("minimum", "maximum") if rule.get(k) is not None}
        if field_type == "integer":
            if not all(float(v).is_integer() for v in bounds.values()):
                return None
            bounds = {k: int(v) for k, v in bounds.items()}
        return bounds
    return None


def in_schema(rule: dict, field_type: str | None, constraints: Mapping[str, Any]) -> bool:
    """Whether a field's ``constraints`` already say all that ``rule`` says (so Table
    Schema checks it and the rule check leaves it)."""
    wanted = schema_constraints(rule, field_type)
    return bool(wanted) and all(constraints.get(k) == v for k, v in wanted.items())
