"""harness.bench.workloads: every target and every documented query is a workload, stated completely."""

from __future__ import annotations

import sqlite3

import _bench_data as data
import pytest

from harness.bench.workloads import (
    ALL_SCALES,
    BOUNDED,
    READ,
    WINDOW,
    WRITE,
    Workload,
    load_workloads,
    select,
    to_original,
    workload_names,
)
from harness.contract.model import load_contract
from harness.errors import UsageError

WORKLOADS = load_workloads()
CONTRACT = load_contract()

# The original delivery's targets, with the budgets ggen-db holds them to.
TARGETS = {
    "insert_single": ("p99", 1.0),
    "batch_100": ("p95", 50.0),
    "batch_1000": ("p95", 300.0),
    "lookup": ("p99", 1.0),
    "by_agent": ("p99", 10.0),
    "range_24h": ("p95", 10.0),
    "aggregation": ("p95", 2.0),
    "full_scan_10k": ("p95", 100.0),
    "view_recent_executions": ("p95", 2.0),
    "view_agent_performance_summary": ("p95", 2.0),
    "view_pipeline_stage_performance": ("p95", 2.0),
}


@pytest.mark.parametrize("name", TARGETS)
def test_every_reference_target_is_a_workload_with_its_budget(name: str) -> None:
    (workload,) = select(WORKLOADS, [name])
    assert (workload.percentile, workload.budget_ms) == TARGETS[name]


def test_every_documented_query_is_measured_exactly_once() -> None:
    queries = [w.query for w in WORKLOADS if w.query is not None]
    assert sorted(queries) == sorted(CONTRACT.queries)


def test_documented_queries_run_the_contract_sql_and_name_its_index() -> None:
    for w in WORKLOADS:
        if w.query is not None:
            q = CONTRACT.queries[w.query]
            assert w.sql == q.sql
            assert w.index == q.index


# The contract's queries that name no index read rollups only (the hourly counts among them).
ROLLUP_ONLY_READS = {"view_pipeline_stage_performance"} | {name for name, q in CONTRACT.queries.items() if q.index is None}


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_each_workload_is_stated_completely(workload: Workload) -> None:
    assert workload.percentile in ("p95", "p99")
    assert workload.budget_ms > 0 and workload.rounds >= workload.quick_rounds > 0
    assert workload.operation and workload.source and workload.title
    assert workload.statistics is False  # no ANALYZE, ever
    assert set(workload.scales) <= set(ALL_SCALES)
    if workload.kind == READ:
        assert workload.sql and workload.baseline_sql
        # Only a read of the rollups alone needs no index (the plan gate still refuses base-table scans).
        assert workload.index or workload.name in ROLLUP_ONLY_READS
        assert workload.max_rows is not None, "a read needs a bound on its result"
        assert workload.cost in (BOUNDED, WINDOW)
    else:
        assert workload.kind == WRITE and workload.batch >= 1 and not workload.sql


def test_point_operations_use_p99_and_the_rest_p95() -> None:
    p99 = {w.name for w in WORKLOADS if w.percentile == "p99"}
    assert p99 == {"insert_single", "insert_single_bare", "lookup", "by_agent"}


def test_views_are_held_to_two_milliseconds() -> None:
    views = [w for w in WORKLOADS if w.name.startswith("view_") or w.query in ("recent_executions", "pipeline_stage_performance")]
    assert len(views) == 5 and all(w.budget_ms == 2.0 for w in views)


def test_to_original_reads_the_plain_text_columns() -> None:
    sql = CONTRACT.queries["receipts_time_range"].sql
    assert "timestamp_utc" not in to_original(sql)
    assert to_original("SELECT start_time_utc, updated_at_utc FROM t") == "SELECT start_time, updated_at FROM t"
    assert to_original("SELECT timestamp_utcx FROM t") == "SELECT timestamp_utcx FROM t"


@pytest.fixture(scope="module")
def original() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(data.ORIGINAL.read_text(encoding="utf-8"))
    return conn


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.kind == READ], ids=lambda w: w.name)
def test_every_read_has_a_baseline_variant_the_original_design_accepts(original: sqlite3.Connection,
                                                                      workload: Workload) -> None:
    assert workload.baseline_sql is not None
    original.execute(workload.baseline_sql, dict(workload.params)).fetchall()


def test_select_names_an_unknown_workload() -> None:
    with pytest.raises(UsageError, match=r"^--workload nope: no such workload; choose from insert_single, "):
        select(WORKLOADS, ["nope"])
    assert select(WORKLOADS, None) == WORKLOADS
    assert workload_names() == tuple(w.name for w in WORKLOADS)


def test_original_fixture_reproduces_the_delivered_design(original: sqlite3.Connection) -> None:
    explicit = original.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchone()
    assert explicit == (21,)
    views = {r[0] for r in original.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == {"recent_executions", "agent_performance_summary", "pipeline_stage_performance"}
    columns = {r[1] for r in original.execute("PRAGMA table_info(receipts)")}
    assert not any(c.endswith("_utc") for c in columns)
    # Defect 1: the window end needs a modifier SQLite does not have, so no audit row ever counts.
    assert original.execute("SELECT datetime('2026-01-29 12:00:00', '+5 milliseconds')").fetchone() == (None,)
