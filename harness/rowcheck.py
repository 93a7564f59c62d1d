"""Row validation for the store, compiled once per table from the contract.

The contract's predicates (harness.contract.row_violations) are the
definition of a valid row, but they are general and slow (a jsonschema run
costs ~35 us per document). Writers need a check that costs a few
microseconds, so each table gets a compiled fast path: plain closures per
column and a compiled subset of JSON Schema for the documents. The fast path
only ever says "certainly valid"; anything it is unsure of goes to the slow
path, which asks the contract itself and words the error. So the fast path
can be stricter than the contract, never looser (tests/test_store.py checks
that on generated rows).

Limits the contract leaves open, enforced here under the rule "max_size":
JSON documents <= 1 MiB and other text <= 64 KiB (UTF-8 bytes); ids are
limited by the contract itself (256 characters, rule "nonempty").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from harness.contract import (
    Column,
    Table,
    document_schema,
    is_sha256,
    is_timestamp,
    row_violations,
    utc_key,
)

MAX_JSON_BYTES = 1 << 20
MAX_TEXT_BYTES = 64 << 10
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
# A str of n characters is at most 4n UTF-8 bytes: below these lengths no encoding is needed.
_JSON_SAFE_CHARS = MAX_JSON_BYTES // 4
_TEXT_SAFE_CHARS = MAX_TEXT_BYTES // 4

Check = Callable[[Any], bool]


def dump_json(value: Any) -> str:
    """The one JSON serialization the store writes: compact, UTF-8, no NaN."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(frozen=True)
class Problem:
    """The first broken rule of a row: the column (a real column, never a rule name) and why."""

    column: str
    rule: str
    message: str


# ------------------------------------------------------- JSON Schema subset
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "default", "examples"})


class _Unsupported(Exception):
    """The schema uses a keyword the subset compiler does not know."""


def _is_number(v: Any) -> bool:
    return (type(v) is int) or (type(v) is float and math.isfinite(v))


_TYPE_TESTS: dict[str, Check] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int or (type(v) is float and math.isfinite(v) and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


def compile_document_check(schema: Any) -> Check:
    """A fast yes/no for a JSON Schema over a parsed JSON document.

    Covers the keywords ggen-db's document schemas use; a schema with any
    other keyword falls back to jsonschema's own (slower) is_valid. Python
    values that are not JSON-native where the schema looks (tuples, non-str
    keys, NaN) get False, so the caller re-checks the serialized text.
    """
    try:
        return _compile(schema)
    except _Unsupported:
        return jsonschema.Draft202012Validator(schema).is_valid


def _compile(node: Any) -> Check:
    if node is True or node == {}:
        return lambda v: True
    if node is False or not isinstance(node, dict):
        raise _Unsupported(repr(node))
    compiled = (_compile_keyword(node, key) for key in node if key not in _ANNOTATIONS)
    checks = [c for c in compiled if c is not None]
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)


def _compile_keyword(node: dict[str, Any], key: str) -> Check | None:
    value = node[key]
    if key == "type":
        names = [value] if isinstance(value, str) else list(value)
        if any(n not in _TYPE_TESTS for n in names):
            raise _Unsupported(f"type {value!r}")
        tests = [_TYPE_TESTS[n] for n in names]
        return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
    if key == "enum":
        if not all(isinstance(x, str) for x in value):
            raise _Unsupported("enum of non-strings")
        allowed = frozenset(value)
        return lambda v: type(v) is str and v in allowed
    if key in ("minLength", "maxLength", "pattern"):
        return _string_keyword(key, value)
    if key == "minimum":
        return lambda v: type(v) is bool or not isinstance(v, (int, float)) or (math.isfinite(v) and v >= value)
    if key in ("properties", "additionalProperties", "required"):
        return _object_keyword(node, key)
    if key == "items":
        item = _compile(value)
        return lambda v: type(v) is not list or all(item(x) for x in v)
    raise _Unsupported(key)


def _string_keyword(key: str, value: Any) -> Check:
    if key == "minLength":
        return lambda v: type(v) is not str or len(v) >= value
    if key == "maxLength":
        return lambda v: type(v) is not str or len(v) <= value
    regex = re.compile(value)
    return lambda v: type(v) is not str or regex.search(v) is not None


def _object_keyword(node: dict[str, Any], key: str) -> Check | None:
    if key == "required":
        names = tuple(node["required"])
        return lambda v: type(v) is not dict or (_str_keys(v) and all(n in v for n in names))
    if key == "additionalProperties" and "properties" in node:
        return None  # compiled together with properties
    properties = {k: _compile(s) for k, s in node.get("properties", {}).items()}
    extra = _compile(node["additionalProperties"]) if "additionalProperties" in node else None

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return True
        for k, item in v.items():
            if type(k) is not str:
                return False
            sub = properties.get(k, extra)
            if sub is not None and not sub(item):
                return False
        return True

    return check


def _str_keys(v: dict[Any, Any]) -> bool:
    return all(type(k) is str for k in v)


# ------------------------------------------------------------ column checks
def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _column_check(column: Column) -> Check:
    """A fast yes for one column's value; None (NULL) is handled by the caller."""
    kind = column.kind
    if kind == "id":
        limit = column.max_length or 256
        return lambda v: type(v) is str and 0 < len(v) <= limit and not v.isspace()
    if kind == "enum":
        allowed = frozenset(column.values)
        return lambda v: type(v) is str and v in allowed
    if kind == "timestamp":
        return lambda v: type(v) is str and is_timestamp(v)
    if kind == "hash":
        return lambda v: type(v) is str and is_sha256(v)
    if kind == "text":
        # str.isspace() covers every character of WHITESPACE, so "not isspace" is safe.
        if column.nonempty:
            return lambda v: type(v) is str and len(v) <= _TEXT_SAFE_CHARS and v != "" and not v.isspace()
        return lambda v: type(v) is str and len(v) <= _TEXT_SAFE_CHARS
    if kind == "count":
        low = column.minimum if column.minimum is not None else 0
        return lambda v: type(v) is int and low <= v <= INT64_MAX
    if kind == "real":
        return lambda v: (type(v) is float and math.isfinite(v)) or (type(v) is int and INT64_MIN <= v <= INT64_MAX)
    return lambda v: False  # unknown kind: always ask the contract


class JsonColumn:
    """Turns a JSON column's value into the text to store, checking it on the way."""

    def __init__(self, column: Column) -> None:
        self.name = column.name
        schema = document_schema(column.json_schema) if column.json_schema else True
        self._document_ok = compile_document_check(schema)

    def text(self, value: Any) -> tuple[Any, bool]:
        """(value to store, certainly valid). str is JSON text; other values are serialized."""
        if type(value) is str:
            if len(value) > _JSON_SAFE_CHARS:
                return value, False
            try:
                document = json.loads(value, parse_constant=_reject_constant)
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
class TableCheck:
    """Compiled validation of one table's rows."""

    def __init__(self, table: Table) -> None:
        self.table = table
        writable = table.writable_columns
        self.writable = frozenset(c.name for c in writable)
        self.required = frozenset(c.name for c in writable if c.required)
        self.json_columns = {c.name: JsonColumn(c) for c in writable if c.kind == "json"}
        self._checks = {c.name: _column_check(c) for c in writable if c.kind != "json"}
        self._nullable = frozenset(c.name for c in writable if not c.not_null)
        self._distinct = tuple(r.columns for r in table.rules if r.kind == "distinct")
        self._not_before = tuple(r.columns for r in table.rules if r.kind == "not_before")

    def values(self, row: Mapping[str, Any], *, validate: bool = True, partial: bool = False) -> list[Any]:
        """The row's values in its key order, JSON serialized; ProblemError for a bad row.

        partial=True checks the columns given and does not require the others
        (an UPDATE of some columns).

        validate=False still refuses names that are not writable columns (they
        become SQL identifiers) and still serializes JSON; the database's own
        constraints remain the only other check.
        """
        if not validate:
            return self._unchecked(row)
        out: list[Any] = []
        ok = True
        checks, json_columns, nullable = self._checks, self.json_columns, self._nullable
        for name, value in row.items():
            if value is None:
                ok = ok and name in nullable
            elif name in json_columns:
                value, good = json_columns[name].text(value)
                ok = ok and good
            elif ok:
                check = checks.get(name)
                ok = check is not None and check(value)
            out.append(value)
        if ok and (partial or self.required.issubset(row.keys())) and self._rules_ok(row):
            return out
        problem = self.problem(dict(zip(row.keys(), out, strict=True)), partial=partial)
        if problem is not None:
            raise ProblemError(problem)
        return out

    def _unchecked(self, row: Mapping[str, Any]) -> list[Any]:
        unknown = self._unknown(row)
        if unknown is not None:
            raise ProblemError(unknown)
        out = []
        for name, value in row.items():
            if name in self.json_columns and value is not None and type(value) is not str:
                try:
                    value = dump_json(value)
                except (TypeError, ValueError, RecursionError) as e:
                    raise ProblemError(Problem(name, "json_valid", f"cannot be serialized as JSON ({e})")) from e
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
                    return Problem(str(name), "unknown_column", f"is not a column of {self.table.name}")
                return Problem(name, "not_writable", f"is a {column.kind} column; the database sets it")
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
        if not violations:
            return None
        first = violations[0]
        return Problem(self._column_of(first.column), first.rule, first.message)

    def _size_problem(self, name: str, value: Any) -> Problem | None:
        if name in self.json_columns and value is not None and not isinstance(value, str):
            return Problem(name, "json_valid", f"cannot be serialized as JSON ({type(value).__name__})")
        if isinstance(value, str):
            limit = MAX_JSON_BYTES if name in self.json_columns else MAX_TEXT_BYTES
            if len(value) > limit // 4 and len(value.encode("utf-8", "surrogatepass")) > limit:
                return Problem(name, "max_size", f"must be at most {limit} bytes (UTF-8)")
        if type(value) is int and not INT64_MIN <= value <= INT64_MAX:
            return Problem(name, "type", "must fit in a 64-bit signed integer")
        return None

    def _column_of(self, name: str) -> str:
        """Table rules are reported under their first column (the contract names the rule)."""
        for rule in self.table.rules:
            if rule.name == name:
                return rule.column or (rule.columns[0] if rule.columns else name)
        return name


class ProblemError(Exception):
    """Internal: a row's problem, turned into ValidationError by the store (which knows the table)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.column}: {problem.rule}: {problem.message}")
        self.problem = problem

