"""Warm-up before measuring: write workloads run until the WAL file has reached its working size."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.bench.datagen import DATA_END
from harness.bench.rounds import TEMPLATE_BUNDLES, Templates, bind, fetch_in_pages, wal_file_size, warm_up
from harness.bench.workloads import load_workloads, select
from harness.engine import db


@pytest.fixture
def copy_1k(populated_db: Path) -> Iterator[sqlite3.Connection]:
    conn = db.connect(populated_db)
    yield conn
    conn.close()


def _workload(name: str):
    (workload,) = select(load_workloads(), [name])
    return workload


def test_a_write_warm_up_runs_until_the_log_restarts(copy_1k: sqlite3.Connection) -> None:
    copy_1k.execute("PRAGMA wal_autocheckpoint = 1000")  # a log that restarts after a few batches
    round_ = bind(_workload("batch_100"), copy_1k)
    assert warm_up(round_, 1) > 1
    page_size = copy_1k.execute("PRAGMA page_size").fetchone()[0]
    assert wal_file_size(copy_1k) >= 1000 * (page_size + 24)  # the log reached its working size


def test_a_read_warm_up_runs_exactly_its_rounds(copy_1k: sqlite3.Connection) -> None:
    assert warm_up(bind(_workload("lookup"), copy_1k), 7) == 7


def test_an_in_memory_warm_up_runs_exactly_its_rounds(memory_db: sqlite3.Connection) -> None:
    assert warm_up(bind(_workload("insert_single"), memory_db), 3) == 3
    assert wal_file_size(memory_db) is None


class _Counting(sqlite3.Cursor):
    """A cursor that records the size of every batch it hands out."""

    batches: list[int] = []

    def fetchmany(self, size: int | None = None) -> list[object]:
        rows = super().fetchmany(self.arraysize if size is None else size)
        self.batches.append(len(rows))
        return rows


@pytest.mark.parametrize(("n", "batches"), [(0, [0]), (999, [999]), (1000, [1000, 0]), (2500, [1000, 1000, 500])])
def test_a_read_round_hands_its_rows_over_a_page_at_a_time(n: int, batches: list[int]) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(n)])
    _Counting.batches = []
    assert fetch_in_pages(conn.cursor(_Counting).execute("SELECT x FROM t")) == n
    assert _Counting.batches == batches


def _utc(conn: sqlite3.Connection, timestamp: str) -> str:
    return str(conn.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', ?, '+0 seconds')", (timestamp,)).fetchone()[0])


def test_written_receipts_arrive_in_time_order_after_the_data() -> None:
    """Each pass over the templates is a day after the last and after DATA_END, in every writer's form."""
    conn = sqlite3.connect(":memory:")
    templates = Templates(42, "order")
    first, second = templates.fresh(TEMPLATE_BUNDLES), templates.fresh(TEMPLATE_BUNDLES)
    for a, b in zip(first, second, strict=True):
        for before, after in [(a.receipt, b.receipt), *zip(a.stage_metrics, b.stage_metrics, strict=True)]:
            for name in ("timestamp", "created_at"):
                assert before[name][10:] == after[name][10:]  # time of day and form kept
                gap = conn.execute("SELECT julianday(?) - julianday(?)", (_utc(conn, after[name]),
                                                                           _utc(conn, before[name]))).fetchone()[0]
                assert gap == pytest.approx(1.0)
    assert min(_utc(conn, b.receipt["timestamp"]) for b in first) >= DATA_END
    same_day = Templates(42, "order", advance=False)
    passes = [[b.receipt["timestamp"] for b in same_day.fresh(TEMPLATE_BUNDLES)] for _ in range(2)]
    assert passes[0] == passes[1] and max(_utc(conn, t) for t in passes[0]) < DATA_END
