"""Real processes writing and reading one database at once (tests/workers.py runs them).

Writers: half through the Store (batched record_receipts), half through
`ggen-db ingest` (one transaction per file); readers read the views in one
snapshot and compare them with a recomputation from the base tables. Then
8 processes upsert the same agent's memory. The summary line (run with -s)
reads: rows expected vs found, BUSY errors surfaced to a caller, inconsistent
reads, lost updates.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import workers

import harness.engine.db
import harness.store.store
from harness.store.store import Store

WORKERS = Path(__file__).with_name("workers.py")
PROCESSES = 8
RECEIPTS_PER_PROCESS = 2000
STORE_BATCH = 10  # receipts per transaction through the store: many short transactions
READERS = 2
MEMORY_UPDATES_PER_PROCESS = 250


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


@pytest.mark.slow  # about 20-30 s on 2 cores; CI runs it
def test_eight_writers_and_two_readers(initialized_db: Path, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    readers = [spawn("reader", str(initialized_db), str(stop)) for _ in range(READERS)]
    files = []
    for k in range(PROCESSES // 2):
        files.append(tmp_path / f"ingest{k}.jsonl")
        workers.write_jsonl(files[-1], workers.ingest_lines(f"i{k}", RECEIPTS_PER_PROCESS))
    writers = [spawn("store-writer", str(initialized_db), f"w{k}", str(RECEIPTS_PER_PROCESS), str(STORE_BATCH))
               for k in range(PROCESSES // 2)]
    ingesters = [
        subprocess.Popen([sys.executable, "-m", "harness", "ingest", str(initialized_db), str(f)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in files
    ]
    writer_results = [finish(p) for p in writers]
    ingest_results = [finish(p) for p in ingesters]
    stop.touch()
    reader_results = [finish(p) for p in readers]

    for code, _out, err in writer_results + reader_results:
        assert code == 0, err
    for code, _out, err in ingest_results:
        assert code == 0 and "Traceback" not in err, err  # a BUSY here would be exit 2 "database is locked"
    busy_writers = sum(json.loads(out)["busy"] for _, out, _ in writer_results)
    busy_readers = sum(json.loads(out)["busy"] for _, out, _ in reader_results)
    busy = busy_writers + busy_readers
    summaries = [json.loads(out) for _, out, _ in reader_results]
    inconsistent = sum(s["inconsistent"] for s in summaries)

    expected = {
        "receipts": PROCESSES * RECEIPTS_PER_PROCESS,
        "pipeline_metrics": PROCESSES * RECEIPTS_PER_PROCESS * len(workers.STAGES),
        "audit_log": PROCESSES * RECEIPTS_PER_PROCESS * workers.AUDITS_PER_RECEIPT,
    }
    conn = sqlite3.connect(initialized_db)
    found = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in expected}  # noqa: S608 - fixed names
    missing = conn.execute(
        "SELECT count(*) FROM receipts AS r WHERE (SELECT count(*) FROM pipeline_metrics AS m "
        "WHERE m.execution_id = r.execution_id) <> 5"
    ).fetchone()[0]
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    with Store.open(initialized_db) as store:
        final_mismatches = workers.view_mismatches(store)

    print(
        f"\nconcurrency: {PROCESSES} writers x {RECEIPTS_PER_PROCESS} receipts, {READERS} readers: "
        + ", ".join(f"{t} expected {expected[t]} found {found[t]}" for t in expected)
        + f"; BUSY surfaced {busy} ({busy_writers} to writers, {busy_readers} to readers); reads {sum(s['reads'] for s in summaries)}, inconsistent {inconsistent}"
    )
    assert found == expected
    assert missing == 0 and integrity == [("ok",)]
    assert busy == 0
    assert inconsistent == 0, summaries
    assert all(s["reads"] > 0 for s in summaries)
    assert final_mismatches == []


def test_memory_upserts_from_eight_processes_lose_nothing(initialized_db: Path) -> None:
    processes = [spawn("memory", str(initialized_db), "shared-agent", str(MEMORY_UPDATES_PER_PROCESS))
                 for _ in range(PROCESSES)]
    results = [finish(p) for p in processes]
    for code, _, err in results:
        assert code == 0, err
    busy = sum(json.loads(out)["busy"] for _, out, _ in results)
    updates = sum(json.loads(out)["updates"] for _, out, _ in results)
    with Store.open(initialized_db) as store:
        memory = store.memory("shared-agent")
    assert memory is not None
    lost = PROCESSES * MEMORY_UPDATES_PER_PROCESS - memory["retry_count"]
    print(f"\nmemory: {PROCESSES} processes x {MEMORY_UPDATES_PER_PROCESS} upserts of one agent: "
          f"retry_count {memory['retry_count']}, lost updates {lost}, BUSY surfaced {busy}")
    assert updates == PROCESSES * MEMORY_UPDATES_PER_PROCESS
    assert lost == 0 and busy == 0
    assert json.loads(memory["memory_json"])["state"] == "working"


# ------------------------------------------------- the store waits its turn
@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness.engine.db, "BUSY_TIMEOUT_MS", 50)  # connections made from now on wait 50 ms


@pytest.mark.parametrize("write", ["transaction", "autocommit"])
def test_a_write_refused_as_busy_is_retried_not_surfaced(
    initialized_db: Path, short_busy_timeout: None, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    holder = sqlite3.connect(initialized_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer keeps the lock beyond the busy timeout
    pauses: list[float] = []

    def release_on_second_pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            holder.execute("COMMIT")

    monkeypatch.setattr(harness.store.store, "_pause", release_on_second_pause)
    with Store.open(initialized_db) as store:
        if write == "transaction":
            store.record_receipts([workers.bundle("busy", 0)])  # BEGIN IMMEDIATE
        else:
            store.upsert_memory("a1", {"state": "idle"}, count_retry=True)  # one autocommit statement
    holder.close()
    assert len(pauses) == 2
    with Store.open(initialized_db) as store:
        written = store.receipt("busy-0000000") if write == "transaction" else store.memory("a1")
    assert written is not None
