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


def _rows(columns: tuple[str, ...], *values: tuple[Any, ...]) -> tuple[dict[str, Any], ...]:
    """A table written as its column names and one tuple of values per row."""
    return tuple(dict(zip(columns, row, strict=True)) for row in values)


RECEIPTS = _rows(
    ("execution_id", "agent_id", "operation", "status", "timestamp", "duration_ms", "files_generated",
     "files_modified"),
    ("exec-1", "agent-a", "generation", "passed", "2026-01-29T12:00:00+02:00", 60000, 3, 1),
    ("exec-2", "agent-a", "validation", "failed", "2026-01-29 11:00:00", 20, 0, 0),
    ("exec-3", "agent-b", "emission", "passed", "2026-01-29T09:00:00Z", 20, 5, 2),
    ("exec-4", "agent-b", "receipt", "partial", "2026-01-29 09:00:00", 10, 2, 0),
    ("exec-5", "agent-a", "watch", "cancelled", "2026-01-29T11:30:00.250", 1500, 1, 0),
    ("exec-6", "agent-d", "normalization", "failed", "2026-01-29T08:00:00.5Z", 3, 0, 0),
    ("exec-7", "agent-c", "dry_run", "passed", "2026-01-28T23:59:59-01:00", 7, 0, 4),
)

AUDIT = _rows(
    ("agent_id", "timestamp", "operation", "status"),
    ("agent-a", "2026-01-29T10:00:00Z", "start", "started"),
    ("agent-a", "2026-01-29T12:00:30+02:00", "emit", "completed"),
    ("agent-a", "2026-01-29 10:01:00", "finish", "completed"),
    ("agent-a", "2026-01-29T10:01:00.001Z", "late", "completed"),
    ("agent-a", "2026-01-29T09:59:59.999Z", "early", "started"),
    ("agent-b", "2026-01-29T10:00:30Z", "other agent", "started"),
    ("agent-a", "2026-01-29T12:30:01+01:00", "watch", "completed"),
    ("agent-a", "2026-01-29 11:00:00.020", "validate", "failed"),
    ("agent-b", "2026-01-29T09:00:00.010Z", "emit", "completed"),
)

STAGES = _rows(
    ("execution_id", "stage", "duration_ms", "status"),
    ("exec-1", "μ₁_normalize", 100, "passed"),
    ("exec-1", "μ₂_extract", 250, "passed"),
    ("exec-1", "μ₃_emit", 33, "failed"),
    ("exec-2", "μ₁_normalize", 200, "passed"),
    ("exec-2", "μ₂_extract", 250, "failed"),
    ("exec-3", "μ₁_normalize", 101, "passed"),
    ("exec-3", "μ₃_emit", 34, "passed"),
    ("exec-3", "μ₅_receipt", 5, "passed"),
    ("exec-3", "μ₄_canonicalize", 5, "passed"),
)

VIOLATIONS = _rows(
    ("execution_id", "metric", "target_value", "actual_value", "severity"),
    ("exec-1", "duration_ms", 50000.0, 60000.0, "critical"),
    ("exec-1", "files_generated", 10.0, 3.0, "warning"),
    ("exec-3", "duration_ms", 10.0, 20.0, "warning"),
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
