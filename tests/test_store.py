"""The store: validated, atomic writes; database refusals in the same words; documented reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.contract.json_check import compile_schema
from harness.contract.model import document_schema, load_contract, row_violations
from harness.engine import db
from harness.engine.introspection import quote_identifier
from harness.errors import UsageError, ValidationError
from harness.store.store import ReceiptBundle, Store, insert_sql
from harness.store.validation import MAX_JSON_BYTES, MAX_TEXT_BYTES, TableCheck

CONTRACT = load_contract()
STAGES = ("μ₁_normalize", "μ₂_extract", "μ₃_emit", "μ₄_canonicalize", "μ₅_receipt")


def receipt(execution_id: str = "exec-1", **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "execution_id": execution_id,
        "agent_id": "agent-01",
        "operation": "generation",
        "status": "passed",
        "timestamp": "2026-01-29T12:00:00Z",
        "duration_ms": 1500,
        "files_generated": 2,
        "receipt_json": {"files": ["src/lib.rs"], "stages": [{"stage": STAGES[0], "duration_ms": 5}]},
    }
    row.update(changes)
    return row


def metrics(execution_id: str | None = None) -> list[dict[str, Any]]:
    rows = [
        {"stage": s, "duration_ms": 10 * (k + 1), "status": "passed", "timestamp": "2026-01-29T12:00:00.500Z"}
        for k, s in enumerate(STAGES)
    ]
    if execution_id is not None:
        for r in rows:
            r["execution_id"] = execution_id
    return rows


def audit(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "timestamp": "2026-01-29T12:00:01Z",
        "agent_id": "agent-01",
        "operation": "generation.start",
        "status": "started",
        "context_json": {"execution_id": "exec-1"},
    }
    row.update(changes)
    return row


def bundle(execution_id: str = "exec-1", **changes: Any) -> ReceiptBundle:
    return ReceiptBundle(receipt(execution_id, **changes), stage_metrics=metrics(), audit_entries=[audit()])


@pytest.fixture
def conn(memory_db: sqlite3.Connection) -> sqlite3.Connection:
    """The in-memory database the store writes (the shared memory_db)."""
    return memory_db


@pytest.fixture
def store(conn: sqlite3.Connection) -> Store:
    return Store(conn)


class CountingConnection(sqlite3.Connection):
    """Records every statement the store sends (executemany once, however many rows)."""

    sent: list[str]

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self.sent.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self.sent.append("many: " + sql)
        return super().executemany(sql, *args)


@pytest.fixture
def counted() -> Iterator[CountingConnection]:
    connection = sqlite3.connect(":memory:", factory=CountingConnection, isolation_level=None)
    assert isinstance(connection, CountingConnection)
    connection.sent = []
    db.configure(connection)
    db.apply_schema(connection, db.read_schema())
    connection.sent.clear()
    yield connection
    connection.close()


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()[0])  # noqa: S608


def everything(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: conn.execute(f"SELECT * FROM {quote_identifier(n)}").fetchall() for n in names}  # noqa: S608


def refusal(excinfo: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str, str]:
    return excinfo.value.table, excinfo.value.column, excinfo.value.rule


# ------------------------------------------------------------------ writes
def test_record_receipt_writes_the_bundle_and_reads_it_back(store: Store, conn: sqlite3.Connection) -> None:
    store.record_receipt(bundle())
    got = store.receipt("exec-1")
    assert got is not None
    assert got["agent_id"] == "agent-01" and got["first_file"] == "src/lib.rs"
    assert json.loads(got["receipt_json"])["files"] == ["src/lib.rs"]
    assert got["receipt_json"] == '{"files":["src/lib.rs"],"stages":[{"stage":"μ₁_normalize","duration_ms":5}]}'
    stage_ids = [r[0] for r in conn.execute("SELECT execution_id FROM pipeline_metrics")]
    assert stage_ids == ["exec-1"] * 5  # execution_id taken from the receipt
    assert count(conn, "audit_log") == 1
    assert store.receipt("nope") is None


def test_views_and_rollups_follow_the_writes(store: Store) -> None:
    store.record_receipts([bundle("exec-1"), bundle("exec-2", status="failed", duration_ms=500)])
    (summary,) = store.agent_performance_summary()
    assert summary["total_executions"] == 2 and summary["failed_executions"] == 1
    assert summary["min_duration_ms"] == 500 and summary["max_duration_ms"] == 1500
    stages = store.pipeline_stage_performance()
    assert [s["stage"] for s in stages] == list(reversed(STAGES)) and stages[0]["executions"] == 2
    recent = store.recent_executions(limit=5)
    assert [r["execution_id"] for r in recent] == ["exec-2", "exec-1"]
    # Both bundles wrote an audit row at 12:00:01: inside exec-1's 1.5 s window, outside exec-2's 0.5 s.
    assert [r["audit_entries"] for r in recent] == [0, 2]


def test_record_receipts_returns_the_count_and_uses_one_statement_per_table(counted: CountingConnection) -> None:
    store = Store(counted)
    counted.sent.clear()
    written = store.record_receipts(bundle(f"exec-{i}") for i in range(50))
    assert written == 50
    assert [s.split(" (")[0] for s in counted.sent] == [
        "BEGIN IMMEDIATE",
        'many: INSERT INTO "receipts"',
        'many: INSERT INTO "pipeline_metrics"',
        'many: INSERT INTO "audit_log"',
        "COMMIT",
    ]
    assert count(counted, "receipts") == 50 and count(counted, "pipeline_metrics") == 250


def test_a_lone_receipt_is_one_statement(counted: CountingConnection) -> None:
    store = Store(counted)
    counted.sent.clear()
    store.record_receipt(ReceiptBundle(receipt()))
    assert len(counted.sent) == 1 and counted.sent[0].startswith('INSERT INTO "receipts"')
    store.record_receipt(ReceiptBundle(receipt("exec-2"), stage_metrics=metrics()))
    assert [s.split(" (")[0] for s in counted.sent[1:]] == [
        "BEGIN IMMEDIATE", 'INSERT INTO "receipts"', 'many: INSERT INTO "pipeline_metrics"', "COMMIT",
    ]  # fmt: skip


def test_insert_sql_is_built_once_per_column_set(store: Store) -> None:
    store.record_receipts([bundle(f"exec-{i}") for i in range(3)])
    store.record_receipt(bundle("exec-9"))
    assert len(store._sql) == 3
    assert insert_sql("receipts", ("a", 'b"c')) == 'INSERT INTO "receipts" ("a", "b""c") VALUES (?, ?)'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"status": "done"}, ("receipts", "status", "enum")),
        ({"duration_ms": -1}, ("receipts", "duration_ms", "nonnegative")),
        ({"duration_ms": "12ms"}, ("receipts", "duration_ms", "type")),
        ({"timestamp": "yesterday-ish"}, ("receipts", "timestamp", "timestamp")),
        ({"timestamp": "2026-02-31T00:00:00Z"}, ("receipts", "timestamp", "timestamp")),
        ({"agent_id": "   "}, ("receipts", "agent_id", "nonempty")),
        ({"agent_id": "a" * 257}, ("receipts", "agent_id", "nonempty")),
        ({"agent_id": "a\x00b"}, ("receipts", "agent_id", "nonempty")),
        ({"manifest_hash": "abc"}, ("receipts", "manifest_hash", "sha256")),
        ({"receipt_json": "{not json"}, ("receipts", "receipt_json", "json_valid")),
        ({"receipt_json": {"files": [1]}}, ("receipts", "receipt_json", "json_schema")),
        ({"receipt_json": '{"files": "a.py"}'}, ("receipts", "receipt_json", "json_schema")),
        ({"receipt_json": {"x": float("nan")}}, ("receipts", "receipt_json", "json_valid")),
        ({"receipt_json": {"x": object()}}, ("receipts", "receipt_json", "json_valid")),
        ({"agent_id": None}, ("receipts", "agent_id", "not_null")),
        ({"bogus": 1}, ("receipts", "bogus", "unknown_column")),
        ({"timestamp_utc": "2026-01-29 12:00:00.000"}, ("receipts", "timestamp_utc", "not_writable")),
        ({"id": 5}, ("receipts", "id", "not_writable")),
        ({"error_message": "x" * (MAX_TEXT_BYTES + 1)}, ("receipts", "error_message", "max_size")),
        ({"receipt_json": {"metadata": {"blob": "x" * MAX_JSON_BYTES}}}, ("receipts", "receipt_json", "max_size")),
    ],
)
def test_bad_values_are_refused_naming_table_column_and_rule(
    store: Store, conn: sqlite3.Connection, change: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    with pytest.raises(ValidationError) as e:
        store.record_receipt(bundle(**change))
    assert refusal(e) == expected
    assert str(e.value).startswith(f"{expected[0]}.{expected[1]}: {expected[2]}: ")
    assert all(count(conn, t) == 0 for t in ("receipts", "pipeline_metrics", "audit_log", "agent_execution_stats"))


def test_a_missing_required_column_is_refused(store: Store) -> None:
    row = receipt()
    del row["operation"]
    with pytest.raises(ValidationError) as e:
        store.record_receipt(ReceiptBundle(row))
    assert refusal(e) == ("receipts", "operation", "not_null")


def test_payloads_just_under_the_limits_are_accepted(store: Store) -> None:
    big_text = "é" * (MAX_TEXT_BYTES // 2)  # 2 bytes each: exactly the limit
    document = {"metadata": {"blob": "x" * (MAX_JSON_BYTES - 100)}}
    store.record_receipt(bundle(error_message=big_text, receipt_json=document))
    got = store.receipt("exec-1")
    assert got is not None and got["error_message"] == big_text


def test_a_bad_child_row_leaves_nothing_written(store: Store, conn: sqlite3.Connection) -> None:
    store.record_receipt(bundle("exec-0"))
    before = everything(conn)
    bad = metrics()
    bad[3]["duration_ms"] = -5
    with pytest.raises(ValidationError) as e:
        store.record_receipt(ReceiptBundle(receipt("exec-1"), stage_metrics=bad))
    assert refusal(e) == ("pipeline_metrics", "duration_ms", "nonnegative")
    with pytest.raises(ValidationError):
        store.record_receipts([bundle("exec-2"), bundle("exec-3", status="??")])
    assert everything(conn) == before


def test_a_database_refusal_mid_batch_rolls_back_everything(store: Store, conn: sqlite3.Connection) -> None:
    store.record_receipt(bundle("exec-0"))
    before = everything(conn)
    with pytest.raises(ValidationError) as e:
        store.record_receipts([bundle("exec-1"), bundle("exec-0")])  # exec-0 is already recorded
    assert refusal(e) == ("receipts", "execution_id", "unique")
    assert everything(conn) == before


def test_child_rows_must_belong_to_the_receipt(store: Store) -> None:
    with pytest.raises(ValidationError) as e:
        store.record_receipt(ReceiptBundle(receipt("exec-1"), stage_metrics=metrics("exec-2")))
    assert refusal(e) == ("pipeline_metrics", "execution_id", "matches_receipt")
    store.record_receipt(ReceiptBundle(receipt("exec-1"), stage_metrics=metrics("exec-1")))


@pytest.mark.parametrize("batch", [False, True])
def test_a_lone_surrogate_is_refused_naming_its_column(store: Store, conn: sqlite3.Connection, batch: bool) -> None:
    bad = ReceiptBundle(receipt("exec-2"), audit_entries=[audit(), audit(operation="emit \ud800")])
    with pytest.raises(ValidationError) as e:
        if batch:
            store.record_receipts([bundle("exec-1"), bad])
        else:
            store.record_receipt(bad)
    assert refusal(e) == ("audit_log", "operation", "utf8")
    assert str(e.value) == "audit_log.operation: utf8: contains a lone surrogate (\\ud800-\\udfff)"
    with pytest.raises(ValidationError) as e:
        store.upsert_memory("agent-\udfff", {"state": "idle"})
    assert refusal(e) == ("agent_memory", "agent_id", "utf8")
    with pytest.raises(ValidationError) as e:
        store.record_audit(audit(context_json={"note": "\ud800"}))  # serialized with ensure_ascii=False
    assert refusal(e) == ("audit_log", "context_json", "utf8")
    assert count(conn, "receipts") == 0 and count(conn, "audit_log") == 0


def test_hostile_text_is_data_not_sql(store: Store, conn: sqlite3.Connection) -> None:
    agent = "o'brien\"; DELETE FROM audit_log; --"
    store.record_audit(audit(agent_id="agent-01"))
    store.record_receipt(ReceiptBundle(receipt(agent_id=agent), audit_entries=[audit(agent_id=agent)]))
    assert count(conn, "audit_log") == 2
    assert [r["agent_id"] for r in store.newest_receipts(agent)] == [agent]


# ------------------------------------------- database refusals (validate=False)
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"duration_ms": -1}, ("receipts", "duration_ms", "nonnegative")),
        ({"timestamp": "2026-13-45T99:99:99Z"}, ("receipts", "timestamp", "timestamp")),
        ({"receipt_json": "{bad"}, ("receipts", "receipt_json", "json_valid")),
        ({"status": "done"}, ("receipts", "status", "enum")),
        ({"duration_ms": "12ms"}, ("receipts", "duration_ms", "type")),
        ({"error_message": [1, 2]}, ("receipts", "error_message", "type")),
        ({"agent_id": None}, ("receipts", "agent_id", "not_null")),
        ({"bogus": 1}, ("receipts", "bogus", "unknown_column")),
    ],
)
def test_database_refusals_become_the_same_validation_errors(
    conn: sqlite3.Connection, change: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    unchecked = Store(conn, validate=False)
    with pytest.raises(ValidationError) as e:
        unchecked.record_receipt(bundle(**change))
    assert refusal(e) == expected
    assert count(conn, "receipts") == 0


def test_duplicates_and_orphans_are_validation_errors(store: Store) -> None:
    store.record_receipt(bundle())
    with pytest.raises(ValidationError) as e:
        store.record_receipt(bundle())
    assert refusal(e) == ("receipts", "execution_id", "unique")
    with pytest.raises(ValidationError) as e:
        store.insert_rows("pipeline_metrics", [{**metrics()[0], "execution_id": "ghost"}])
    assert refusal(e) == ("pipeline_metrics", "execution_id", "foreign_key")
    with pytest.raises(ValidationError) as e:
        store.record_collision(collision(session_id="ghost"))
    assert refusal(e) == ("collision_detection", "session_id", "foreign_key")


# -------------------------------------------------------------- transactions
def test_transaction_commits_or_rolls_back_as_a_whole(store: Store, conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.record_receipt(bundle("exec-1"))
            store.record_audit(audit())
            raise RuntimeError("caller failed")
    assert count(conn, "receipts") == 0 and count(conn, "audit_log") == 0
    with store.transaction():
        store.record_receipt(bundle("exec-1"))
        with pytest.raises(ValidationError):
            store.record_receipt(bundle("exec-2", status="??"))  # its savepoint rolls back, the outer goes on
        store.record_receipt(bundle("exec-3"))
    assert [r["execution_id"] for r in store.recent_executions()] == ["exec-3", "exec-1"]
    assert not conn.in_transaction


def test_nested_transactions_use_savepoints(store: Store, conn: sqlite3.Connection) -> None:
    with store.transaction():
        store.record_audit(audit())
        with pytest.raises(KeyError):
            with store.transaction():
                store.record_audit(audit())
                raise KeyError("inner")
        assert count(conn, "audit_log") == 1
    assert count(conn, "audit_log") == 1


def test_plain_connections_get_foreign_keys_and_autocommit() -> None:
    plain = sqlite3.connect(":memory:")
    plain.execute("PRAGMA foreign_keys = OFF")
    db.apply_schema(plain, db.read_schema())
    store = Store(plain)
    assert plain.isolation_level is None
    assert plain.execute("PRAGMA foreign_keys").fetchone() == (1,)
    with pytest.raises(ValidationError):
        store.record_collision(collision(session_id="ghost"))
    plain.close()


def test_open_uses_wal_and_closes(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    conn = db.connect(path)
    db.apply_schema(conn, db.read_schema())
    conn.close()
    with Store.open(path) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        store.record_receipt(bundle())
    with pytest.raises(sqlite3.ProgrammingError):
        store.conn.execute("SELECT 1")
    with Store.open(path) as again:
        assert again.receipt("exec-1") is not None


# -------------------------------------------------------------------- memory
def test_upsert_memory_is_one_statement_and_counts_retries(counted: CountingConnection) -> None:
    store = Store(counted)
    store.upsert_memory("agent-01", {"state": "idle"}, updated_at="2026-01-29T10:00:00Z")
    counted.sent.clear()
    store.upsert_memory("agent-01", {"state": "busy"}, last_error="boom", count_retry=True,
                        collision_history=[{"collision_type": "file_conflict"}], updated_at="2026-01-29T11:00:00Z")
    assert len(counted.sent) == 1 and "ON CONFLICT" in counted.sent[0]  # no read-then-write
    store.upsert_memory("agent-01", {"state": "done"}, count_retry=True, updated_at="2026-01-29T12:00:00+01:00")
    got = store.memory("agent-01")
    assert got is not None
    assert (got["state"], got["retry_count"], got["last_error"]) == ("done", 2, None)
    assert json.loads(got["collision_history"]) == [{"collision_type": "file_conflict"}]  # kept
    assert got["updated_at_utc"] == "2026-01-29 11:00:00.000"
    with pytest.raises(ValidationError) as e:
        store.upsert_memory("agent-01", {"state": 5})
    assert refusal(e) == ("agent_memory", "memory_json", "json_schema")


def test_retries_from_two_connections_are_all_counted(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    setup = db.connect(path)
    db.apply_schema(setup, db.read_schema())
    setup.close()
    with Store.open(path) as a, Store.open(path) as b:
        for _ in range(20):
            a.upsert_memory("agent-01", {"state": "a"}, count_retry=True)
            b.upsert_memory("agent-01", {"state": "b"}, count_retry=True)
        got = a.memory("agent-01")
    assert got is not None and got["retry_count"] == 40


# ------------------------------------------------------ sessions, collisions
def collision(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "session_id": "session-1", "agent_id_1": "agent-01", "agent_id_2": "agent-02",
        "collision_type": "file_conflict", "description": "both wrote src/lib.rs", "severity": "warning",
        "timestamp": "2026-01-29T10:05:00Z",
    }  # fmt: skip
    row.update(changes)
    return row


def test_sessions_and_collisions(store: Store) -> None:
    store.start_session("session-1", start_time="2026-01-29T10:00:00Z", agent_count=2, context_json={"agents": ["a"]})
    store.record_collision(collision())
    store.record_collision(collision(timestamp="2026-01-29T12:30:00+02:00", severity="critical"))  # 10:30 UTC
    assert [c["severity"] for c in store.collisions("session-1")] == ["critical", "warning"]
    session = store.session("session-1")
    assert session is not None and session["status"] == "running"
    store.finish_session("session-1", status="completed", end_time="2026-01-29T11:00:00Z", total_duration_ms=3_600_000,
                         successful_operations=7)
    session = store.session("session-1")
    assert session is not None and (session["status"], session["successful_operations"]) == ("completed", 7)
    with pytest.raises(ValidationError) as e:
        store.finish_session("session-1", status="completed", end_time="2026-01-29T09:00:00Z")
    assert refusal(e) == ("workflow_sessions", "end_time", "not_before")
    with pytest.raises(ValidationError) as e:
        store.finish_session("ghost", status="completed", end_time="2026-01-29T09:00:00Z")
    assert refusal(e) == ("workflow_sessions", "session_id", "not_found")
    with pytest.raises(ValidationError) as e:
        store.record_collision(collision(agent_id_2="agent-01"))
    assert refusal(e) == ("collision_detection", "agent_id_1", "distinct")


def test_insert_rows_refuses_rollups_and_unknown_tables(store: Store) -> None:
    with pytest.raises(UsageError, match="not a base table"):
        store.insert_rows("agent_execution_stats", [{"agent_id": "a"}])
    assert store.insert_rows("audit_log", []) == 0


# ------------------------------------------------------------- reads, archive
def test_ranges_compare_instants_not_text(store: Store) -> None:
    # 01:30+02:00 is 23:30 UTC the day before: outside the day, though its text says 01:30 on the 29th.
    store.record_receipt(ReceiptBundle(receipt("early", timestamp="2026-01-29T01:30:00+02:00")))
    store.record_receipt(ReceiptBundle(receipt("naive", timestamp="2026-01-29T00:00:00.000001")))
    store.record_receipt(ReceiptBundle(receipt("sqlite", timestamp="2026-01-29 23:59:59")))
    got = store.receipts_between("2026-01-29T00:00:00Z", "2026-01-30 00:00:00")
    assert [r["execution_id"] for r in got] == ["sqlite", "naive"]
    with pytest.raises(ValidationError) as e:
        store.receipts_between("yesterday", "2026-01-30T00:00:00Z")
    assert refusal(e) == ("receipts", "since", "timestamp")


def test_delete_receipts_before_cascades_and_keeps_rollups_exact(store: Store, conn: sqlite3.Connection) -> None:
    old = ReceiptBundle(receipt("old", timestamp="2026-01-01T00:00:00Z", duration_ms=99_999), stage_metrics=metrics(),
                        slo_violations=[{"metric": "p99", "target_value": 1.0, "actual_value": 2.0,
                                         "severity": "critical", "timestamp": "2026-01-01T00:00:01Z"}])
    store.record_receipts([old, bundle("new")])
    assert store.delete_receipts_before("2026-01-15T00:00:00+00:00") == 1
    assert count(conn, "pipeline_metrics") == 5 and count(conn, "slo_violations") == 0
    (summary,) = store.agent_performance_summary()
    assert (summary["total_executions"], summary["max_duration_ms"]) == (1, 1500)
    assert [s["executions"] for s in store.pipeline_stage_performance()] == [1] * 5
    assert store.delete_receipts_before("2026-01-01T00:00:00Z") == 0


def test_newest_receipts_of_an_agent(store: Store) -> None:
    store.record_receipts([
        ReceiptBundle(receipt(f"exec-{i}", timestamp=f"2026-01-2{i}T12:00:00Z")) for i in range(1, 6)
    ])  # fmt: skip
    assert [r["execution_id"] for r in store.newest_receipts("agent-01", limit=2)] == ["exec-5", "exec-4"]
    assert store.newest_receipts("agent-99") == []


# ------------------------------------------ the fast path agrees with the contract
BASE_ROWS: dict[str, dict[str, Any]] = {
    "receipts": receipt(manifest_hash="ab" * 32, environment="production", error_message="x"),
    "agent_memory": {"agent_id": "agent-01", "memory_json": '{"state":"idle"}', "retry_count": 0,
                     "collision_history": [{"collision_type": "file_conflict"}], "updated_at": "2026-01-29 10:00:00"},
    "audit_log": {**audit(), "duration_ms": 5, "error_message": None},
    "workflow_sessions": {"session_id": "s-1", "start_time": "2026-01-29T10:00:00Z", "end_time": "2026-01-29T11:00:00Z",
                          "status": "completed", "agent_count": 2, "total_duration_ms": 5, "context_json": {}},
    "collision_detection": {**collision(), "resolution": "merged"},
    "pipeline_metrics": {**metrics("exec-1")[0], "input_size_bytes": 10, "output_size_bytes": 0},
    "slo_violations": {"execution_id": "exec-1", "metric": "p99", "target_value": 1.0, "actual_value": 2,
                       "severity": "warning", "timestamp": "2026-01-29T12:00:00Z", "description": "slow"},
}  # fmt: skip
_CONFUSING = [None, "", "   ", "\u00a0", "a\x00", True, False, b"bytes", 1.5, 2.0, float("nan"), float("inf"),
              -1, 0, 7, 2**63, " 7 ", "12", "1e3", [1], {"a": 1}]  # fmt: skip
_POOLS: dict[str, list[Any]] = {
    "id": ["agent-01", "a", "x" * 256, "x" * 257, "o'brien", " pad ", "\t"],
    "timestamp": ["2026-01-29T12:00:00Z", "2024-02-29 00:00:00", "2026-01-31T23:59:59.5-05:00", "2026-02-29T00:00:00Z",
                  "2026-01-31T24:00:00Z", "2026-01-29", "2026-01-29T12:00:00+15:00", "2026-01-30T00:00:00.123456",
                  "2026-01-29T09:00:00Z"],
    "count": [0, 1, 2**63 - 1, -(2**63)],
    "real": [0.0, -1.5, 3, 1e308],
    "hash": ["ab" * 32, "AB" * 32, "ab" * 31, "zz" * 32],
    "text": ["hello", "é" * 10, "\n"],
    "json": ['{"files":["a"]}', "{}", '{"state":"idle"}', "[]", '{"files":[1]}', "{bad", '{"a":NaN}',
             {"state": 3}, {"files": ("a",)}, {"stages": [{"stage": "s", "duration_ms": -1}]},
             [{"collision_type": "other"}], [{"collision_type": "file_conflict"}], {"counters": {"a": 1.0}}],
}  # fmt: skip


def _candidates(column: Any) -> list[Any]:
    own = list(column.values) + ["PASSED"] if column.kind == "enum" else _POOLS.get(column.kind, [])
    return own + _CONFUSING


def _as_bound(check: TableCheck, row: dict[str, Any]) -> dict[str, Any] | None:
    """The row as the store binds it (JSON serialized), or None when a document cannot be serialized."""
    bound = dict(row)
    for name in check.json_columns:
        value = bound.get(name)
        if value is not None and not isinstance(value, str):
            try:
                bound[name] = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError):
                return None
    return bound


@pytest.mark.parametrize("table_name", [t.name for t in CONTRACT.base_tables])
@given(data=st.data())
def test_compiled_checks_decide_exactly_as_the_contract(table_name: str, data: st.DataObject) -> None:
    """A valid row with one column changed or left out: the store accepts it exactly when the contract does."""
    check = TableCheck(CONTRACT.tables[table_name])
    row = dict(BASE_ROWS[table_name])
    column = data.draw(st.sampled_from(check.table.writable_columns))
    if data.draw(st.integers(0, 5)) == 0:
        row.pop(column.name, None)
    else:
        row[column.name] = data.draw(st.sampled_from(_candidates(column)))
    try:
        check.values(row)
        accepted = True
    except ValidationError as e:
        accepted = False
        assert e.problem.column == column.name or e.problem.column in {c for r in check.table.rules for c in r.columns}
    bound = _as_bound(check, row)
    contract_accepts = bound is not None and row_violations(check.table, bound, documents=True) == []
    assert accepted == contract_accepts, row


@pytest.mark.parametrize("year", [1900, 2000, 2024, 2026])
def test_the_timestamp_fast_path_accepts_only_real_calendar_days(year: int) -> None:
    """Every month and day (00-32) of a plain, a century and two leap-rule years: what the
    precompiled pattern accepts, the contract's calendar accepts; it sends only Feb 29 to it."""
    from harness.contract.model import is_timestamp
    from harness.store.validation import _EASY_TIMESTAMP, _timestamp_ok

    for month in range(0, 14):
        for day in range(0, 33):
            value = f"{year}-{month:02d}-{day:02d}T12:00:00Z"
            assert _timestamp_ok(value) == is_timestamp(value), value
            fast = _EASY_TIMESTAMP.fullmatch(value) is not None
            assert fast == (is_timestamp(value) and (month, day) != (2, 29)), value


def test_the_base_rows_are_valid() -> None:
    for name, row in BASE_ROWS.items():
        TableCheck(CONTRACT.tables[name]).values(row)


@pytest.mark.parametrize(
    ("schema_name", "document"),
    [
        ("receipt.schema.json", {"stages": [{"stage": "s", "duration_ms": -1}]}),
        ("receipt.schema.json", {"stages": [{"duration_ms": 1}]}),
        ("receipt.schema.json", {"stages": [{"stage": "s", "status": "ok"}]}),
        ("receipt.schema.json", {"hashes": {"m": "zz" * 32}}),
        ("receipt.schema.json", {"files": ["a", 1]}),
        ("receipt.schema.json", {"execution_id": ""}),
        ("receipt.schema.json", []),
        ("memory.schema.json", {"counters": {"a": "1"}}),
        ("memory.schema.json", {"state": "x" * 257}),
        ("collision_history.schema.json", [{"collision_type": "other"}]),
        ("collision_history.schema.json", [{"collision_type": "file_conflict", "resolution": 5}]),
        ("collision_history.schema.json", [{"severity": "info"}]),
        ("context.schema.json", {"agents": ["a", None]}),
    ],
)
def test_compiled_document_checks_refuse_each_broken_rule(schema_name: str, document: Any) -> None:
    schema = document_schema(schema_name)
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)
    assert not compile_schema(schema)(document)


@pytest.mark.parametrize("schema_name", ["receipt.schema.json", "memory.schema.json", "collision_history.schema.json"])
def test_compiled_document_checks_accept_typical_documents(schema_name: str) -> None:
    typical = {
        "receipt.schema.json": {"execution_id": "e", "files": ["a"], "stages": [{"stage": "s", "duration_ms": 1,
                                "status": "passed"}], "hashes": {"m": "ab" * 32}, "metadata": {"k": [1]}},
        "memory.schema.json": {"state": "idle", "context": {}, "history": [1, "a"], "counters": {"runs": 3}},
        "collision_history.schema.json": [{"collision_type": "file_conflict", "resolution": None, "severity": "info"}],
    }[schema_name]  # fmt: skip
    assert compile_schema(document_schema(schema_name))(typical)
