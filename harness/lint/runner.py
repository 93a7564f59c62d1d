"""`lint_queries`: each statement of a reader's file judged on a database at a scale, or the reader's own.

The target is opened read-only (a generated database from the cache, or the
user's file), so linting never writes. Each statement is prepared, its plan
read, the syntax and plan rules applied, and a statement that only reads is
run a few times with parameters drawn from the data (harness.lint.binding);
its time is the median of those runs, stopped after TIME_LIMIT_S.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.engine.db import connect_read_only
from harness.errors import InputError
from harness.lint import analysis, binding, plans
from harness.lint.rules import FAIL, WARN, Finding, finding
from harness.lint.statements import Statement, read_statements

DEFAULT_SCALE = "10k"
#: Runs per statement at most, and the time they may take together (a slow statement runs once).
MAX_RUNS, RUNS_BUDGET_S = 5, 1.0
#: One run is interrupted beyond this.
TIME_LIMIT_S = 10.0


@dataclass(frozen=True)
class StatementResult:
    number: int
    line: int
    text: str
    findings: tuple[Finding, ...]
    plan: tuple[str, ...] = ()
    time_ms: float | None = None  # median of the runs; None when not run
    runs: int = 0
    rows: int | None = None
    interrupted: bool = False
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        severities = {f.severity for f in self.findings}
        return FAIL if FAIL in severities else WARN if WARN in severities else "PASS"


@dataclass(frozen=True)
class LintReport:
    source: str
    target: str
    statements: tuple[StatementResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(s.verdict != FAIL for s in self.statements)

    def count(self, verdict: str) -> int:
        return sum(s.verdict == verdict for s in self.statements)


def lint_queries(script: str, *, source: str = "-", db: str | Path | None = None,
                 scale: str | None = None, measure: bool = True) -> LintReport:
    """Judge every statement of script against db (read-only) or generated data at scale (default 10k)."""
    statements = read_statements(script)
    if not statements:
        raise InputError(f"{source}: no SQL statements")
    conn, target = _open_target(db, scale)
    try:
        catalog = analysis.read_catalog(conn)
        results = tuple(_lint_one(conn, catalog, s, measure=measure) for s in statements)
    finally:
        conn.close()
    return LintReport(source, target, results)


def _open_target(db: str | Path | None, scale: str | None) -> tuple[sqlite3.Connection, str]:
    if db is not None:
        return connect_read_only(db), f"{db} (read-only)"
    from harness.bench.datagen import DataSpec, cached_database

    scale = scale or DEFAULT_SCALE
    path = cached_database(DataSpec.for_scale(scale))
    return connect_read_only(path), f"generated data, {scale} receipts (harness.bench.datagen, seed 42)"


def _lint_one(conn: sqlite3.Connection, catalog: analysis.Catalog, statement: Statement, *,
              measure: bool) -> StatementResult:
    bound = binding.bind(conn, statement, catalog)
    try:
        plan = plans.read_plan(conn, statement.sql, bound.values)
    except (sqlite3.Error, ValueError) as e:
        return StatementResult(statement.number, statement.line, statement.text,
                               (finding("does_not_prepare", str(e)),))
    findings: list[Finding] = []
    scope: dict[str, str] = {}
    if statement.tree is None:
        findings.append(finding("not_analysed", statement.unreadable or "unreadable"))
    else:
        scope = analysis.tables_in_scope(statement.tree)
        findings += analysis.raw_timestamp_findings(statement.tree, catalog)
        findings += analysis.rollup_findings(statement.tree, catalog)
    limited = plans.has_limit(conn, statement.tree, statement.sql)
    findings = plans.plan_findings(plan, scope, limited, conn, catalog) + findings
    result = StatementResult(statement.number, statement.line, statement.text, tuple(findings),
                             tuple(line.detail for line in plan),
                             notes=bound.notes)
    if not measure:
        return result
    if not statement.reads_only:
        return _with(result, notes=(*result.notes, "not run: it writes (linting never writes)"))
    return _timed(conn, statement, bound.values, result)


def _timed(conn: sqlite3.Connection, statement: Statement, values: dict[str, object],
           result: StatementResult) -> StatementResult:
    deadline = [0.0]

    def stop_when_late() -> int:
        return int(time.perf_counter() > deadline[0])

    conn.set_progress_handler(stop_when_late, 10_000)
    times: list[float] = []
    rows = 0
    spent = 0.0
    try:
        while len(times) < MAX_RUNS and spent < RUNS_BUDGET_S:
            start = time.perf_counter()
            deadline[0] = start + TIME_LIMIT_S
            try:
                rows = sum(1 for _ in conn.execute(statement.sql, values))
            except sqlite3.OperationalError as e:
                if "interrupted" not in str(e):
                    return _with(result, findings=(*result.findings, finding("does_not_prepare", str(e))))
                return _with(result, time_ms=TIME_LIMIT_S * 1000, runs=1, interrupted=True)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            spent += elapsed
    finally:
        conn.set_progress_handler(None, 0)
    return _with(result, time_ms=statistics.median(times) * 1000, runs=len(times), rows=rows)


def _with(result: StatementResult, **changes: object) -> StatementResult:
    from dataclasses import replace

    return replace(result, **changes)  # type: ignore[arg-type]
