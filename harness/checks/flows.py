"""End-to-end flows: what a pipeline run and a multi-agent session write, read back through views and queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup
from harness.checks.scratch_rows import insert, sample_row
from harness.checks.views import all_view_problems, read_back

FLOWS = CheckGroup("Flows")

FLOW_START = "2026-01-29T12:00:00+01:00"  # 11:00:00Z; the run lasts 5 s
FLOW_AUDIT = (
    ("agent-flow", FLOW_START, "started"),
    ("agent-flow", "2026-01-29 11:00:05", "completed"),  # the window's last millisecond
    ("agent-other", "2026-01-29T11:00:02Z", "started"),  # another agent, inside the window
    ("agent-flow", "2026-01-29T11:00:05.001Z", "completed"),  # just after the window
)


def run_query(conn: sqlite3.Connection, ctx: CheckContext, name: str, **params: Any) -> list[tuple[Any, ...]]:
    query = ctx.contract.queries.get(name)
    if query is None:
        raise Broken(f"query {name}: not declared in the contract")
    return [tuple(r) for r in conn.execute(query.sql, {**query.params, **params})]


def execution_flow_problems(ctx: CheckContext) -> list[str]:
    """Receipt, stage metrics, audit rows and an SLO violation, as a run writes them, seen by every view."""
    ctx.require_tables("receipts", "audit_log", "pipeline_metrics", "slo_violations")
    db = ctx.scratch()
    receipts, metrics = ctx.contract_table("receipts"), ctx.contract_table("pipeline_metrics")
    insert(db, "receipts", sample_row(
        receipts, execution_id="exec-flow", agent_id="agent-flow", operation="generation", status="passed",
        timestamp=FLOW_START, duration_ms=5000, files_generated=2, files_modified=1,
        receipt_json='{"files": ["a.rs", "b.rs"]}'))
    for agent, timestamp, status in FLOW_AUDIT:
        insert(db, "audit_log", sample_row(ctx.contract_table("audit_log"), agent_id=agent,
                                           timestamp=timestamp, operation="generate", status=status))
    stages = metrics.column("stage").values
    for n, stage in enumerate(stages, start=1):
        insert(db, "pipeline_metrics", sample_row(metrics, execution_id="exec-flow", stage=stage,
                                                  duration_ms=10 * n, status="failed" if n == len(stages) else "passed",
                                                  timestamp=FLOW_START))
    insert(db, "slo_violations", sample_row(ctx.contract_table("slo_violations"), execution_id="exec-flow",
                                            metric="duration_ms", severity="warning", timestamp=FLOW_START))
    found = all_view_problems(ctx, db, read_back(db))
    row = db.execute("SELECT audit_entries, slo_violations FROM recent_executions "
                     "WHERE execution_id = 'exec-flow'").fetchone()
    if row is None:
        found.append("recent_executions: the flow's execution is missing")
    elif tuple(row) != (2, 1):
        found.append(f"recent_executions: the flow's execution shows audit_entries={row[0]}, "
                     f"slo_violations={row[1]}, expected 2 and 1")
    first_file = run_query(db, ctx, "receipt_by_execution_id", execution_id="exec-flow")
    if not first_file or first_file[0][-1] != "a.rs":
        found.append("receipt_by_execution_id: does not return the flow's receipt with first_file 'a.rs'")
    return found


@FLOWS.check("flow_session_collisions")
def session_flow(ctx: CheckContext) -> Iterable[str]:
    """a session and its collisions flow through the documented queries

    A running session with collisions in mixed timestamp forms: collisions of the session come back newest
    first, critical ones are found, ending the session takes it out of the running list, and deleting the
    session does to its collisions what the foreign key says.

    Fix: Follow the failing part: the collision indexes, the _utc columns, or the foreign key's ON DELETE.
    """
    ctx.require_tables("workflow_sessions", "collision_detection")
    db = ctx.scratch()
    sessions, collisions = ctx.contract_table("workflow_sessions"), ctx.contract_table("collision_detection")
    insert(db, "workflow_sessions", sample_row(sessions, session_id="session-flow", status="running",
                                               start_time="2026-01-29T10:00:00+01:00", end_time=None))
    written = {}
    for name, timestamp, severity in (("warning", "2026-01-29T09:30:00Z", "warning"),
                                      ("critical", "2026-01-29T10:15:00+01:00", "critical"),
                                      ("info", "2026-01-29 09:45:00", "info")):
        row = sample_row(collisions, session_id="session-flow", timestamp=timestamp, severity=severity,
                         description=name)
        written[insert(db, "collision_detection", row)] = name
    found = []
    newest_first = [written.get(r[0]) for r in run_query(db, ctx, "collisions_by_session", session_id="session-flow")]
    if newest_first != ["info", "warning", "critical"]:
        found.append(f"collisions_by_session: returns {newest_first}, newest first is ['info', 'warning', 'critical']")
    critical = [written.get(r[0]) for r in run_query(db, ctx, "collisions_critical")]
    if critical != ["critical"]:
        found.append(f"collisions_critical: returns {critical}, expected ['critical']")
    db.execute("UPDATE workflow_sessions SET status = 'completed', end_time = '2026-01-29T11:00:00+01:00' "
               "WHERE session_id = 'session-flow'")
    if run_query(db, ctx, "sessions_running"):
        found.append("sessions_running: still lists the session after it completed")
    found.extend(_delete_session_problems(ctx, db))
    return found


def _delete_session_problems(ctx: CheckContext, db: sqlite3.Connection) -> list[str]:
    fk = next((f for f in ctx.contract_table("collision_detection").foreign_keys if f.table == "workflow_sessions"),
              None)
    if fk is None:
        return []
    try:
        db.execute("DELETE FROM workflow_sessions WHERE session_id = 'session-flow'")
    except sqlite3.IntegrityError as e:
        if fk.on_delete in ("RESTRICT", "NO ACTION"):
            return []
        return [f"workflow_sessions: deleting a session with collisions is refused ({e}); the contract says "
                f"collision_detection.session_id is ON DELETE {fk.on_delete}"]
    left = db.execute("SELECT count(*) FROM collision_detection WHERE session_id = 'session-flow'").fetchone()[0]
    if fk.on_delete == "CASCADE" and left:
        return [f"collision_detection.session_id: {left} collisions remain after their session was deleted "
                "(ON DELETE CASCADE)"]
    return []
