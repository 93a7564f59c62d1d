"""The counting window reads (export's progress, archive --dry-run, stats) answer from the hourly counts
for the window's whole hours and from the time index for its partial first and last hour: the same
answer as the base-table count for every window, on any data, in a bounded number of entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import _bench_data as data
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.bench.rounds import query_plan, vm_steps
from harness.bench.workloads import BASE_TABLE_FORMS
from harness.checks.rollups import rollup_problems
from harness.contract.model import load_contract
from harness.engine import db

CONTRACT = load_contract()
EDGED = ("receipts_count_in_window", "audit_count_in_window", "stats_receipts_by_day", "stats_violations_by_metric")
START = datetime(2026, 1, 28, tzinfo=timezone.utc)
SPAN_MS = 3 * 86_400_000  # the rows and windows lie in three days from START
HOUR_MS = 3_600_000
RECEIPT_STATUSES = ("passed", "failed", "partial", "cancelled")
AUDIT_STATUSES = ("started", "completed", "failed", "skipped")
OFFSETS = (0, 120, -300, 330)  # minutes east of UTC: a writer's local time can fall in another hour or day


def _utc_text(ms: int) -> str:
    """An instant as the *_utc columns hold it, the form the operator commands bind as :since / :until."""
    instant = START + timedelta(milliseconds=ms)
    return instant.strftime("%Y-%m-%d %H:%M:%S.") + f"{instant.microsecond // 1000:03d}"


def _written(ms: int, offset: int) -> str:
    """An instant as a writer sends it: ISO 8601 with an offset."""
    local = (START + timedelta(milliseconds=ms)).astimezone(timezone(timedelta(minutes=offset)))
    return local.isoformat(timespec="milliseconds")


# Rows and bounds cluster around two hour boundaries (the last and first millisecond of an hour
# included), so that partial hours hold rows on both sides of a bound.
_BOUNDARIES = (HOUR_MS * 30, HOUR_MS * 47)
_INSTANTS = st.one_of(
    st.integers(0, SPAN_MS),
    st.sampled_from(_BOUNDARIES).flatmap(lambda hour: st.integers(hour - 5_000, hour + 5_000)),
    st.sampled_from([hour + step for hour in _BOUNDARIES for step in (-1, 0, 1)]),
)
@st.composite
def _window_ms(draw: st.DrawFn) -> tuple[int, int]:
    """[since, until) in ms from START: anywhere, on the hour, or both inside one hour."""
    shape = draw(st.sampled_from(("any", "on_the_hour", "one_hour")))
    if shape == "on_the_hour":
        since = draw(st.integers(0, SPAN_MS // HOUR_MS)) * HOUR_MS
        return since, since + draw(st.integers(1, 48)) * HOUR_MS
    if shape == "one_hour":
        hour = draw(st.integers(0, SPAN_MS // HOUR_MS - 1)) * HOUR_MS
        since = hour + draw(st.integers(0, HOUR_MS - 2))
        return since, draw(st.integers(since + 1, hour + HOUR_MS))
    since = draw(_INSTANTS.filter(lambda ms: ms < SPAN_MS))
    return since, draw(st.one_of(_INSTANTS, st.integers(since + 1, SPAN_MS)).filter(lambda ms: ms > since))


_ROWS = st.lists(st.tuples(_INSTANTS, st.sampled_from(OFFSETS), st.integers(0, 3), st.booleans()), max_size=40)


@pytest.fixture(scope="module")
def empty() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(db.read_schema(None))
    yield conn
    conn.close()


def _insert(conn: sqlite3.Connection, rows: list[tuple[int, int, int, bool]]) -> None:
    """Receipts, audit rows and violations at the drawn instants; the rows drawn `gone` deleted again."""
    for n, (ms, offset, key, _gone) in enumerate(rows):
        stamp = _written(ms, offset)
        conn.execute("INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
                     "VALUES (?, 'agent', 'generation', ?, ?, 1)", (f"e{n}", RECEIPT_STATUSES[key], stamp))
        conn.execute("INSERT INTO audit_log (timestamp, agent_id, operation, status) VALUES (?, 'agent', 'op', ?)",
                     (stamp, AUDIT_STATUSES[key]))
        conn.execute("INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, "
                     "timestamp) VALUES (?, ?, 1, 2, ?, ?)", (f"e{n}", f"m{key % 3}", ("warning", "critical")[key % 2],
                                                               stamp))
    for n, (*_, gone) in enumerate(rows):
        if gone:  # the counts drop with the rows (and the violations with their receipt)
            conn.execute("DELETE FROM receipts WHERE execution_id = ?", (f"e{n}",))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS, windows=st.lists(_window_ms(), min_size=1, max_size=5))
def test_counted_windows_equal_the_base_table_counts(empty: sqlite3.Connection,
                                                     rows: list[tuple[int, int, int, bool]],
                                                     windows: list[tuple[int, int]]) -> None:
    empty.execute("BEGIN")
    try:
        _insert(empty, rows)
        for since, until in windows:
            params = {"since": _utc_text(since), "until": _utc_text(until)}
            for query in EDGED:
                counted = empty.execute(CONTRACT.queries[query].sql, params).fetchall()
                assert counted == empty.execute(BASE_TABLE_FORMS[query], params).fetchall(), (query, params)
    finally:
        empty.execute("ROLLBACK")


@pytest.fixture(scope="module")
def generated() -> Iterator[sqlite3.Connection]:
    conn = db.connect_read_only(data.database("10k"))
    yield conn
    conn.close()


@pytest.mark.parametrize("query", EDGED)
@pytest.mark.parametrize(("since", "until"), [("2026-01-29 00:00:00.000", "2026-01-30 00:00:00.000"),
                                              ("2026-01-27 05:17:41.250", "2026-01-29 19:02:00.001"),
                                              ("2026-01-29 12:05:00.000", "2026-01-29 12:58:00.000")])
def test_counted_windows_equal_the_base_table_counts_on_generated_data(generated: sqlite3.Connection, query: str,
                                                                       since: str, until: str) -> None:
    params = {"since": since, "until": until}
    counted = generated.execute(CONTRACT.queries[query].sql, params).fetchall()
    assert counted and counted == generated.execute(BASE_TABLE_FORMS[query], params).fetchall()


@pytest.mark.parametrize("query", EDGED)
def test_a_counted_window_reads_counts_by_key_and_rows_only_through_the_time_index(generated: sqlite3.Connection,
                                                                                    query: str) -> None:
    declared = CONTRACT.queries[query]
    plan = query_plan(generated, declared.sql, dict(declared.params))
    reads = [line.strip() for line in plan if line.strip().startswith(("SEARCH", "SCAN ")) and "(subquery" not in line]
    counts = [line for line in reads if "_counts USING PRIMARY KEY (hour>? AND hour<?)" in line]
    edges = [line for line in reads if f"USING INDEX {declared.index} (timestamp_utc>? AND timestamp_utc<?)" in line]
    assert len(counts) == 1 and len(edges) == 2 and len(reads) == 3, plan


# ------------------------------------------------- dense counts: entries read do not grow with the data
COLLISION_KEYS = [(t, s) for t in ("file_conflict", "memory_conflict", "semantic_overlap", "structural_overlap")
                  for s in ("info", "warning", "critical")]
VIOLATION_KEYS = [(f"m{n}", s) for n in range(4) for s in ("warning", "critical")]
WINDOW_HOURS = 30  # rows in the 30 hours from 2026-01-29 00:00; the documented windows start there


def _stamp(hour: int, minute: int) -> str:
    return (datetime(2026, 1, 29, tzinfo=timezone.utc) + timedelta(hours=hour, minutes=minute)).isoformat()


def _database_with(per_hour: int, hours: Iterable[int] = range(WINDOW_HOURS), *,
                   triggers: str = "") -> sqlite3.Connection:
    """per_hour collisions and violations in each of the hours; with one an hour the keys are spread over the
    hours, with several every key occurs in every hour (what 1m receipts look like next to 100k). triggers:
    a script run over the schema first (another version's triggers)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(db.read_schema(None))
    conn.executescript(triggers)
    conn.execute("INSERT INTO workflow_sessions (session_id, start_time, status, agent_count) "
                 "VALUES ('s', '2026-01-28 00:00:00', 'running', 2)")
    conn.execute("INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
                 "VALUES ('e', 'agent', 'generation', 'failed', '2026-01-28 00:00:00', 1)")
    for hour in hours:
        for n in range(per_hour):
            kind, severity = COLLISION_KEYS[(hour + n) % len(COLLISION_KEYS)]
            conn.execute("INSERT INTO collision_detection (session_id, agent_id_1, agent_id_2, collision_type, "
                         "description, severity, timestamp) VALUES ('s', 'a', 'b', ?, 'x', ?, ?)",
                         (kind, severity, _stamp(hour, n)))
            metric, level = VIOLATION_KEYS[(hour + n) % len(VIOLATION_KEYS)]
            conn.execute("INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, "
                         "timestamp) VALUES ('e', ?, 1, 2, ?, ?)", (metric, level, _stamp(hour, n)))
    return conn


@pytest.mark.parametrize("query", ["collisions_last_24h_by_type", "violations_last_24h_by_metric",
                                   "stats_violations_by_metric"])
def test_a_window_of_dense_counts_reads_as_many_entries_for_few_rows_as_for_many(query: str) -> None:
    declared = CONTRACT.queries[query]
    params = {**declared.params, "since": "2026-01-29 00:00:00.000", "until": "2026-01-30 00:00:00.000"}
    sparse, dense = _database_with(1), _database_with(len(COLLISION_KEYS) * 2)
    (few, few_rows), (many, many_rows) = (vm_steps(c, declared.sql, params) for c in (sparse, dense))
    assert few_rows == many_rows  # every key occurs in the window either way
    assert abs(few - many) <= 0.05 * many, (few, many)


# Hours that hold a row, of the 30 from 2026-01-29 00:00: both days' last hours among them, as at the end of data.
SPARSE_HOURS = (0, 7, 13, 23, 24, 29)


@pytest.mark.parametrize("query", ["collisions_last_24h_by_type", "violations_last_24h_by_metric",
                                   "violations_by_severity_over_time", "stats_violations_by_metric"])
def test_a_window_of_dense_counts_reads_as_many_entries_when_most_hours_hold_no_row(query: str) -> None:
    # Schema version 6: at 100k receipts about 30% of a day's hours hold no violation, at 1m none.
    declared = CONTRACT.queries[query]
    params = {**declared.params, "since": "2026-01-29 00:00:00.000", "until": "2026-01-30 00:00:00.000"}
    sparse, full = _database_with(len(COLLISION_KEYS) * 2, SPARSE_HOURS), _database_with(len(COLLISION_KEYS) * 2)
    (few, _), (many, _) = (vm_steps(c, declared.sql, params) for c in (sparse, full))
    assert abs(few - many) <= 0.05 * many, (few, many)


VERSION_4_TRIGGERS = (Path(__file__).parent.parent / "harness" / "migrations" / "0004_dense_window_counts.sql")


@pytest.mark.parametrize("table", ["collision_hourly_counts", "violation_hourly_counts"])
def test_the_rollup_check_finds_the_hours_version_4_left_empty(table: str) -> None:
    shipped = _database_with(1, SPARSE_HOURS)
    assert rollup_problems(shipped, CONTRACT, table) == []
    version_4 = _database_with(1, SPARSE_HOURS, triggers=VERSION_4_TRIGGERS.read_text(encoding="utf-8"))
    problems = rollup_problems(version_4, CONTRACT, table)
    assert any("'2026-01-29 01'" in p and "holds nothing" in p for p in problems), problems[:3]


def _write_steps(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> int:
    conn.execute("BEGIN")
    steps, _ = vm_steps(conn, sql, params)
    conn.execute("ROLLBACK")
    return steps


WRITES = {
    "a violation in an hour that holds one": (
        "INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, timestamp) "
        "VALUES ('e', 'm0', 1, 2, 'warning', ?)", (_stamp(13, 40),)),
    "a collision in an hour that holds one": (
        "INSERT INTO collision_detection (session_id, agent_id_1, agent_id_2, collision_type, description, severity, "
        "timestamp) VALUES ('s', 'a', 'b', 'file_conflict', 'x', 'info', ?)", (_stamp(13, 40),)),
    "a violation deleted from an hour that keeps others": (
        "DELETE FROM slo_violations WHERE id = (SELECT min(id) FROM slo_violations WHERE timestamp_utc >= ?)",
        ("2026-01-29 13:00:00.000",)),
}


@pytest.mark.parametrize("write", WRITES)
def test_the_usual_write_costs_the_dense_triggers_no_more_than_in_version_4(write: str) -> None:
    # Version 6 fills and trims hours only when a row's hour is absent or its day's last hour empties:
    # a guard joined first and a single primary-key range keep every other write at version 4's cost.
    sql, params = WRITES[write]
    shipped = _database_with(3, SPARSE_HOURS)
    version_4 = _database_with(3, SPARSE_HOURS, triggers=VERSION_4_TRIGGERS.read_text(encoding="utf-8"))
    now, before = _write_steps(shipped, sql, params), _write_steps(version_4, sql, params)
    assert now <= 1.05 * before, (now, before)
