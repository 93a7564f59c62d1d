"""init_database: creates, upgrades, never loses data, refuses what it must."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from harness.changes.install import default_db_path, init_database
from harness.contract.model import load_contract
from harness.engine import db
from harness.errors import InputError, SchemaLoadError, SchemaVersionError

RECEIPT = (
    "INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
    "VALUES (?, 'agent-01', 'generation', 'passed', '2026-01-29T12:00:00Z', 5)"
)


def test_creates_parent_directories_schema_and_version(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "ggen.db"
    result = init_database(target)
    contract = load_contract()
    assert result.created_file
    assert result.previous_version == 0
    assert result.schema_version == contract.schema_version
    assert result.journal_mode == "wal"
    assert set(result.created_tables) == set(contract.tables)
    assert set(result.created_views) == set(contract.views)
    declared = {i.name for i in contract.indexes if not i.name.startswith("sqlite_autoindex")}
    assert set(result.created_indexes) == declared
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == contract.schema_version
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_new_database_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "ggen.db"
    init_database(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_second_init_keeps_every_row(tmp_path: Path) -> None:
    target = tmp_path / "ggen.db"
    init_database(target)
    conn = db.connect(target)
    conn.execute(RECEIPT, ("exec-1",))
    conn.execute(
        "INSERT INTO pipeline_metrics (execution_id, stage, duration_ms, status, timestamp) "
        "VALUES ('exec-1', 'μ₁_normalize', 3, 'passed', '2026-01-29T12:00:00Z')"
    )
    conn.close()
    again = init_database(target)
    assert not again.created_file
    assert again.previous_version == again.schema_version
    assert again.created_tables == again.created_indexes == again.created_views == ()
    conn = db.connect(target)
    assert conn.execute("SELECT count(*) FROM receipts").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM pipeline_metrics").fetchone()[0] == 1
    assert conn.execute("SELECT executions FROM stage_execution_stats").fetchone()[0] == 1


def test_upgrade_adds_missing_objects_without_touching_data(tmp_path: Path) -> None:
    target = tmp_path / "ggen.db"
    init_database(target)
    conn = db.connect(target)
    conn.execute(RECEIPT, ("exec-1",))
    conn.execute("DROP INDEX idx_receipts_time")
    conn.execute("DROP VIEW recent_executions")
    conn.close()
    result = init_database(target)
    assert result.created_indexes == ("idx_receipts_time",)
    assert result.created_views == ("recent_executions",)
    assert db.connect(target).execute("SELECT count(*) FROM recent_executions").fetchone()[0] == 1


def test_refuses_a_newer_schema_version(tmp_path: Path) -> None:
    target = tmp_path / "ggen.db"
    init_database(target)
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaVersionError, match="schema version 99 is newer"):
        init_database(target)


def test_refuses_a_database_it_did_not_create(tmp_path: Path) -> None:
    target = tmp_path / "other.db"
    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE receipts (id INTEGER PRIMARY KEY, timestamp TEXT)")
    conn.close()
    with pytest.raises(InputError, match="no ggen-db schema version"):
        init_database(target)
    assert sqlite3.connect(target).execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1


def test_a_broken_schema_names_the_statement_and_writes_nothing(tmp_path: Path) -> None:
    schema = tmp_path / "broken.sql"
    schema.write_text(
        "CREATE TABLE IF NOT EXISTS ok_table (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE IF NOT EXISTS broken (id INTEGER PRIMARY KEY, x TEXT REFERENCES);\n"
    )
    target = tmp_path / "ggen.db"
    with pytest.raises(SchemaLoadError, match="CREATE TABLE IF NOT EXISTS broken"):
        init_database(target, schema_file=schema)
    assert not target.exists()


def test_a_broken_schema_leaves_an_existing_database_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "ggen.db"
    init_database(target)
    schema = tmp_path / "broken.sql"
    schema.write_text("CREATE TABLE IF NOT EXISTS extra (id INTEGER PRIMARY KEY);\nCREATE TABLE broken (x TEXT REFERENCES);\n")
    with pytest.raises(SchemaLoadError, match="CREATE TABLE broken"):
        init_database(target, schema_file=schema)
    names = {r[0] for r in sqlite3.connect(target).execute("SELECT name FROM sqlite_master")}
    assert "extra" not in names and "receipts" in names


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    target = tmp_path / "notes.db"
    target.write_text("not a database\n" * 100)
    with pytest.raises(InputError, match="not a SQLite database"):
        init_database(target)
    assert target.read_text().startswith("not a database")


def test_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        init_database(tmp_path)


def test_default_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GGEN_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    monkeypatch.delenv("GGEN_DB")
    assert default_db_path() == Path(".ggen/ggen.db")


def test_init_reports_a_changed_view_as_drift_and_changes_nothing(tmp_path: Path) -> None:
    from harness.changes.migrate import SchemaDriftError

    target = tmp_path / "ggen.db"
    init_database(target)
    changed = tmp_path / "new.sql"
    changed.write_text(db.read_schema().replace("LIMIT 100;", "LIMIT 50;"))
    before = db.connect(target).execute("SELECT sql FROM sqlite_master WHERE name = 'recent_executions'").fetchone()
    with pytest.raises(SchemaDriftError, match="differs from .*new.sql in 1 place .* run `ggen-db migrate") as drift:
        init_database(target, schema_file=changed)
    assert drift.value.details() == ["view recent_executions: sql `... limit 100` -> `... limit 50`"]
    after = db.connect(target).execute("SELECT sql FROM sqlite_master WHERE name = 'recent_executions'").fetchone()
    assert after == before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("CREATE INDEX IF NOT EXISTS idx_receipts_status_time ON receipts (status, timestamp_utc);",
         "CREATE INDEX IF NOT EXISTS idx_receipts_status_time ON receipts (timestamp_utc, status);",
         "index idx_receipts_status_time: columns ('status', 'timestamp_utc') -> ('timestamp_utc', 'status')"),
        ("    error_message TEXT,\n    environment TEXT",
         "    error_message TEXT,\n    note TEXT,\n    environment TEXT",
         "column receipts.note added"),
        ("SELECT RAISE(ABORT, 'audit_log: rows are append-only (UPDATE is refused)');",
         "SELECT RAISE(ABORT, 'audit_log is append-only');",
         "trigger audit_log_append_only: sql `... , 'audit_log: rows are append-only (UPDATE is refused)' ) ...` "
         "-> `... , 'audit_log is append-only' ) ...`"),
    ],
)
def test_init_reports_what_if_not_exists_cannot_change(tmp_path: Path, old: str, new: str, expected: str) -> None:
    from harness.changes.migrate import SchemaDriftError

    target = tmp_path / "ggen.db"
    init_database(target)
    text = db.read_schema()
    assert old in text
    changed = tmp_path / "new.sql"
    changed.write_text(text.replace(old, new, 1))
    with pytest.raises(SchemaDriftError) as drift:
        init_database(target, schema_file=changed)
    assert expected in drift.value.details()


def test_init_points_an_older_database_to_migrate(tmp_path: Path) -> None:
    from dataclasses import replace

    target = tmp_path / "ggen.db"
    init_database(target)
    newer = replace(load_contract(), schema_version=load_contract().schema_version + 1)
    with pytest.raises(SchemaVersionError, match=f"older than this ggen-db's {newer.schema_version}; run `ggen-db migrate"):
        init_database(target, contract=newer)
