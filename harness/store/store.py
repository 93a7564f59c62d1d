"""The store: the only code that writes to a ggen-db database.

Every write is validated against the contract before it reaches SQLite
(harness.store.validation, compiled once per table), runs in one transaction, and
uses parameterized SQL built once per (table, column set) from contract
identifiers. Whatever the database still refuses (a foreign key, a duplicate
execution_id) comes back as the same ValidationError naming table, column
and rule. Reads run the documented queries of the contract.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from harness.contract.model import Contract, is_timestamp, load_contract
from harness.contract.model import utc_text as contract_utc_text
from harness.engine import db
from harness.engine.introspection import quote_identifier
from harness.errors import Problem, UsageError, ValidationError
from harness.store.checkpoint import Checkpointer
from harness.store.sqlite_errors import binding_problem, constraint_problem, encoding_problem, is_busy
from harness.store.validation import TableCheck

T = TypeVar("T")

# Write order inside a bundle: the receipt first, so its children's foreign keys hold.
BUNDLE_TABLES = ("receipts", "pipeline_metrics", "slo_violations", "audit_log")

# Rows of one table in write order, as runs: consecutive rows with the same column set share
# a run, and each run is written with one statement (executemany for several rows).
Run = tuple[tuple[str, ...], list[list[Any]]]


def add_to_runs(runs: list[Run], columns: tuple[str, ...], values: list[Any]) -> None:
    """Append a row to the last run when it has the same columns, else start a run (order is kept)."""
    if runs and runs[-1][0] == columns:
        runs[-1][1].append(values)
    else:
        runs.append((columns, [values]))


@dataclass(frozen=True)
class ReceiptBundle:
    """One execution as the pipeline records it: the receipt and the rows that belong to it.

    stage_metrics and slo_violations may omit execution_id (the receipt's is
    used); when given it must be the receipt's.
    """

    receipt: Mapping[str, Any]
    stage_metrics: Sequence[Mapping[str, Any]] = ()
    slo_violations: Sequence[Mapping[str, Any]] = ()
    audit_entries: Sequence[Mapping[str, Any]] = ()


def insert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(quote_identifier(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {quote_identifier(table)} ({names}) VALUES ({marks})"  # noqa: S608 - contract identifiers, quoted


def utc_text(value: str, *, table: str, column: str) -> str:
    """An accepted timestamp as the _utc columns hold it ('YYYY-MM-DD HH:MM:SS.SSS'), for range bounds."""
    if not is_timestamp(value):
        raise ValidationError(
            Problem(table, column, "timestamp", f"{value!r} is not an ISO 8601 timestamp such as 2026-01-29T12:00:00Z")
        )
    return contract_utc_text(value)


# --------------------------------------------------------- compiled checks
_CHECKS: dict[str, dict[str, TableCheck]] = {}
_DEFAULT: list[Contract] = []  # the shipped contract, loaded once


def _default_contract() -> Contract:
    if not _DEFAULT:
        _DEFAULT.append(load_contract())
    return _DEFAULT[0]


def _table_checks(contract: Contract) -> dict[str, TableCheck]:
    key = f"{contract.source}:{contract.sha256}"
    if key not in _CHECKS:
        _CHECKS[key] = {t.name: TableCheck(t) for t in contract.base_tables}
    return _CHECKS[key]


class Store:
    """Writes and documented reads over one SQLite connection.

    The connection is put in autocommit mode (isolation_level=None, which
    commits anything pending) with foreign keys on: transactions are the
    store's own (store.transaction()). Like its connection, a Store belongs
    to one thread at a time; use one Store per thread or process.
    """

    def __init__(self, conn: sqlite3.Connection, contract: Contract | None = None, *, validate: bool = True) -> None:
        self.conn = conn
        self.contract = contract or _default_contract()
        self.validate = validate
        self._checks = _table_checks(self.contract)
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self._depth = 0
        self._owns_connection = False
        self._checkpointer: Checkpointer | None = None
        if conn.isolation_level is not None:
            conn.isolation_level = None
        if not conn.execute("PRAGMA foreign_keys").fetchone()[0]:
            conn.execute("PRAGMA foreign_keys = ON")
            if not conn.execute("PRAGMA foreign_keys").fetchone()[0]:
                raise UsageError("Store: foreign keys cannot be turned on inside an open transaction")

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, durability: str = "normal", validate: bool = True,
             background_checkpoints: bool = True) -> Store:
        """A store on a file database (WAL, busy timeout, foreign keys); the schema must be there already.

        With background_checkpoints (the default) a Checkpointer thread copies the WAL into the
        database, so commits do not pay for checkpoints (harness.store.checkpoint).
        """
        store = cls(db.connect(path, durability=durability), validate=validate)
        store._owns_connection = True
        if background_checkpoints:
            store._checkpointer = Checkpointer(path).start()
        return store

    def close(self) -> None:
        """Close the connection (only one the store opened itself) and stop its checkpointer."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._owns_connection:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------ transactions
    def transaction(self) -> AbstractContextManager[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception; nested calls use SAVEPOINTs."""
        return _Transaction(self)

    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    # ------------------------------------------------------------ writes
    def record_receipt(self, bundle: ReceiptBundle) -> None:
        """Record one execution: the receipt, its stage metrics, violations and audit rows, atomically."""
        runs, _ = self._bundle_runs([bundle])
        receipts = runs["receipts"]
        if len(receipts[0][1]) == 1 and not any(runs[t] for t in BUNDLE_TABLES[1:]) and not self.conn.in_transaction:
            # One statement is atomic on its own: skip BEGIN/COMMIT (two round trips).
            self._execute("receipts", receipts[0][0], receipts[0][1][0])
            return
        self._write_runs(runs)

    def record_receipts(self, bundles: Iterable[ReceiptBundle]) -> int:
        """Record many executions in one transaction, one executemany per table; returns how many."""
        runs, count = self._bundle_runs(bundles)
        if count:
            self._write_runs(runs)
        return count

    def insert_rows(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert whole rows of any base table (imports, generated data), validated, in one transaction.

        Unlike start_session / upsert_memory this writes every column given,
        created_at included. Returns the number of rows.
        """
        if table not in self._checks:
            raise UsageError(f"insert_rows: {table!r} is not a base table ({', '.join(self._checks)})")
        runs: list[Run] = []
        for row in rows:
            add_to_runs(runs, *self._row(table, row))
        if runs:
            self._write_runs({table: runs})
        return sum(len(batch) for _, batch in runs)

    def record_audit(self, entry: Mapping[str, Any]) -> None:
        """Append one audit row."""
        self._execute("audit_log", *self._row("audit_log", entry))

    def upsert_memory(
        self,
        agent_id: str,
        memory_json: Any,
        *,
        collision_history: Any = None,
        last_error: str | None = None,
        updated_at: str | None = None,
        count_retry: bool = False,
    ) -> None:
        """Create or replace an agent's memory in one statement (no read-then-write race).

        collision_history=None keeps the stored history; last_error is set as
        given (None clears it); updated_at defaults to now (UTC); count_retry
        adds 1 to retry_count in the same statement.
        """
        row: dict[str, Any] = {"agent_id": agent_id, "memory_json": memory_json, "last_error": last_error}
        if collision_history is not None:
            row["collision_history"] = collision_history
        if updated_at is not None:
            row["updated_at"] = updated_at
        columns, values = self._row("agent_memory", row)
        named = dict(zip(columns, values, strict=True))
        params = {
            "agent_id": named["agent_id"],
            "memory_json": named["memory_json"],
            "collision_history": named.get("collision_history"),
            "last_error": named["last_error"],
            "updated_at": named.get("updated_at"),
            "retry": 1 if count_retry else 0,
        }
        self._run("agent_memory", _UPSERT_MEMORY, params)

    def start_session(self, session_id: str, *, start_time: str, agent_count: int, context_json: Any = None) -> None:
        """Open a workflow session (status running)."""
        row = {"session_id": session_id, "start_time": start_time, "status": "running", "agent_count": agent_count}
        if context_json is not None:
            row["context_json"] = context_json
        self._execute("workflow_sessions", *self._row("workflow_sessions", row))

    def finish_session(
        self,
        session_id: str,
        *,
        status: str,
        end_time: str,
        total_duration_ms: int | None = None,
        successful_operations: int = 0,
        failed_operations: int = 0,
    ) -> None:
        """Close a session; ValidationError (rule not_found) when there is no such session."""
        row = {
            "session_id": session_id,
            "status": status,
            "end_time": end_time,
            "total_duration_ms": total_duration_ms,
            "successful_operations": successful_operations,
            "failed_operations": failed_operations,
        }
        columns, values = self._row("workflow_sessions", row, partial=True)
        cursor = self._run("workflow_sessions", _FINISH_SESSION, dict(zip(columns, values, strict=True)))
        if cursor.rowcount == 0:
            raise ValidationError(Problem("workflow_sessions", "session_id", "not_found", f"no session {session_id!r}"))

    def record_collision(self, collision: Mapping[str, Any]) -> None:
        """Record a collision between two agents of an existing session."""
        self._execute("collision_detection", *self._row("collision_detection", collision))

    def delete_receipts_before(self, before_utc: str) -> int:
        """Archive: delete receipts older than a time (their metrics and violations cascade, rollups follow)."""
        bound = utc_text(before_utc, table="receipts", column="before_utc")
        with self.transaction():
            cursor = self._run("receipts", "DELETE FROM receipts WHERE timestamp_utc < ?", (bound,))
        return cursor.rowcount

    # ------------------------------------------------------------- reads
    def receipt(self, execution_id: str) -> dict[str, Any] | None:
        return self._one("receipt_by_execution_id", {"execution_id": execution_id})

    def newest_receipts(self, agent_id: str, limit: int = 100) -> list[dict[str, Any]]:
        return self._query("receipts_newest_by_agent", {"agent_id": agent_id, "limit": limit})

    def receipts_between(self, since: str, until: str, limit: int = 100) -> list[dict[str, Any]]:
        """Receipts with since <= timestamp < until (any accepted timestamp form), newest first."""
        params = {
            "since": utc_text(since, table="receipts", column="since"),
            "until": utc_text(until, table="receipts", column="until"),
            "limit": limit,
        }
        return self._query("receipts_time_range", params)

    def recent_executions(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM recent_executions LIMIT ?", (limit,))

    def agent_performance_summary(self) -> list[dict[str, Any]]:
        return self._query("agent_performance_summary", {})

    def pipeline_stage_performance(self) -> list[dict[str, Any]]:
        return self._query("pipeline_stage_performance", {})

    def memory(self, agent_id: str) -> dict[str, Any] | None:
        return self._one("memory_by_agent", {"agent_id": agent_id})

    def session(self, session_id: str) -> dict[str, Any] | None:
        return self._one("session_by_id", {"session_id": session_id})

    def collisions(self, session_id: str) -> list[dict[str, Any]]:
        return self._query("collisions_by_session", {"session_id": session_id})

    # ---------------------------------------------------------- internals
    def _bundle_runs(self, bundles: Iterable[ReceiptBundle]) -> tuple[dict[str, list[Run]], int]:
        """The bundles' rows, validated, as runs per table in BUNDLE_TABLES order; and how many bundles."""
        runs: dict[str, list[Run]] = {table: [] for table in BUNDLE_TABLES}
        count = 0
        for bundle in bundles:
            receipt = bundle.receipt
            execution_id = receipt.get("execution_id")
            add_to_runs(runs["receipts"], *self._row("receipts", receipt))
            for table, children in (
                ("pipeline_metrics", bundle.stage_metrics),
                ("slo_violations", bundle.slo_violations),
                ("audit_log", bundle.audit_entries),
            ):
                for child in children:
                    if table != "audit_log":
                        child = _with_execution_id(table, child, execution_id)
                    add_to_runs(runs[table], *self._row(table, child))
            count += 1
        return runs, count

    def _write_runs(self, runs: Mapping[str, list[Run]]) -> None:
        """Write runs in one transaction, tables in the mapping's order: one statement per run."""
        with self.transaction():
            for table, table_runs in runs.items():
                for columns, rows in table_runs:
                    if len(rows) == 1:
                        self._execute(table, columns, rows[0])
                    else:
                        self._execute_many(table, columns, rows)

    def _row(self, table: str, row: Mapping[str, Any], *, partial: bool = False) -> tuple[tuple[str, ...], list[Any]]:
        return tuple(row), self._checks[table].values(row, validate=self.validate, partial=partial)

    def _execute(self, table: str, columns: tuple[str, ...], values: Sequence[Any]) -> None:
        self._run(table, self._insert(table, columns), values, columns)

    def _execute_many(self, table: str, columns: tuple[str, ...], rows: list[list[Any]]) -> None:
        try:
            self.conn.executemany(self._insert(table, columns), rows)
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, OverflowError) as e:
            raise self._refusal(table, e, columns) from e
        except UnicodeEncodeError as e:
            named = [(c, v) for values in rows for c, v in zip(columns, values, strict=True)]
            raise ValidationError(encoding_problem(table, named)) from e

    def _run(
        self, table: str, sql: str, params: Sequence[Any] | Mapping[str, Any], columns: Sequence[str] = ()
    ) -> sqlite3.Cursor:
        try:
            if self.conn.in_transaction:
                return self.conn.execute(sql, params)
            return _retry_busy(lambda: self.conn.execute(sql, params))  # autocommit: atomic on its own
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, OverflowError) as e:
            raise self._refusal(table, e, columns) from e
        except UnicodeEncodeError as e:
            named = list(params.items()) if isinstance(params, Mapping) else list(zip(columns, params, strict=False))
            raise ValidationError(encoding_problem(table, named)) from e

    def _refusal(self, table: str, error: Exception, columns: Sequence[str]) -> Exception:
        """The ValidationError for a value SQLite refused; other errors (a closed database) pass through."""
        if isinstance(error, sqlite3.IntegrityError):
            return ValidationError(constraint_problem(self.contract, table, error))
        problem = binding_problem(table, error, columns)
        return error if problem is None else ValidationError(problem)

    def _insert(self, table: str, columns: tuple[str, ...]) -> str:
        key = (table, columns)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = insert_sql(table, columns)
        return sql

    def _query(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self._rows(self.contract.queries[name].sql, params)

    def _one(self, name: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._query(name, params)
        return rows[0] if rows else None

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor]


BUSY_RETRY_S = 60.0  # beyond the 5 s busy timeout: how long a write waits for its turn in all


def _retry_busy(start: Callable[[], T]) -> T:
    """Run a statement that begins a write (BEGIN IMMEDIATE, or one autocommit statement), again
    after a jittered pause while the database stays busy beyond the busy timeout.

    Safe because a statement refused with SQLITE_BUSY did nothing. Needed because SQLite's busy
    handler is not fair: a writer sleeping in it can lose every race to writers that commit and
    begin again in a loop, and see SQLITE_BUSY after 5 s although the lock was free many times
    (tests/test_concurrency.py, 8 writers on 2 cores).
    """
    deadline = time.monotonic() + BUSY_RETRY_S
    pause = 0.005
    while True:
        try:
            return start()
        except sqlite3.OperationalError as e:
            if not is_busy(e) or time.monotonic() > deadline:
                raise
        _pause(pause * random.uniform(0.5, 1.5))  # jittered, so waiting writers do not wake in step
        pause = min(pause * 2, 0.25)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


class _Transaction:
    """Store.transaction(): BEGIN IMMEDIATE (retried while busy) ... db.end_transaction, or a SAVEPOINT
    inside an open transaction.

    A class rather than @contextmanager: it is entered on every multi-row
    write, and a generator-based context manager costs several times more.
    """

    __slots__ = ("savepoint", "store")

    def __init__(self, store: Store) -> None:
        self.store = store
        self.savepoint: str | None = None

    def __enter__(self) -> None:
        store = self.store
        if store.conn.in_transaction:
            self.savepoint = f"store_{store._depth}"  # a counter, not data
            store._depth += 1
            store.conn.execute(f"SAVEPOINT {self.savepoint}")
        else:
            _retry_busy(store._begin)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        conn = self.store.conn
        if self.savepoint is not None:
            self.store._depth -= 1
            if kind is not None:
                conn.execute(f"ROLLBACK TO {self.savepoint}")
            conn.execute(f"RELEASE {self.savepoint}")
            return
        db.end_transaction(conn, failed=kind is not None)


def _with_execution_id(table: str, row: Mapping[str, Any], execution_id: Any) -> Mapping[str, Any]:
    if "execution_id" not in row:
        return {"execution_id": execution_id, **row}
    if row["execution_id"] != execution_id:
        raise ValidationError(Problem(
            table, "execution_id", "matches_receipt", f"{row['execution_id']!r} is not the bundle's receipt {execution_id!r}"
        ))
    return row


_UPSERT_MEMORY = """
INSERT INTO agent_memory (agent_id, memory_json, collision_history, last_error, updated_at, retry_count)
VALUES (:agent_id, :memory_json, :collision_history, :last_error,
        coalesce(:updated_at, CURRENT_TIMESTAMP), :retry)
ON CONFLICT (agent_id) DO UPDATE SET
    memory_json = excluded.memory_json,
    collision_history = coalesce(excluded.collision_history, agent_memory.collision_history),
    last_error = excluded.last_error,
    updated_at = excluded.updated_at,
    retry_count = agent_memory.retry_count + excluded.retry_count
"""

# Named parameters: the row's values bind by column name (session_id, first in the row, is the WHERE's).
_FINISH_SESSION = """
UPDATE workflow_sessions SET status = :status, end_time = :end_time, total_duration_ms = :total_duration_ms,
    successful_operations = :successful_operations, failed_operations = :failed_operations
WHERE session_id = :session_id
"""

__all__ = ["BUNDLE_TABLES", "ReceiptBundle", "Store", "add_to_runs", "insert_sql", "quote_identifier", "utc_text"]
