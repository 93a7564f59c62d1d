"""Crash safety: writers killed with SIGKILL at random moments, the database checked after each kill.

The store writer (tests/workers.py crash-writer) commits batches of 1..40
receipts (each with 5 stage metrics and 2 audit rows) and logs each batch
after COMMIT returns, with flush + fsync. After every kill: integrity_check
is ok, foreign_key_check is empty, every logged batch is there in full, no
batch is there in part, and the rollups equal a recomputation. Then
`ggen-db ingest` is killed mid-file: the file's rows are all there or none.
Seeds are printed; GGEN_DB_CRASH_SEED replays a run.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
import workers

from harness.store.store import Store

pytestmark = pytest.mark.slow  # about 40 s on 2 cores; CI runs it (deselect locally with -m "not slow")
WORKERS = Path(__file__).with_name("workers.py")
WRITER_KILLS = 50
INGEST_KILLS = 8
INGEST_RECEIPTS = 300
BATCH_ID = re.compile(r"^(s\d+b\d+n(\d+))-\d+$")


def seed() -> int:
    return int(os.environ.get("GGEN_DB_CRASH_SEED", "20260129"))


LOG_LINE = re.compile(r"^(\S+) (\d+)$")


def wait_for_batches(process: subprocess.Popen[bytes], log: Path, batches: int) -> None:
    """Wait until the writer is ready and has logged `batches` commits (or died, which fails the test)."""
    while not (log.exists() and log.read_text().startswith("ready") and len(logged_batches([log])) >= batches):
        assert process.poll() is None, f"writer exited early with {process.returncode}"
        time.sleep(0.002)


def logged_batches(logs: Iterable[Path]) -> dict[str, int]:
    """Batches whose COMMIT had returned: the writer logs a batch only after that."""
    batches = {}
    for log in logs:
        if not log.exists():
            continue
        for line in log.read_text().splitlines()[1:]:
            logged = LOG_LINE.match(line)
            if logged:  # a line cut short by the kill has no size: its batch is checked as unlogged
                batches[logged.group(1)] = int(logged.group(2))
    return batches


def check_database(path: Path, committed: dict[str, int]) -> dict[str, int]:
    """Every invariant after a crash; returns the batches present (id -> receipts)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        present: dict[str, int] = {}
        for execution_id, metrics in conn.execute(
            "SELECT r.execution_id, (SELECT count(*) FROM pipeline_metrics AS m WHERE m.execution_id = r.execution_id) "
            "FROM receipts AS r WHERE r.execution_id LIKE 's%b%n%-%'"
        ):
            assert metrics == len(workers.STAGES), f"{execution_id} has {metrics} stage metrics"
            batch = BATCH_ID.match(execution_id)
            assert batch is not None
            present[batch.group(1)] = present.get(batch.group(1), 0) + 1
        audits = conn.execute("SELECT count(*) FROM audit_log WHERE operation LIKE 'emit s%'").fetchone()[0]
    finally:
        conn.close()
    for batch_id, count in present.items():  # all or nothing: the size is part of the id
        assert count == int(batch_id.rsplit("n", 1)[1]), f"batch {batch_id} is partial: {count} receipts"
    for batch_id, size in committed.items():
        assert present.get(batch_id) == size, f"committed batch {batch_id} lost ({present.get(batch_id)} of {size})"
    assert audits == workers.AUDITS_PER_RECEIPT * sum(present.values())
    with Store.open(path) as store:
        assert workers.view_mismatches(store) == []
    return present


def test_store_writer_killed_at_random_moments(initialized_db: Path, tmp_path: Path) -> None:
    rng = random.Random(seed())
    logs: list[Path] = []
    unlogged_but_committed = in_flight = 0
    waited_for = 0
    for round_number in range(WRITER_KILLS):
        log = tmp_path / f"writer{round_number}.log"
        logs.append(log)
        writer = subprocess.Popen(
            [sys.executable, str(WORKERS), "crash-writer", str(initialized_db), str(log), str(rng.randrange(10**9))]
        )
        batches_first = rng.randrange(3)  # let 0-2 batches commit first, so every round does real work
        wait_for_batches(writer, log, batches_first)
        waited_for += batches_first
        time.sleep(rng.uniform(0.0, 0.05))  # then a random moment of the writer's life
        writer.kill()
        writer.wait()
        committed = logged_batches(logs)
        present = check_database(initialized_db, committed)
        # Killed between COMMIT and its log line: committed, complete, just not logged.
        unlogged_but_committed += len(set(present) - set(committed))
        begun = re.match(r"^begin (\S+)$", log.read_text().splitlines()[-1])
        in_flight += bool(begun and begun.group(1) not in present)
    print(
        f"\ncrash: {WRITER_KILLS} SIGKILLs (seed {seed()}), {len(committed)} batches logged as committed, all present; "
        f"{in_flight} kills inside a batch (rolled back), {unlogged_but_committed} between COMMIT and its log line; "
        "no partial batch"
    )
    assert len(committed) >= waited_for


def test_ingest_killed_mid_file_writes_all_or_nothing(initialized_db: Path, tmp_path: Path) -> None:
    rng = random.Random(seed() + 1)
    outcomes = []
    for round_number in range(INGEST_KILLS):
        prefix = f"k{round_number}"
        source = tmp_path / f"{prefix}.jsonl"
        workers.write_jsonl(source, workers.ingest_lines(prefix, INGEST_RECEIPTS))
        ingest = subprocess.Popen([sys.executable, "-m", "harness", "ingest", str(initialized_db), str(source)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.0))  # startup, judging, writing: somewhere in there
        ingest.kill()
        ingest.wait()
        conn = sqlite3.connect(initialized_db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            receipts = conn.execute(
                "SELECT count(*) FROM receipts WHERE execution_id LIKE ?", (prefix + "-%",)
            ).fetchone()[0]
            metrics = conn.execute(
                "SELECT count(*) FROM pipeline_metrics WHERE execution_id LIKE ?", (prefix + "-%",)
            ).fetchone()[0]
        finally:
            conn.close()
        assert receipts in (0, INGEST_RECEIPTS), f"{prefix}: {receipts} of {INGEST_RECEIPTS} receipts"
        assert metrics == len(workers.STAGES) * receipts
        outcomes.append("all" if receipts else "none")
    print(f"\ningest crash: {INGEST_KILLS} SIGKILLs mid-file: {outcomes.count('all')} all, {outcomes.count('none')} none")
