"""Upgrade convergence: a populated database migrated to the newest version equals a fresh install
holding the same rows.

check_convergence(versions, populated) copies the populated database (at
versions.base_version or later), creates a fresh newest-version database,
copies into it the rows of every base table (only the columns both versions
have, parents first), migrates the copy with the runner and compares:
catalogs (with the expected one), every row of every table (generated
columns and rollups included), integrity_check, foreign_key_check and the
runner's own verification. Used by `ggen-db gate` and by the tests of every
migration.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from harness.changes.migrate import migrate
from harness.changes.versions import Versions
from harness.contract.model import load_contract
from harness.engine import db
from harness.engine.catalog import read_catalog
from harness.engine.compare import compare
from harness.engine.introspection import quote_identifier

PARENTS_FIRST = ("workflow_sessions", "receipts")


def base_tables() -> list[str]:
    """The contract's base (not derived) tables, parents before the tables that reference them."""
    tables = [t.name for t in load_contract().tables.values() if not t.derived]
    return [t for t in PARENTS_FIRST if t in tables] + [t for t in tables if t not in PARENTS_FIRST]


def stored_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = conn.execute("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0", (table,)).fetchall()
    return [r[0] for r in rows]


def shared_columns(old: sqlite3.Connection, new: sqlite3.Connection) -> dict[str, list[str]]:
    """Base table -> the stored columns both databases have (tables one side lacks are left out)."""
    found = {}
    for table in base_tables():
        in_new = stored_columns(new, table)
        shared = [c for c in stored_columns(old, table) if c in in_new]
        if shared:
            found[table] = shared
    return found


def copy_rows(conn: sqlite3.Connection, source: Path, columns_of: dict[str, list[str]]) -> None:
    """Copy the listed columns of each table from the database at source into conn, in one transaction."""
    conn.execute("ATTACH DATABASE ? AS src", (f"{source.resolve().as_uri()}?mode=ro",))
    try:
        with db.transaction(conn, "DEFERRED"):
            for table, columns in columns_of.items():
                names = ", ".join(quote_identifier(c) for c in columns)
                conn.execute(
                    f"INSERT INTO main.{quote_identifier(table)} ({names}) "  # noqa: S608 - names quoted
                    f"SELECT {names} FROM src.{quote_identifier(table)} ORDER BY rowid"
                )
    finally:
        conn.execute("DETACH DATABASE src")


def all_rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]
    return {t: sorted(conn.execute(f"SELECT * FROM {quote_identifier(t)}").fetchall(), key=repr)  # noqa: S608
            for t in tables}


def fresh_database(versions: Versions, version: int, path: Path) -> sqlite3.Connection:
    """A file database at version, built as a deployed one got there (first version, then migrations)."""
    memory = versions.scratch(version)
    conn = db.connect(path)
    memory.backup(conn)
    memory.close()
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def check_convergence(versions: Versions, populated: str | os.PathLike[str], work_dir: Path) -> list[str]:
    """What differs between the populated database migrated to the newest version and a fresh install
    with the same rows (empty: they converge). The populated database itself is not changed."""
    migrated_path, fresh_path = work_dir / "migrated.db", work_dir / "fresh.db"
    shutil.copyfile(populated, migrated_path)
    source = db.connect(migrated_path)
    fresh = fresh_database(versions, versions.head, fresh_path)
    copy_rows(fresh, migrated_path, shared_columns(source, fresh))
    source.close()
    result = migrate(migrated_path, versions=versions, backup_path=work_dir / "before-migration.db")
    problems = [] if result.verification is None else [
        f"{name}: {outcome}" for name, outcome in result.verification.results if outcome != "ok"]
    migrated = db.connect(migrated_path)
    try:
        drift = compare(read_catalog(fresh), read_catalog(migrated))
        problems += [f"catalog differs from a fresh install: {c.describe()}" for c in drift]
        ours, theirs = all_rows(migrated), all_rows(fresh)
        differ = sorted(t for t in set(ours) | set(theirs) if ours.get(t) != theirs.get(t))
        problems += [f"rows of {t} differ from a fresh install with the same rows "
                     f"({len(ours.get(t, []))} migrated, {len(theirs.get(t, []))} fresh)" for t in differ]
        if migrated.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            problems.append("integrity_check is not ok")
        if migrated.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check finds rows without their parent")
    finally:
        migrated.close()
        fresh.close()
    return problems
