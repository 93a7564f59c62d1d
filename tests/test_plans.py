"""Deterministic performance gates: query plans and SQLite VM step counts (no timings).

For every read workload of harness.bench.workloads, on generated data at 1k and 10k:
* plan gate: EXPLAIN QUERY PLAN uses the index the contract (or the workload)
  names, and never SCANs a table that grows with the data, except an ordered
  index walk stopped by a LIMIT;
* step gate: the VM instructions per returned row of a "bounded" workload
  do not grow from 1k to 10k (STEP_TOLERANCE), and every workload stays
  within its absolute step budget at 10k.

The same gates run against schema.sql with idx_receipts_time dropped, and
must fail there: a gate that cannot fail proves nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import _bench_data as data
import pytest

from harness.bench.rounds import SAMPLED_PARAMS, DataSample, ReadRound, query_plan, vm_steps
from harness.bench.workloads import BOUNDED, READ, Workload, load_workloads

#: Steps per returned row may grow this much from 1k to 10k (few-row results round up).
STEP_TOLERANCE = 0.25
#: Parameter draws per workload and scale when a parameter is drawn from the data (the worst counts).
DRAWS = 8
#: A run at 10k is interrupted beyond this multiple of its step budget (a full scan need not finish to fail).
ABORT_FACTOR = 4
#: Tables a plan may SCAN: at most this many rows at 10k, and not growing with the data.
SMALL_TABLE_ROWS = 5000

READS = tuple(w for w in load_workloads() if w.kind == READ)
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_]\w*)(?:\s+(?:AS\s+)?([A-Za-z_]\w*))?", re.IGNORECASE)
_SCAN = re.compile(r"^\s*SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
_KEYWORDS = {"where", "order", "group", "limit", "join", "left", "inner", "on", "using"}


# ----------------------------------------------------------------- gates
def plan_problems(conn: sqlite3.Connection, workload: Workload, growing: set[str], rows: dict[str, int]) -> list[str]:
    """Why a workload's plan breaks the plan gate (empty: it passes)."""
    plan = query_plan(conn, workload.sql, workload.params)
    text = "\n".join(plan)
    problems = []
    wanted = "INTEGER PRIMARY KEY" if workload.index == "rowid" else f"INDEX {workload.index}"
    if workload.index is not None and wanted not in text:
        problems.append(f"{workload.name}: plan does not use {workload.index}:\n{text}")
    aliases = _aliases(conn, workload.sql)
    limited = "LIMIT" in _sql_with_views(conn, workload.sql).upper() and "TEMP B-TREE FOR ORDER BY" not in text
    for line in plan:
        m = _SCAN.match(line)
        if not m:
            continue
        tables = aliases.get(m.group(1).lower(), {m.group(1).lower()}) & set(rows)
        for table in tables:
            large = table in growing or rows[table] > SMALL_TABLE_ROWS
            ordered_walk = m.group(2) is not None and limited
            if large and not ordered_walk:
                problems.append(f"{workload.name}: scans {table} ({rows[table]} rows, grows with the data): {line.strip()}")
    return problems


def step_problems(small: sqlite3.Connection, large: sqlite3.Connection, workload: Workload) -> list[str]:
    """Why a workload breaks the step gate (empty: it passes)."""
    per_row_small, _ = _worst_steps(small, workload, limit=None)
    abort = ABORT_FACTOR * workload.max_steps if workload.max_steps else None
    per_row_large, steps_large = _worst_steps(large, workload, limit=abort)
    problems = []
    if workload.cost == BOUNDED and per_row_large > per_row_small * (1 + STEP_TOLERANCE):
        problems.append(f"{workload.name}: {per_row_large:.1f} steps per row at 10k vs {per_row_small:.1f} at 1k "
                        f"(grows with the table)")
    if workload.max_steps is not None and steps_large > workload.max_steps:
        problems.append(f"{workload.name}: {steps_large} steps at 10k, budget {workload.max_steps}")
    return problems


def _worst_steps(conn: sqlite3.Connection, workload: Workload, *, limit: int | None) -> tuple[float, int]:
    """(worst steps per returned row, worst steps) over the parameter draws; an interrupted run counts 0 rows."""
    round_ = ReadRound(workload, conn, workload.sql, DataSample(conn))
    draws = DRAWS if SAMPLED_PARAMS & set(workload.params) else 1
    per_row, most = 0.0, 0
    for _ in range(draws):
        steps, rows = vm_steps(conn, workload.sql, round_.prepare(), limit=limit)
        per_row, most = max(per_row, steps / (rows + 1)), max(most, steps)
    return per_row, most


def _sql_with_views(conn: sqlite3.Connection, sql: str) -> str:
    views = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view'")]
    return "\n".join([sql, *views])


def _aliases(conn: sqlite3.Connection, sql: str) -> dict[str, set[str]]:
    """alias -> tables it names, over the statement and every view (the plan shows aliases)."""
    out: dict[str, set[str]] = {}
    for table, alias in _FROM.findall(_sql_with_views(conn, sql)):
        out.setdefault(table.lower(), set()).add(table.lower())
        if alias and alias.lower() not in _KEYWORDS:
            out.setdefault(alias.lower(), set()).add(table.lower())
    return out


def table_rows(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    # Table names come from sqlite_master, never from input.
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def growing_tables(small: sqlite3.Connection, large: sqlite3.Connection) -> set[str]:
    """Tables whose row count grows with the data (more than doubles from 1k to 10k)."""
    a, b = table_rows(small), table_rows(large)
    return {t for t in b if b[t] > 2 * max(a.get(t, 0), 1)}


# -------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def shipped() -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    yield from _pair(None)


@pytest.fixture(scope="module")
def slowed() -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    yield from _pair(data.schema_without("idx_receipts_time"))


def _pair(schema: Path | None) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    small, large = data.read_only(data.database("1k", schema)), data.read_only(data.database("10k", schema))
    yield small, large
    small.close()
    large.close()


def _by_name(names: Sequence[str]) -> list[Workload]:
    return [w for w in READS if w.name in names]


# ----------------------------------------------------------------- tests
@pytest.mark.parametrize("workload", READS, ids=lambda w: w.name)
def test_plan_uses_its_index_and_scans_no_growing_table(shipped: tuple[sqlite3.Connection, sqlite3.Connection],
                                                       workload: Workload) -> None:
    small, large = shipped
    assert plan_problems(large, workload, growing_tables(small, large), table_rows(large)) == []


@pytest.mark.parametrize("workload", READS, ids=lambda w: w.name)
def test_vm_steps_stay_within_budget_and_do_not_grow_with_the_table(
    shipped: tuple[sqlite3.Connection, sqlite3.Connection], workload: Workload
) -> None:
    small, large = shipped
    assert step_problems(small, large, workload) == []


def test_every_read_workload_has_a_step_budget() -> None:
    assert [w.name for w in READS if w.max_steps is None] == []


AFFECTED = ("range_24h", "view_recent_executions", "recent_executions")


@pytest.mark.parametrize("workload", _by_name(AFFECTED), ids=lambda w: w.name)
def test_plan_gate_fails_when_the_index_is_dropped(slowed: tuple[sqlite3.Connection, sqlite3.Connection],
                                                  workload: Workload) -> None:
    small, large = slowed
    problems = plan_problems(large, workload, growing_tables(small, large), table_rows(large))
    assert any("does not use idx_receipts_time" in p for p in problems)
    assert any("scans receipts" in p for p in problems)


@pytest.mark.parametrize("workload", _by_name(("range_24h", "view_recent_executions")), ids=lambda w: w.name)
def test_step_gate_fails_when_the_index_is_dropped(slowed: tuple[sqlite3.Connection, sqlite3.Connection],
                                                  workload: Workload) -> None:
    problems = step_problems(*slowed, workload)
    assert any("grows with the table" in p for p in problems)
    assert any("budget" in p for p in problems)


def test_gates_pass_for_workloads_the_dropped_index_does_not_serve(
    slowed: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    small, large = slowed
    lookup = _by_name(("lookup",))[0]
    assert plan_problems(large, lookup, growing_tables(small, large), table_rows(large)) == []
    assert step_problems(small, large, lookup) == []
