"""Headroom at a million receipts, by deterministic proxies: the window queries read hourly (daily)
counts that give the base-table answers, the original design's shapes stay index-served, and
`bench` flags a read whose p50 per returned row grows more than 1.5x from 100k to 1m."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import _bench_data as data
import pytest

from harness.bench.rounds import query_plan
from harness.bench.runner import READ_SCALING_MAX, derived_checks
from harness.bench.workloads import BASE_TABLE_FORMS, load_workloads
from harness.contract.model import load_contract
from harness.contract.rollup_sql import ROLLUPS, RollupSql, window_triggers
from harness.engine import db
from harness.results import WorkloadResult

CONTRACT = load_contract()
WORKLOADS = {w.name: w for w in load_workloads()}


@pytest.fixture(scope="module")
def generated() -> Iterator[sqlite3.Connection]:
    conn = db.connect_read_only(data.database("10k"))
    yield conn
    conn.close()


@pytest.mark.parametrize("query", sorted(BASE_TABLE_FORMS))
def test_a_window_query_on_the_counts_gives_the_base_table_answer(generated: sqlite3.Connection, query: str) -> None:
    params = dict(WORKLOADS[query].params)  # windows start on an hour (a day for sessions)
    counted = generated.execute(CONTRACT.queries[query].sql, params).fetchall()
    assert counted, f"{query}: the example window is empty, the comparison proves nothing"
    assert counted == generated.execute(BASE_TABLE_FORMS[query], params).fetchall()


@pytest.mark.parametrize("query", sorted(q for q in BASE_TABLE_FORMS if CONTRACT.queries[q].index is None))
def test_a_window_query_reads_only_its_counts(generated: sqlite3.Connection, query: str) -> None:
    plan = query_plan(generated, CONTRACT.queries[query].sql, dict(WORKLOADS[query].params))
    reads = [line for line in plan if line.startswith(("SEARCH", "SCAN"))]
    # A range of the counts' primary key: (hours x keys) rows at most; a GROUP BY may sort those few.
    assert reads and all(line.startswith("SEARCH ") and "_counts USING PRIMARY KEY (" in line for line in reads), plan


LEGACY = sorted(q for q in CONTRACT.queries if q.startswith("legacy_"))


def test_every_original_shape_on_a_text_column_is_documented() -> None:
    assert len(LEGACY) == 15


@pytest.mark.parametrize("query", LEGACY)
def test_an_original_shape_walks_its_text_index_in_order(generated: sqlite3.Connection, query: str) -> None:
    declared = CONTRACT.queries[query]
    plan = "\n".join(query_plan(generated, declared.sql, dict(WORKLOADS[query].params)))
    assert f"INDEX {declared.index}" in plan and "TEMP B-TREE" not in plan, plan


# ------------------------------------------------------------- read scaling
def _result(workload: str, scale: str, p50: float, rows: float | None) -> WorkloadResult:
    return WorkloadResult(workload, "", scale, 0, "p95", "normal", 10.0, 300, p50, p50, p50, p50, p50, 0.0, 0.1,
                          p50, 10.0, "PASS", rows_per_round=rows)


def test_bench_flags_a_read_whose_p50_grows_from_100k_to_1m() -> None:
    checks = derived_checks([_result("by_agent", "100k", 0.3, 100), _result("by_agent", "1m", 0.3 * 1.6, 100),
                             _result("lookup", "100k", 0.01, 1), _result("lookup", "1m", 0.014, 1)],
                            against_original=False)
    verdicts = {c.name: (c.verdict, c.value) for c in checks if c.name.startswith("read_scaling")}
    assert verdicts == {"read_scaling_by_agent@1m": ("FAIL", 1.6), "read_scaling_lookup@1m": ("PASS", 1.4)}
    assert READ_SCALING_MAX == 1.5


def test_read_scaling_is_per_returned_row_and_ignores_writes_and_single_scales() -> None:
    checks = derived_checks([_result("sessions_running", "100k", 0.03, 20), _result("sessions_running", "1m", 0.15, 100),
                             _result("batch_100", "100k", 10, 100), _result("batch_100", "1m", 30, 100),
                             _result("range_24h", "1m", 5.0, 100)], against_original=False)
    scaling = [(c.name, c.verdict, c.value) for c in checks if c.name.startswith("read_scaling")]
    assert scaling == [("read_scaling_sessions_running@1m", "PASS", 1.0)]


def test_a_base_table_window_read_that_grows_is_a_warning_not_a_failure() -> None:
    # collisions_in_window lists a window's newest collisions: it walks more of them at 1m, by design
    # (cost=window). The counted windows read the hourly counts, stats_receipts_by_day too (cost=window,
    # its partial hours from an index): growing there is a failure.
    checks = derived_checks([_result("collisions_in_window", "100k", 0.02, 100),
                             _result("collisions_in_window", "1m", 0.2, 100),
                             _result("stats_receipts_by_day", "100k", 0.02, 1),
                             _result("stats_receipts_by_day", "1m", 0.2, 1),
                             _result("receipts_last_24h_by_day", "100k", 0.02, 2),
                             _result("receipts_last_24h_by_day", "1m", 0.2, 2)], against_original=False)
    assert {c.name: c.verdict for c in checks if c.name.startswith("read_scaling")} == {
        "read_scaling_collisions_in_window@1m": "WARN",
        "read_scaling_stats_receipts_by_day@1m": "FAIL",
        "read_scaling_receipts_last_24h_by_day@1m": "FAIL"}


# --------------------------------------------------------- the counts' triggers
COUNTED = [r for r in ROLLUPS.values() if r.bucket is not None]


def _triggers_of(script: str) -> dict[str, str]:
    """Each CREATE TRIGGER by name, from its first keyword (split_statements keeps leading comments)."""
    return {m[1]: s[m.start():] for s in db.split_statements(script)
            if (m := re.search(r"CREATE TRIGGER IF NOT EXISTS (\w+)", s))}


def test_the_window_queries_have_their_counts() -> None:
    assert sorted(r.table for r in COUNTED) == sorted(
        {"receipt_hourly_counts", "audit_hourly_counts", "session_daily_counts", "collision_hourly_counts",
         "violation_hourly_counts"})


@pytest.mark.parametrize("rollup", COUNTED, ids=[r.table for r in COUNTED])
def test_the_counts_triggers_in_schema_sql_are_the_generated_ones(rollup: RollupSql) -> None:
    written = _triggers_of(db.read_schema(None))
    for name, sql in window_triggers(rollup).items():
        assert name in written, f"schema.sql has no trigger {name}"
        assert " ".join(written[name].rstrip(";").split()) == " ".join(sql.split()), f"{name} differs"


def test_no_other_trigger_writes_the_counts() -> None:
    generated = {name for rollup in COUNTED for name in window_triggers(rollup)}
    writes = re.compile(rf"\b(?:INSERT INTO|UPDATE|DELETE FROM)\s+({'|'.join(r.table for r in COUNTED)})\b")
    others = {n for n, sql in _triggers_of(db.read_schema(None)).items() if n not in generated and writes.search(sql)}
    assert not others
