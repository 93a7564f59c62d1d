"""ggen-db archive killed with SIGKILL at random moments: nothing lost, the re-run moves every row exactly once.

Both files are WAL, so a batch commits in the archive first and then in the source (see
harness/operate/archive.py): a kill between the two commits may leave that batch in both
files, identical. After every kill: every row of the original is in the source or the
archive, unchanged; a row in both is identical, and only one batch is; integrity,
foreign keys and both files' rollups hold. When a run finishes before its kill the
pristine files are restored. Finally a run to the end leaves every row in exactly one file.
Seeds are printed; GGEN_DB_CRASH_SEED replays a run.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_operate_archive import MOVED_TABLES, rollups_exact

from harness.bench.datagen import DataSpec, build_database
from harness.operate.archive import BATCH_ROWS

pytestmark = pytest.mark.slow
KILLS = 30
BATCH = 40
BEFORE = "2026-01-20T00:00:00Z"
Rows = dict[str, set[tuple[object, ...]]]


def seed() -> int:
    return int(os.environ.get("GGEN_DB_CRASH_SEED", "20260129"))


def table_rows(path: Path) -> Rows:
    if not path.exists():
        return {t: set() for t in MOVED_TABLES}
    conn = sqlite3.connect(path)
    try:
        return {t: set(conn.execute(f"SELECT * FROM {t}")) for t in MOVED_TABLES}  # noqa: S608 (constant names)
    finally:
        conn.close()


def sound(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert rollups_exact(path), f"{path.name}: a rollup differs from its recomputation"


def in_both(source: Rows, archived: Rows) -> dict[str, int]:
    return {t: len({r[0] for r in source[t]} & {r[0] for r in archived[t]}) for t in MOVED_TABLES}


# What one batch of each step moves: receipts with their children (5 stage metrics and at most
# as many violations a receipt), audit rows, finished sessions with their collisions.
BATCH_GROUPS: dict[tuple[str, ...], dict[str, int]] = {
    ("receipts", "pipeline_metrics", "slo_violations"): {"receipts": BATCH, "pipeline_metrics": BATCH * 5,
                                                         "slo_violations": BATCH * 5},
    ("audit_log",): {"audit_log": BATCH_ROWS},
    ("workflow_sessions", "collision_detection"): {"workflow_sessions": BATCH_ROWS},
}


def at_most_one_batch(doubled: dict[str, int]) -> bool:
    """Rows in both files come from one batch of one step, within that batch's size."""
    groups = [tables for tables in BATCH_GROUPS if any(doubled[t] for t in tables)]
    if len(groups) > 1:
        return False
    return all(doubled[t] <= limit for limits in BATCH_GROUPS.values() for t, limit in limits.items())


def check_nothing_lost(original: Rows, source_path: Path, archive_path: Path) -> dict[str, int]:
    source, archived = table_rows(source_path), table_rows(archive_path)
    for table in MOVED_TABLES:
        assert source[table] | archived[table] == original[table], f"{table}: rows lost or changed"
    sound(source_path)
    if archive_path.exists():
        sound(archive_path)
    return in_both(source, archived)


def archive_process(source: Path, target: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "harness", "archive", str(source), "--before", BEFORE, "--to",
                             str(target), "--batch", str(BATCH), "--pause", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_moving(process: subprocess.Popen[bytes], target: Path) -> None:
    """Until the process has the archive open (the move begins), or has ended: its startup is not the move."""
    fds = Path(f"/proc/{process.pid}/fd")
    while process.poll() is None:
        try:
            if any(os.readlink(fd) == str(target) for fd in fds.iterdir()):
                return
        except OSError:
            pass  # an fd closed while we looked
        time.sleep(0.002)


def _time_one_run(pristine: Path, tmp_path: Path) -> float:
    """How long a whole move takes once the archive exists: the kills are spread over that time."""
    source, target = tmp_path / "timing.db", tmp_path / "timing-archive.db"
    shutil.copy(pristine, source)
    process = archive_process(source, target)
    wait_until_moving(process, target)
    started = time.monotonic()
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


def test_archive_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    pristine = tmp_path / "pristine.db"
    build_database(pristine, DataSpec(receipts=1500, audit_per_receipt=2))
    source, target = tmp_path / "source.db", tmp_path / "archive.db"
    shutil.copy(pristine, source)
    original = table_rows(pristine)
    move_s = _time_one_run(pristine, tmp_path)
    rng = random.Random(seed())
    doubled_kills = finished = interrupted = 0
    for _ in range(KILLS):
        process = archive_process(source, target)
        wait_until_moving(process, target)
        time.sleep(rng.uniform(0.0, move_s))
        process.kill()
        _, err = process.communicate()
        doubled = check_nothing_lost(original, source, target)
        assert at_most_one_batch(doubled), doubled
        doubled_kills += any(doubled.values())
        if process.returncode == 0:  # it finished first: start again from the pristine files
            finished += 1
            target.unlink()
            shutil.copy(pristine, source)
        else:
            assert process.returncode == -9, err.decode()
            interrupted += 1
    done = subprocess.run([sys.executable, "-m", "harness", "archive", str(source), "--before", BEFORE, "--to",
                           str(target)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    source_rows, archived = table_rows(source), table_rows(target)
    assert in_both(source_rows, archived) == dict.fromkeys(MOVED_TABLES, 0)
    for table in MOVED_TABLES:
        assert source_rows[table] | archived[table] == original[table]
    assert archived["receipts"] and all(r[-2] < "2026-01-20" for r in archived["receipts"])  # timestamp_utc
    sound(source)
    sound(target)
    assert interrupted >= KILLS // 2, "most kills must land while archive runs"
    print(f"\narchive crash: {KILLS} SIGKILLs (seed {seed()}) over a {move_s:.2f} s move, {interrupted} interrupted a "
          f"run, {doubled_kills} left "
          f"a batch in both files "
          f"(finished by the next run), {finished} runs finished before their kill; nothing lost")
