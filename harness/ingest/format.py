"""The format of a `ggen-db ingest` line: harness/contract/formats/ingest.schema.json, compiled.

jsonschema costs ~40 us per line, more than the write itself, so each kind's
subschema is compiled once by harness.contract.json_check, the check the store
uses for its documents too (it decides as jsonschema does; a keyword it does
not compile is an error at load time here, so the schema cannot gain a rule
that would make ingest slow). A line that fails the compiled check is
re-judged by jsonschema itself, and the problem is worded in the contract's
rule names (tests/test_ingest.py checks both agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonschema

from harness.contract.json_check import compile_schema
from harness.contract.model import Contract, document_schema, row_violations
from harness.errors import Problem

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

# The contract's rule word for a string constraint, by the column's kind.
_STRING_RULES = {"id": "nonempty", "text": "nonempty", "timestamp": "timestamp", "hash": "sha256"}
_KEYWORD_RULES = {"type": "type", "enum": "enum", "const": "enum", "minimum": "nonnegative", "maximum": "maximum",
                  "anyOf": "type"}


class LineFormat:
    """The ingest schema, loaded and compiled: problem(line) says what is wrong with a parsed line."""

    def __init__(self, contract: Contract, schema: Mapping[str, Any] | None = None) -> None:
        self.contract = contract
        self.schema = dict(schema) if schema is not None else document_schema(SCHEMA_NAME)
        defs = self.schema["$defs"]
        self.kinds = tuple(self.schema["properties"]["kind"]["enum"])
        self._checks = {kind: compile_schema(defs[kind], root=self.schema, fallback=False) for kind in self.kinds}
        self._validators = {
            kind: jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{kind}"}) for kind in self.kinds
        }
        self._properties = {kind: frozenset(defs[kind]["properties"]) for kind in self.kinds}

    def problem(self, line: Any) -> Problem | None:
        """None when the line fits the schema; otherwise its first problem in the contract's words."""
        if type(line) is not dict:
            return Problem("", "(line)", "type", "must be a JSON object with a kind field")
        kind = line.get("kind")
        if not isinstance(kind, str) or kind not in self._checks:
            return self._kind_problem(line)
        if self._checks[kind](line):
            return None
        return self._word(kind, line)

    def _kind_problem(self, line: dict[str, Any]) -> Problem:
        if "kind" not in line:
            return Problem("", "kind", "not_null", "is required (one of " + ", ".join(self.kinds) + ")")
        return Problem("", "kind", "enum", "must be one of " + ", ".join(self.kinds))

    def _word(self, kind: str, line: dict[str, Any]) -> Problem:
        table = KIND_TABLES[kind]
        unknown = sorted(set(line) - self._properties[kind])
        if unknown:
            reason = NOT_INGESTED.get(kind, {}).get(unknown[0])
            if reason:
                return Problem(table, unknown[0], "not_ingested", reason)
            return Problem(table, unknown[0], "unknown_column", f"is not a column of a {kind} line")
        error = jsonschema.exceptions.best_match(self._validators[kind].iter_errors(line))
        if error is None:  # the compiled check and jsonschema disagree: trust jsonschema, say so
            return Problem(table, "(line)", "schema", "refused by the compiled check only (a ggen-db bug)")
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in line]
            return Problem(table, missing[0] if missing else "(line)", "not_null", "is required")
        column = str(error.absolute_path[0]) if error.absolute_path else "(line)"
        return self._column_problem(table, column, line, error)

    def _column_problem(
        self, table: str, column: str, line: dict[str, Any], error: jsonschema.ValidationError
    ) -> Problem:
        contract_table = self.contract.tables[table]
        for violation in row_violations(contract_table, {column: line.get(column)}):
            if violation.column == column:  # the contract's own words for this value
                return Problem(table, column, violation.rule, violation.message)
        kind = contract_table.column(column).kind if column != "(line)" else ""
        rule = _KEYWORD_RULES.get(str(error.validator)) or _STRING_RULES.get(kind, str(error.validator))
        if error.validator == "type":
            value = error.validator_value
            wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            return Problem(table, column, rule, f"must be a JSON {' or '.join(wanted)}, not {_json_type(error.instance)}")
        return Problem(table, column, rule, error.message)


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


@lru_cache(maxsize=1)
def default_format() -> LineFormat:
    from harness.contract.model import load_contract

    return LineFormat(load_contract())
