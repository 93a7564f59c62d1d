"""Rows to write in scratch databases: valid samples derived from the contract, and probes.

`sample_row(table)` is a row the contract accepts (every writable column
without a default gets a valid value of its kind). `probe_insert` tries a
row inside a savepoint and always undoes it, so one scratch database serves
many probes; it answers None when the row is accepted and SQLite's reason
when a constraint refuses it. Any other SQLite error (a missing column, a
broken view) is not a refusal and propagates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from harness.contract.model import Column, Contract, Table
from harness.engine.introspection import quote_identifier

SAMPLE_TIMESTAMP = "2026-01-29T12:00:00Z"
EARLIEST = "1000-01-01T00:00:00Z"
LATEST = "2999-12-31T23:59:59.999Z"
SAMPLE_JSON = '{"a.b": 1, "a": {"b": 2}, "files": ["x.py", "y.py"], "state": "idle"}'


def sample_value(column: Column, n: int = 1) -> Any:
    """A value of the column's kind that the contract accepts."""
    if column.kind == "enum":
        return column.values[(n - 1) % len(column.values)]
    if column.kind == "id":
        return f"{column.name}-{n}"
    if column.kind == "timestamp":
        return SAMPLE_TIMESTAMP
    if column.kind == "count":
        return (column.minimum or 0) + n
    if column.kind == "real":
        return 1.5 * n
    if column.kind == "json":
        return SAMPLE_JSON
    if column.kind == "hash":
        return "ab" * 32
    return f"{column.name} {n}"


def sample_row(table: Table, n: int = 1, /, **overrides: Any) -> dict[str, Any]:
    """A valid row: writable columns without a default, then the table's rules satisfied."""
    row = {c.name: sample_value(c, n) for c in table.writable_columns if c.default is None}
    for rule in table.rules:
        if rule.kind == "not_before":  # keep the later column at or after the earlier one
            later, earlier = rule.columns
            row[later], row[earlier] = LATEST, EARLIEST
    row.update(overrides)
    return row


def insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> int:
    """INSERT one row (identifiers quoted, values bound); the new rowid."""
    columns = ", ".join(quote_identifier(c) for c in row)
    marks = ", ".join("?" for _ in row)
    sql = f"INSERT INTO {quote_identifier(table)} ({columns}) VALUES ({marks})"  # noqa: S608 (quoted identifiers)
    cursor = conn.execute(sql, tuple(row.values()))
    return int(cursor.lastrowid or 0)


def insert_with_parents(conn: sqlite3.Connection, contract: Contract, table: Table, row: Mapping[str, Any]) -> int:
    """Insert row after making sure every row it references exists (recursively)."""
    for fk in table.foreign_keys:
        value = row.get(fk.column)
        if value is None or _exists(conn, fk.table, fk.references, value):
            continue
        parent = contract.tables[fk.table]
        insert_with_parents(conn, contract, parent, sample_row(parent, **{fk.references: value}))
    return insert(conn, table.name, row)


def _exists(conn: sqlite3.Connection, table: str, column: str, value: Any) -> bool:
    sql = f"SELECT 1 FROM {quote_identifier(table)} WHERE {quote_identifier(column)} = ? LIMIT 1"  # noqa: S608
    return conn.execute(sql, (value,)).fetchone() is not None


@contextmanager
def undone(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back."""
    conn.execute("SAVEPOINT probe")
    try:
        yield
    finally:
        conn.execute("ROLLBACK TO probe")
        conn.execute("RELEASE probe")


def refusal(error: sqlite3.Error) -> str | None:
    """SQLite's reason when error is a constraint refusing a write, else None."""
    return str(error) if isinstance(error, sqlite3.IntegrityError) else None


def probe_insert(
    conn: sqlite3.Connection, contract: Contract, table: Table, row: Mapping[str, Any]
) -> str | None:
    """None when the row (and the parents it needs) is accepted, else why it was refused; undone."""
    with undone(conn):
        try:
            insert_with_parents(conn, contract, table, row)
        except sqlite3.IntegrityError as e:
            return str(e)
    return None


def probe_sql(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> str | None:
    """None when the statement succeeds, else the constraint that refused it; undone."""
    with undone(conn):
        try:
            conn.execute(sql, params)
        except sqlite3.IntegrityError as e:
            return str(e)
    return None


def stored(conn: sqlite3.Connection, table: str, column: str, rowid: int) -> tuple[Any, str]:
    """(value, typeof(value)) of one stored cell."""
    col = quote_identifier(column)
    sql = f"SELECT {col}, typeof({col}) FROM {quote_identifier(table)} WHERE rowid = ?"  # noqa: S608
    row = conn.execute(sql, (rowid,)).fetchone()
    return (row[0], row[1]) if row else (None, "missing")


def show(value: Any, limit: int = 40) -> str:
    """A value as it appears in a message (repr, shortened)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"
