"""Fast loading of trusted rows into a database that has the schema.

The machinery behind harness.bench.datagen.bulk_load, kept apart from what is
generated. Everything runs in one transaction (an error leaves the database
as it was) with these shortcuts, each measured on this machine:

* Triggers are dropped and re-created from their saved SQL; the rollups they
  would keep (those the schema has) are rebuilt from the base tables at the
  end by harness.contract.rollup_sql (full scans: an index walk that fetches each row
  was ~4x slower at 100k receipts).
* Indexes ending in a *_utc column stay during the load: generated data
  arrives in time order, so each is appended to at a few points, and
  rebuilding would evaluate the virtual _utc column once more per index.
  Other indexes (e.g. stage, duration_ms) receive rows in random order and
  are cheaper to rebuild by sorting afterwards: dropped and re-created.
* CHECK constraints are skipped (PRAGMA ignore_check_constraints) and
  foreign keys off: only for rows whose source is proven to pass them
  (tests/test_datagen.py re-checks with PRAGMA integrity_check, which
  evaluates every CHECK, and PRAGMA foreign_key_check).
* synchronous=OFF and a page cache of up to 2 GiB during the load; the caller's
  values are restored after. No ANALYZE is run.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.contract.rollup_sql import rebuild_statements
from harness.engine import db
from harness.engine.introspection import quote_identifier
from harness.store.store import insert_sql

# table -> the rows of one batch, as tuples in the table's column order
Batch = Mapping[str, Sequence[Sequence[Any]]]

_PRAGMAS = ("foreign_keys", "synchronous", "cache_size", "temp_store", "ignore_check_constraints")
_CACHE_KIB = 2 * 1024 * 1024  # 2 GiB at most (grows as used): a 1M-receipt load keeps its indexes in memory


def load(
    conn: sqlite3.Connection,
    columns: Mapping[str, Sequence[str]],
    batches: Iterable[Batch],
    *,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert every batch (tables in the order of columns), returns the rows inserted.

    on_batch(rows) is called after each batch. Rows are trusted: see the module doc.
    """
    statements = {table: insert_sql(table, tuple(names)) for table, names in columns.items()}
    triggers = _schema_objects(conn, "trigger")
    rebuilt = [(name, sql) for name, sql in _schema_objects(conn, "index") if not _in_time_order(conn, name)]
    before = _fast_pragmas(conn)
    done = 0
    try:
        with db.transaction(conn):
            for name, _ in triggers:
                conn.execute(f"DROP TRIGGER {quote_identifier(name)}")
            for name, _ in rebuilt:
                conn.execute(f"DROP INDEX {quote_identifier(name)}")
            conn.execute("PRAGMA ignore_check_constraints = ON")
            for batch in batches:
                rows = 0
                for table, sql in statements.items():
                    table_rows = batch.get(table, ())
                    if table_rows:
                        conn.executemany(sql, table_rows)
                        rows += len(table_rows)
                done += rows
                if on_batch:
                    on_batch(rows)
            conn.execute("PRAGMA ignore_check_constraints = OFF")
            for _, sql in rebuilt + triggers:
                conn.execute(sql)
            for statement in rebuild_statements(conn):
                conn.execute(statement)
    finally:
        _restore(conn, before)
    return done


def _schema_objects(conn: sqlite3.Connection, kind: str) -> list[tuple[str, str]]:
    """(name, sql) of the explicit indexes or triggers, in creation order."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL ORDER BY rowid", (kind,)
    )
    return [(name, sql) for name, sql in rows]


def _in_time_order(conn: sqlite3.Connection, index: str) -> bool:
    """True when the index's last column is a *_utc column (time-ordered data appends to it)."""
    names = [r[2] for r in conn.execute("SELECT * FROM pragma_index_info(?)", (index,))]
    return bool(names) and names[-1] is not None and names[-1].endswith("_utc")


def _fast_pragmas(conn: sqlite3.Connection) -> dict[str, int]:
    before = {n: int(conn.execute(f"PRAGMA {n}").fetchone()[0]) for n in _PRAGMAS}
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    return before


def _restore(conn: sqlite3.Connection, before: Mapping[str, int]) -> None:
    for name, value in before.items():
        conn.execute(f"PRAGMA {name} = {int(value)}")


def fresh_database(path: str | os.PathLike[str], schema_file: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """A new file database with the schema, journal off until the caller switches to WAL.

    Nothing in a file being built needs protecting: a crash leaves a file
    the caller deletes (cached builds use a temporary name).
    """
    conn = sqlite3.connect(os.fspath(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        script = db.read_schema(schema_file)
        kept = [s for s in db.split_statements(script) if "journal_mode" not in s.lower()]
        db.apply_schema(conn, "\n".join(kept), source=os.fspath(schema_file) if schema_file else "schema.sql")
    except BaseException:
        conn.close()
        raise
    return conn


def leftovers(path: Path) -> tuple[Path, ...]:
    """A database file and its WAL companions."""
    return (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))
