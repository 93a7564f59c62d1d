"""The background checkpointer: it copies the WAL into the database file, off the writers' commits."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import workers

from harness.engine import db
from harness.errors import UsageError
from harness.store.checkpoint import THREAD_NAME, Checkpointer
from harness.store.store import Store


def _write_without_checkpoints(path: Path, receipts: int) -> None:
    """Commit receipts on a connection that never checkpoints: they stay in the WAL."""
    conn = db.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    store = Store(conn)
    store.record_receipts([workers.bundle("ckpt", i) for i in range(receipts)])
    conn.close()  # not the last connection: the WAL is left as it is


def _receipts_in_database_file(path: Path, tmp_path: Path) -> int:
    """Receipts visible in the main database file alone, without its WAL."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(path, alone)
    conn = sqlite3.connect(alone)
    try:
        return conn.execute("SELECT count(*) FROM receipts").fetchone()[0]
    finally:
        conn.close()


def _checkpointer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_the_writers_backstop_is_the_documented_page_count(initialized_db: Path) -> None:
    conn = db.connect(initialized_db)
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == db.WAL_AUTOCHECKPOINT_PAGES
    conn.close()


def test_a_checkpoint_copies_committed_receipts_into_the_database_file(initialized_db: Path, tmp_path: Path) -> None:
    keeper = db.connect(initialized_db)  # holds the WAL open so closing the writer does not checkpoint it
    _write_without_checkpoints(initialized_db, 20)
    assert _receipts_in_database_file(initialized_db, tmp_path) == 0
    checkpointer = Checkpointer(initialized_db, interval_s=3600).start()
    checkpointer.checkpoint_now()
    stats = checkpointer.stop()
    keeper.close()
    assert stats.attempts == 2 and stats.largest_log_frames > 0 and stats.busy == 0
    assert _receipts_in_database_file(initialized_db, tmp_path) == 20


def test_the_thread_checkpoints_on_its_own(initialized_db: Path, tmp_path: Path) -> None:
    keeper = db.connect(initialized_db)
    with Checkpointer(initialized_db, interval_s=0.01):
        _write_without_checkpoints(initialized_db, 5)
        pause = threading.Event()
        for _ in range(500):  # up to 5 s: the thread wakes every 10 ms
            if _receipts_in_database_file(initialized_db, tmp_path) == 5:
                break
            pause.wait(0.01)
        assert _receipts_in_database_file(initialized_db, tmp_path) == 5  # before stop() runs its last attempt
    keeper.close()


def test_stop_runs_a_last_checkpoint_and_can_be_called_twice(initialized_db: Path, tmp_path: Path) -> None:
    keeper = db.connect(initialized_db)
    checkpointer = Checkpointer(initialized_db, interval_s=3600).start()
    _write_without_checkpoints(initialized_db, 3)
    checkpointer.stop()
    checkpointer.stop()
    keeper.close()
    assert _receipts_in_database_file(initialized_db, tmp_path) == 3
    assert not _checkpointer_threads()


def test_store_open_runs_a_checkpointer_and_close_stops_it(initialized_db: Path) -> None:
    store = Store.open(initialized_db)
    assert len(_checkpointer_threads()) == 1
    store.close()
    assert not _checkpointer_threads()


def test_store_open_without_background_checkpoints(initialized_db: Path) -> None:
    with Store.open(initialized_db, background_checkpoints=False):
        assert not _checkpointer_threads()


def test_two_checkpointers_on_one_database_do_not_fail(initialized_db: Path) -> None:
    with Checkpointer(initialized_db, interval_s=0.005), Checkpointer(initialized_db, interval_s=0.005):
        _write_without_checkpoints(initialized_db, 10)
    assert not _checkpointer_threads()


@pytest.mark.parametrize("interval", [0, -1.0, float("nan")])
def test_a_bad_interval_names_the_argument(initialized_db: Path, interval: float) -> None:
    with pytest.raises(UsageError, match="interval_s: must be a positive number"):
        Checkpointer(initialized_db, interval_s=interval)


def test_starting_twice_is_a_usage_error(initialized_db: Path) -> None:
    with Checkpointer(initialized_db) as checkpointer, pytest.raises(UsageError, match="already running"):
        checkpointer.start()
