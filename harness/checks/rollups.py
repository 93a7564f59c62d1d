"""Rollup tables: kept exact by triggers, compared with a recomputation from the base tables.

The contract marks the rollups `derived` and says in words what they hold;
harness.contract.rollup_sql says it in SQL (the recomputation); ROLLUPS adds the writes
that exercise every trigger path: insert, update of each counted column, a
move to another key, deletes (the current extreme included), ties at an
extreme and cascades.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup, over_derived_tables
from harness.contract.model import Contract
from harness.contract.rollup_sql import ROLLUPS as ROLLUP_SQL
from harness.contract.rollup_sql import RollupSql
from harness.engine.introspection import quote_identifier

ROLLUPS_GROUP = CheckGroup("Rollups")


@dataclass(frozen=True)
class Rollup:
    sql: RollupSql  # what the rollup holds (harness.contract.rollup_sql)
    writes: tuple[str, ...]  # statements run one after another over the known data set

    @property
    def base(self) -> str:
        return self.sql.base


ROLLUPS: dict[str, Rollup] = {
    "agent_execution_stats": Rollup(
        sql=ROLLUP_SQL["agent_execution_stats"],
        writes=(
            "UPDATE receipts SET status = 'failed' WHERE execution_id = 'exec-1'",
            "UPDATE receipts SET agent_id = 'agent-b' WHERE execution_id = 'exec-2'",
            "UPDATE receipts SET duration_ms = 999, files_generated = 9 WHERE execution_id = 'exec-3'",
            "UPDATE receipts SET operation = 'watch' WHERE execution_id = 'exec-4'",
            "DELETE FROM receipts WHERE execution_id = 'exec-5'",
            "DELETE FROM receipts WHERE execution_id = 'exec-1'",
            "DELETE FROM receipts WHERE agent_id = 'agent-c'",
            # ties at an extreme: made by an update, one of them deleted, the last one moved away
            "UPDATE receipts SET duration_ms = 10 WHERE execution_id = 'exec-2'",
            "DELETE FROM receipts WHERE execution_id = 'exec-4'",
            "UPDATE receipts SET duration_ms = 5000 WHERE execution_id = 'exec-2'",
            # the last row at the maximum lowered: the update must look the maximum up again
            "UPDATE receipts SET duration_ms = 1 WHERE execution_id = 'exec-2'",
        ),
    ),
    "stage_execution_stats": Rollup(
        sql=ROLLUP_SQL["stage_execution_stats"],
        writes=(
            "UPDATE pipeline_metrics SET status = 'failed' WHERE stage = 'μ₅_receipt'",
            "UPDATE pipeline_metrics SET stage = 'μ₄_canonicalize' WHERE duration_ms = 250 AND status = 'failed'",
            "UPDATE pipeline_metrics SET duration_ms = 1 WHERE duration_ms = 200",
            "DELETE FROM pipeline_metrics WHERE duration_ms = 101",
            "DELETE FROM receipts WHERE execution_id = 'exec-3'",
            # ties made by updates, at the maximum and then at the minimum, then one of their rows deleted
            "UPDATE pipeline_metrics SET duration_ms = 100 WHERE execution_id = 'exec-2' AND stage = 'μ₁_normalize'",
            "UPDATE pipeline_metrics SET duration_ms = 7 WHERE execution_id = 'exec-1' AND stage = 'μ₁_normalize'",
            "UPDATE pipeline_metrics SET duration_ms = 7 WHERE execution_id = 'exec-2' AND stage = 'μ₁_normalize'",
            "DELETE FROM pipeline_metrics WHERE execution_id = 'exec-1' AND stage = 'μ₁_normalize'",
        ),
    ),
    # The window counts: a move to another hour (day) and to another key, an uncounted column, deletes
    # that take a key to 0 and cascades. Sessions and collisions are not in the known data set: added here.
    "receipt_hourly_counts": Rollup(
        sql=ROLLUP_SQL["receipt_hourly_counts"],
        writes=(
            "UPDATE receipts SET status = 'failed' WHERE execution_id = 'exec-1'",
            "UPDATE receipts SET timestamp = '2026-01-29T15:00:00+03:00' WHERE execution_id = 'exec-2'",
            "UPDATE receipts SET operation = 'watch', duration_ms = 5 WHERE execution_id = 'exec-4'",
            "DELETE FROM receipts WHERE execution_id = 'exec-5'",
            "DELETE FROM receipts WHERE agent_id = 'agent-b'",
        ),
    ),
    "audit_hourly_counts": Rollup(
        sql=ROLLUP_SQL["audit_hourly_counts"],
        writes=(
            "INSERT INTO audit_log (timestamp, agent_id, operation, status) "
            "VALUES ('2026-01-29T10:30:00+01:00', 'agent-c', 'emit', 'failed')",
            "DELETE FROM audit_log WHERE agent_id = 'agent-b' AND status = 'completed'",
            "DELETE FROM audit_log WHERE agent_id = 'agent-a'",
        ),
    ),
    "session_daily_counts": Rollup(
        sql=ROLLUP_SQL["session_daily_counts"],
        writes=(
            "INSERT INTO workflow_sessions (session_id, start_time, status, agent_count) VALUES "
            "('day-1', '2026-01-29T23:30:00-02:00', 'running', 2), ('day-2', '2026-01-30 01:00:00', 'running', 1), "
            "('day-3', '2026-01-29 08:00:00', 'completed', 3)",
            "UPDATE workflow_sessions SET status = 'completed', end_time = '2026-01-30 02:00:00' "
            "WHERE session_id = 'day-1'",
            "UPDATE workflow_sessions SET start_time = '2026-01-28T12:00:00Z' WHERE session_id = 'day-3'",
            "UPDATE workflow_sessions SET agent_count = 5 WHERE session_id = 'day-2'",
            "DELETE FROM workflow_sessions WHERE session_id = 'day-2'",
        ),
    ),
    "collision_hourly_counts": Rollup(
        sql=ROLLUP_SQL["collision_hourly_counts"],
        writes=(
            "INSERT INTO workflow_sessions (session_id, start_time, status, agent_count) "
            "VALUES ('hour-1', '2026-01-29 08:00:00', 'running', 2), ('hour-2', '2026-01-29 09:00:00', 'running', 2)",
            "INSERT INTO collision_detection (session_id, agent_id_1, agent_id_2, collision_type, description, "
            "severity, timestamp) VALUES "
            "('hour-1', 'agent-a', 'agent-b', 'file_conflict', 'x', 'warning', '2026-01-29T10:15:00+02:00'), "
            "('hour-1', 'agent-a', 'agent-c', 'file_conflict', 'x', 'warning', '2026-01-29 08:45:00'), "
            "('hour-2', 'agent-b', 'agent-c', 'semantic_overlap', 'x', 'critical', '2026-01-29T09:10:00Z')",
            "UPDATE collision_detection SET severity = 'critical' WHERE agent_id_2 = 'agent-b'",
            "UPDATE collision_detection SET collision_type = 'memory_conflict' WHERE session_id = 'hour-2'",
            "UPDATE collision_detection SET timestamp = '2026-01-29 11:00:00' WHERE agent_id_2 = 'agent-c' "
            "AND session_id = 'hour-1'",
            "UPDATE collision_detection SET resolution = 'merged' WHERE session_id = 'hour-1'",
            "DELETE FROM workflow_sessions WHERE session_id = 'hour-1'",
        ),
    ),
    "violation_hourly_counts": Rollup(
        sql=ROLLUP_SQL["violation_hourly_counts"],
        writes=(
            "UPDATE slo_violations SET severity = 'critical' WHERE metric = 'files_generated'",
            "UPDATE slo_violations SET metric = 'files_modified' WHERE execution_id = 'exec-3'",
            "UPDATE slo_violations SET timestamp = '2026-01-29T23:00:00-03:00' WHERE metric = 'duration_ms'",
            "UPDATE slo_violations SET description = 'seen' WHERE execution_id = 'exec-1'",
            "DELETE FROM receipts WHERE execution_id = 'exec-3'",
            "DELETE FROM slo_violations WHERE metric = 'duration_ms'",
        ),
    ),
}


def rollup_definition(table: str) -> Rollup:
    if table not in ROLLUPS:
        raise Broken(f"{table}: derived table without a recomputation in harness/checks/rollups.py ROLLUPS")
    return ROLLUPS[table]


def rollup_problems(conn: sqlite3.Connection, contract: Contract, only: str | None = None) -> list[str]:
    """Each derived table equals its recomputation (all-zero rows left by deletes are ignored, except in
    a dense count table, whose zeros are part of what it holds)."""
    found = []
    # A rollup the database does not have is the structure checks' finding (and an older version's state).
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in (t.name for t in contract.tables.values() if t.derived and only in (None, t.name) and t.name in present):
        rollup = rollup_definition(table)
        k = rollup.sql.key_columns
        expected = {_key(row[:k]): tuple(row[k:]) for row in conn.execute(rollup.sql.recompute)}
        actual = {_key(row[:k]): tuple(row[k:]) for row in conn.execute(rollup.sql.stored)
                  if any(row[k:]) or rollup.sql.domains}
        for key in sorted(set(expected) | set(actual), key=str):
            if expected.get(key) != actual.get(key):
                found.append(f"{table}: row {key!r} holds {_show(actual.get(key))}, recomputing from "
                             f"{rollup.base} gives {_show(expected.get(key))}")
    return found


def _key(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else values


def _show(values: tuple[Any, ...] | None) -> str:
    return "nothing" if values is None else "(" + ", ".join(str(v) for v in values) + ")"


@ROLLUPS_GROUP.check("rollup_{table}_exact", subjects=over_derived_tables)
def rollup_exact(ctx: CheckContext, table: str) -> Iterable[str]:
    """rollup {table} stays exact

    After inserts, updates of every counted column, moves to another key, deletes (the current extreme
    included), ties at an extreme and cascades, the rollup equals a recomputation from its base table, and the
    views that read it return the right values.

    Fix: Keep an AFTER INSERT, AFTER UPDATE OF <counted columns> and AFTER DELETE trigger on the base table,
    each adding or subtracting the row's contribution; keep each extreme with the number of rows at it and
    look it up again when its last row goes.
    """
    from harness.checks import known_rows, views  # views imports this module

    rollup = rollup_definition(table)
    ctx.require_tables(table, rollup.base, *known_rows.TABLES)
    db = ctx.scratch()
    known_rows.load(db, ctx.contract)
    found = [f"after loading the data set: {p}" for p in rollup_problems(db, ctx.contract, table)]
    for statement in rollup.writes:
        db.execute(statement)
        problems = rollup_problems(db, ctx.contract, table) + views.all_view_problems(ctx, db, views.read_back(db))
        found.extend(f"after `{statement}`: {p}" for p in problems)
        if found:
            break
    return found


@ROLLUPS_GROUP.check("rollup_rollback")
def rollup_rollback(ctx: CheckContext) -> Iterable[str]:
    """a rolled-back transaction leaves nothing, rollups included

    Writes undone by ROLLBACK leave every base table and rollup as before, and the rollups still equal their
    recomputation.

    Fix: Maintain rollups only with triggers (they run inside the writing transaction), never from outside it.
    """
    from harness.checks import known_rows

    tables = [t.name for t in ctx.contract.tables.values()]
    ctx.require_tables(*tables)
    db = ctx.scratch()
    known_rows.load(db, ctx.contract)
    before = _snapshot(db, tables)
    db.execute("BEGIN")
    for rollup in (rollup_definition(t) for t in tables if ctx.contract_table(t).derived):
        for statement in rollup.writes:
            db.execute(statement)
    known_rows.load(db, ctx.contract, suffix="-rolled-back")
    db.execute("ROLLBACK")
    found = [f"{t}: rows differ after ROLLBACK" for t in tables if _snapshot(db, [t]) != {t: before[t]}]
    return found + rollup_problems(db, ctx.contract)


def _snapshot(conn: sqlite3.Connection, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    return {t: conn.execute(f"SELECT * FROM {quote_identifier(t)} ORDER BY 1").fetchall() for t in tables}  # noqa: S608
