"""Bad input through every door: the Store API and `ggen-db ingest`, one test per input and door.

Each case is refused with an error naming the column and the rule, and
nothing is half-written (every table's row count is unchanged), or it is
stored as documented (injection strings verbatim, harming nothing). The
README's table of bad inputs is generated from CASES and checked here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ValidationError
from harness.ingest.format import KIND_TABLES
from harness.ingest.runner import ingest
from harness.store.store import ReceiptBundle, Store

README = Path(__file__).parent.parent / "README.md"
STORED = "stored"
TS = "2026-01-29T12:00:00Z"
VALID: dict[str, dict[str, Any]] = {
    "receipt": {"execution_id": "e-new", "agent_id": "a1", "operation": "generation", "status": "passed",
                "timestamp": TS, "duration_ms": 120},
    "stage_metric": {"execution_id": "e-new", "stage": "μ₁_normalize", "duration_ms": 10, "status": "passed",
                     "timestamp": TS},
    "slo_violation": {"execution_id": "e-new", "metric": "latency_p99", "target_value": 100.0,
                      "actual_value": 120.5, "severity": "warning", "timestamp": TS},
    "audit": {"timestamp": TS, "agent_id": "a1", "operation": "emit", "status": "completed"},
    "memory": {"agent_id": "a-new", "memory_json": {"state": "idle"}},
    "session": {"session_id": "s-new", "start_time": TS, "status": "running", "agent_count": 2},
    "collision": {"session_id": "s1", "agent_id_1": "a1", "agent_id_2": "a2", "collision_type": "file_conflict",
                  "description": "both wrote x", "severity": "warning", "timestamp": TS},
}
INJECTION = "x'); DELETE FROM audit_log; --"


@dataclass(frozen=True)
class Case:
    """One bad input: where it goes, and what each door must answer (a rule, or STORED)."""

    label: str
    kind: str
    column: str
    value: Any
    store: str
    ingest: str
    stored_as: Any = None  # the value read back when STORED, if not the value itself
    raw: bytes | None = None  # the ingest line as bytes, for input that is not text

    @property
    def id(self) -> str:
        return f"{self.label}: {self.kind}.{self.column}={self.value!r}"[:90]


CASES = [
    Case("unknown enumeration value", "receipt", "status", "succeeded", "enum", "enum"),
    Case("unknown enumeration value", "stage_metric", "stage", "mu1_normalize", "enum", "enum"),
    Case("unknown enumeration value", "collision", "severity", "fatal", "enum", "enum"),
    Case("invalid JSON", "receipt", "receipt_json", "{not json", "json_valid", "json_valid"),
    Case("invalid JSON", "audit", "context_json", "{'single': 'quotes'}", "json_valid", "json_valid"),
    Case("JSON that fails its JSON Schema", "memory", "memory_json", "[1, 2]", "json_schema", "json_schema"),
    Case("JSON that fails its JSON Schema", "audit", "context_json", {"agents": "not a list"}, "json_schema",
         "json_schema"),
    Case("garbage timestamp", "receipt", "timestamp", "yesterday-ish", "timestamp", "timestamp"),
    Case("garbage timestamp", "receipt", "timestamp", "2026-13-45T99:99:99Z", "timestamp", "timestamp"),
    Case("garbage timestamp", "audit", "timestamp", "", "timestamp", "timestamp"),
    Case("garbage timestamp", "stage_metric", "timestamp", "2026-02-31T00:00:00", "timestamp", "timestamp"),
    Case("garbage timestamp", "session", "start_time", "2026-01-29T24:00:00", "timestamp", "timestamp"),
    Case("garbage timestamp", "collision", "timestamp", "now", "timestamp", "timestamp"),
    Case("negative duration", "receipt", "duration_ms", -1, "nonnegative", "nonnegative"),
    Case("negative duration", "stage_metric", "duration_ms", -5, "nonnegative", "nonnegative"),
    Case("text duration", "receipt", "duration_ms", "12ms", "type", "type"),
    Case("text duration", "audit", "duration_ms", "5", STORED, "type", stored_as=5),
    Case("fractional duration", "receipt", "duration_ms", 5.5, "type", "type"),
    Case("boolean duration", "receipt", "duration_ms", True, STORED, "type", stored_as=1),
    Case("empty id", "receipt", "execution_id", "", "nonempty", "nonempty"),
    Case("whitespace id", "audit", "agent_id", "   ", "nonempty", "nonempty"),
    Case("whitespace id", "session", "session_id", "\t\n", "nonempty", "nonempty"),
    Case("id with NUL", "receipt", "agent_id", "a\x00b", "nonempty", "nonempty"),
    Case("orphan foreign key", "collision", "session_id", "no-such-session", "foreign_key", "foreign_key"),
    Case("orphan foreign key", "slo_violation", "execution_id", "no-such-receipt", "matches_receipt",
         "follows_receipt"),
    Case("oversized payload", "receipt", "receipt_json", {"blob": "x" * (1 << 20)}, "max_size", "max_size"),
    Case("oversized payload", "audit", "error_message", "e" * (64 * 1024 + 1), "max_size", "max_size"),
    Case("oversized payload", "receipt", "agent_id", "a" * 257, "nonempty", "nonempty"),
    Case("not a SHA-256", "receipt", "manifest_hash", "abc123", "sha256", "sha256"),
    Case("invalid UTF-8", "audit", "agent_id", "\ud800", "utf8", "utf8"),
    Case("invalid UTF-8", "audit", "operation", "emit \\xff", "utf8", "utf8",
         raw=b'{"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a1", "operation": "emit \xff", '
             b'"status": "completed"}'),
    Case("SQL injection", "audit", "agent_id", INJECTION, STORED, STORED),
    Case("SQL injection", "audit", "operation", INJECTION, STORED, STORED),
    Case("SQL injection", "receipt", "execution_id", "x'); DROP TABLE receipts; --", STORED, STORED),
    Case("SQL injection", "memory", "agent_id", "a'; UPDATE agent_memory SET retry_count = 99; --", STORED, STORED),
    Case("legitimate quote", "memory", "agent_id", "o'brien", STORED, STORED),
    Case("legitimate quote", "collision", "description", "o'brien's file", STORED, STORED),
]
# The raw-bytes case has no Python value to hand the store: it is an ingest-only input.
STORE_CASES = [c for c in CASES if c.raw is None]


# ------------------------------------------------------------------ helpers
@pytest.fixture
def seeded_db(initialized_db: Path) -> Path:
    """The initialized database holding a session s1, a receipt e-old with a stage metric, and one audit row."""
    path = initialized_db
    with Store.open(path) as store:
        store.start_session("s1", start_time=TS, agent_count=2)
        store.record_receipt(ReceiptBundle({**VALID["receipt"], "execution_id": "e-old"},
                                           stage_metrics=[{**VALID["stage_metric"], "execution_id": "e-old"}]))
        store.record_audit(VALID["audit"])
    return path


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - contract names
                for t in KIND_TABLES.values()}
    finally:
        conn.close()


def bad_row(case: Case) -> dict[str, Any]:
    return {**VALID[case.kind], case.column: case.value}


def write_through_store(store: Store, case: Case) -> None:
    """Hand the bad row to the Store method a writer would use; children go in with a valid receipt."""
    row = bad_row(case)
    metric = {k: v for k, v in VALID["stage_metric"].items() if k != "execution_id"}  # the receipt's, whatever it is
    writers: dict[str, Callable[[], None]] = {
        "receipt": lambda: store.record_receipt(ReceiptBundle(row, stage_metrics=[metric])),
        "stage_metric": lambda: store.record_receipt(ReceiptBundle(VALID["receipt"], stage_metrics=[row])),
        "slo_violation": lambda: store.record_receipt(ReceiptBundle(VALID["receipt"], slo_violations=[row])),
        "audit": lambda: store.record_audit(row),
        "memory": lambda: store.upsert_memory(row["agent_id"], row["memory_json"]),
        "session": lambda: store.start_session(row["session_id"], start_time=row["start_time"],
                                               agent_count=row["agent_count"]),
        "collision": lambda: store.record_collision(row),
    }
    writers[case.kind]()


def ingest_line(case: Case) -> bytes:
    if case.raw is not None:
        return case.raw
    return json.dumps({"kind": case.kind, **bad_row(case)}, ensure_ascii=True).encode()


def ingest_file(tmp_path: Path, case: Case) -> tuple[Path, int]:
    """The file (children after a valid receipt line) and the bad line's number."""
    lines = []
    if case.kind in ("stage_metric", "slo_violation"):
        lines.append(json.dumps({"kind": "receipt", **VALID["receipt"]}).encode())
    lines.append(ingest_line(case))
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, len(lines)


def read_back(path: Path, case: Case) -> list[Any]:
    table = KIND_TABLES[case.kind]
    conn = sqlite3.connect(path)
    try:
        # Identifiers from the contract; the value itself is bound.
        sql = f"SELECT {case.column} FROM {table} WHERE {case.column} = ?"  # noqa: S608
        return [r[0] for r in conn.execute(sql, (case.stored_as if case.stored_as is not None else case.value,))]
    finally:
        conn.close()


def assert_stored(path: Path, case: Case, before: dict[str, int], *, with_metric: bool = False) -> None:
    """The row is there, verbatim, and nothing else changed (a receipt from the store brings its metric)."""
    table = KIND_TABLES[case.kind]
    expected_counts = {**before, table: before[table] + 1}
    if with_metric:
        expected_counts["pipeline_metrics"] += 1
    assert table_counts(path) == expected_counts, "exactly the new row added, nothing removed"
    expected = case.stored_as if case.stored_as is not None else case.value
    assert read_back(path, case) == [expected]


# -------------------------------------------------------------------- tests
@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id) for c in STORE_CASES],
)
def test_through_the_store(seeded_db: Path, case: Case) -> None:
    before = table_counts(seeded_db)
    with Store.open(seeded_db) as store:
        if case.store == STORED:
            write_through_store(store, case)
        else:
            with pytest.raises(ValidationError) as refused:
                write_through_store(store, case)
            error = refused.value
            assert (error.table, error.column, error.rule) == (KIND_TABLES[case.kind], case.column, case.store), str(error)
            assert str(error).startswith(f"{error.table}.{case.column}: {case.store}: ")
    if case.store == STORED:
        assert_stored(seeded_db, case, before, with_metric=case.kind == "receipt")
    else:
        assert table_counts(seeded_db) == before, "nothing half-written"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_through_ingest(seeded_db: Path, tmp_path: Path, case: Case) -> None:
    before = table_counts(seeded_db)
    path, bad_line = ingest_file(tmp_path, case)
    result = ingest(seeded_db, path)
    if case.ingest == STORED:
        assert result.ok, [str(e) for e in result.errors]
        assert_stored(seeded_db, case, before)
        return
    assert not result.committed and table_counts(seeded_db) == before, "nothing half-written"
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    error = result.errors[0]
    column = "(line)" if case.raw is not None else case.column
    assert (error.line, error.problem.column, error.problem.rule) == (bad_line, column, case.ingest), str(error)
    assert str(error).startswith(f"line {bad_line}: ")


def test_injection_strings_leave_the_audit_trail_whole(seeded_db: Path) -> None:
    with Store.open(seeded_db) as store:
        for value in (INJECTION, "'; DELETE FROM audit_log WHERE '1'='1", "o'brien", 'a"; DROP TABLE receipts; --'):
            store.record_audit({**VALID["audit"], "agent_id": value, "operation": value, "error_message": value})
            assert store.newest_receipts(value) == []  # reads bind the value too
    conn = sqlite3.connect(seeded_db)
    rows = conn.execute("SELECT agent_id, operation, error_message FROM audit_log ORDER BY id").fetchall()
    assert len(rows) == 5 and rows[1:] == [(v, v, v) for v in
                                           (INJECTION, "'; DELETE FROM audit_log WHERE '1'='1", "o'brien",
                                            'a"; DROP TABLE receipts; --')]
    assert conn.execute("SELECT count(*) FROM receipts").fetchone()[0] == 1
    conn.close()


# ------------------------------------------------------------ README table
def outcome(rule: str) -> str:
    return "stored verbatim" if rule == STORED else f"refused: `{rule}`"


def readme_table() -> str:
    """The README's table of bad inputs, generated from CASES."""
    lines = ["| bad input | example | column | through the Store | through `ggen-db ingest` |", "|---|---|---|---|---|"]
    for case in CASES:
        shown = "bytes `\\xff`" if case.raw is not None else _example(case.value)
        store = "(bytes cannot reach the Store)" if case.raw is not None else outcome(case.store)
        if case.store == STORED and case.stored_as is not None:
            store = f"stored as `{case.stored_as!r}`"
        lines.append(f"| {case.label} | {shown} | {KIND_TABLES[case.kind]}.{case.column} | {store} | "
                     f"{outcome(case.ingest)} |")
    return "\n".join(lines)


def _example(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = f"{type(value).__name__} of {len(json.dumps(value)) if not isinstance(value, str) else len(value)} chars"
    return "`" + text.replace("|", "\\|") + "`"


def test_the_readme_table_lists_every_case_and_its_outcome() -> None:
    assert readme_table() in README.read_text(encoding="utf-8"), (
        "README's bad-input table is out of date; regenerate it with: "
        "python -c 'import sys; sys.path.insert(0, \"tests\"); import test_bad_input as t; print(t.readme_table())'"
    )
