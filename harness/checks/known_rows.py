"""A small known data set, and what each view must return for it (the contract's words as code).

The rows are chosen to expose the original defects: timestamps in every
accepted form (so text order differs from time order), two executions at the
same instant (ties), audit rows exactly on the window's edges, one
millisecond outside, and of another agent inside it, averages that need
rounding, and two stages with the same average.

The oracles compute each view from the rows in Python, following the view's
doc in contract.json, so the SQL is compared with an independent reading.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.checks.scratch_rows import insert_with_parents
from harness.contract.model import Contract, utc_key, utc_text

TABLES = ("receipts", "audit_log", "pipeline_metrics", "slo_violations")  # what the data set writes

RECEIPTS: tuple[dict[str, Any], ...] = (
    # execution_id, agent, operation, status, timestamp (10:00Z), duration, files
    dict(execution_id="exec-1", agent_id="agent-a", operation="generation", status="passed",
         timestamp="2026-01-29T12:00:00+02:00", duration_ms=60000, files_generated=3, files_modified=1),
    dict(execution_id="exec-2", agent_id="agent-a", operation="validation", status="failed",
         timestamp="2026-01-29 11:00:00", duration_ms=20, files_generated=0, files_modified=0),
    dict(execution_id="exec-3", agent_id="agent-b", operation="emission", status="passed",
         timestamp="2026-01-29T09:00:00Z", duration_ms=20, files_generated=5, files_modified=2),
    dict(execution_id="exec-4", agent_id="agent-b", operation="receipt", status="partial",
         timestamp="2026-01-29 09:00:00", duration_ms=10, files_generated=2, files_modified=0),
    dict(execution_id="exec-5", agent_id="agent-a", operation="watch", status="cancelled",
         timestamp="2026-01-29T11:30:00.250", duration_ms=1500, files_generated=1, files_modified=0),
    dict(execution_id="exec-6", agent_id="agent-d", operation="normalization", status="failed",
         timestamp="2026-01-29T08:00:00.5Z", duration_ms=3, files_generated=0, files_modified=0),
    dict(execution_id="exec-7", agent_id="agent-c", operation="dry_run", status="passed",
         timestamp="2026-01-28T23:59:59-01:00", duration_ms=7, files_generated=0, files_modified=4),
)

AUDIT: tuple[dict[str, Any], ...] = (
    dict(agent_id="agent-a", timestamp="2026-01-29T10:00:00Z", operation="start", status="started"),
    dict(agent_id="agent-a", timestamp="2026-01-29T12:00:30+02:00", operation="emit", status="completed"),
    dict(agent_id="agent-a", timestamp="2026-01-29 10:01:00", operation="finish", status="completed"),
    dict(agent_id="agent-a", timestamp="2026-01-29T10:01:00.001Z", operation="late", status="completed"),
    dict(agent_id="agent-a", timestamp="2026-01-29T09:59:59.999Z", operation="early", status="started"),
    dict(agent_id="agent-b", timestamp="2026-01-29T10:00:30Z", operation="other agent", status="started"),
    dict(agent_id="agent-a", timestamp="2026-01-29T12:30:01+01:00", operation="watch", status="completed"),
    dict(agent_id="agent-a", timestamp="2026-01-29 11:00:00.020", operation="validate", status="failed"),
    dict(agent_id="agent-b", timestamp="2026-01-29T09:00:00.010Z", operation="emit", status="completed"),
)

STAGES: tuple[dict[str, Any], ...] = (
    dict(execution_id="exec-1", stage="μ₁_normalize", duration_ms=100, status="passed"),
    dict(execution_id="exec-1", stage="μ₂_extract", duration_ms=250, status="passed"),
    dict(execution_id="exec-1", stage="μ₃_emit", duration_ms=33, status="failed"),
    dict(execution_id="exec-2", stage="μ₁_normalize", duration_ms=200, status="passed"),
    dict(execution_id="exec-2", stage="μ₂_extract", duration_ms=250, status="failed"),
    dict(execution_id="exec-3", stage="μ₁_normalize", duration_ms=101, status="passed"),
    dict(execution_id="exec-3", stage="μ₃_emit", duration_ms=34, status="passed"),
    dict(execution_id="exec-3", stage="μ₅_receipt", duration_ms=5, status="passed"),
    dict(execution_id="exec-3", stage="μ₄_canonicalize", duration_ms=5, status="passed"),
)

VIOLATIONS: tuple[dict[str, Any], ...] = (
    dict(execution_id="exec-1", metric="duration_ms", target_value=50000.0, actual_value=60000.0, severity="critical"),
    dict(execution_id="exec-1", metric="files_generated", target_value=10.0, actual_value=3.0, severity="warning"),
    dict(execution_id="exec-3", metric="duration_ms", target_value=10.0, actual_value=20.0, severity="warning"),
)


@dataclass(frozen=True)
class Dataset:
    """The rows as written, each with the id SQLite gave it."""

    receipts: tuple[dict[str, Any], ...]
    audit: tuple[dict[str, Any], ...]
    stages: tuple[dict[str, Any], ...]
    violations: tuple[dict[str, Any], ...]


def load(conn: sqlite3.Connection, contract: Contract, *, reverse: bool = False, suffix: str = "") -> Dataset:
    """Write the data set (in reverse order when asked: ids change, results must not).

    suffix is appended to every execution_id, to write the set a second time.
    """
    tables = contract.tables

    def write(table: str, rows: Iterable[dict[str, Any]], extra: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
        ordered = list(reversed(list(rows))) if reverse else list(rows)
        written = []
        for row in ordered:
            full = {**extra, **row}
            if "execution_id" in full:
                full["execution_id"] += suffix
            written.append({**full, "id": insert_with_parents(conn, contract, tables[table], full)})
        return tuple(written)

    receipts = write("receipts", RECEIPTS, {})
    audit = write("audit_log", AUDIT, {})
    stages = write("pipeline_metrics", STAGES, {"timestamp": "2026-01-29T12:00:00Z"})
    violations = write("slo_violations", VIOLATIONS, {"timestamp": "2026-01-29T12:00:00Z"})
    return Dataset(receipts, audit, stages, violations)


# ------------------------------------------------------------------ oracles
def recent_executions(data: Dataset, max_rows: int) -> list[tuple[Any, ...]]:
    """Newest first (UTC, then id); audit rows of the same agent within [start, start + duration]."""
    newest = sorted(data.receipts, key=lambda r: (utc_key(r["timestamp"]), r["id"]), reverse=True)[:max_rows]
    rows = []
    for r in newest:
        start = utc_key(r["timestamp"])
        audit = sum(
            1 for a in data.audit
            if a["agent_id"] == r["agent_id"] and start <= utc_key(a["timestamp"]) <= start + r["duration_ms"]
        )
        violations = sum(1 for v in data.violations if v["execution_id"] == r["execution_id"])
        rows.append((
            r["execution_id"], r["agent_id"], r["operation"], r["status"], r["timestamp"],
            r["files_generated"], r["files_modified"], r["duration_ms"], audit, violations,
        ))
    return rows


def agent_performance_summary(data: Dataset) -> list[tuple[Any, ...]]:
    """Per agent: counts, avg rounded to 2, extremes, files, newest UTC; most executions first."""
    rows = []
    for agent in sorted({r["agent_id"] for r in data.receipts}):
        mine = [r for r in data.receipts if r["agent_id"] == agent]
        durations = [r["duration_ms"] for r in mine]
        newest = max(mine, key=lambda r: utc_key(r["timestamp"]))
        rows.append((
            agent, len(mine),
            sum(r["status"] == "passed" for r in mine), sum(r["status"] == "failed" for r in mine),
            round(sum(durations) / len(mine), 2), min(durations), max(durations),
            sum(r["files_generated"] for r in mine), utc_text(newest["timestamp"]),
        ))
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def pipeline_stage_performance(data: Dataset) -> list[tuple[Any, ...]]:
    """Per stage: executions, avg rounded to 2, extremes, passed, failed; slowest average first."""
    rows = []
    for stage in sorted({m["stage"] for m in data.stages}):
        mine = [m for m in data.stages if m["stage"] == stage]
        durations = [m["duration_ms"] for m in mine]
        rows.append((
            stage, len(mine), round(sum(durations) / len(mine), 2), min(durations), max(durations),
            sum(m["status"] == "passed" for m in mine), sum(m["status"] == "failed" for m in mine),
        ))
    return sorted(rows, key=lambda row: (-row[2], row[0]))


ORACLES = {
    "recent_executions": lambda data, view: recent_executions(data, view.max_rows or 100),
    "agent_performance_summary": lambda data, view: agent_performance_summary(data),
    "pipeline_stage_performance": lambda data, view: pipeline_stage_performance(data),
}
