"""Small fake CheckReport/BenchReport/SignoffResult records for the sign-off tests.

Built from harness.results only, so the report tests run in milliseconds and
do not depend on the checks or the benchmark runner.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.results import (
    FAIL,
    FAILED,
    PASS,
    PASSED,
    WARN,
    Baseline,
    BenchReport,
    CheckReport,
    Comparison,
    Delta,
    Finding,
    SignoffResult,
    WorkloadResult,
)
from harness.signoff import decide

SHA = "ab" * 32
GROUPS = (
    ("Schema Structure", range(1, 8)),
    ("Table Columns", range(8, 23)),
    ("Indexes", range(23, 25)),
    ("Constraints", range(25, 27)),
    ("Data Types", range(27, 29)),
    ("JSON Operations", range(29, 31)),
    ("Foreign Keys", range(31, 33)),
    ("Views", range(33, 36)),
    ("Integration Scenarios", range(36, 37)),
)
FINGERPRINT = {  # the shape of harness.bench.fingerprint.fingerprint()
    "cpu_model": "Fake CPU @ 2.0GHz",
    "cpu_count": 2,
    "os": "Linux",
    "kernel": "6.1.0",
    "python": "3.11.2",
    "sqlite_version": "3.40.1",
    "sqlite_compile_options": ["ENABLE_FTS5", "THREADSAFE=1"],
    "filesystem": "ext4",
    "pragmas": {"journal_mode": "wal", "synchronous": 1},
    "hash": "0123456789abcdef",
}
SCALE_RECEIPTS = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def finding(number: int | None, group: str, status: str = PASSED, message: str = "", code: str = "") -> Finding:
    code = code or (f"check_{number:02d}" if number else f"extra_{group.lower().replace(' ', '_')}")
    return Finding(code=code, title=f"check {code}", group=group, status=status, number=number,
                   obj="receipts.status", message=message)


def check_report(*extra: Finding, failed: dict[int, str] | None = None) -> CheckReport:
    failed = failed or {}
    numbered = [
        finding(n, group, FAILED if n in failed else PASSED, failed.get(n, ""))
        for group, numbers in GROUPS for n in numbers
    ]
    extras = list(extra) or [finding(None, "Enumerations", code="enum_receipts_status"),
                             finding(None, "Timestamps", code="timestamp_forms")]
    # Deliberately shuffled: the reports must restore checklist order themselves.
    findings = extras[:1] + numbered[::-1] + extras[1:]
    return CheckReport(tuple(findings), "schema.sql", "schema", SHA, "1.0.0", SHA, "3.40.1", 0.5)


def timings(median_ms: float, n: int = 60, seed: int = 1) -> tuple[float, ...]:
    rng = random.Random(seed)
    return tuple(round(rng.lognormvariate(0, 0.15) * median_ms, 6) for _ in range(n))


def workload(name: str = "lookup_by_execution_id", scale: str = "10k", *, median_ms: float = 0.05,
             budget_ms: float = 1.0, verdict: str = PASS, reasons: tuple[str, ...] = (),
             description: str = "one receipt by its execution_id", seed: int = 1) -> WorkloadResult:
    rounds = timings(median_ms, seed=seed)
    ordered = sorted(rounds)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    mean = sum(rounds) / len(rounds)
    sd = (sum((t - mean) ** 2 for t in rounds) / len(rounds)) ** 0.5
    return WorkloadResult(
        workload=name, description=description, scale=scale, receipts=SCALE_RECEIPTS.get(scale, 1000),
        percentile="p99", durability="normal", budget_ms=budget_ms, rounds=len(rounds),
        p50_ms=pct(0.5), p95_ms=pct(0.95), p99_ms=pct(0.99), p999_ms=ordered[-1], mean_ms=mean, stddev_ms=sd,
        cv=sd / mean, measured_ms=pct(0.99), headroom=budget_ms / pct(0.99), verdict=verdict, reasons=reasons,
        plan=("SEARCH receipts USING INDEX sqlite_autoindex_receipts_1 (execution_id=?)",), timings_ms=rounds,
    )


def bench_report(*results: WorkloadResult) -> BenchReport:
    results = results or (
        workload(scale="10k", median_ms=0.02),
        workload(scale="100k", median_ms=0.05, seed=2),
        workload("recent_executions", "10k", median_ms=0.4, budget_ms=50, description="the view, newest 10", seed=3),
        workload("recent_executions", "100k", median_ms=0.6, budget_ms=50, description="the view, newest 10", seed=4),
    )
    return BenchReport(tuple(results), dict(FINGERPRINT), SHA, "normal", "2026-01-29T12:00:00+00:00", 12.5)


def result(conformance: CheckReport | None = None, bench: BenchReport | None = None, *,
           baseline: Baseline | None = None, deltas: tuple[Delta, ...] = (), **fields: Any) -> SignoffResult:
    conformance = conformance or check_report()
    bench = bench or bench_report()
    base = SignoffResult(
        verdict=decide(conformance, bench, baseline, deltas),
        conformance=conformance,
        bench=bench,
        environment={"machine": dict(FINGERPRINT),
                     "scratch_database": {"tables": 9, "indexes": 18, "pragmas": {"journal_mode": "wal"}}},
        schema_path="schema.sql",
        schema_sha256=SHA,
        contract_version="1.0.0",
        git_commit="0123456789abcdef0123456789abcdef01234567",
        generated_at="2026-01-29T12:00:00+00:00",
        scales=tuple(dict.fromkeys(r.scale for r in bench.results)) or ("10k",),
        quick=False,
        ggen_db_version="0.1.0",
        baseline=baseline,
        deltas=deltas,
    )
    return replace(base, **fields)


def about(report: Any, schema_file: Any) -> Any:
    """report (a CheckReport or BenchReport) as if it had run on schema_file: its sha256 recorded."""
    return replace(report, schema_sha256=hashlib.sha256(Path(schema_file).read_bytes()).hexdigest())


def comparison(ratio: float = 1.0, *, regression: bool = False, improvement: bool = False,
               p_value: float = 0.5) -> Comparison:
    return Comparison(0.02, 0.03, 0.04, ratio, p_value, p_value < 0.05, regression, improvement)


def baseline(same_machine: bool = True) -> Baseline:
    return Baseline(
        path="reports/old/signoff.json", generated_at="2026-01-01T12:00:00+00:00", schema_sha256=SHA,
        git_commit="unknown", fingerprint=dict(FINGERPRINT), rounds={},
        same_machine=same_machine, machine_differences=() if same_machine else ("cpu",),
    )


__all__ = ["FAIL", "WARN", "PASS", "baseline", "bench_report", "check_report", "comparison", "finding",
           "result", "workload"]
