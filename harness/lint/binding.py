"""Values for a statement's parameters, drawn from the target database.

A parameter compared with a column gets a value of that column: the newest
row's for an equality, a day before the newest row's for a lower bound on a
timestamp; LIMIT gets 100. A parameter named like a time bound (`since`,
`until`, ...) gets the data's newest receipt time or a day before it. Anything
else is bound to NULL, and the result says so: its time then measures little.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from sqlglot import exp

from harness.engine.introspection import quote_identifier
from harness.lint.analysis import Catalog, tables_in_scope
from harness.lint.statements import Statement

LIMIT_VALUE = 100
_LOWER = (exp.GT, exp.GTE)
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_SINCE_NAMES = frozenset({"since", "after", "from", "start", "begin"})
_UNTIL_NAMES = frozenset({"until", "before", "to", "end"})


@dataclass(frozen=True)
class Bound:
    values: dict[str, object]
    notes: tuple[str, ...]


def bind(conn: sqlite3.Connection, statement: Statement, catalog: Catalog) -> Bound:
    values: dict[str, object] = {}
    notes: list[str] = []
    scope = tables_in_scope(statement.tree) if statement.tree is not None else {}
    for name in statement.parameters:
        value, how = _value(conn, statement, name, scope, catalog)
        values[name] = value
        if value is None:
            notes.append(f":{name} bound to NULL ({how})")
    return Bound(values, tuple(notes))


def _value(conn: sqlite3.Connection, statement: Statement, name: str, scope: dict[str, str],
           catalog: Catalog) -> tuple[object, str]:
    use = _use(statement.tree, name) if statement.tree is not None else None
    if use is not None and use[0] == "limit":
        return LIMIT_VALUE, "LIMIT"
    if use is not None and use[0] == "offset":
        return 0, "OFFSET"
    if use is not None:
        kind, column, qualifier = use
        table = _table_of(column, qualifier, scope, catalog)
        if table is not None:
            value = _newest(conn, table, column)
            if kind == "lower" and isinstance(value, str) and _TIMESTAMP.match(value):
                value = conn.execute("SELECT datetime(?, '-1 day')", (value,)).fetchone()[0]
            return value, f"{table}.{column}"
    lowered = name.lower()
    words = set(lowered.split("_"))
    if lowered == "limit":
        return LIMIT_VALUE, "LIMIT"
    newest = _newest_receipt_time(conn, catalog)
    if newest is not None and words & _SINCE_NAMES:
        return conn.execute("SELECT datetime(?, '-1 day')", (newest,)).fetchone()[0], "a day before the newest receipt"
    if newest is not None and words & _UNTIL_NAMES:
        return newest, "the newest receipt's time"
    table = _table_of(lowered, "", scope, catalog)
    if table is not None:
        return _newest(conn, table, lowered), f"{table}.{lowered}"
    return None, "no column or time bound it could be drawn from"


def _use(tree: exp.Expression, name: str) -> tuple[str, str, str] | None:
    """How the parameter is used: ('limit'|'offset', '', '') or (eq|lower|upper, column, table qualifier)."""
    for placeholder in tree.find_all(exp.Placeholder):
        if (placeholder.this or "") != name:
            continue
        parent = placeholder.parent
        if isinstance(parent, exp.Limit):
            return "limit", "", ""
        if isinstance(parent, exp.Offset):
            return "offset", "", ""
        if isinstance(parent, exp.Between) and isinstance(parent.this, exp.Column):
            kind = "lower" if parent.args.get("low") is placeholder else "upper"
            return kind, parent.this.name.lower(), parent.this.table.lower()
        if isinstance(parent, exp.Binary):
            other = parent.this if parent.expression is placeholder else parent.expression
            if isinstance(other, exp.Column):
                on_right = parent.expression is placeholder
                kind = "lower" if isinstance(parent, _LOWER) == on_right else "upper"
                if not isinstance(parent, (*_LOWER, exp.LT, exp.LTE)):
                    kind = "eq"
                return kind, other.name.lower(), other.table.lower()
    return None


def _table_of(column: str, qualifier: str, scope: dict[str, str], catalog: Catalog) -> str | None:
    candidates = [scope.get(qualifier, qualifier)] if qualifier else sorted(set(scope.values()))
    return next((t for t in candidates if column in catalog.columns.get(t, frozenset())), None)


def _newest(conn: sqlite3.Connection, table: str, column: str) -> object:
    """The column's value in the table's newest row (largest rowid; any row of a WITHOUT ROWID table)."""
    # Identifiers come from the catalog (pragma_table_xinfo), quoted; no value is spliced in.
    select = f"SELECT {quote_identifier(column)} FROM {quote_identifier(table)}"  # noqa: S608
    try:
        row = conn.execute(f"{select} ORDER BY rowid DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        row = conn.execute(f"{select} LIMIT 1").fetchone()
    return row[0] if row else None


def _newest_receipt_time(conn: sqlite3.Connection, catalog: Catalog) -> str | None:
    if "timestamp_utc" not in catalog.columns.get("receipts", frozenset()):
        return None
    value = conn.execute("SELECT max(timestamp_utc) FROM receipts").fetchone()[0]
    return value if isinstance(value, str) else None
