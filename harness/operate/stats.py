"""`ggen-db stats`: what a database holds, from the rollups, the indexes and the file header.

Counts of receipts and stage metrics are the rollups' totals (kept exact by triggers); the
small tables are counted; the audit log, the one large table without a rollup, is given as
its id range (an upper bound: ids are never reused, archived rows leave gaps) unless
`exact` counts it. Agents and stages come from the views over the rollups, the period's
receipts per day and violations per metric from the counts per hour (the time indexes for
a partial first and last hour). Nothing here reads a large table from end to end unless
`exact` is asked for.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.operate.database import open_read_only, schema_version
from harness.operate.reads import Record, sql
from harness.operate.window import bound

PERIODS = ("24h", "7d", "30d", "90d")
COUNTED_TABLES = ("agent_memory", "workflow_sessions", "collision_detection", "slo_violations")
Row = dict[str, Any]


@dataclass(frozen=True)
class Stats:
    """The sections of `ggen-db stats`, in order, and the columns of each (a Record)."""

    record: Record
    duration_s: float


def stats(db_path: str | os.PathLike[str], *, period: str = "24h", until: str | None = None, exact: bool = False,
          now: datetime | None = None) -> Stats:
    """Sizes, counts, schema version, agents, stages, and the period's receipts and violations."""
    if period not in PERIODS:
        raise UsageError(f"--period {period!r}: must be one of {', '.join(PERIODS)}")
    end = bound(until, option="--until", now=now) if until else bound("0m", option="--until", now=now)
    start = _period_start(period, end)
    started = time.perf_counter()
    path = Path(db_path)
    window = {"since": start, "until": end}
    with closing(open_read_only(path)) as conn:
        conn.execute("BEGIN")  # one snapshot for every section
        database = _database(conn, path, period, start, end)
        tables = _tables(conn, exact)
        agents, agent_columns = _rows(conn, "agent_performance_summary", {})
        stages, stage_columns = _rows(conn, "pipeline_stage_performance", {})
        by_day, day_columns = _rows(conn, "stats_receipts_by_day", window)
        by_metric, metric_columns = _rows(conn, "stats_violations_by_metric", window)
    database["seconds"] = round(time.perf_counter() - started, 4)
    sections: dict[str, Row | tuple[Row, ...]] = {
        "database": database, "tables": tables, "agents": tuple(_with_success_rate(a) for a in agents),
        "stages": stages, "receipts_by_day": by_day, "violations_by_metric": by_metric,
    }
    columns = {
        "database": tuple(database), "tables": ("table", "rows", "how"), "agents": (*agent_columns, "success_rate"),
        "stages": stage_columns, "receipts_by_day": day_columns, "violations_by_metric": metric_columns,
    }
    return Stats(Record(sections, columns), time.perf_counter() - started)


def _period_start(period: str, end: str) -> str:
    anchor = datetime.fromisoformat(end[:23].replace(" ", "T") + "+00:00") if not end.startswith("9999") else None
    if anchor is None:
        raise UsageError("--until: give a time for the period to end at")
    return bound(period, option="--period", now=anchor)


def _database(conn: sqlite3.Connection, path: Path, period: str, start: str, end: str) -> Row:
    wal = Path(os.fspath(path) + "-wal")
    return {
        "path": os.fspath(path),
        "schema_version": schema_version(conn),
        "file_bytes": path.stat().st_size,
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        "page_size": _pragma(conn, "page_size"),
        "page_count": _pragma(conn, "page_count"),
        "free_pages": _pragma(conn, "freelist_count"),
        "period": period,
        "since": start,
        "until": end,
    }


def _pragma(conn: sqlite3.Connection, name: str) -> int:
    return int(conn.execute(f"PRAGMA {name}").fetchone()[0])  # a constant name from this module


def _tables(conn: sqlite3.Connection, exact: bool) -> tuple[Row, ...]:
    """Rows per base table: rollup totals, counts of the small tables, the audit log's id range."""
    receipts, metrics = (int(conn.execute(q).fetchone()[0] or 0) for q in (
        "SELECT total(total_executions) FROM agent_execution_stats",
        "SELECT total(executions) FROM stage_execution_stats"))
    rows = [("receipts", receipts, "rollup"), ("pipeline_metrics", metrics, "rollup")]
    for table in COUNTED_TABLES:
        rows.append((table, _count(conn, table), "counted"))
    if exact:
        rows.append(("audit_log", _count(conn, "audit_log"), "counted"))
    else:
        # Two statements: min() and max() together in one would walk the whole table.
        low = conn.execute("SELECT min(id) FROM audit_log").fetchone()[0]
        high = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        rows.append(("audit_log", 0 if low is None else high - low + 1, "id range (at most)"))
    return tuple({"table": t, "rows": n, "how": how} for t, n, how in rows)


def _count(conn: sqlite3.Connection, table: str) -> int:
    # The table name is one of this module's constants, quoted; never input.
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608


def _rows(conn: sqlite3.Connection, query: str, params: Mapping[str, Any]) -> tuple[tuple[Row, ...], tuple[str, ...]]:
    cursor = conn.execute(sql(query), params)
    names = tuple(d[0] for d in cursor.description)
    return tuple(dict(zip(names, values, strict=True)) for values in cursor), names


def _with_success_rate(row: Row) -> Row:
    total = row["total_executions"]
    return {**row, "success_rate": round(row["successful_executions"] / total, 4) if total else None}
