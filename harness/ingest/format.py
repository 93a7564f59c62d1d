"""The format of a `ggen-db ingest` line: harness/contract/formats/ingest.schema.json, compiled.

jsonschema costs ~40 us per line, more than the write itself, so each kind's
subschema is compiled once into plain closures for the keywords the schema
uses (an unknown keyword is an error at load time, so the schema cannot gain
a rule the compiled check would skip). A line that fails the compiled check
is re-judged by jsonschema itself, and the problem is worded in the
contract's rule names (tests/test_ingest.py checks both agree).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema

from harness.contract.model import Contract, document_schema, row_violations

SCHEMA_NAME = "ingest.schema.json"

# Which table each kind of line is written to.
KIND_TABLES: Mapping[str, str] = {
    "receipt": "receipts",
    "stage_metric": "pipeline_metrics",
    "slo_violation": "slo_violations",
    "audit": "audit_log",
    "memory": "agent_memory",
    "session": "workflow_sessions",
    "collision": "collision_detection",
}
# Writable columns a line may not set, and why: the store API owns them.
NOT_INGESTED: Mapping[str, Mapping[str, str]] = {
    "memory": {
        "retry_count": "counted by the store on each upsert (Store.upsert_memory)",
        "created_at": "set when the agent's memory is first stored",
    },
    "session": {"created_at": "set when the session is started"},
}

Check = Callable[[Any], bool]
_IGNORED = frozenset({"description", "$comment", "title"})
# The contract's rule word for a string constraint, by the column's kind.
_STRING_RULES = {"id": "nonempty", "text": "nonempty", "timestamp": "timestamp", "hash": "sha256"}
_KEYWORD_RULES = {"type": "type", "enum": "enum", "const": "enum", "minimum": "nonnegative", "maximum": "maximum",
                  "anyOf": "type"}


@dataclass(frozen=True)
class LineProblem:
    """Why a line does not fit the ingest format: the column (or "kind", "(line)") and the rule."""

    table: str
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.table else self.column
        return f"{where}: {self.rule}: {self.message}"


class LineFormat:
    """The ingest schema, loaded and compiled: problem(line) says what is wrong with a parsed line."""

    def __init__(self, contract: Contract, schema: Mapping[str, Any] | None = None) -> None:
        self.contract = contract
        self.schema = dict(schema) if schema is not None else document_schema(SCHEMA_NAME)
        defs = self.schema["$defs"]
        self.kinds = tuple(self.schema["properties"]["kind"]["enum"])
        self._checks = {kind: _Compiler(defs).compile(defs[kind]) for kind in self.kinds}
        self._validators = {
            kind: jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{kind}"}) for kind in self.kinds
        }
        self._properties = {kind: frozenset(defs[kind]["properties"]) for kind in self.kinds}

    def problem(self, line: Any) -> LineProblem | None:
        """None when the line fits the schema; otherwise its first problem in the contract's words."""
        if type(line) is not dict:
            return LineProblem("", "(line)", "type", "must be a JSON object with a kind field")
        kind = line.get("kind")
        if not isinstance(kind, str) or kind not in self._checks:
            return self._kind_problem(line)
        if self._checks[kind](line):
            return None
        return self._word(kind, line)

    def _kind_problem(self, line: dict[str, Any]) -> LineProblem:
        if "kind" not in line:
            return LineProblem("", "kind", "not_null", "is required (one of " + ", ".join(self.kinds) + ")")
        return LineProblem("", "kind", "enum", "must be one of " + ", ".join(self.kinds))

    def _word(self, kind: str, line: dict[str, Any]) -> LineProblem:
        table = KIND_TABLES[kind]
        unknown = sorted(set(line) - self._properties[kind])
        if unknown:
            reason = NOT_INGESTED.get(kind, {}).get(unknown[0])
            if reason:
                return LineProblem(table, unknown[0], "not_ingested", reason)
            return LineProblem(table, unknown[0], "unknown_column", f"is not a column of a {kind} line")
        error = jsonschema.exceptions.best_match(self._validators[kind].iter_errors(line))
        if error is None:  # the compiled check and jsonschema disagree: trust jsonschema, say so
            return LineProblem(table, "(line)", "schema", "refused by the compiled check only (a ggen-db bug)")
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in line]
            return LineProblem(table, missing[0] if missing else "(line)", "not_null", "is required")
        column = str(error.absolute_path[0]) if error.absolute_path else "(line)"
        return self._column_problem(table, column, line, error)

    def _column_problem(
        self, table: str, column: str, line: dict[str, Any], error: jsonschema.ValidationError
    ) -> LineProblem:
        contract_table = self.contract.tables[table]
        for violation in row_violations(contract_table, {column: line.get(column)}):
            if violation.column == column:  # the contract's own words for this value
                return LineProblem(table, column, violation.rule, violation.message)
        kind = contract_table.column(column).kind if column != "(line)" else ""
        rule = _KEYWORD_RULES.get(str(error.validator)) or _STRING_RULES.get(kind, str(error.validator))
        if error.validator == "type":
            value = error.validator_value
            wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            return LineProblem(table, column, rule, f"must be a JSON {' or '.join(wanted)}, not {_json_type(error.instance)}")
        return LineProblem(table, column, rule, error.message)


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


@lru_cache(maxsize=1)
def default_format() -> LineFormat:
    from harness.contract.model import load_contract

    return LineFormat(load_contract())


# ---------------------------------------------------------------- compiler
class UnsupportedKeyword(ValueError):
    """The ingest schema uses a keyword the compiled check does not implement."""


class _Compiler:
    """Compiles the JSON Schema keywords the ingest schema uses, with jsonschema's semantics."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs

    def compile(self, node: Mapping[str, Any]) -> Check:
        checks = [self._keyword(node, key) for key in node if key not in _IGNORED]
        active = [c for c in checks if c is not None]
        if len(active) == 1:
            return active[0]
        return lambda v: all(c(v) for c in active)

    def _keyword(self, node: Mapping[str, Any], key: str) -> Check | None:
        value = node[key]
        if key == "$ref":
            prefix = "#/$defs/"
            if not value.startswith(prefix):
                raise UnsupportedKeyword(f"$ref {value}")
            return self.compile(self.defs[value[len(prefix) :]])
        if key == "anyOf":
            options = [self.compile(option) for option in value]
            return lambda v: any(option(v) for option in options)
        if key == "type":
            return _type_check([value] if isinstance(value, str) else list(value))
        if key == "enum":
            return _enum_check(list(value))
        if key == "const":
            return _enum_check([value])
        if key == "minimum":
            return lambda v: not _is_number(v) or v >= value
        if key == "maximum":
            return lambda v: not _is_number(v) or v <= value
        if key in ("minLength", "maxLength", "pattern"):
            return _string_check(key, value)
        if key == "properties":
            return self._properties(node)
        if key == "required":
            names = tuple(value)
            return lambda v: type(v) is not dict or all(n in v for n in names)
        if key == "additionalProperties":
            if value is not False or "properties" not in node:
                raise UnsupportedKeyword("additionalProperties other than false next to properties")
            return None  # compiled with properties
        raise UnsupportedKeyword(key)

    def _properties(self, node: Mapping[str, Any]) -> Check:
        properties = {name: self.compile(sub) for name, sub in node["properties"].items()}
        closed = node.get("additionalProperties") is False

        def check(v: Any) -> bool:
            if type(v) is not dict:
                return True
            for name, item in v.items():
                sub = properties.get(name)
                if sub is None:
                    if closed:
                        return False
                elif not sub(item):
                    return False
            return True

        return check


def _is_number(v: Any) -> bool:
    return type(v) is int or type(v) is float


_TYPES: dict[str, Check] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    # jsonschema counts 5.0 as an integer; the store then refuses it as not INTEGER.
    "integer": lambda v: type(v) is int or (type(v) is float and math.isfinite(v) and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


def _type_check(names: list[str]) -> Check:
    unknown = [n for n in names if n not in _TYPES]
    if unknown:
        raise UnsupportedKeyword(f"type {unknown[0]}")
    tests = [_TYPES[n] for n in names]
    return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))


def _enum_check(values: list[Any]) -> Check:
    if not all(v is None or isinstance(v, str) for v in values):
        raise UnsupportedKeyword("enum of values other than strings and null")
    allowed = frozenset(values)
    return lambda v: (v is None or type(v) is str) and v in allowed


def _string_check(key: str, value: Any) -> Check:
    if key == "minLength":
        return lambda v: type(v) is not str or len(v) >= value
    if key == "maxLength":
        return lambda v: type(v) is not str or len(v) <= value
    regex = re.compile(value)  # jsonschema's own semantics: re.search
    return lambda v: type(v) is not str or regex.search(v) is not None
