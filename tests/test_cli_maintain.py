"""`ggen-db maintain`: each step and what it reports, a damaged database stops it, docs."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run

from harness.operate import maintain as maintain_module
from harness.operate.maintain import maintain


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_database(tmp_path / "known.db")



def steps(out: str) -> list[str]:
    return [re.sub(r" \(\d+\.\d\d s\)$", "", line) for line in out.splitlines()]


def test_the_default_steps(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "maintain", str(db))
    assert (code, err) == (0, "")
    assert steps(out) == [
        "integrity_check: ok",
        "optimize: statistics rows 0 -> 0; every documented query keeps its index",
        "checkpoint: WAL 0 -> 0 bytes (0 frames copied)",
    ]


def test_a_checkpoint_empties_the_log(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO audit_log (timestamp, agent_id, operation, status) VALUES "
                 "('2026-01-29T12:00:00Z', 'a', 'x', 'completed')")
    conn.commit()
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 0
    result = maintain(db)
    conn.close()
    (checkpoint,) = [s for s in result.steps if s.name == "checkpoint"]
    assert re.fullmatch(r"WAL \d+ -> 0 bytes \(\d+ frames copied\)", checkpoint.result), checkpoint.result
    assert not checkpoint.result.startswith("WAL 0 ")


def test_analyze_is_rolled_back_when_a_documented_query_would_leave_its_index(db: Path) -> None:
    """On 4 receipts the statistics make SQLite prefer scans: the plans the contract proved win."""
    (analyze,) = [s for s in maintain(db, analyze=True).steps if s.name == "analyze"]
    assert analyze.result.startswith("rolled back: with the new statistics ")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() == (0,)
    conn.close()


def test_vacuum_returns_free_pages(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO audit_log (timestamp, agent_id, operation, status, error_message) SELECT "
                 "'2026-01-29T12:00:00Z', 'a', 'x', 'completed', printf('%.2000c', 'x') FROM receipts, receipts, receipts")
    conn.commit()
    conn.execute("DELETE FROM audit_log WHERE agent_id = 'a'")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "maintain", str(db), "--vacuum")
    assert code == 0
    line = steps(out)[-1]
    before, after, free_before, free_after = map(int, re.fullmatch(
        r"vacuum: file (\d+) -> (\d+) bytes, free pages (\d+) -> (\d+)", line).groups())  # type: ignore[union-attr]
    assert after < before and free_before > 0 and free_after == 0


def test_vacuum_without_room_is_refused_before_anything(db: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maintain_module.shutil, "disk_usage", lambda _: type("U", (), {"free": 10})())
    code, out, err = run(capsys, "maintain", str(db), "--vacuum")
    assert (code, out) == (2, "")
    assert re.fullmatch(r"Error: --vacuum: needs \d+ bytes free beside .*known.db \(a copy and its log\), 10 "
                        r"available\n", err)


def test_a_damaged_database_stops_after_the_integrity_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = known_database(tmp_path / "damaged.db")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema = ON")  # an index that no longer matches its table
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, '(agent_id, timestamp_utc', '(timestamp_utc, agent_id') "
                 "WHERE name = 'idx_audit_log_agent_time'")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "maintain", str(db), "--vacuum")
    assert code == 1
    lines = steps(out)
    assert lines[0].startswith("integrity_check: ") and "problems" in lines[0]
    assert lines[-1] == f"{db} is damaged: no other step ran (restore a backup: ggen-db backup --force)"
