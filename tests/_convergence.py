"""Populated databases at a version, copied rows, and the convergence assertion (shared by the migration
tests and the schema-change corpus)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from harness.bench.datagen import DataSpec, bulk_load
from harness.changes.catalog import read_catalog
from harness.changes.migrate import migrate
from harness.changes.versions import Versions
from harness.contract.model import load_contract
from harness.engine import db
from harness.engine.introspection import quote_identifier
from harness.errors import ValidationError
from harness.ingest.runner import ingest
from harness.store.store import Store
from harness.testing.strategies import Bundle

CONTRACT = load_contract()
HEAD_SCRIPT = Versions.shipped().head_script


# ---------------------------------------------------------------- the writers
def _write_with_store(path: Path, bundles: list[Bundle]) -> None:
    store = Store.open(path)
    try:
        for bundle in bundles:
            try:
                with store.transaction():
                    for table, row in (*bundle.parents, (bundle.table, bundle.row)):
                        store.insert_rows(table.name, [row])
            except ValidationError:
                continue  # a drawn key met one datagen wrote: not what this test is about
    finally:
        store.close()


def _ingest_lines(path: Path, directory: Path, agent: str) -> None:
    lines = [
        {"kind": "receipt", "execution_id": f"ingested-{agent}", "agent_id": agent, "operation": "emission",
         "status": "failed", "timestamp": "2026-01-29T12:00:00+02:00", "duration_ms": 40},
        {"kind": "stage_metric", "execution_id": f"ingested-{agent}", "stage": "μ₃_emit", "duration_ms": 40,
         "status": "failed", "timestamp": "2026-01-29T12:00:00+02:00"},
        {"kind": "audit", "timestamp": "2026-01-29 10:00:01", "agent_id": agent, "operation": "emit",
         "status": "failed"},
    ]
    source = directory / "lines.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = ingest(path, source)
    assert result.committed, result


def populate_source(directory: Path, spec: DataSpec, bundles: list[Bundle], agent: str) -> Path:
    """A newest-version database written by datagen, the Store and ingest."""
    path = directory / "source.db"
    conn = db.connect(path)
    db.apply_schema(conn, HEAD_SCRIPT)
    bulk_load(conn, spec, parallel=False)
    conn.close()
    _write_with_store(path, bundles)
    _ingest_lines(path, directory, agent)
    return path


# ------------------------------------------------------------- version copies
def database_at(versions: Versions, version: int, path: Path) -> sqlite3.Connection:
    """A file database at version, built as a deployed one got there (version 1, then migrations)."""
    memory = versions.scratch(version)
    conn = db.connect(path)
    memory.backup(conn)
    memory.close()
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def _stored_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = conn.execute("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0", (table,)).fetchall()
    return [r[0] for r in rows]


def copy_rows(conn: sqlite3.Connection, source: Path, columns_of: dict[str, list[str]]) -> None:
    """Copy the base tables' rows (parents first) into conn, only the columns listed per table."""
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
    conn.execute("BEGIN")
    for table, columns in columns_of.items():
        names = ", ".join(quote_identifier(c) for c in columns)
        conn.execute(
            f"INSERT INTO main.{quote_identifier(table)} ({names}) "  # noqa: S608 - names quoted
            f"SELECT {names} FROM src.{quote_identifier(table)} ORDER BY rowid"
        )
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE src")


def shared_columns(old: sqlite3.Connection, new: sqlite3.Connection) -> dict[str, list[str]]:
    """Base table -> the stored columns both versions have, in foreign-key order (parents first)."""
    order = ["workflow_sessions", "receipts"]
    tables = [t.name for t in CONTRACT.tables.values() if not t.derived]
    ordered = [t for t in order if t in tables] + [t for t in tables if t not in order]
    found = {}
    for table in ordered:
        in_new = _stored_columns(new, table)
        shared = [c for c in _stored_columns(old, table) if c in in_new]
        if shared:  # a table one side does not have holds nothing to compare
            found[table] = shared
    return found


def all_rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]
    return {t: sorted(conn.execute(f"SELECT * FROM {quote_identifier(t)}").fetchall(), key=repr)  # noqa: S608
            for t in tables}


def converge(versions: Versions, version: int, directory: Path, source: Path) -> tuple[Path, Path]:
    old_path, fresh_path = directory / f"v{version}.db", directory / "fresh.db"
    old = database_at(versions, version, old_path)
    fresh = database_at(versions, versions.head, fresh_path)
    columns = shared_columns(old, fresh)
    copy_rows(old, source, columns)
    copy_rows(fresh, source, columns)
    old.close()
    result = migrate(old_path, versions=versions, backup_path=directory / "backup.db")
    assert result.to_version == versions.head
    assert result.verification is None or result.verification.ok, result.verification
    migrated = db.connect(old_path)
    assert read_catalog(migrated) == read_catalog(fresh) == versions.expected_catalog(versions.head)
    migrated_rows, fresh_rows = all_rows(migrated), all_rows(fresh)
    differ = sorted(t for t in set(migrated_rows) | set(fresh_rows) if migrated_rows.get(t) != fresh_rows.get(t))
    assert not differ, f"rows differ from a fresh install in: {', '.join(differ)}"
    assert migrated.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert migrated.execute("PRAGMA foreign_key_check").fetchall() == []
    migrated.close()
    fresh.close()
    return old_path, fresh_path
