"""`ggen-db backup`: exit statuses, the summary, one-line errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from harness.cli import main
from harness.store.store import Store


@pytest.fixture
def audited_db(initialized_db: Path) -> Path:
    """The initialized database with two audit rows."""
    with Store.open(initialized_db) as store:
        for _ in range(2):
            store.record_audit({"timestamp": "2026-01-29T12:00:00Z", "agent_id": "a", "operation": "x", "status": "started"})
    return initialized_db


def test_backup_prints_what_it_verified(audited_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "copy.db"
    assert main(["backup", str(audited_db), str(dest)]) == 0
    out = capsys.readouterr().out
    first, rows = out.splitlines()
    assert first.startswith(f"wrote {dest} from {audited_db}: ")
    # 2 audit rows, their hour in audit_hourly_counts, 1 in sqlite_sequence
    assert ", integrity ok, 4 rows verified in 15 tables (" in first
    assert rows.startswith("  rows: agent_execution_stats 0, agent_memory 0, audit_hourly_counts 1, audit_log 2,")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_an_existing_dest_exits_2_unless_forced(audited_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "copy.db"
    dest.write_text("keep me")
    assert main(["backup", str(audited_db), str(dest)]) == 2
    assert capsys.readouterr().err == f"Error: DEST {dest}: already exists; pass --force to replace it\n"
    assert dest.read_text() == "keep me"
    assert main(["backup", "--force", str(audited_db), str(dest)]) == 0
    assert capsys.readouterr().out.startswith(f"replaced {dest} from {audited_db}: ")


def test_a_missing_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", str(tmp_path / "nope.db"), str(tmp_path / "copy.db")]) == 2
    assert capsys.readouterr().err == f"Error: DB {tmp_path / 'nope.db'}: no such file\n"
    assert not (tmp_path / "copy.db").exists()


def test_progress_goes_to_stderr(audited_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--progress", str(audited_db), str(tmp_path / "copy.db")]) == 0
    captured = capsys.readouterr()
    assert "backup" in captured.err and "100%" in captured.err
    assert captured.out.startswith("wrote ")
