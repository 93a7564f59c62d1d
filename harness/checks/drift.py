"""Drift: how a database's schema differs from the shipped schema.sql, object by object.

A database built from an older or hand-edited schema keeps its own CREATE
statements; the other checks judge those statements against the contract,
this one lists every table, index, view and trigger that was added, removed
or changed compared with the shipped schema, so `check --db` shows the drift
itself beside the promises it breaks. Statements are compared word for word
as harness.engine.sqltext normalizes them (spacing, comments, case outside
string literals, quoting of plain names and IF NOT EXISTS do not count), the
same normalization the catalog that `ggen-db diff` and `migrate` compare
(harness.engine.catalog) is built with; this check is stricter than that
catalog: any other word that differs is drift too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import cache

from harness.checks.context import CheckContext
from harness.checks.registry import CheckGroup
from harness.engine import db as harness_db
from harness.engine.sqltext import statement_words

STORED_DATA = CheckGroup("Stored data")

_WORDS_SHOWN = 6


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, ...]]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return {(kind, name): statement_words(sql) for kind, name, sql in rows}


@cache
def shipped_objects() -> dict[tuple[str, str], tuple[str, ...]]:
    """The CREATE statements of the shipped schema.sql as normalized words, by (type, name)."""
    conn = harness_db.connect_memory()
    try:
        harness_db.apply_schema(conn, harness_db.read_schema(None))
        return _objects(conn)
    finally:
        conn.close()


def drift_problems(target: sqlite3.Connection) -> list[str]:
    actual, shipped = _objects(target), shipped_objects()
    found = []
    for key in sorted(set(actual) | set(shipped)):
        kind, name = key
        if key not in shipped:
            found.append(f"{kind} {name}: added (not in the shipped schema.sql)")
        elif key not in actual:
            found.append(f"{kind} {name}: removed (the shipped schema.sql has it)")
        elif actual[key] != shipped[key]:
            found.append(f"{kind} {name}: changed ({_first_difference(actual[key], shipped[key])})")
    return found


def _first_difference(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(at - 2, 0)
    return (f"reads `{' '.join(a[start:at + _WORDS_SHOWN])}` where the shipped one reads "
            f"`{' '.join(b[start:at + _WORDS_SHOWN])}`")


@STORED_DATA.check("data_schema_drift")
def schema_drift(ctx: CheckContext) -> Iterable[str]:
    """the database's schema is the shipped one

    Every table, index, view and trigger stored in the database is the shipped schema.sql's, word for word
    (spacing, comments and IF NOT EXISTS aside): nothing added, removed or changed. Each difference is listed
    with the words that differ.

    Fix: Run `ggen-db migrate` for a database at an older schema version; otherwise recreate or drop the
    objects listed (ggen-db diff shows the full comparison).
    """
    if ctx.target_kind != "db":
        # Like the other stored-data checks, nothing to find in a schema file: it is judged against the
        # contract, and may differ from the shipped schema when the contract changes with it.
        return []
    version = ctx.target.execute("PRAGMA user_version").fetchone()[0]
    found = drift_problems(ctx.target)
    if found and version != ctx.contract.schema_version:
        found.insert(0, f"the database is at schema version {version}, the shipped schema is version "
                        f"{ctx.contract.schema_version}")
    return found
