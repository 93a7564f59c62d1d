"""Row validation for the store, compiled once per table from the contract.

The contract's predicates (harness.contract.model.row_violations) are the
definition of a valid row, but they are general and slow (a jsonschema run
costs ~35 us per document). Writers need a check that costs a few
microseconds, so each table gets a compiled fast path: plain closures per
column, and for the documents the package's one compiled JSON Schema check
(harness.contract.json_check, which decides as jsonschema does). The fast path
only ever says "certainly valid"; anything it is unsure of goes to the slow
path, which asks the contract itself and words the error. So the fast path
can be stricter than the contract, never looser (tests/test_store.py checks
that on generated rows). A refused row raises ValidationError carrying its
harness.errors.Problem: the store and ingest report it as it is.

Limits the contract leaves open, enforced here under the rule "max_size":
JSON documents <= 1 MiB and other text <= 64 KiB (UTF-8 bytes); ids are
limited by the contract itself (256 characters, rule "nonempty").
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract.json_check import STRICT_JSON, compile_schema
from harness.contract.model import Column, Table, document_schema, is_timestamp, row_violations, utc_key
from harness.errors import Problem, ValidationError

MAX_JSON_BYTES = 1 << 20
MAX_TEXT_BYTES = 64 << 10
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
# A str of n characters is at most 4n UTF-8 bytes: below these lengths no encoding is needed.
_JSON_SAFE_CHARS = MAX_JSON_BYTES // 4
_TEXT_SAFE_CHARS = MAX_TEXT_BYTES // 4

Check = Callable[[Any], bool]


def _always(v: Any) -> bool:
    return True


def _never(v: Any) -> bool:
    return False


def _call_py(check: Check, value: Any) -> bool:
    return check(value)


_call: Callable[[Check, Any], bool] = getattr(operator, "call", _call_py)  # operator.call: Python >= 3.11

def dump_json(value: Any) -> str:
    """The one JSON serialization the store writes: compact, UTF-8, no NaN."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


# ------------------------------------------------------------ column checks
# Days 01-28 exist in every month, 29 and 30 in every month but February, 31 in
# seven: such timestamps need no calendar. Only February 29 goes to the
# contract's is_timestamp (the leap-year rule).
_EASY_TIMESTAMP = re.compile(
    r"[12][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]+)?(?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?",
    re.ASCII,
)


_HEX64 = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)  # contract.is_sha256, precompiled


def _timestamp_ok(v: Any) -> bool:
    return type(v) is str and (_EASY_TIMESTAMP.fullmatch(v) is not None or is_timestamp(v))


def _column_check(column: Column) -> Check:
    """A fast yes for one column's value; None (NULL) is handled by the caller."""
    kind = column.kind
    if kind == "id":
        limit = column.max_length or 256
        return lambda v: type(v) is str and 0 < len(v) <= limit and not v.isspace() and "\x00" not in v
    if kind == "enum":
        allowed = frozenset(column.values)
        return lambda v: type(v) is str and v in allowed
    if kind == "timestamp":
        return _timestamp_ok
    if kind == "hash":
        return lambda v: type(v) is str and len(v) == 64 and _HEX64.fullmatch(v) is not None
    if kind == "text":
        # str.isspace() covers every character of WHITESPACE, so "not isspace" is safe.
        if column.nonempty:
            return lambda v: type(v) is str and len(v) <= _TEXT_SAFE_CHARS and v != "" and not v.isspace()
        return lambda v: type(v) is str and len(v) <= _TEXT_SAFE_CHARS
    if kind == "count":
        low = column.minimum if column.minimum is not None else 0
        high = column.maximum if column.maximum is not None else INT64_MAX
        return lambda v: type(v) is int and low <= v <= high
    if kind == "real":
        return lambda v: (type(v) is float and math.isfinite(v)) or (type(v) is int and INT64_MIN <= v <= INT64_MAX)
    return lambda v: False  # unknown kind: always ask the contract


class JsonColumn:
    """Turns a JSON column's value into the text to store, checking it on the way."""

    def __init__(self, column: Column) -> None:
        self.name = column.name
        schema = document_schema(column.json_schema) if column.json_schema else True
        self._document_ok = compile_schema(schema)

    def text(self, value: Any) -> tuple[Any, bool]:
        """(value to store, certainly valid). str is JSON text; other values are serialized."""
        if type(value) is str:
            if len(value) > _JSON_SAFE_CHARS:
                return value, False
            try:
                document = STRICT_JSON.decode(value)
            except (ValueError, RecursionError):
                return value, False
            return value, self._document_ok(document)
        if not self._document_ok(value):
            try:
                return dump_json(value), False
            except (TypeError, ValueError, RecursionError):
                return value, False
        try:
            text = dump_json(value)
        except (TypeError, ValueError, RecursionError):
            return value, False
        return text, len(text) <= _JSON_SAFE_CHARS


# ------------------------------------------------------------- table checks
@dataclass(frozen=True)
class _Plan:
    """How to check rows with one particular column set, in key order."""

    checks: tuple[Check, ...]  # one per column (JSON columns: checked apart, so always true here)
    json: tuple[tuple[int, JsonColumn], ...]  # (position, column) of the JSON columns
    complete: bool  # every name writable and every required column present
    rules: bool  # the table has row rules to apply


_MAX_PLANS = 256  # column sets remembered per table (a writer uses a handful)


def _nullable(check: Check) -> Check:
    return lambda v: v is None or check(v)


class TableCheck:
    """Compiled validation of one table's rows."""

    def __init__(self, table: Table) -> None:
        self.table = table
        writable = table.writable_columns
        self.writable = frozenset(c.name for c in writable)
        self.required = frozenset(c.name for c in writable if c.required)
        self.json_columns = {c.name: JsonColumn(c) for c in writable if c.kind == "json"}
        self._checks = {
            c.name: (_always if c.kind == "json" else _nullable(_column_check(c)) if not c.not_null else _column_check(c))
            for c in writable
        }
        self._distinct = tuple(r.columns for r in table.rules if r.kind == "distinct")
        self._not_before = tuple(r.columns for r in table.rules if r.kind == "not_before")
        self._plans: dict[tuple[tuple[str, ...], bool], _Plan] = {}

    def _plan(self, columns: tuple[str, ...], partial: bool) -> _Plan:
        plan = self._plans.get((columns, partial))
        if plan is not None:
            return plan
        never = _never
        plan = _Plan(
            checks=tuple(self._checks.get(name, never) for name in columns),
            json=tuple((i, self.json_columns[n]) for i, n in enumerate(columns) if n in self.json_columns),
            complete=all(n in self.writable for n in columns) and (partial or self.required.issubset(columns)),
            rules=bool(self._distinct or self._not_before),
        )
        if len(self._plans) < _MAX_PLANS:
            self._plans[(columns, partial)] = plan
        return plan

    def values(self, row: Mapping[str, Any], *, validate: bool = True, partial: bool = False) -> list[Any]:
        """The row's values in its key order, JSON serialized; ValidationError for a bad row.

        partial=True checks the columns given and does not require the others
        (an UPDATE of some columns).

        validate=False still refuses names that are not writable columns (they
        become SQL identifiers) and still serializes JSON; the database's own
        constraints remain the only other check.
        """
        if not validate:
            return self._unchecked(row)
        plan = self._plan(tuple(row), partial)
        out = list(row.values())
        ok = plan.complete
        for i, column in plan.json:
            value = out[i]
            if value is not None:
                out[i], good = column.text(value)
                ok = ok and good
        # map(call, ...) runs the column checks in C: the per-row loop was the store's main cost.
        if ok and all(map(_call, plan.checks, out)) and (not plan.rules or self._rules_ok(row)):
            return out
        problem = self.problem(dict(zip(row.keys(), out, strict=True)), partial=partial)
        if problem is not None:
            raise ValidationError(problem)
        return out

    def _unchecked(self, row: Mapping[str, Any]) -> list[Any]:
        unknown = self._unknown(row)
        if unknown is not None:
            raise ValidationError(unknown)
        out = []
        for name, value in row.items():
            if name in self.json_columns and value is not None and type(value) is not str:
                try:
                    value = dump_json(value)
                except (TypeError, ValueError, RecursionError) as e:
                    raise ValidationError(self._problem(name, "json_valid", f"cannot be serialized as JSON ({e})")) from e
            out.append(value)
        return out

    def _rules_ok(self, row: Mapping[str, Any]) -> bool:
        for a, b in self._distinct:
            if row.get(a) is not None and row.get(a) == row.get(b):
                return False
        for later, earlier in self._not_before:
            lv, ev = row.get(later), row.get(earlier)
            if lv is not None and ev is not None and utc_key(lv) < utc_key(ev):
                return False
        return True

    def _unknown(self, row: Mapping[str, Any]) -> Problem | None:
        for name in row:
            if name not in self.writable:
                try:
                    column = self.table.column(name)
                except KeyError:
                    return self._problem(str(name), "unknown_column", f"is not a column of {self.table.name}")
                return self._problem(name, "not_writable", f"is a {column.kind} column; the database sets it")
        return None

    def problem(self, row: Mapping[str, Any], *, partial: bool = False) -> Problem | None:
        """The slow, authoritative path: the first problem of a row (JSON already serialized)."""
        unknown = self._unknown(row)
        if unknown is not None:
            return unknown
        for name, value in row.items():
            found = self._size_problem(name, value)
            if found is not None:
                return found
        violations = row_violations(self.table, row, documents=True)
        if partial:
            violations = [v for v in violations if v.column in row or v.rule != "not_null"]
        return violations[0] if violations else None

    def _size_problem(self, name: str, value: Any) -> Problem | None:
        if name in self.json_columns and value is not None and not isinstance(value, str):
            return self._problem(name, "json_valid", f"cannot be serialized as JSON ({type(value).__name__})")
        if isinstance(value, str):
            limit = MAX_JSON_BYTES if name in self.json_columns else MAX_TEXT_BYTES
            if len(value) > limit // 4 and len(value.encode("utf-8", "surrogatepass")) > limit:
                return self._problem(name, "max_size", f"must be at most {limit} bytes (UTF-8)")
        if type(value) is int and not INT64_MIN <= value <= INT64_MAX:
            return self._problem(name, "type", "must fit in a 64-bit signed integer")
        return None

    def _problem(self, column: str, rule: str, message: str) -> Problem:
        return Problem(self.table.name, column, rule, message)

