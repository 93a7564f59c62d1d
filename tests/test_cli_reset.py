"""`ggen-db reset`: refused without --yes, a verified backup first, an empty database of the same version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from _operate_db import TABLES, known_database
from _operate_db import run_cli as run

from harness.checks import check_schema


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_database(tmp_path / "known.db")



def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t, _ in TABLES}  # noqa: S608
    finally:
        conn.close()


def test_refused_without_yes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(db)
    assert run(capsys, "reset", str(db)) == (2, "", f"Error: reset {db}: refused without --yes (deletes every row)\n")
    assert counts(db) == before


def test_backup_first_then_empty_with_the_same_schema(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(db)
    version = sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0]
    saved = tmp_path / "saved.db"
    code, out, err = run(capsys, "reset", str(db), "--yes", "--backup", str(saved))
    assert (code, err) == (0, "")
    first, deleted = out.splitlines()
    assert first.startswith(f"reset {db}: 24 rows deleted, schema version {version} kept; backup {saved} (verified); ")
    assert deleted == ("  deleted: agent_execution_stats 3, stage_execution_stats 3, pipeline_metrics 3, "
                       "slo_violations 1, collision_detection 2, receipts 4, workflow_sessions 2, audit_log 4, "
                       "agent_memory 2, audit_hourly_counts 0, collision_hourly_counts 0, receipt_hourly_counts 0, "
                       "session_daily_counts 0, violation_hourly_counts 0")  # the counts went with their rows
    assert counts(saved) == before and set(counts(db).values()) == {0}
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert conn.execute("SELECT count(*) FROM sqlite_sequence").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM agent_execution_stats").fetchone() == (0,)
    conn.close()
    assert check_schema(db=db).ok


def test_no_backup(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reset", str(db), "--yes", "--no-backup")
    assert code == 0 and "; no backup; " in out
    assert sorted(p.name for p in tmp_path.iterdir() if "before-reset" in p.name) == []


def test_the_default_backup_sits_beside_the_database(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "reset", str(db), "--yes")[0] == 0
    (backup,) = [p for p in tmp_path.iterdir() if ".before-reset-" in p.name]
    assert backup.name.startswith("known.db.before-reset-") and backup.name.endswith("Z.db")
    assert counts(backup)["receipts"] == 4


def test_an_existing_backup_file_is_refused_and_nothing_is_deleted(db: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "taken.db"
    taken.write_text("keep")
    assert run(capsys, "reset", str(db), "--yes", "--backup", str(taken)) == (
        2, "", f"Error: --backup {taken}: already exists; give a new file\n")
    assert counts(db)["receipts"] == 4


def test_backup_and_no_backup_together(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "reset", str(db), "--yes", "--no-backup", "--backup", "x.db") == (
        2, "", "Error: --backup and --no-backup: give one\n")
