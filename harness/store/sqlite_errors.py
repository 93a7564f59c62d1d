"""SQLite error translation: what SQLite refused, as a Problem in the contract's words.

SQLite and Python's sqlite3 say why they refused a value only in an error's
text ("CHECK constraint failed: receipts_duration_ms_nonnegative", "cannot
store TEXT value in INTEGER column receipts.duration_ms", "Error binding
parameter 3"). This is the one module that reads that text. The store calls
it for whatever passes its own checks and the database still refuses (a
duplicate, an orphan, a value written with validation off), so a caller sees
the same harness.errors.Problem either way (tests/test_store.py checks both).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from harness.contract.model import Contract, Table
from harness.errors import Problem

# What a constraint name's last part means, in the contract's rule words.
_RULE_WORDS = {"format": "timestamp", "valid": "json_valid"}
_CHECK = re.compile(r"CHECK constraint failed: (\w+)")
_NOT_NULL_OR_UNIQUE = re.compile(r"(NOT NULL|UNIQUE) constraint failed: (\w+)\.(\w+)")
_DATATYPE = re.compile(r"cannot store (\w+) value in (\w+) column (\w+)\.(\w+)")
_TRIGGER = re.compile(r"^(\w+)(?:\.(\w+))?: (.*)$", re.S)
# sqlite3's words for a parameter it cannot bind: "Error binding parameter 3 ..." (counted from 1)
# or ":name" for a named one; an int beyond 64 bits is an OverflowError that names no parameter.
_BINDING = re.compile(r"Error binding parameter :(\w+)|(?:binding parameter|parameter) (\d+)|(int too large)")
_LONE_SURROGATE = "contains a lone surrogate (\\ud800-\\udfff)"


def constraint_problem(contract: Contract, table: str, error: sqlite3.IntegrityError) -> Problem:
    """A constraint SQLite enforced (CHECK, NOT NULL, UNIQUE, STRICT type, foreign key, trigger), named."""
    text = str(error)
    m = _CHECK.search(text)
    if m:
        return _check_problem(contract, m.group(1), text)
    m = _NOT_NULL_OR_UNIQUE.search(text)
    if m:
        rule = "not_null" if m.group(1) == "NOT NULL" else "unique"
        return Problem(m.group(2), m.group(3), rule, text)
    m = _DATATYPE.search(text)
    if m:
        return Problem(m.group(3), m.group(4), "type", f"must be {m.group(2)}, not {m.group(1)}")
    if "FOREIGN KEY constraint failed" in text:
        return _foreign_key_problem(contract, table)
    m = _TRIGGER.match(text)
    if m and m.group(1) in contract.tables:
        if "(foreign key " in m.group(3):  # schema version 2's triggers keep foreign keys for every connection
            return _foreign_key_problem(contract, m.group(1), m.group(2))
        column = m.group(2) or "(row)"
        rule = "unique" if "unique" in m.group(3) else _trigger_rule(contract.tables[m.group(1)])
        return Problem(m.group(1), column, rule, m.group(3))
    return Problem(table, "(row)", "constraint", text)


def binding_problem(table: str, error: Exception, columns: Sequence[str]) -> Problem | None:
    """A value sqlite3 cannot bind (an unsupported type, an int beyond 64 bits); None for other errors.

    columns: the statement's columns in parameter order (positional parameters only).
    """
    m = _BINDING.search(str(error))
    if m is None:
        return None
    name, number = m.group(1), m.group(2)
    index = int(number) - 1 if number else -1
    column = name or (columns[index] if 0 <= index < len(columns) else "(row)")
    return Problem(table, column, "type", f"cannot be stored ({error})")


def encoding_problem(table: str, named_values: Iterable[tuple[str, Any]]) -> Problem:
    """A str that UTF-8 cannot encode (a lone surrogate), naming its column.

    Found after sqlite3 refuses to bind it rather than checked on every
    write: only text built from escapes or a broken decoder holds one.
    """
    for column, value in named_values:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return Problem(table, column, "utf8", _LONE_SURROGATE)
    return Problem(table, "(row)", "utf8", _LONE_SURROGATE)


def is_busy(error: BaseException) -> bool:
    """Another connection holds the write lock beyond the busy timeout (SQLITE_BUSY)."""
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


def _check_problem(contract: Contract, constraint: str, text: str) -> Problem:
    owners = [t for t in contract.tables.values() if constraint.startswith(t.name + "_")]
    if not owners:
        return Problem("?", constraint, "check", text)
    table = max(owners, key=lambda t: len(t.name))
    for rule in table.rules:
        if rule.name == constraint:
            return Problem(table.name, rule.subject, rule.kind, rule.doc)
    rest = constraint[len(table.name) + 1 :]
    columns = [c.name for c in table.columns if rest.startswith(c.name + "_")]
    if not columns:
        return Problem(table.name, rest, "check", text)
    column = max(columns, key=len)
    word = rest[len(column) + 1 :]
    return Problem(table.name, column, _RULE_WORDS.get(word, word), f"refused by {constraint}")


def _foreign_key_problem(contract: Contract, table: str, column: str | None = None) -> Problem:
    fks = contract.tables[table].foreign_keys if table in contract.tables else ()
    fks = tuple(fk for fk in fks if column in (None, fk.column))
    if not fks:
        return Problem(table, "(row)", "foreign_key", "FOREIGN KEY constraint failed")
    fk = fks[0]
    return Problem(table, fk.column, "foreign_key", f"must name an existing {fk.table}.{fk.references}")


def _trigger_rule(table: Table) -> str:
    kinds = [r.kind for r in table.rules if r.kind not in ("distinct", "not_before")]
    return kinds[0] if kinds else "constraint"


__all__ = ["binding_problem", "constraint_problem", "encoding_problem", "is_busy"]
