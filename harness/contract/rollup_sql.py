"""The rollup tables in SQL: what each holds, recomputed from its base table.

One definition serves the conformance checks (a rollup must equal its
recomputation after every kind of write) and the bulk loader (which drops the
triggers during a load and rebuilds the rollups at the end). Statements are
put together only from this module's constant names and SQL, never from data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class RollupSql:
    table: str
    base: str
    columns: tuple[str, ...]  # the key, then the stored columns, in the order `recompute` returns them
    recompute: str  # one row per key present in the base table

    @property
    def stored(self) -> str:
        """The rollup's rows in the recomputation's shape."""
        return f"SELECT {', '.join(self.columns)} FROM {self.table} ORDER BY {self.columns[0]}"  # noqa: S608 - constants

    @property
    def rebuild(self) -> tuple[str, str]:
        """Statements that replace the rollup's rows with the recomputation."""
        insert = f"INSERT INTO {self.table} ({', '.join(self.columns)}) {self.recompute}"  # noqa: S608 - constants
        return f"DELETE FROM {self.table}", insert  # noqa: S608 - a constant table name


_EXTREMES = ("min_duration_ms", "rows_at_min_duration", "max_duration_ms", "rows_at_max_duration")

# The extremes per key first, then the rows at each. NOT INDEXED: reading the whole
# table in rowid order beats an index walk that fetches every row.
ROLLUPS: dict[str, RollupSql] = {
    "agent_execution_stats": RollupSql(
        table="agent_execution_stats",
        base="receipts",
        columns=("agent_id", "total_executions", "successful_executions", "failed_executions", "total_duration_ms",
                 "total_files_generated", *_EXTREMES),
        recompute="""
            SELECT b.agent_id, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   sum(b.files_generated), e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM receipts AS b NOT INDEXED
            JOIN (SELECT agent_id, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM receipts NOT INDEXED GROUP BY agent_id) AS e ON e.agent_id = b.agent_id
            GROUP BY b.agent_id ORDER BY b.agent_id""",
    ),
    "stage_execution_stats": RollupSql(
        table="stage_execution_stats",
        base="pipeline_metrics",
        columns=("stage", "executions", "passed", "failed", "total_duration_ms", *_EXTREMES),
        recompute="""
            SELECT b.stage, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM pipeline_metrics AS b NOT INDEXED
            JOIN (SELECT stage, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM pipeline_metrics NOT INDEXED GROUP BY stage) AS e ON e.stage = b.stage
            GROUP BY b.stage ORDER BY b.stage""",
    ),
}


def rebuild_statements(conn: sqlite3.Connection) -> list[str]:
    """The rebuild of each rollup table the database has (a schema without rollups gets none)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [statement for rollup in ROLLUPS.values() if rollup.table in present for statement in rollup.rebuild]
