"""check --db reports how the database's schema drifted from the shipped one, beside its data problems."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import harness
from harness.changes.install import init_database
from harness.checks import check_schema
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine import db
from harness.engine.sqltext import statement_words

VERSION_1 = Path(harness.__file__).resolve().parent / "changes" / "versions" / "0001.sql"


def _findings(path: Path) -> dict[str, str]:
    return {f.code: f.message for f in check_schema(db=path).findings if f.status != "passed"}


def test_the_shipped_schema_has_no_drift(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    init_database(path)
    assert "data_schema_drift" not in _findings(path)


def test_added_removed_and_changed_objects_are_findings_beside_the_data_problems(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    init_database(path)
    conn = sqlite3.connect(path)  # a plain writer, as a hand edit would be made
    conn.executescript("""
        DROP INDEX idx_audit_log_time;
        CREATE VIEW failures AS SELECT execution_id FROM receipts WHERE status = 'failed';
        DROP TRIGGER audit_log_append_only;
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(IGNORE); END;
        DROP TRIGGER slo_violations_execution_id_fk_insert;
        INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, timestamp)
            VALUES ('gone', 'duration_ms', 1, 2, 'warning', '2026-01-29T12:00:00Z');
    """)
    conn.close()
    found = _findings(path)
    drift = found["data_schema_drift"]
    assert "index idx_audit_log_time: removed" in drift
    assert "view failures: added" in drift
    assert "trigger audit_log_append_only: changed (reads `raise ( ignore ) ; end` where the shipped one " \
           "reads `raise ( abort , 'audit_log: rows are append-only (UPDATE is refused)'" in drift
    assert "trigger slo_violations_execution_id_fk_insert: removed" in drift
    assert "slo_violations" in found["data_foreign_key_check"]


def test_a_version_1_database_shows_the_missing_version_2_triggers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "v1.db"
    conn = db.connect(path)
    db.apply_schema(conn, VERSION_1.read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    assert main(["check", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "data_schema_drift" in x)
    assert f"the database is at schema version 1, the shipped schema is version {load_contract().schema_version}" in line
    # the first few differences are listed (later versions add indexes that sort first), then how many more
    assert ": removed (the shipped schema.sql has it)" in line and " more" in line


def test_spacing_case_comments_and_if_not_exists_are_not_drift() -> None:
    assert statement_words("CREATE INDEX IF NOT EXISTS i ON t (a) -- why\n") == statement_words('create index I on "T"(A)')
    assert statement_words("CREATE VIEW v AS SELECT 'A'") != statement_words("CREATE VIEW v AS SELECT 'a'")
