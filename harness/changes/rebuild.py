"""SQLite's documented table rebuild (lang_altertable section 7), for migrations.

For a change ALTER TABLE cannot make (a column's type, NOT NULL or CHECK, a
STORED generated column, a key, STRICT), a migration calls
`rebuild_table(conn, table, create_sql)` inside the runner's transaction,
with foreign keys already off (the runner turns them off before BEGIN;
inside a transaction the pragma is a no-op, and dropping the old parent
table would then cascade-delete every child row). It:

1. saves the SQL of the table's indexes, of every trigger and every view
   (views and triggers elsewhere may name the table);
2. drops the views and triggers (a rename would otherwise re-parse them
   against a table that is gone);
3. creates the new table as `<table>_new`, copies the columns both sides
   have (generated columns are recomputed), drops the old table and renames
   the new one into place (never the other way round: renaming the old
   table first rewrites references in other tables' foreign keys);
4. recreates the indexes, triggers and views, and keeps the AUTOINCREMENT
   counter from going back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from harness.engine import sqltext
from harness.engine.introspection import quote_identifier
from harness.errors import InputError


def rebuild_table(
    conn: sqlite3.Connection,
    table: str,
    create_sql: str,
    *,
    copy: Mapping[str, str] | None = None,
) -> None:
    """Replace table by the one create_sql defines, keeping its rows.

    copy: new column -> SQL expression over the old table's columns, for
    columns that are new or computed differently (default: same-named columns).
    """
    if conn.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise InputError(f"rebuild of {table}: foreign keys are on (the runner turns them off before BEGIN)")
    if not conn.in_transaction:
        raise InputError(f"rebuild of {table}: must run inside the migration's transaction")
    saved_indexes = _sql_of(conn, "index", table)
    saved_triggers = _sql_of(conn, "trigger", None)
    saved_views = _sql_of(conn, "view", None)
    sequence = _sequence(conn, table)
    for kind, names in (("VIEW", _names(conn, "view")), ("TRIGGER", _names(conn, "trigger"))):
        for name in names:
            conn.execute(f"DROP {kind} {quote_identifier(name)}")
    staging = f"{table}_new"
    conn.execute(_renamed(create_sql, staging))
    targets, sources = _copy_columns(conn, table, staging, copy or {})
    conn.execute(
        f"INSERT INTO {quote_identifier(staging)} ({', '.join(targets)}) "  # noqa: S608 - names quoted
        f"SELECT {', '.join(sources)} FROM {quote_identifier(table)}"
    )
    conn.execute(f"DROP TABLE {quote_identifier(table)}")
    conn.execute(f"ALTER TABLE {quote_identifier(staging)} RENAME TO {quote_identifier(table)}")
    for statement in (*saved_indexes, *saved_views, *saved_triggers):
        conn.execute(statement)
    if sequence is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (sequence, table))


def _sql_of(conn: sqlite3.Connection, kind: str, table: str | None) -> list[str]:
    rows = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND (? IS NULL OR tbl_name = ?) "
        "ORDER BY rowid",
        (kind, table, table),
    ).fetchall()
    return [r[0] for r in rows]


def _names(conn: sqlite3.Connection, kind: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))]


def _sequence(conn: sqlite3.Connection, table: str) -> int | None:
    has_sequence = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()
    if not has_sequence:
        return None
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return int(row[0]) if row else None


def _renamed(create_sql: str, name: str) -> str:
    """create_sql with the table's name replaced (the statement's own text kept)."""
    words = sqltext.tokens(create_sql)
    if words[:2] != ["create", "table"] or "(" not in words:
        raise InputError(f"rebuild: not a CREATE TABLE statement: {create_sql[:80]}")
    old_name = words[sqltext.object_name_after(words, "table")]
    head, rest = create_sql.split("(", 1)
    head_words = head.rstrip()
    cut = len(head_words) - len(old_name) if head_words.lower().endswith(old_name.lower()) else None
    if cut is None:
        raise InputError(f"rebuild: cannot find the table name in: {create_sql[:80]}")
    return f"{head_words[:cut]}{quote_identifier(name)} ({rest}"


def _copy_columns(
    conn: sqlite3.Connection, table: str, staging: str, copy: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(target columns, source expressions): the stored, non-generated columns of the new table."""
    new = conn.execute('SELECT name, hidden FROM pragma_table_xinfo(?) ORDER BY cid', (staging,)).fetchall()
    old = {r[0] for r in conn.execute("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0", (table,))}
    targets, sources = [], []
    for name, hidden in new:
        if hidden:
            continue  # generated: SQLite computes it
        if name in copy:
            targets.append(quote_identifier(name))
            sources.append(copy[name])
        elif name in old:
            targets.append(quote_identifier(name))
            sources.append(quote_identifier(name))
    return targets, sources
