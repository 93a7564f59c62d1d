"""ggen-db archive on a small known database: what moves, rollups exact in both files, re-runs, refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from _operate_db import known_database

from harness.checks import check_schema
from harness.contract.rollup_sql import ROLLUPS
from harness.errors import InputError, UsageError
from harness.operate.archive import ArchiveConflict, archive

MOVED_TABLES = ("receipts", "pipeline_metrics", "slo_violations", "audit_log", "workflow_sessions",
                "collision_detection")
BEFORE = "2026-01-29T07:00:00Z"


def rows(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608 (constant names)
    finally:
        conn.close()


def rollups_exact(path: Path) -> bool:
    """Every rollup row with rows behind it equals its recomputation, and no other row counts anything."""
    conn = sqlite3.connect(path)
    try:
        for rollup in ROLLUPS.values():
            stored = [r for r in conn.execute(rollup.stored) if r[1]]
            if stored != conn.execute(rollup.recompute).fetchall():
                return False
    finally:
        conn.close()
    return True


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_database(tmp_path / "known.db")


def test_old_rows_move_with_their_children_and_rollups_stay_exact(db: Path, tmp_path: Path) -> None:
    before = {t: rows(db, t) for t in MOVED_TABLES}
    target = tmp_path / "archive.db"
    result = archive(db, BEFORE, target)
    assert result.created_archive and result.batches == 3
    assert result.moved == {"receipts": 2, "pipeline_metrics": 2, "slo_violations": 1, "audit_log": 3,
                            "workflow_sessions": 1, "collision_detection": 1}
    assert [r[1] for r in rows(target, "receipts")] == ["e1", "e2"]
    assert [r[1] for r in rows(db, "receipts")] == ["e3", "e4"]
    assert [r[1] for r in rows(target, "workflow_sessions")] == ["s1"]  # s2 is running: it stays
    for table in MOVED_TABLES:  # every row in exactly one file, unchanged, with its id
        assert sorted(rows(db, table) + rows(target, table)) == sorted(before[table]), table
        assert not {r[0] for r in rows(db, table)} & {r[0] for r in rows(target, table)}, table
    assert rollups_exact(db) and rollups_exact(target)
    for path in (db, target):
        report = check_schema(db=path)  # ggen-db check --db
        assert report.ok, [f.message for f in report.failed]


def test_a_second_run_moves_nothing_and_a_later_cutoff_appends(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "archive.db"
    archive(db, BEFORE, target)
    assert archive(db, BEFORE, target).total == 0
    later = archive(db, "2026-01-30", target)
    assert not later.created_archive and later.moved["receipts"] == 2 and later.moved["workflow_sessions"] == 0
    assert rows(db, "receipts") == [] and len(rows(target, "receipts")) == 4
    assert rollups_exact(db) and rollups_exact(target)


def test_rows_left_in_both_files_by_a_crash_are_finished_by_the_next_run(db: Path, tmp_path: Path) -> None:
    """The state a kill between the two commits leaves: the batch copied, not yet deleted from the source."""
    target = tmp_path / "archive.db"
    archive(db, "2026-01-28T12:00:00Z", target)  # creates the archive; moves e1
    conn = sqlite3.connect(target)
    conn.execute("ATTACH ? AS src", (str(db),))
    conn.execute("INSERT INTO receipts SELECT id, execution_id, agent_id, operation, status, timestamp, created_at, "
                  "manifest_hash, ontology_hash, files_generated, files_modified, duration_ms, receipt_json, "
                  "error_message, environment FROM src.receipts WHERE execution_id = 'e2'")
    conn.commit()
    conn.close()
    result = archive(db, BEFORE, target)
    assert result.moved["receipts"] == 1  # e2, already copied: deleted from the source only
    assert [r[1] for r in rows(target, "receipts")] == ["e1", "e2"] and [r[1] for r in rows(db, "receipts")] == ["e3", "e4"]
    assert rollups_exact(db) and rollups_exact(target)


def test_dry_run_counts_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    content = db.read_bytes()
    result = archive(db, BEFORE, tmp_path / "archive.db", dry_run=True)
    assert result.moved == {"receipts": 2, "pipeline_metrics": 2, "slo_violations": 1, "audit_log": 3,
                            "workflow_sessions": 1, "collision_detection": 1}
    assert db.read_bytes() == content and not (tmp_path / "archive.db").exists()


def test_another_databases_archive_is_refused_whole(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "archive.db"
    known_database(target)  # same schema, same ids, other rows for some of them
    conn = sqlite3.connect(target)
    conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.execute("INSERT INTO audit_log (id, timestamp, agent_id, operation, status, created_at) VALUES "
                 "(3, '2026-01-01T00:00:00Z', 'someone', 'else', 'completed', '2026-01-01 00:00:00')")
    conn.commit()
    conn.close()
    before = rows(db, "audit_log")
    with pytest.raises(ArchiveConflict, match=r"holds a different audit_log row with id 3"):
        archive(db, BEFORE, target)
    assert rows(db, "audit_log") == before


def test_refusals(db: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^--to .*: is the database itself$"):
        archive(db, BEFORE, db)
    with pytest.raises(UsageError, match=r"^--before 'last year': not a duration"):
        archive(db, "last year", tmp_path / "a.db")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE receipts (x)")
    conn.execute("CREATE TABLE audit_log (x)")
    conn.execute("CREATE TABLE agent_memory (x)")
    conn.close()
    with pytest.raises(InputError, match=r"^--to .*other.db: its schema \(version 0\) is not the schema of DB"):
        archive(db, BEFORE, other)
    with pytest.raises(InputError, match=r"directory .* does not exist"):
        archive(db, BEFORE, tmp_path / "no" / "a.db")
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert left == ["known.db", "other.db"]  # no archive, no temporary file
