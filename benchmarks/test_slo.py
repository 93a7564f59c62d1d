"""The SLO targets as pytest-benchmark benchmarks: one per workload of harness.bench.workloads.

Each round is one call (pedantic mode, iterations=1): parameters are drawn
in the untimed setup, the call alone is timed. p50/p95/p99/p99.9 come from
the raw rounds (benchmark.stats.stats.data) and go into extra_info with the
budget, the headroom and the verdict; the test fails when the workload's
percentile exceeds its budget (harness.bench.runner.judge, the rule `ggen-db bench`
applies). With --benchmark-disable (the default in CI) each target runs
once as a smoke test and only the result bound is checked, and for writes the
rows written (each call's receipts and their stage metrics, counted in the database).

A/B comparisons and the store-overhead ratios interleave rounds of two
subjects, which one pytest-benchmark test cannot do: `ggen-db bench` runs those.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from harness.bench.datagen import STAGES
from harness.bench.rounds import bind, warm_up
from harness.bench.runner import Measurement, judge
from harness.bench.workloads import READ, WRITE, Workload, load_workloads
from harness.results import FAIL

WORKLOADS = load_workloads()


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.kind == READ], ids=lambda w: w.name)
def test_read_slo(benchmark: Any, workload: Workload, read_db: sqlite3.Connection, scale: str,
                  durability: str, quick: bool) -> None:
    _measure(benchmark, workload, read_db, scale, durability, quick)


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.kind != READ], ids=lambda w: w.name)
def test_write_slo(benchmark: Any, workload: Workload, write_db: sqlite3.Connection, scale: str,
                   durability: str, quick: bool) -> None:
    _measure(benchmark, workload, write_db, scale, durability, quick)


def _measure(benchmark: Any, workload: Workload, conn: sqlite3.Connection, scale: str, durability: str,
             quick: bool) -> None:
    benchmark.group = f"{scale} {durability}"
    round_ = bind(workload, conn)
    if benchmark.enabled:
        warm_up(round_, workload.warmup)
    before = _row_counts(conn)
    calls = 0

    def setup() -> tuple[tuple[Any], dict[str, Any]]:
        nonlocal calls
        calls += 1  # one timed call follows each setup
        return (round_.prepare(),), {}

    result = benchmark.pedantic(round_.run, setup=setup, rounds=workload.rounds_for(quick=quick), iterations=1)
    if workload.max_rows is not None:
        assert result <= workload.max_rows, f"{workload.name} returned {result} rows; the bound is {workload.max_rows}"
    if workload.kind == WRITE:
        _assert_written(conn, workload, before, calls, result)
    if benchmark.stats is None:  # --benchmark-disable: one call, nothing to judge
        return
    timings_ms = [t * 1000 for t in benchmark.stats.stats.data]
    verdict = judge(workload, scale, durability, Measurement(timings_ms, largest_result=getattr(round_, "max_rows_seen", 0)))
    benchmark.extra_info.update({
        "percentile": verdict.percentile,
        "p50_ms": verdict.p50_ms,
        "p95_ms": verdict.p95_ms,
        "p99_ms": verdict.p99_ms,
        "p999_ms": verdict.p999_ms,
        "budget_ms": verdict.budget_ms,
        "headroom": verdict.headroom,
        "verdict": verdict.verdict,
        "reasons": list(verdict.reasons),
        "operation": workload.operation,
        "scale": scale,
        "durability": durability,
    })
    if verdict.verdict == FAIL:
        pytest.fail(f"{workload.name} at {scale}: {'; '.join(verdict.reasons)}", pytrace=False)


def _row_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(receipts, pipeline_metrics) in the database."""
    receipts = conn.execute("SELECT count(*) FROM receipts").fetchone()[0]
    metrics = conn.execute("SELECT count(*) FROM pipeline_metrics").fetchone()[0]
    return receipts, metrics


def _assert_written(conn: sqlite3.Connection, workload: Workload, before: tuple[int, int], calls: int,
                    result: int) -> None:
    """Each call wrote its batch: the receipts and each one's stage metrics are in the database."""
    assert result == workload.batch, f"{workload.name} reported {result} receipts written; its batch is {workload.batch}"
    receipts, metrics = _row_counts(conn)
    written = workload.batch * calls
    assert (receipts - before[0], metrics - before[1]) == (written, written * len(STAGES)), (
        f"{workload.name}: {calls} call(s) of {workload.batch} should add {written} receipts and "
        f"{written * len(STAGES)} stage metrics; the database gained {receipts - before[0]} and {metrics - before[1]}")
