"""harness.store.backup: a verified snapshot, published atomically, owner-only; restore is a backup back."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import workers

import harness.store.backup as backup_module
from harness.errors import InputError
from harness.store.backup import BackupResult, BackupVerificationError, backup
from harness.store.store import Store

WORKERS = Path(__file__).with_name("workers.py")


@pytest.fixture
def seeded_db(initialized_db: Path) -> Path:
    """The initialized database with 50 receipts and one memory row."""
    with Store.open(initialized_db) as store:
        store.record_receipts(workers.bundle("seed", i) for i in range(50))
        store.upsert_memory("o'brien", {"state": "idle"})
    return initialized_db


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608 - catalogue names
    finally:
        conn.close()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".backup-tmp" in p.name)


def test_the_copy_is_verified_and_owner_only(seeded_db: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    result = backup(seeded_db, dest)
    assert result.integrity == "ok" and not result.replaced
    assert dict(result.row_counts) == table_counts(seeded_db) == table_counts(dest)
    assert result.row_counts["receipts"] == 50 and result.row_counts["pipeline_metrics"] == 250
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert result.size_bytes == dest.stat().st_size == result.pages * result.page_size
    assert leftovers(tmp_path) == [] and not Path(f"{dest}-wal").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT agent_id FROM agent_memory").fetchall() == [("o'brien",)]
    conn.close()


def test_an_existing_dest_is_refused_unless_forced(seeded_db: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    with pytest.raises(InputError, match=r"DEST .*copy.db: already exists; pass --force to replace it"):
        backup(seeded_db, dest)
    assert dest.read_text() == "precious"
    assert backup(seeded_db, dest, force=True).replaced
    assert table_counts(dest)["receipts"] == 50
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_a_dest_in_use_is_not_replaced_even_with_force(seeded_db: Path, tmp_path: Path) -> None:
    dest = tmp_path / "live.db"
    backup(seeded_db, dest)
    holder = sqlite3.connect(dest)
    holder.execute("SELECT count(*) FROM receipts").fetchone()  # an open reader keeps -wal/-shm
    try:
        with pytest.raises(InputError, match=r"live.db: in use \(live.db-wal, live.db-shm present"):
            backup(seeded_db, dest, force=True)
    finally:
        holder.close()
    assert backup(seeded_db, dest, force=True).replaced


@pytest.mark.parametrize(
    "dest,message",
    [
        (".", r"is a directory; give the backup file's path"),
        ("no/x.db", r"directory .*no does not exist"),
        ("file.txt/x.db", r"directory .*file.txt does not exist"),
    ],
)
def test_bad_destinations_are_refused(seeded_db: Path, tmp_path: Path, dest: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("a file, not a directory")
    with pytest.raises(InputError, match=message):
        backup(seeded_db, tmp_path / dest)
    assert leftovers(tmp_path) == []


def test_the_database_itself_is_never_a_destination(seeded_db: Path) -> None:
    with pytest.raises(InputError, match="is the database itself"):
        backup(seeded_db, seeded_db, force=True)
    assert table_counts(seeded_db)["receipts"] == 50


def test_bad_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"DB .*absent.db: no such file"):
        backup(tmp_path / "absent.db", tmp_path / "x.db")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match=r"DB .*garbage.db: not a readable SQLite database"):
        backup(garbage, tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists() and leftovers(tmp_path) == []


def test_a_failed_verification_publishes_nothing(
    seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backup_module._row_counts
    calls = []

    def one_row_short(conn: sqlite3.Connection) -> dict[str, int]:
        counts = real(conn)
        calls.append(1)
        if len(calls) == 2:  # the copy's counts
            counts["audit_log"] -= 1
        return counts

    monkeypatch.setattr(backup_module, "_row_counts", one_row_short)
    dest = tmp_path / "copy.db"
    with pytest.raises(BackupVerificationError, match=r"audit_log: 99 rows, source had 100") as info:
        backup(seeded_db, dest)
    assert info.value.problems == ("audit_log: 99 rows, source had 100",)
    assert not dest.exists() and leftovers(tmp_path) == []


def test_an_interrupted_backup_leaves_nothing(seeded_db: Path, tmp_path: Path) -> None:
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    dest = tmp_path / "copy.db"
    with pytest.raises(KeyboardInterrupt):
        backup(seeded_db, dest, pages_per_step=1, progress=interrupt)
    assert not dest.exists() and leftovers(tmp_path) == []


def test_a_write_during_the_copy_is_not_in_it(seeded_db: Path, tmp_path: Path) -> None:
    writer = Store.open(seeded_db)
    written: list[int] = []

    def write_once(done: int, total: int) -> None:
        if not written:  # between two steps of the copy: a commit by another connection
            writer.record_receipts([workers.bundle("during", 0)])
            written.append(1)

    try:
        result = backup(seeded_db, tmp_path / "copy.db", pages_per_step=2, progress=write_once)
    finally:
        writer.close()
    assert written and result.pages > 2
    assert result.row_counts["receipts"] == 50 and table_counts(seeded_db)["receipts"] == 51
    assert table_counts(tmp_path / "copy.db") == dict(result.row_counts)


def test_backups_while_a_writer_process_runs_are_consistent_snapshots(seeded_db: Path, tmp_path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, str(WORKERS), "store-writer", str(seeded_db), "live", "3000", "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    copies: list[tuple[BackupResult, Path]] = []
    try:
        while writer.poll() is None and len(copies) < 20:
            dest = tmp_path / f"copy{len(copies)}.db"
            copies.append((backup(seeded_db, dest, pages_per_step=8), dest))
    finally:
        out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0 and '"busy": 0' in out
    copies.append((backup(seeded_db, tmp_path / "final.db"), tmp_path / "final.db"))
    for result, dest in copies:
        counts = result.row_counts
        # Each receipt was committed with its 5 stage metrics and 2 audit rows: a torn copy would show.
        assert counts["pipeline_metrics"] == 5 * counts["receipts"], counts
        assert counts["audit_log"] == 2 * counts["receipts"], counts
        assert table_counts(dest) == dict(counts)
        store = Store(sqlite3.connect(dest))
        try:
            assert workers.view_mismatches(store) == []
        finally:
            store.conn.close()
    assert copies[-1][0].row_counts["receipts"] == 3050


def test_restore_is_a_backup_in_the_other_direction(seeded_db: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    backup(seeded_db, saved)
    with Store.open(seeded_db) as store:  # later work, which the restore undoes
        store.record_receipts(workers.bundle("later", i) for i in range(10))
    assert table_counts(seeded_db)["receipts"] == 60

    result = backup(saved, seeded_db, force=True)  # writers stopped: nothing holds the database

    assert result.replaced and table_counts(seeded_db) == table_counts(saved)
    conn = sqlite3.connect(seeded_db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    with Store.open(seeded_db) as store:  # and it is a working database again
        store.record_receipts(workers.bundle("after", i) for i in range(3))
        assert workers.view_mismatches(store) == []
    assert table_counts(seeded_db)["receipts"] == 53
    assert stat.S_IMODE(os.stat(seeded_db).st_mode) == 0o600
