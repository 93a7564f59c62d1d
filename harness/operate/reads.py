"""The documented reads behind `ggen-db query` and `ggen-db get`.

Every statement is one of the contract's `queries`, run by name with parameters, so the
plan gates of `ggen-db check` (index_serves_<query>) cover exactly what runs here. An
agent pattern (GLOB) is first expanded to the agents that exist (the receipts rollup, a
skip scan of the audit index); each agent is then read through its own index and the
results are merged newest first, so neither a busy nor an unknown agent scans a table.
"""

from __future__ import annotations

import heapq
import os
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from harness.contract.model import Contract, load_contract
from harness.errors import UsageError
from harness.operate.database import open_read_only
from harness.operate.window import Window, window

Row = dict[str, Any]
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Source:
    """What `query TABLE` reads: the contract table, its time column, and which filters apply."""

    table: str
    time_column: str
    status_column: str | None = None  # filtered by --status
    severity_column: str | None = None  # filtered by --severity
    agent_filter: str = "none"  # 'expand' (pattern -> agents -> one read each), 'sql' (in the query), 'none'


SOURCES: Mapping[str, Source] = {
    "receipts": Source("receipts", "timestamp_utc", status_column="status", agent_filter="expand"),
    "memory": Source("agent_memory", "updated_at_utc", agent_filter="sql"),
    "audit": Source("audit_log", "timestamp_utc", status_column="status", agent_filter="expand"),
    "sessions": Source("workflow_sessions", "start_time_utc", status_column="status"),
    "collisions": Source("collision_detection", "timestamp_utc", severity_column="severity", agent_filter="sql"),
    "violations": Source("slo_violations", "timestamp_utc", severity_column="severity", agent_filter="sql"),
}


@dataclass(frozen=True)
class Filters:
    """The filters of one query, as given (None: not given)."""

    agent: str | None = None
    status: str | None = None
    severity: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class QueryResult:
    """Rows of one query, newest first, with the columns they have (also when there are none)."""

    table: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    queries: tuple[str, ...] = field(default=())  # the contract queries that ran


@dataclass(frozen=True)
class Record:
    """One record with its related rows (ggen-db get): sections in order, the columns of each."""

    sections: Mapping[str, Row | tuple[Row, ...]]
    columns: Mapping[str, tuple[str, ...]]


@cache
def contract() -> Contract:
    return load_contract()


def sql(name: str) -> str:
    """The SQL of a documented query."""
    return contract().queries[name].sql


def enumeration(table: str, column: str) -> tuple[str, ...]:
    return contract().tables[table].column(column).values


# ------------------------------------------------------------------ query
def query(db_path: str | os.PathLike[str], what: str, filters: Filters = Filters(), *,
          now: datetime | None = None) -> QueryResult:
    """`ggen-db query DB WHAT`: the newest rows of one table that pass the filters."""
    source = _source(what)
    _check_filters(what, source, filters)
    bounds = window(filters.since, filters.until, now=now)
    with closing(open_read_only(db_path)) as conn:
        conn.execute("BEGIN")  # one snapshot for the expansion and every read
        reader = _READERS[what]
        return reader(conn, source, filters, bounds)


def _source(what: str) -> Source:
    if what not in SOURCES:
        raise UsageError(f"TABLE {what!r}: not one of {', '.join(SOURCES)}")
    return SOURCES[what]


def _check_filters(what: str, source: Source, filters: Filters) -> None:
    if filters.limit < 1:
        raise UsageError(f"--limit {filters.limit}: must be at least 1")
    if filters.agent is not None and source.agent_filter == "none":
        applies = [name for name, s in SOURCES.items() if s.agent_filter != "none"]
        raise UsageError(f"--agent: rows of {what} have no agent (--agent applies to {', '.join(applies)})")
    _check_enum("--status", filters.status, what, source.table, source.status_column)
    _check_enum("--severity", filters.severity, what, source.table, source.severity_column)


def _check_enum(option: str, value: str | None, what: str, table: str, column: str | None) -> None:
    if value is None:
        return
    if column is None:
        applies = [name for name, s in SOURCES.items() if getattr(s, f"{option[2:]}_column")]
        raise UsageError(f"{option}: rows of {what} have no {option[2:]} ({option} applies to {', '.join(applies)})")
    values = enumeration(table, column)
    if value not in values:
        raise UsageError(f"{option} {value!r}: must be one of {', '.join(values)}")


def _run(conn: sqlite3.Connection, name: str, params: Mapping[str, Any]) -> sqlite3.Cursor:
    cursor = conn.execute(sql(name), params)
    cursor.row_factory = _dict_row
    return cursor


def _dict_row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, values, strict=True)}


def _columns(cursor: sqlite3.Cursor) -> tuple[str, ...]:
    return tuple(d[0] for d in cursor.description)


def _window_params(bounds: Window, filters: Filters) -> dict[str, Any]:
    return {"since": bounds.since, "until": bounds.until, "limit": filters.limit}


def _one(conn: sqlite3.Connection, what: str, name: str, params: Mapping[str, Any]) -> QueryResult:
    cursor = _run(conn, name, params)
    return QueryResult(what, _columns(cursor), tuple(cursor), (name,))


def _merged(conn: sqlite3.Connection, what: str, name: str, keyed: Iterable[Mapping[str, Any]],
            time_column: str, limit: int) -> QueryResult:
    """One read per key (agent or status), each newest first and bounded, merged newest first."""
    cursors = [_run(conn, name, params) for params in keyed]
    if not cursors:  # nothing matches: run the read once, bounded to no rows, for its columns
        return QueryResult(what, _columns(_run(conn, name, _NO_ROWS[name])), (), (name,))
    rows = heapq.merge(*cursors, key=lambda r: (r[time_column], r["id"]), reverse=True)
    return QueryResult(what, _columns(cursors[0]), tuple(islice(rows, limit)), (name,))


def _agents(conn: sqlite3.Connection, name: str, pattern: str) -> list[str]:
    return [row[0] for row in conn.execute(sql(name), {"pattern": pattern})]


def _expanded(conn: sqlite3.Connection, what: str, source: Source, filters: Filters, bounds: Window,
              *, agents_query: str, by_agent: str, by_status: str, in_window: str) -> QueryResult:
    params = _window_params(bounds, filters)
    if filters.agent is not None:
        agents = _agents(conn, agents_query, filters.agent)
        keyed = [{**params, "agent_id": a, "status": filters.status} for a in agents]
        result = _merged(conn, what, by_agent, keyed, source.time_column, filters.limit)
        return QueryResult(what, result.columns, result.rows, (agents_query, by_agent))
    if filters.status is not None:
        return _one(conn, what, by_status, {**params, "status": filters.status})
    return _one(conn, what, in_window, params)


def _receipts(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    return _expanded(conn, "receipts", source, filters, bounds, agents_query="receipt_agents_matching",
                     by_agent="receipts_of_agent_in_window", by_status="receipts_of_status_in_window",
                     in_window="receipts_time_range")


def _audit(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    return _expanded(conn, "audit", source, filters, bounds, agents_query="audit_agents_matching",
                     by_agent="audit_of_agent_in_window", by_status="audit_of_status_in_window",
                     in_window="audit_in_window_newest_first")


def _memory(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    return _one(conn, "memory", "memory_in_window", {**_window_params(bounds, filters), "agent": filters.agent})


def _sessions(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    statuses = [filters.status] if filters.status else enumeration(source.table, "status")
    keyed = [{**_window_params(bounds, filters), "status": s} for s in statuses]
    return _merged(conn, "sessions", "sessions_of_status_in_window", keyed, source.time_column, filters.limit)


def _collisions(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    params = {**_window_params(bounds, filters), "severity": filters.severity, "agent": filters.agent}
    return _one(conn, "collisions", "collisions_in_window", params)


def _violations(conn: sqlite3.Connection, source: Source, filters: Filters, bounds: Window) -> QueryResult:
    params = {**_window_params(bounds, filters), "severity": filters.severity, "agent": filters.agent}
    return _one(conn, "violations", "violations_in_window", params)


_READERS = {"receipts": _receipts, "memory": _memory, "audit": _audit, "sessions": _sessions,
            "collisions": _collisions, "violations": _violations}
_NO_ROWS = {
    "receipts_of_agent_in_window": {"agent_id": "", "since": "", "until": "", "status": None, "limit": 0},
    "audit_of_agent_in_window": {"agent_id": "", "since": "", "until": "", "status": None, "limit": 0},
}


# -------------------------------------------------------------------- get
def get_receipt(db_path: str | os.PathLike[str], execution_id: str) -> Record | None:
    """`ggen-db get DB receipt ID`: the receipt, its stage metrics, its violations and the agent's
    audit rows inside its window [timestamp_utc, finished_utc]; None when there is no such receipt."""
    with closing(open_read_only(db_path)) as conn:
        conn.execute("BEGIN")
        receipt = _run(conn, "receipt_by_execution_id", {"execution_id": execution_id})
        row = receipt.fetchone()
        if row is None:
            return None
        sections: dict[str, Row | tuple[Row, ...]] = {"receipt": row}
        columns = {"receipt": _columns(receipt)}
        window_params = {"agent_id": row["agent_id"], "start": row["timestamp_utc"], "finish": row["finished_utc"]}
        for section, name, params in (
            ("stage_metrics", "stage_metrics_of_execution", {"execution_id": execution_id}),
            ("slo_violations", "violations_of_execution", {"execution_id": execution_id}),
            ("audit", "audit_of_execution_window", window_params),
        ):
            cursor = _run(conn, name, params)
            sections[section] = tuple(cursor)
            columns[section] = _columns(cursor)
        return Record(sections, columns)


def get_memory(db_path: str | os.PathLike[str], agent_id: str) -> Record | None:
    """`ggen-db get DB memory AGENT_ID`: the agent's memory row; None when it has none."""
    with closing(open_read_only(db_path)) as conn:
        cursor = _run(conn, "memory_by_agent", {"agent_id": agent_id})
        row = cursor.fetchone()
        return None if row is None else Record({"memory": row}, {"memory": _columns(cursor)})
