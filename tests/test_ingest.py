"""harness.ingest.runner: the line format agrees with the contract; all-or-nothing; every bad line reported."""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
import workers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

import harness.engine.db
import harness.store.store
from harness.changes.install import init_database
from harness.contract.model import load_contract
from harness.errors import InputError
from harness.ingest.format import KIND_TABLES, NOT_INGESTED, default_format
from harness.ingest.lines import MAX_LINE_BYTES
from harness.ingest.runner import ingest

CONTRACT = load_contract()
SCHEMA = json.loads((Path(__file__).parent.parent / "harness" / "contract" / "formats" / "ingest.schema.json").read_text())

RECEIPT = {
    "kind": "receipt",
    "execution_id": "e1",
    "agent_id": "a1",
    "operation": "generation",
    "status": "passed",
    "timestamp": "2026-01-29T12:00:00Z",
    "duration_ms": 120,
}
METRIC = {
    "kind": "stage_metric",
    "execution_id": "e1",
    "stage": "μ₁_normalize",
    "duration_ms": 10,
    "status": "passed",
    "timestamp": "2026-01-29T12:00:00Z",
}
AUDIT = {"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a1", "operation": "emit", "status": "completed"}
SESSION = {"kind": "session", "session_id": "s1", "start_time": "2026-01-29T12:00:00Z", "status": "running", "agent_count": 2}


def jsonl(tmp_path: Path, lines: list[Any], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines))
    return path


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute("SELECT count(*) FROM " + table).fetchone()[0]  # noqa: S608 - contract names
            for table in KIND_TABLES.values()
        }
    finally:
        conn.close()


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# ------------------------------------------------ the schema and the contract
def test_every_kind_is_dispatched_to_its_own_subschema() -> None:
    assert SCHEMA["properties"]["kind"]["enum"] == list(KIND_TABLES)
    dispatched = {b["if"]["properties"]["kind"]["const"]: b["then"]["$ref"] for b in SCHEMA["allOf"]}
    assert dispatched == {kind: f"#/$defs/{kind}" for kind in KIND_TABLES}
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("kind", list(KIND_TABLES))
def test_each_kind_has_exactly_its_tables_writable_columns(kind: str) -> None:
    table = CONTRACT.tables[KIND_TABLES[kind]]
    excluded = set(NOT_INGESTED.get(kind, {}))
    sub = SCHEMA["$defs"][kind]
    assert set(sub["properties"]) == {"kind"} | {c.name for c in table.writable_columns} - excluded
    assert set(sub["required"]) == {"kind"} | {c.name for c in table.writable_columns if c.required} - excluded
    assert sub["additionalProperties"] is False
    assert excluded <= {c.name for c in table.writable_columns}, "only writable columns can be excluded"


def _accepts(kind: str, column: str, value: Any) -> bool:
    """Does the schema accept value for column (the rest of the line made valid)?"""
    validator = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], **SCHEMA["$defs"][kind]["properties"][column]})
    return validator.is_valid(value)


@pytest.mark.parametrize(
    "kind,column",
    [(k, c.name) for k in KIND_TABLES for c in CONTRACT.tables[KIND_TABLES[k]].writable_columns
     if c.name not in NOT_INGESTED.get(k, {})],
)
def test_each_column_follows_its_contract_rule(kind: str, column: str) -> None:
    col = CONTRACT.tables[KIND_TABLES[kind]].column(column)
    assert _accepts(kind, column, None) == (not col.not_null), "null exactly where the contract allows NULL"
    if col.kind == "enum":
        assert all(_accepts(kind, column, v) for v in col.values)
        assert not _accepts(kind, column, "not-" + col.values[0])
    elif col.kind == "count":
        assert _accepts(kind, column, 0) and not _accepts(kind, column, -1) and not _accepts(kind, column, "5")
    elif col.kind == "id":
        assert _accepts(kind, column, "x" * (col.max_length or 256))
        assert not _accepts(kind, column, "x" * ((col.max_length or 256) + 1))
        assert not _accepts(kind, column, "") and not _accepts(kind, column, " \t")
    elif col.kind == "timestamp":
        for accepted in ("2026-01-29T12:00:00Z", "2026-01-29T12:00:00+00:00", "2026-01-29T12:00:00.123456",
                         "2026-01-29 12:00:00"):
            assert _accepts(kind, column, accepted)
        assert not _accepts(kind, column, "yesterday-ish") and not _accepts(kind, column, "")
    elif col.kind == "json":
        assert _accepts(kind, column, "{}") or _accepts(kind, column, "[]")
    elif col.kind == "real":
        assert _accepts(kind, column, 1.5) and not _accepts(kind, column, "1.5")
    elif col.kind == "hash":
        assert _accepts(kind, column, "a" * 64) and not _accepts(kind, column, "g" * 64)


# ---------------------------- the compiled check and jsonschema always agree
FULL = jsonschema.Draft202012Validator(SCHEMA)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**12) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    """A valid line of some kind, then (usually) one mutation: a key dropped, changed or added."""
    kind = draw(st.sampled_from(list(KIND_TABLES)))
    line = cast(dict[str, Any], draw(from_schema({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{kind}"})))
    mutation = draw(st.sampled_from(["none", "drop", "change", "add"]))
    keys = sorted(line)
    if mutation == "drop":
        line.pop(draw(st.sampled_from(keys)))
    elif mutation == "change":
        line[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
    elif mutation == "add":
        line[draw(st.text(min_size=1, max_size=12))] = draw(JSON_VALUES)
    return line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_the_compiled_check_agrees_with_jsonschema(line: dict[str, Any]) -> None:
    assert (default_format().problem(line) is None) == FULL.is_valid(line)


# ------------------------------------------------------------- round trips
def test_every_kind_is_written(initialized_db: Path, tmp_path: Path) -> None:
    lines = [
        SESSION,
        RECEIPT,
        METRIC,
        AUDIT,
        {"kind": "slo_violation", "execution_id": "e1", "metric": "latency_p99", "target_value": 100,
         "actual_value": 120.5, "severity": "warning", "timestamp": "2026-01-29T12:00:00Z"},
        {"kind": "memory", "agent_id": "a1", "memory_json": {"state": "idle"}, "collision_history": "[]"},
        {"kind": "collision", "session_id": "s1", "agent_id_1": "a1", "agent_id_2": "a2",
         "collision_type": "file_conflict", "description": "both wrote x", "severity": "warning",
         "timestamp": "2026-01-29T12:00:01Z"},
        {"kind": "session", "session_id": "s2", "start_time": "2026-01-29 12:00:00", "end_time": "2026-01-29T13:00:00",
         "status": "completed", "agent_count": 3, "successful_operations": 4, "failed_operations": 1},
    ]
    result = ingest(initialized_db, jsonl(tmp_path, lines))
    assert result.ok and result.accepted == len(lines) and result.errors == ()
    assert result.written == {"session": 2, "receipt": 1, "stage_metric": 1, "audit": 1, "slo_violation": 1,
                              "memory": 1, "collision": 1}
    assert counts(initialized_db) == {"receipts": 1, "pipeline_metrics": 1, "slo_violations": 1, "audit_log": 1,
                                "agent_memory": 1, "workflow_sessions": 2, "collision_detection": 1}
    conn = sqlite3.connect(initialized_db)
    row = conn.execute("SELECT status, end_time, successful_operations, failed_operations FROM workflow_sessions "
                       "WHERE session_id = 's2'").fetchone()
    assert row == ("completed", "2026-01-29T13:00:00", 4, 1)
    assert conn.execute("SELECT memory_json FROM agent_memory").fetchone()[0] == '{"state":"idle"}'


def test_one_bad_line_means_nothing_is_written(initialized_db: Path, tmp_path: Path) -> None:
    before = counts(initialized_db)
    result = ingest(initialized_db, jsonl(tmp_path, [SESSION, RECEIPT, METRIC, AUDIT, with_(AUDIT, status="done")]))
    assert not result.committed and result.rejected == 1 and result.accepted == 0 and result.written == {}
    assert [str(e) for e in result.errors] == [
        "line 5: audit_log.status: enum: must be one of started, completed, failed, skipped"
    ]
    assert counts(initialized_db) == before


def test_skip_invalid_writes_the_valid_lines_and_reports_the_rest(initialized_db: Path, tmp_path: Path) -> None:
    result = ingest(initialized_db, jsonl(tmp_path, [RECEIPT, METRIC, with_(AUDIT, agent_id=" "), AUDIT]), skip_invalid=True)
    assert result.committed and not result.ok
    assert (result.accepted, result.rejected) == (3, 1)
    assert [(e.line, e.problem.column, e.problem.rule) for e in result.errors] == [(3, "agent_id", "nonempty")]
    assert counts(initialized_db)["audit_log"] == 1 and counts(initialized_db)["pipeline_metrics"] == 1


def test_every_bad_line_is_reported_by_number(initialized_db: Path, tmp_path: Path) -> None:
    lines: list[Any] = [
        RECEIPT,
        "{not json",
        with_(RECEIPT, execution_id="e2", operation="compile"),
        with_(METRIC, execution_id="e2"),
        with_(RECEIPT, execution_id="e3", timestamp="2026-13-45T99:99:99Z"),
        with_(RECEIPT, execution_id="e4", duration_ms=-1),
        with_(RECEIPT, execution_id="e5", bogus=1),
        {"kind": "nope"},
        [1, 2],
        with_(RECEIPT, execution_id="e1"),
        {"kind": "collision", "session_id": "missing", "agent_id_1": "a", "agent_id_2": "b",
         "collision_type": "file_conflict", "description": "d", "severity": "info", "timestamp": "2026-01-29T12:00:00Z"},
        {"kind": "memory", "agent_id": "a", "memory_json": "{}", "retry_count": 3},
        with_(METRIC, execution_id="e9"),
    ]
    result = ingest(initialized_db, jsonl(tmp_path, lines))
    assert [str(e) for e in result.errors] == [
        "line 2: (line): json: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 3: receipts.operation: enum: must be one of validation, generation, normalization, extraction, "
        "emission, canonicalization, receipt, dry_run, watch",
        "line 4: pipeline_metrics.execution_id: receipt_rejected: its receipt line 3 was rejected",
        "line 5: receipts.timestamp: timestamp: must be an ISO 8601 timestamp such as 2026-01-29T12:00:00Z",
        "line 6: receipts.duration_ms: nonnegative: must be >= 0",
        "line 7: receipts.bogus: unknown_column: is not a column of a receipt line",
        "line 8: kind: enum: must be one of receipt, stage_metric, slo_violation, audit, memory, session, collision",
        "line 9: (line): type: must be a JSON object with a kind field",
        "line 10: receipts.execution_id: unique: must be unique (a receipt is recorded once; REPLACE and upsert "
        "are refused)",
        "line 11: collision_detection.session_id: foreign_key: must name an existing workflow_sessions.session_id",
        "line 12: agent_memory.retry_count: not_ingested: counted by the store on each upsert (Store.upsert_memory)",
        "line 13: pipeline_metrics.execution_id: follows_receipt: 'e9' is not the execution_id of the most recent "
        "receipt line (a stage_metric or slo_violation line comes after its receipt line)",
    ]
    assert result.rejected == 12 and not result.committed
    assert counts(initialized_db)["receipts"] == 0


def test_a_duplicate_found_by_the_database_rejects_only_its_bundle(initialized_db: Path, tmp_path: Path) -> None:
    ingest(initialized_db, jsonl(tmp_path, [with_(RECEIPT, execution_id="old")], "old.jsonl"))
    lines: list[Any] = []
    for i in range(10):
        execution_id = "old" if i == 5 else f"e{i}"
        lines += [with_(RECEIPT, execution_id=execution_id), with_(METRIC, execution_id=execution_id)]
    result = ingest(initialized_db, jsonl(tmp_path, lines), skip_invalid=True, batch_receipts=3)
    assert [(e.line, e.problem.column, e.problem.rule) for e in result.errors] == [
        (11, "execution_id", "unique"), (12, "execution_id", "receipt_rejected")
    ]
    assert result.written == {"receipt": 9, "stage_metric": 9}
    assert counts(initialized_db)["receipts"] == 10 and counts(initialized_db)["pipeline_metrics"] == 9


def test_blank_lines_and_a_byte_order_mark_are_skipped(initialized_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(AUDIT).encode() + b"\n\n   \n" + json.dumps(AUDIT).encode())
    result = ingest(initialized_db, path)
    assert (result.lines, result.blank, result.accepted, result.rejected) == (4, 2, 2, 0)


def test_invalid_utf8_and_lone_surrogates_are_reported(initialized_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(
        json.dumps(AUDIT).encode()
        + b"\n"
        + b'{"kind": "audit", "agent_id": "\xff"}\n'
        + b'{"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "\\ud800", "operation": "x", "status": "completed"}\n'
    )
    result = ingest(initialized_db, path)
    assert [str(e) for e in result.errors] == [
        "line 2: (line): utf8: invalid UTF-8 at byte 32",
        "line 3: audit_log.agent_id: utf8: contains a lone surrogate (\\ud800-\\udfff)",
    ]


def test_an_oversized_line_is_reported_and_the_next_line_read(initialized_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as f:
        f.write(b'{"kind": "audit", "error_message": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n')
        f.write(json.dumps(AUDIT).encode() + b"\n")
    result = ingest(initialized_db, path, skip_invalid=True)
    assert [(e.line, e.problem.rule) for e in result.errors] == [(1, "max_size")]
    assert result.accepted == 1


def test_a_binary_stream_is_read_like_a_file(initialized_db: Path) -> None:
    stream = io.BytesIO((json.dumps(RECEIPT) + "\n" + json.dumps(METRIC) + "\n").encode())
    result = ingest(initialized_db, stream)
    assert result.ok and result.written == {"receipt": 1, "stage_metric": 1}


def test_progress_counts_the_bytes_of_both_passes(initialized_db: Path, tmp_path: Path) -> None:
    path = jsonl(tmp_path, list(workers.ingest_lines("p", 400)))  # 3,200 lines
    seen: list[tuple[int, int]] = []
    ingest(initialized_db, path, progress=lambda done, total: seen.append((done, total)))
    total = 2 * path.stat().st_size  # two passes: judging, then writing
    assert seen[-1] == (total, total) and len(seen) >= 3
    assert any(done < total // 2 for done, _ in seen) and any(done > total // 2 for done, _ in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# -------------------------------------------------------- unusable inputs
def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"DB .*nope.db: no such file \(create it with: ggen-db init"):
        ingest(tmp_path / "nope.db", jsonl(tmp_path, [AUDIT]))
    assert not (tmp_path / "nope.db").exists()


def test_a_database_without_the_schema_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="has no ggen-db schema"):
        ingest(empty, jsonl(tmp_path, [AUDIT]))


def test_a_missing_file_is_an_input_error(initialized_db: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"FILE .*absent.jsonl: cannot read \(No such file or directory\)"):
        ingest(initialized_db, tmp_path / "absent.jsonl")
    with pytest.raises(InputError, match="is a directory"):
        ingest(initialized_db, tmp_path)


# ------------------------------------------------------------ constant memory
def _peak_bytes(initialized_db: Path, path: Path) -> int:
    tracemalloc.start()
    try:
        ingest(initialized_db, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    workers.write_jsonl(small, workers.ingest_lines("s", 250))  # 2,000 lines
    workers.write_jsonl(large, workers.ingest_lines("l", 2000))  # 16,000 lines
    yield small, large


def test_memory_does_not_grow_with_the_file(tmp_path: Path, generated: tuple[Path, Path]) -> None:
    small, large = generated
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    init_database(first)
    init_database(second)
    default_format()  # compiled once, outside the measurement
    peak_small, peak_large = _peak_bytes(first, small), _peak_bytes(second, large)
    # 8x the lines; a reader that kept lines (or rows) would need ~8x the memory.
    assert peak_large < 2 * peak_small + (1 << 20), (peak_small, peak_large)
    assert counts(second)["receipts"] == 2000


# ------------------------------------------------------------ the write lock
@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness.engine.db, "BUSY_TIMEOUT_MS", 50)  # connections made from now on wait 50 ms


def test_ingest_waits_for_the_write_lock(
    initialized_db: Path, tmp_path: Path, short_busy_timeout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = sqlite3.connect(initialized_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock beyond the busy timeout
    pauses: list[float] = []

    def release_after_first_pause(seconds: float) -> None:
        pauses.append(seconds)
        if holder.in_transaction:
            holder.execute("COMMIT")

    monkeypatch.setattr(harness.store.store, "_pause", release_after_first_pause)
    result = ingest(initialized_db, jsonl(tmp_path, [RECEIPT, METRIC, AUDIT]))
    holder.close()
    assert result.ok and result.written == {"receipt": 1, "stage_metric": 1, "audit": 1}
    assert len(pauses) == 1 and result.lock_wait_s > 0
    assert counts(initialized_db)["pipeline_metrics"] == 1


def test_ingest_gives_up_on_a_lock_that_is_never_released(
    initialized_db: Path, tmp_path: Path, short_busy_timeout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness.store.store, "BUSY_RETRY_S", 0.0)  # give up at the first busy timeout
    holder = sqlite3.connect(initialized_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(InputError, match=r"DB .*: database is locked: no write lock after 0 s of waiting; "
                                             r"nothing was written"):
            ingest(initialized_db, jsonl(tmp_path, [AUDIT]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert counts(initialized_db)["audit_log"] == 0
