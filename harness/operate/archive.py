"""`ggen-db archive`: move old rows into an archive database with the same schema, batch by batch.

What moves: receipts older than `before` with their stage metrics and SLO violations, the
audit rows older than `before`, and the sessions that finished before it with their
collisions. The archive is created with the source's own schema (its CREATE statements and
schema version), or must already have exactly that schema.

How: one connection opens the archive and ATTACHes the source; each batch is one
transaction over both files (BEGIN IMMEDIATE takes both write locks; writers of the source
wait through their busy timeout, never fail): copy the batch's rows into the archive
(ids kept), then delete them from the source. The triggers of each file keep its own
rollups exact (inserts in the archive, deletes in the source).

Crash safety. Both files are in WAL mode, and SQLite commits a transaction over attached
WAL databases one file after the other (no super-journal: see "Transactions involving
multiple attached databases are atomic, assuming ... the journal_mode is not WAL" in the
ATTACH documentation). The archive is the connection's main database, so it commits first:
a kill between the two commits leaves that batch's rows in both files, identical, never in
neither. Every batch copies only the rows the archive does not hold yet (a row it holds must
be identical, else nothing is written and ArchiveConflict names it) and then deletes them
from the source, so the next run finishes an interrupted move. tests/test_crash_archive.py
kills archive with SIGKILL 30 times and checks that nothing is lost and that the re-run
leaves every row in exactly one file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.atomic import SQLITE_COMPANIONS, publish, temporary_beside
from harness.engine.db import configure, existing_file, transaction
from harness.engine.introspection import ddl_statements, quote_identifier, schema_snapshot
from harness.errors import GgenDbError, InputError, UsageError
from harness.operate.database import open_read_only, open_read_write, schema_version
from harness.operate.reads import sql
from harness.operate.window import EARLIEST, bound

BATCH_RECEIPTS = 1000
BATCH_ROWS = 5000  # audit rows and sessions per batch
# Between batches the write lock is left free this long: a writer waiting in SQLite's busy handler
# polls at most 100 ms apart, so it gets the lock before the next batch instead of starving.
PAUSE_S = 0.1
FINISHED = ("completed", "failed", "cancelled")
Progress = Callable[[str, int], None]  # (what, rows moved so far)


class ArchiveConflict(GgenDbError):
    """The archive holds a row with the id of a row to move, but not the same row: it is another
    database's archive. Nothing of the batch was written."""


@dataclass
class ArchiveResult:
    """Rows moved (or, with dry_run, that would move) per table; batches; time; lock held."""

    source: str
    archive: str
    before: str
    dry_run: bool
    moved: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    created_archive: bool = False
    duration_s: float = 0.0
    longest_batch_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.moved.values())


def archive(db_path: str | os.PathLike[str], before: str, to: str | os.PathLike[str], *, dry_run: bool = False,
            batch_receipts: int = BATCH_RECEIPTS, batch_rows: int = BATCH_ROWS, pause_s: float = PAUSE_S,
            now: datetime | None = None, progress: Progress | None = None) -> ArchiveResult:
    """Move everything older than `before` from db_path into the archive `to` (created if missing)."""
    cutoff = bound(before, option="--before", now=now)
    source, target = existing_file(db_path), Path(to)
    if target.exists() and target.resolve() == source.resolve():
        raise UsageError(f"--to {target}: is the database itself")
    result = ArchiveResult(os.fspath(source), os.fspath(target), cutoff, dry_run)
    started = time.perf_counter()
    if dry_run:
        result.moved = would_move(source, cutoff)
    else:
        result.created_archive = _prepare_archive(source, target)
        with _attached(target, source) as conn:
            _move_all(conn, cutoff, result, _Pace(batch_receipts, batch_rows, pause_s), progress)
    result.duration_s = time.perf_counter() - started
    return result


# ------------------------------------------------------------------ dry run
def would_move(source: Path, cutoff: str) -> dict[str, int]:
    """What a run would move, counted in one snapshot of the source."""
    with closing(open_read_only(source)) as conn:
        conn.execute("BEGIN")
        receipts = [row[1] for row in _batches(conn, "archive_receipts_batch", {"before": cutoff}, None)]
        sessions = [row[1] for status in FINISHED
                    for row in _batches(conn, "archive_sessions_batch", {"status": status, "before": cutoff}, None)]
        counted = {"receipts": len(receipts)}
        for table in ("pipeline_metrics", "slo_violations"):
            counted[table] = _count_of(conn, table, "execution_id", receipts)
        counted["audit_log"] = int(conn.execute(sql("audit_count_in_window"),
                                                {"since": EARLIEST, "until": cutoff}).fetchone()[0])
        counted["workflow_sessions"] = len(sessions)
        counted["collision_detection"] = _count_of(conn, "collision_detection", "session_id", sessions)
    return counted


def _count_of(conn: sqlite3.Connection, table: str, column: str, keys: Sequence[str]) -> int:
    total = 0
    for start in range(0, len(keys), BATCH_ROWS):
        total += int(conn.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",  # noqa: S608 (constants)
            (_json_list(keys[start:start + BATCH_ROWS]),)).fetchone()[0])
    return total


def _batches(conn: sqlite3.Connection, query: str, params: Mapping[str, Any], limit: int | None) -> Iterator[tuple[Any, ...]]:
    """All rows of a batch query (limit None: every row, read in one statement)."""
    yield from conn.execute(sql(query), {**params, "limit": -1 if limit is None else limit})


# ----------------------------------------------------------------- archive file
def _prepare_archive(source: Path, target: Path) -> bool:
    """Create the archive with the source's schema, or check an existing one has that schema."""
    with closing(open_read_only(source)) as conn:
        statements, version, snapshot = ddl_statements(conn), schema_version(conn), _catalog(conn)
    if target.exists():
        with closing(open_read_only(target, argument="--to")) as conn:
            if schema_version(conn) != version or _catalog(conn) != snapshot:
                raise InputError(f"--to {target}: its schema (version {schema_version(conn)}) is not the schema of "
                                 f"DB {source} (version {version}); archive into a new file")
        return False
    if not target.parent.is_dir():
        raise InputError(f"--to {target}: directory {target.parent} does not exist")
    _create(target, statements, version)
    return True


def _catalog(conn: sqlite3.Connection) -> tuple[tuple[str, str, str, str | None], ...]:
    return tuple(row for row in schema_snapshot(conn) if not row[1].startswith("sqlite_"))


def _create(target: Path, statements: Sequence[str], version: int) -> None:
    """Build the archive under a private temporary name, then move it into place (never half-made,
    never over a file that appeared meanwhile)."""
    temporary = temporary_beside(target, suffix=".archive-tmp", mode=0o600)
    try:
        with closing(sqlite3.connect(temporary, isolation_level=None)) as conn:
            conn.execute("BEGIN")
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode = WAL")
        publish(temporary, target, overwrite=False, durable=True)
    except FileExistsError as e:
        raise InputError(f"--to {target}: appeared while the archive was being made; run again") from e
    finally:
        for path in (temporary, *(Path(f"{temporary}{c}") for c in SQLITE_COMPANIONS)):
            path.unlink(missing_ok=True)


@contextmanager
def _attached(target: Path, source: Path) -> Iterator[sqlite3.Connection]:
    """The archive as main (it commits first), the source attached as `src`."""
    open_read_write(source).close()  # the source's own checks: exists, writable, a ggen-db database
    conn = open_read_write(target, argument="--to")
    try:
        conn.execute("ATTACH DATABASE ? AS src", (os.fspath(source),))
        conn.execute("PRAGMA src.synchronous = NORMAL")
        configure(conn)
        yield conn
    finally:
        conn.close()


# ------------------------------------------------------------------- moving
@dataclass(frozen=True)
class _Table:
    """A table whose rows move: the non-generated columns (ids included) and the comparison of a row.

    The statements below are built from text: table and column names read from the source's own
    catalogue, quoted as identifiers, and key column names that are constants of this module. Every
    value is a parameter.
    """

    name: str
    columns: tuple[str, ...]

    @classmethod
    def read(cls, conn: sqlite3.Connection, name: str) -> _Table:
        # hidden 2/3: generated columns, which the archive computes itself
        columns = tuple(r[1] for r in conn.execute("SELECT * FROM pragma_table_xinfo(?, 'src')", (name,)) if r[6] == 0)
        return cls(name, columns)

    @property
    def column_list(self) -> str:
        return ", ".join(quote_identifier(c) for c in self.columns)

    def copy_sql(self, key: str) -> str:
        """Insert the source rows whose `key` is in a JSON list, except those the archive holds."""
        table = quote_identifier(self.name)
        return (
            f"INSERT INTO main.{table} ({self.column_list}) SELECT {self.column_list} FROM src.{table} AS s "  # noqa: S608
                f"WHERE s.{key} IN (SELECT value FROM json_each(:keys)) "
                f"AND NOT EXISTS (SELECT 1 FROM main.{table} AS a WHERE a.id = s.id)")

    def conflict_sql(self, key: str) -> str:
        """Ids held by both files whose rows differ."""
        table = quote_identifier(self.name)
        a = ", ".join(f"a.{quote_identifier(c)}" for c in self.columns)
        s = ", ".join(f"s.{quote_identifier(c)}" for c in self.columns)
        return (
            f"SELECT s.id FROM src.{table} AS s JOIN main.{table} AS a ON a.id = s.id "  # noqa: S608
                f"WHERE s.{key} IN (SELECT value FROM json_each(:keys)) AND ({a}) IS NOT ({s}) LIMIT 1")

    def delete_sql(self, key: str) -> str:
        return f"DELETE FROM src.{quote_identifier(self.name)} WHERE {key} IN (SELECT value FROM json_each(:keys))"  # noqa: S608


@dataclass(frozen=True)
class _Pace:
    """Batch sizes, and the pause after each batch that lets waiting writers in."""

    receipts: int
    rows: int
    pause_s: float


def _move_all(conn: sqlite3.Connection, cutoff: str, result: ArchiveResult, pace: _Pace,
              progress: Progress | None) -> None:
    tables = {name: _Table.read(conn, name) for name in (
        "receipts", "pipeline_metrics", "slo_violations", "audit_log", "workflow_sessions", "collision_detection")}
    result.moved = dict.fromkeys(tables, 0)
    receipt_family = ((tables["receipts"], "id", 0), (tables["pipeline_metrics"], "execution_id", 1),
                      (tables["slo_violations"], "execution_id", 1))
    _move(conn, "archive_receipts_batch", {"before": cutoff}, pace.receipts, pace, receipt_family, result, progress)
    _move(conn, "archive_audit_batch", {"before": cutoff}, pace.rows, pace, ((tables["audit_log"], "id", 0),),
          result, progress)
    session_family = ((tables["workflow_sessions"], "id", 0), (tables["collision_detection"], "session_id", 1))
    for status in FINISHED:
        _move(conn, "archive_sessions_batch", {"status": status, "before": cutoff}, pace.rows, pace, session_family,
              result, progress)


def _move(conn: sqlite3.Connection, query: str, params: Mapping[str, Any], limit: int, pace: _Pace,
          family: Sequence[tuple[_Table, str, int]], result: ArchiveResult, progress: Progress | None) -> None:
    """Batches until none is left. family: (table, key column, which field of the batch row is the key);
    parents first for the copy, children first for the delete."""
    # The documented query reads the source, which is attached as `src` here (the archive is main).
    documented = sql(query)
    assert documented.count(" FROM ") == 1, query
    batch_sql = documented.replace(" FROM ", " FROM src.", 1)
    while True:
        started = time.perf_counter()
        with transaction(conn):
            rows = conn.execute(batch_sql, {**params, "limit": limit}).fetchall()
            if not rows:
                return
            keys = [_json_list([row[field] for row in rows]) for _, _, field in family]
            for (table, key, _), values in zip(family, keys, strict=True):
                _copy(conn, table, key, values, result.archive, result.source)
            for (table, key, _), values in reversed(list(zip(family, keys, strict=True))):
                # every row of the batch moves: copied now, or already in the archive after a crash
                result.moved[table.name] += conn.execute(table.delete_sql(key), {"keys": values}).rowcount
        result.batches += 1
        result.longest_batch_s = max(result.longest_batch_s, time.perf_counter() - started)
        if progress:
            progress(family[0][0].name, result.moved[family[0][0].name])
        time.sleep(pace.pause_s)


def _copy(conn: sqlite3.Connection, table: _Table, key: str, keys: str, archive_path: str, source_path: str) -> None:
    conflict = conn.execute(table.conflict_sql(key), {"keys": keys}).fetchone()
    if conflict:
        raise ArchiveConflict(f"--to {archive_path}: holds a different {table.name} row with id {conflict[0]}: "
                              f"it is not an archive of DB {source_path}; nothing of this batch was moved")
    conn.execute(table.copy_sql(key), {"keys": keys})


def _json_list(values: Sequence[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)
