"""`ggen-db maintain`: the maintenance steps, done safely, each reporting what it changed.

1. integrity_check first: a damaged database is reported and left alone (no other step runs).
2. PRAGMA optimize: SQLite's own light statistics upkeep.
3. ANALYZE (only when asked): kept only if every documented query of the contract still uses
   its index with the new statistics; otherwise rolled back (the plans were proven without
   statistics).
4. wal_checkpoint(TRUNCATE) (by default, or when asked): copies the log into the database and
   empties it, when no reader holds an older snapshot.
5. VACUUM (only when asked, and only with room on the disk: it writes a copy of the database
   and a log as large): returns free pages to the file system.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.engine.db import existing_file, transaction
from harness.errors import InputError
from harness.operate.database import open_read_write
from harness.operate.reads import contract

VACUUM_ROOM = 2  # VACUUM writes a temporary copy and a WAL of about the database's size


@dataclass(frozen=True)
class Step:
    name: str
    result: str
    seconds: float


@dataclass
class MaintainResult:
    path: str
    steps: list[Step] = field(default_factory=list)
    ok: bool = True  # False: the integrity check failed and nothing else ran


def maintain(db_path: str | os.PathLike[str], *, analyze: bool = False, checkpoint: bool = True,
             vacuum: bool = False) -> MaintainResult:
    """Run the steps in order; stop after a failed integrity check."""
    path = existing_file(db_path)
    if vacuum:
        _check_room(path)
    result = MaintainResult(os.fspath(path))
    with closing(open_read_write(path)) as conn:
        integrity = _timed("integrity_check", lambda: _integrity(conn))
        result.steps.append(integrity)
        if integrity.result != "ok":
            result.ok = False
            return result
        result.steps.append(_timed("optimize", lambda: _optimize(conn)))
        if analyze:
            result.steps.append(_timed("analyze", lambda: _analyze(conn)))
        if checkpoint:
            result.steps.append(_timed("checkpoint", lambda: _checkpoint(conn, path)))
        if vacuum:
            result.steps.append(_timed("vacuum", lambda: _vacuum(conn, path)))
    return result


def _timed(name: str, action: Callable[[], str]) -> Step:
    started = time.perf_counter()
    text = action()
    return Step(name, text, time.perf_counter() - started)


def _check_room(path: Path) -> None:
    needed = VACUUM_ROOM * path.stat().st_size
    free = shutil.disk_usage(path.parent).free
    if free < needed:
        raise InputError(f"--vacuum: needs {needed} bytes free beside {path} (a copy and its log), {free} available")


def _integrity(conn: sqlite3.Connection) -> str:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems == ["ok"] and not fk:
        return "ok"
    lines = [p for p in problems if p != "ok"] + [f"foreign key: {row[0]} row {row[1]} -> {row[2]}" for row in fk]
    return f"{len(lines)} problems: " + "; ".join(lines[:5])


def _stat_rows(conn: sqlite3.Connection) -> int:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        return 0
    return int(conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0])


def _optimize(conn: sqlite3.Connection) -> str:
    return _with_plans_kept(conn, "PRAGMA optimize")


def _analyze(conn: sqlite3.Connection) -> str:
    return _with_plans_kept(conn, "ANALYZE")


def _with_plans_kept(conn: sqlite3.Connection, statement: str) -> str:
    """Run a statement that may write statistics in a transaction, committed only if every
    documented query of the contract still uses its index with them."""
    before = _stat_rows(conn)
    with transaction(conn):
        conn.execute(statement)
        lost = [name for name, q in contract().queries.items() if q.index and not _uses(conn, q.sql, q.params, q.index)]
        if lost:
            conn.execute("ROLLBACK")
            return (f"rolled back: with the new statistics {len(lost)} documented queries would leave their index "
                    f"({', '.join(lost[:5])}); statistics rows stay {before}")
    return f"statistics rows {before} -> {_stat_rows(conn)}; every documented query keeps its index"


def _uses(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any], index: str) -> bool:
    plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    return f"INDEX {index}" in plan


def _wal_bytes(path: Path) -> int:
    wal = Path(os.fspath(path) + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _checkpoint(conn: sqlite3.Connection, path: Path) -> str:
    before = _wal_bytes(path)
    busy, log, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        return (f"incomplete: a reader or writer holds the log ({copied} of {log} frames copied); "
                f"WAL {before} -> {_wal_bytes(path)} bytes")
    return f"WAL {before} -> {_wal_bytes(path)} bytes ({max(copied, 0)} frames copied)"


def _vacuum(conn: sqlite3.Connection, path: Path) -> str:
    size, free = path.stat().st_size, int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return (f"file {size} -> {path.stat().st_size} bytes, free pages {free} -> "
            f"{int(conn.execute('PRAGMA freelist_count').fetchone()[0])}")
