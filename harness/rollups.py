"""The rollup tables in SQL: what each holds, recomputed from its base table.

One definition serves the conformance checks (a rollup must equal its
recomputation after every kind of write) and the bulk loader (which drops the
triggers during a load and rebuilds the rollups at the end). The statements
are written out in full: no SQL here is assembled from strings.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class RollupSql:
    table: str
    base: str
    recompute: str  # the key, then the stored columns in `stored`'s order; one row per key in the base table
    stored: str  # the rollup's rows in the recomputation's shape
    rebuild: tuple[str, ...]  # replace the rollup's rows with the recomputation


# The extremes per key first, then the rows at each. NOT INDEXED: reading the whole
# table in rowid order beats an index walk that fetches every row.
ROLLUPS: dict[str, RollupSql] = {
    "agent_execution_stats": RollupSql(
        table="agent_execution_stats",
        base="receipts",
        recompute="""
            SELECT b.agent_id, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   sum(b.files_generated), e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM receipts AS b NOT INDEXED
            JOIN (SELECT agent_id, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM receipts NOT INDEXED GROUP BY agent_id) AS e ON e.agent_id = b.agent_id
            GROUP BY b.agent_id ORDER BY b.agent_id""",
        stored="""
            SELECT agent_id, total_executions, successful_executions, failed_executions, total_duration_ms,
                   total_files_generated, min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration
            FROM agent_execution_stats ORDER BY agent_id""",
        rebuild=(
            "DELETE FROM agent_execution_stats",
            """INSERT INTO agent_execution_stats (agent_id, total_executions, successful_executions, failed_executions,
                   total_duration_ms, total_files_generated, min_duration_ms, rows_at_min_duration, max_duration_ms,
                   rows_at_max_duration)
               SELECT b.agent_id, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                      sum(b.files_generated), e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
               FROM receipts AS b NOT INDEXED
               JOIN (SELECT agent_id, min(duration_ms) AS lo, max(duration_ms) AS hi
                     FROM receipts NOT INDEXED GROUP BY agent_id) AS e ON e.agent_id = b.agent_id
               GROUP BY b.agent_id""",
        ),
    ),
    "stage_execution_stats": RollupSql(
        table="stage_execution_stats",
        base="pipeline_metrics",
        recompute="""
            SELECT b.stage, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM pipeline_metrics AS b NOT INDEXED
            JOIN (SELECT stage, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM pipeline_metrics NOT INDEXED GROUP BY stage) AS e ON e.stage = b.stage
            GROUP BY b.stage ORDER BY b.stage""",
        stored="""
            SELECT stage, executions, passed, failed, total_duration_ms,
                   min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration
            FROM stage_execution_stats ORDER BY stage""",
        rebuild=(
            "DELETE FROM stage_execution_stats",
            """INSERT INTO stage_execution_stats (stage, executions, passed, failed, total_duration_ms,
                   min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
               SELECT b.stage, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                      e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
               FROM pipeline_metrics AS b NOT INDEXED
               JOIN (SELECT stage, min(duration_ms) AS lo, max(duration_ms) AS hi
                     FROM pipeline_metrics NOT INDEXED GROUP BY stage) AS e ON e.stage = b.stage
               GROUP BY b.stage""",
        ),
    ),
}


def rebuild_statements(conn: sqlite3.Connection) -> list[str]:
    """The rebuild of each rollup table the database has (a schema without rollups gets none)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [statement for rollup in ROLLUPS.values() if rollup.table in present for statement in rollup.rebuild]
