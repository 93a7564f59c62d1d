"""export then ingest: the same rows and rollups in an empty database; exports stream in one snapshot."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from harness.bench.datagen import DataSpec, build_database
from harness.bench.rounds import vm_steps
from harness.changes.install import init_database
from harness.ingest.runner import ingest
from harness.operate import export as export_module
from harness.operate.export import KIND_TABLES, export, ingest_columns
from harness.operate.reads import sql
from harness.store.store import ReceiptBundle, Store

COMPARED = ("receipts", "pipeline_metrics", "slo_violations", "audit_log", "agent_execution_stats",
            "stage_execution_stats")


def content(path: Path, table: str) -> list[tuple[object, ...]]:
    """Every row without its id (ids are the database's), sorted."""
    conn = sqlite3.connect(path)
    try:
        names = [r[1] for r in conn.execute(f"PRAGMA table_xinfo({table})") if r[1] != "id"]
        rows = conn.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()  # noqa: S608 (table names above)
    finally:
        conn.close()
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "generated.db"
    build_database(path, DataSpec(receipts=400, violation_rate=0.05))
    return path


def test_export_then_ingest_gives_an_equal_database(generated: Path, tmp_path: Path) -> None:
    lines = tmp_path / "all.jsonl"
    with lines.open("w", encoding="utf-8") as out:
        receipts = export(generated, "receipts", out)
        audit = export(generated, "audit", out)
    assert receipts.written["receipt"] == 400 and receipts.written["slo_violation"] > 0
    assert audit.written == {"audit": 2000}
    target = tmp_path / "empty.db"
    init_database(target)
    result = ingest(target, lines)
    assert result.ok and result.rejected == 0, result.errors[:3]
    for table in COMPARED:
        assert content(target, table) == content(generated, table), table


def test_lines_follow_ingest_order_and_columns(generated: Path) -> None:
    out = io.StringIO()
    export(generated, "receipts", out, since="2026-01-29T12:00:00Z")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    current = None
    for line in lines:
        assert list(line) == ["kind", *ingest_columns(line["kind"])]
        if line["kind"] == "receipt":
            current = line["execution_id"]
        else:
            assert line["execution_id"] == current  # children follow their receipt
    stamps = [line["timestamp"] for line in lines if line["kind"] == "receipt"]
    assert stamps and len(stamps) < 400  # the window applies


def test_csv_of_audit_is_one_table(generated: Path) -> None:
    out = io.StringIO()
    result = export(generated, "audit", out, fmt="csv", since="2026-01-29T23:00:00Z")
    rows = out.getvalue().splitlines()
    assert rows[0] == "timestamp,agent_id,operation,status,duration_ms,error_message,context_json,created_at"
    assert len(rows) == result.written["audit"] + 1


def test_progress_reports_against_the_windows_count(generated: Path) -> None:
    calls: list[tuple[int, int]] = []
    export(generated, "audit", io.StringIO(), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (2000, 2000) and calls[0] == (1000, 2000)


def test_export_streams_with_flat_memory(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory does not grow with the rows: peak allocation for all receipts within that of a tenth of them
    (pages of 20 rows here, so both windows span several pages)."""
    import tracemalloc

    monkeypatch.setattr(export_module, "PAGE_ROWS", 20)

    def peak(since: str) -> int:
        tracemalloc.start()
        export(generated, "receipts", io.StringIO() if False else _Sink(), since=since)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, big = peak("2026-01-27T00:00:00Z"), peak("2000-01-01")
    assert big < small * 2 + 200_000


def exported(db: Path, what: str, monkeypatch: pytest.MonkeyPatch, page: int) -> str:
    monkeypatch.setattr(export_module, "PAGE_ROWS", page)
    out = io.StringIO()
    export(db, what, out, since="2000-01-01")
    return out.getvalue()


@pytest.mark.parametrize("what", ["receipts", "audit"])
def test_pages_of_any_size_give_the_same_lines(generated: Path, monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    whole = exported(generated, what, monkeypatch, 10**6)
    assert whole.count("\n") >= 400
    for page in (1, 7, 400, 2000):
        assert exported(generated, what, monkeypatch, page) == whole, page


def test_rows_of_one_timestamp_split_across_pages_are_each_written_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keyset pages continue after (timestamp_utc, id): ties on the time are ordered by id, none lost or repeated."""
    db = tmp_path / "ties.db"
    init_database(db)
    with Store.open(db) as store:
        for i in range(7):
            store.record_receipt(ReceiptBundle(receipt={
                "execution_id": f"tie-{i}", "agent_id": "agent-1", "operation": "generation",
                "status": "passed", "timestamp": "2026-01-29T12:00:00Z", "duration_ms": 5}))
    lines = [json.loads(line) for line in exported(db, "receipts", monkeypatch, 3).splitlines()]
    assert [line["execution_id"] for line in lines] == [f"tie-{i}" for i in range(7)]


def test_each_page_is_one_statement(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of n rows takes n // page + 1 page reads (the last one short), whatever the window."""
    statements: list[str] = []
    opened = export_module.open_read_only

    def traced(path: object) -> sqlite3.Connection:
        conn = opened(path)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(export_module, "open_read_only", traced)
    exported(generated, "audit", monkeypatch, 300)
    assert sum("FROM audit_log WHERE timestamp_utc >= " in s for s in statements) == 2000 // 300 + 1


@pytest.mark.parametrize("what", ["receipts", "audit"])
def test_a_page_costs_the_same_wherever_it_falls_in_the_window(generated: Path, what: str) -> None:
    """Keyset pages seek to their start: the last full page of the data runs as many VM steps as the second
    (reading from the window's start and skipping would cost about 10 steps per row skipped)."""
    conn = sqlite3.connect(generated)
    statement = sql(f"export_{what}_in_window")
    table = KIND_TABLES["receipt" if what == "receipts" else "audit"]
    keys = conn.execute(f"SELECT timestamp_utc, id FROM {table} ORDER BY timestamp_utc, id").fetchall()  # noqa: S608
    page = 50
    costs = []
    for after_ts, after_id in (keys[page - 1], keys[len(keys) - page - 1]):
        params = {"after_ts": after_ts, "after_id": after_id, "until": "2100-01-01 00:00:00.000", "page": page}
        costs.append(vm_steps(conn, statement, params))
    conn.close()
    assert costs[0][1] == costs[1][1] == page and costs[0][0] == costs[1][0], costs


class _Sink(io.StringIO):
    """Drops what is written: the test measures the exporter, not a buffer of its output."""

    def write(self, text: str) -> int:
        return len(text)
