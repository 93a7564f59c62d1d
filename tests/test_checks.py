"""harness.checks: the registry, check_schema on schemas and databases, and the checks that need data."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.checks import check_schema, known_rows, open_target, ordered_specs, plan, run_checks
from harness.checks.catalogue import render_catalogue
from harness.checks.plans import full_scans, indexes_used, query_plan
from harness.checks.registry import CHECKLIST_GROUPS, EXTRA_GROUPS
from harness.contract.model import load_contract
from harness.engine.db import connect, schema_path
from harness.errors import InputError, SchemaLoadError, UsageError
from harness.results import ERROR, FAILED, PASSED, SKIPPED

CONTRACT = load_contract()
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def known_db(file_db: Path) -> Path:
    """The schema file database holding the checks' known rows (harness.checks.known_rows)."""
    conn = connect(file_db)
    try:
        known_rows.load(conn, CONTRACT)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return file_db


def _failed(report_codes: dict[str, str], code: str) -> str:
    assert code in report_codes, f"{code} did not fail; failed: {sorted(report_codes)}"
    return report_codes[code]


def _failures(**kwargs: str | Path) -> dict[str, str]:
    return {f.code: f.message for f in check_schema(**kwargs).failed}  # type: ignore[arg-type]


# ------------------------------------------------------------------ registry
def test_the_36_checklist_checks_come_first_in_order() -> None:
    planned = plan(CONTRACT)
    assert [p.spec.number for p in planned[:36]] == list(range(1, 37))
    assert all(p.spec.number is None for p in planned[36:])
    assert planned[0].code == "check_01_table_receipts_exists"
    assert planned[35].code == "check_36_complete_execution_flow"
    assert {p.spec.group for p in planned[:36]} == set(CHECKLIST_GROUPS)


def test_extras_are_grouped_in_the_declared_group_order() -> None:
    groups = [p.spec.group for p in plan(CONTRACT)[36:]]
    order = [EXTRA_GROUPS.index(g) for g in groups]
    assert order == sorted(order)


def test_codes_are_unique_stable_identifiers_and_every_check_is_documented() -> None:
    codes = [p.code for p in plan(CONTRACT)]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9_]+", code) for code in codes)
    for spec in ordered_specs():
        assert spec.promise.strip() and spec.fix.strip(), spec.code


def test_checks_are_derived_from_the_contract() -> None:
    codes = {p.code for p in plan(CONTRACT)}
    for table, column in (("receipts", "status"), ("pipeline_metrics", "stage"), ("audit_log", "status")):
        assert f"enum_{table}_{column}" in codes
    for index in CONTRACT.indexes:
        assert f"index_{index.name}" in codes
    for query in CONTRACT.queries:
        assert f"index_serves_{query}" in codes
    for table, fk in CONTRACT.foreign_keys:
        assert f"fk_{table}_{fk.column}" in codes


def test_the_readme_catalogue_lists_every_code() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- section: checks-catalogue -->\n") + len("<!-- section: checks-catalogue -->\n")
    end = text.index("<!-- section:", start)
    section = text[start:end].strip() + "\n"
    assert section == render_catalogue(CONTRACT), "README is stale: run python -m harness.checks.catalogue"
    for p in plan(CONTRACT):
        assert f"`{p.code}`" in section


# -------------------------------------------------------------- the schema
def test_the_shipped_schema_keeps_every_promise() -> None:
    report = check_schema()
    assert report.ok, [f"{f.code}: {f.message}" for f in report.failed]
    assert report.target_kind == "schema" and report.target.endswith("schema.sql")
    assert report.counts() == {PASSED: len(plan(CONTRACT)), FAILED: 0, ERROR: 0, SKIPPED: 0}
    assert report.contract_sha256 == CONTRACT.sha256


def test_schema_and_db_together_is_a_usage_error(known_db: Path) -> None:
    with pytest.raises(UsageError, match="--schema and --db are mutually exclusive"):
        check_schema(schema=schema_path(), db=known_db)


def test_a_schema_that_does_not_load_raises_naming_the_statement(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE x (y INTEGER);\nCREATE VIEW v AS SELEC 1;\n", encoding="utf-8")
    with pytest.raises(SchemaLoadError) as error:
        check_schema(schema=bad)
    assert error.value.statement == "CREATE VIEW v AS SELEC 1;"


def test_a_legitimate_change_is_one_edit_to_the_contract(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    text = schema_path().read_text(encoding="utf-8")
    widened = "OR status = 'partial' OR status = 'cancelled' OR status = 'skipped'"
    schema.write_text(text.replace("OR status = 'partial' OR status = 'cancelled'", widened), encoding="utf-8")
    message = _failed(_failures(schema=schema), "enum_receipts_status")
    assert "receipts.status: accepts 'skipped'" in message
    document = json.loads((Path(__file__).resolve().parent.parent / "harness" / "contract" / "contract.json").read_text("utf-8"))
    status = next(c for c in document["tables"]["receipts"]["columns"] if c["name"] == "status")
    status["values"].append("skipped")
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps(document), encoding="utf-8")
    assert check_schema(schema=schema, contract=contract).ok


def test_the_contract_can_require_a_newer_sqlite(tmp_path: Path) -> None:
    document = json.loads((Path(__file__).resolve().parent.parent / "harness" / "contract" / "contract.json").read_text("utf-8"))
    document["sqlite_min_version"] = "9.0.0"
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps(document), encoding="utf-8")
    message = _failed(_failures(contract=contract), "sqlite_version")
    assert f"SQLite {sqlite3.sqlite_version}: older than the contract's sqlite_min_version 9.0.0" == message


def test_an_unexpected_sqlite_error_is_an_error_finding_naming_the_object(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    text = schema_path().read_text(encoding="utf-8")
    schema.write_text(text.replace("error_message TEXT,\n    environment", "environment", 1), encoding="utf-8")
    report = check_schema(schema=schema)
    errors = {f.code: f.message for f in report.findings if f.status == ERROR}
    assert errors, "a missing column makes inserts naming it fail with an SQLite error"
    assert all(": SQLite error: " in m for m in errors.values())
    assert "receipts.error_message: column is missing" in _failed(
        {f.code: f.message for f in report.failed}, "check_21_column_receipts_error_message")


def test_run_checks_can_run_a_subset() -> None:
    ctx = open_target(CONTRACT)
    try:
        findings = run_checks(ctx, only={"check_24_all_indexes", "tables_declared"})
    finally:
        ctx.target.close()
    assert [f.code for f in findings] == ["check_24_all_indexes", "tables_declared"]


# The original delivery's design, as REFERENCE.md describes it (abridged to what the checks need).
ORIGINAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL UNIQUE, agent_id TEXT NOT NULL, operation TEXT NOT NULL CHECK (operation IN ('validation','generation','normalization','extraction','emission','canonicalization','receipt','dry_run','watch')), status TEXT NOT NULL CHECK (status IN ('passed','failed','partial','cancelled')), timestamp TEXT NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, manifest_hash TEXT, ontology_hash TEXT, files_generated INTEGER DEFAULT 0, files_modified INTEGER DEFAULT 0, duration_ms INTEGER NOT NULL, receipt_json TEXT, error_message TEXT, environment TEXT);
CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, agent_id TEXT NOT NULL, operation TEXT NOT NULL, status TEXT NOT NULL, duration_ms INTEGER, error_message TEXT, context_json TEXT, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS slo_violations (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL, metric TEXT NOT NULL, target_value REAL NOT NULL, actual_value REAL NOT NULL, severity TEXT NOT NULL, description TEXT, timestamp TEXT NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (execution_id) REFERENCES receipts(execution_id));
CREATE INDEX IF NOT EXISTS idx_receipts_execution ON receipts(execution_id);
CREATE VIEW IF NOT EXISTS recent_executions AS SELECT r.execution_id, r.agent_id, r.operation, r.status, r.timestamp, r.files_generated, r.files_modified, r.duration_ms, (SELECT COUNT(*) FROM audit_log a WHERE a.timestamp BETWEEN r.timestamp AND datetime(r.timestamp, '+' || r.duration_ms || ' milliseconds')) as audit_entries, (SELECT COUNT(*) FROM slo_violations s WHERE s.execution_id = r.execution_id) as slo_violations FROM receipts r ORDER BY r.timestamp DESC LIMIT 100;
CREATE VIEW IF NOT EXISTS agent_performance_summary AS SELECT agent_id, COUNT(*) as total_executions, SUM(CASE WHEN status='passed' THEN 1 ELSE 0 END) as successful_executions, SUM(CASE WHEN status='failed' THEN 1 ELSE 0 END) as failed_executions, ROUND(AVG(duration_ms),2) as avg_duration_ms, MIN(duration_ms) as min_duration_ms, MAX(duration_ms) as max_duration_ms, SUM(files_generated) as total_files_generated, MAX(timestamp) as last_execution FROM receipts GROUP BY agent_id ORDER BY total_executions DESC;
CREATE TABLE IF NOT EXISTS agent_memory (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_id TEXT NOT NULL UNIQUE, memory_json TEXT NOT NULL, collision_history TEXT, retry_count INTEGER DEFAULT 0, last_error TEXT, updated_at DATETIME DEFAULT CURRENT_TIMESTAMP, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS workflow_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL UNIQUE, start_time DATETIME NOT NULL, end_time DATETIME, status TEXT NOT NULL CHECK (status IN ('running','completed','failed','cancelled')), agent_count INTEGER NOT NULL, total_duration_ms INTEGER, successful_operations INTEGER DEFAULT 0, failed_operations INTEGER DEFAULT 0, context_json TEXT, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS collision_detection (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, agent_id_1 TEXT NOT NULL, agent_id_2 TEXT NOT NULL, collision_type TEXT NOT NULL CHECK (collision_type IN ('file_conflict','memory_conflict','semantic_overlap','structural_overlap')), description TEXT NOT NULL, resolution TEXT, severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')), timestamp TEXT NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (session_id) REFERENCES workflow_sessions(session_id));
CREATE TABLE IF NOT EXISTS pipeline_metrics (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL, stage TEXT NOT NULL CHECK (stage IN ('μ₁_normalize','μ₂_extract','μ₃_emit','μ₄_canonicalize','μ₅_receipt')), duration_ms INTEGER NOT NULL, input_size_bytes INTEGER, output_size_bytes INTEGER, status TEXT NOT NULL CHECK (status IN ('passed','failed')), error_message TEXT, timestamp TEXT NOT NULL, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (execution_id) REFERENCES receipts(execution_id));
CREATE VIEW IF NOT EXISTS pipeline_stage_performance AS SELECT stage, COUNT(*) as executions, ROUND(AVG(duration_ms),2) as avg_duration_ms, MIN(duration_ms) as min_duration_ms, MAX(duration_ms) as max_duration_ms, SUM(CASE WHEN status='passed' THEN 1 ELSE 0 END) as passed, SUM(CASE WHEN status='failed' THEN 1 ELSE 0 END) as failed FROM pipeline_metrics GROUP BY stage ORDER BY avg_duration_ms DESC;
"""


def test_the_original_design_fails_on_its_documented_defects(tmp_path: Path) -> None:
    schema = tmp_path / "original.sql"
    schema.write_text(ORIGINAL_SCHEMA, encoding="utf-8")
    failures = _failures(schema=schema)
    # Defect 1: audit_entries is always 0 (no 'milliseconds' modifier, text comparison, no agent_id).
    assert "recent_executions.audit_entries: exec-1 counts 0, expected 3" in _failed(
        failures, "view_recent_executions_audit_window")
    # Defect 2: an explicit index repeats the UNIQUE autoindex.
    assert "idx_receipts_execution: duplicates sqlite_autoindex_receipts_1 on receipts (execution_id)" in _failed(
        failures, "check_23_receipts_indexes")
    # Defects 3 and 4: invalid JSON, garbage timestamps, negative durations and empty ids are stored.
    assert "receipts.receipt_json: accepts '{bad'" in _failed(failures, "json_receipts_receipt_json")
    assert "receipts.timestamp: accepts 'yesterday-ish'" in _failed(failures, "timestamp_receipts_timestamp")
    assert "receipts.duration_ms: accepts -1" in _failed(failures, "count_receipts_duration_ms")
    assert "receipts.agent_id: accepts ''" in _failed(failures, "id_receipts_agent_id")
    # Defect 5: no ON DELETE rule, so archiving a receipt with metrics fails.
    assert "ON DELETE is NO ACTION, the contract says CASCADE" in _failed(failures, "fk_pipeline_metrics_execution_id")
    # Defect 6: WAL documented, never enabled.
    assert "journal_mode delete" in _failed(failures, "journal_mode_wal")
    # Views ordered by text, not by time.
    assert "row 1 (exec-5): execution_id is 'exec-1'" in _failed(failures, "check_33_view_recent_executions")


# -------------------------------------------------------------- databases
def test_a_database_is_never_written(known_db: Path) -> None:
    before = known_db.read_bytes()
    mtime = known_db.stat().st_mtime_ns
    report = check_schema(db=known_db)
    assert report.ok, [f"{f.code}: {f.message}" for f in report.failed]
    assert report.target_kind == "db"
    assert {f.code for f in report.findings if f.status == SKIPPED} == {"schema_plain_load", "schema_idempotent"}
    assert known_db.read_bytes() == before and known_db.stat().st_mtime_ns == mtime


def test_a_missing_or_foreign_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        check_schema(db=tmp_path / "none.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"x" * 4096)
    with pytest.raises(InputError, match="not a SQLite database"):
        check_schema(db=junk)


def _tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)  # a writer with foreign keys and CHECKs off, as old writers were
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_stored_orphans_bad_json_and_drifted_rollups_are_found(known_db: Path) -> None:
    _tamper(
        known_db,
        "DROP TRIGGER slo_violations_execution_id_fk_insert",  # rows a version-1 database may hold
        "INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, timestamp) "
        "VALUES ('gone', 'duration_ms', 1, 2, 'warning', '2026-01-29T12:00:00Z')",
        "UPDATE receipts SET receipt_json = '{oops' WHERE execution_id = 'exec-2'",
        "UPDATE agent_execution_stats SET total_executions = 99 WHERE agent_id = 'agent-b'",
    )
    failures = _failures(db=known_db)
    assert "slo_violations: row 4 references a missing receipts row" in _failed(failures, "data_foreign_key_check")
    assert "receipts.receipt_json: 1 stored values are not valid JSON" in _failed(failures, "data_json_valid")
    assert "agent_execution_stats: row 'agent-b' holds (99, 1, 0, 30, 7, 10, 1, 20, 1), recomputing from receipts " \
           "gives (2, 1, 0, 30, 7, 10, 1, 20, 1)" == _failed(failures, "data_rollup_agent_execution_stats")


def test_a_corrupt_index_page_fails_integrity_check(known_db: Path) -> None:
    conn = sqlite3.connect(known_db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'idx_audit_log_status_time'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(known_db.read_bytes())
    start = (root - 1) * page_size
    data[start + page_size // 2: start + page_size - 8] = b"\xff" * (page_size // 2 - 8)
    known_db.write_bytes(bytes(data))
    assert "integrity_check: " in _failed(_failures(db=known_db), "data_integrity_check")


def test_a_database_in_rollback_journal_mode_fails_the_wal_check(known_db: Path) -> None:
    conn = sqlite3.connect(known_db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    assert _failed(_failures(db=known_db), "journal_mode_wal") == \
        f"{known_db}: journal_mode is delete, the contract says wal"


# ------------------------------------------------------------- the pieces
@pytest.fixture
def loaded() -> Iterator[sqlite3.Connection]:
    ctx = open_target(CONTRACT)
    yield ctx.target
    ctx.target.close()


def test_full_scans_see_through_aliases(loaded: sqlite3.Connection) -> None:
    assert [(s.table, s.is_index) for s in full_scans(loaded, "SELECT * FROM receipts AS r WHERE r.duration_ms > 5")] \
        == [("receipts", False)]
    assert full_scans(loaded, "SELECT * FROM receipts WHERE execution_id = ?", ("x",)) == []
    plan_lines = query_plan(loaded, "SELECT * FROM receipts WHERE execution_id = :e", {"e": "x"})
    assert indexes_used(plan_lines) == {"sqlite_autoindex_receipts_1"}


def test_the_view_oracles_read_the_contract_as_a_person_would() -> None:
    data = known_rows.Dataset(
        receipts=tuple({**r, "id": n} for n, r in enumerate(known_rows.RECEIPTS, start=1)),
        audit=known_rows.AUDIT, stages=known_rows.STAGES, violations=known_rows.VIOLATIONS)
    recent = known_rows.recent_executions(data, 100)
    # Newest first by instant, ties (exec-3 and exec-4 at 09:00Z) by id descending.
    assert [r[0] for r in recent] == ["exec-5", "exec-2", "exec-1", "exec-4", "exec-3", "exec-6", "exec-7"]
    # exec-1 (agent-a, 10:00:00 to 10:01:00 UTC): the two edges and one inside; not 1 ms late, not agent-b.
    assert {r[0]: (r[8], r[9]) for r in recent}["exec-1"] == (3, 2)
    agents = known_rows.agent_performance_summary(data)
    assert [a[0] for a in agents] == ["agent-a", "agent-b", "agent-c", "agent-d"]
    assert agents[0][4] == 20506.67 and agents[0][8] == "2026-01-29 11:30:00.250"
    stages = known_rows.pipeline_stage_performance(data)
    assert [(s[0], s[2]) for s in stages] == [
        ("μ₂_extract", 250.0), ("μ₁_normalize", 133.67), ("μ₃_emit", 33.5), ("μ₄_canonicalize", 5.0),
        ("μ₅_receipt", 5.0)]


@pytest.mark.parametrize(("timestamp", "utc"), [
    ("2026-01-29T12:00:00+02:00", "2026-01-29 10:00:00.000"),
    ("2026-01-29 11:00:00", "2026-01-29 11:00:00.000"),
    ("2026-01-28T23:59:59-01:00", "2026-01-29 00:59:59.000"),
    ("2026-01-29T11:30:00.250", "2026-01-29 11:30:00.250"),
])
def test_utc_text_is_the_normalized_form(timestamp: str, utc: str) -> None:
    assert known_rows.utc_text(timestamp) == utc
