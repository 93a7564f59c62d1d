"""Helpers for the multi-process tests: data generators, and worker processes run as scripts.

    python tests/workers.py store-writer DB PREFIX COUNT BATCH
    python tests/workers.py memory DB AGENT COUNT
    python tests/workers.py reader DB STOP_FILE
    python tests/workers.py crash-writer DB LOG_FILE SEED
    python tests/workers.py write-jsonl FILE PREFIX COUNT

Each worker prints one JSON summary line on stdout when it ends (the crash
writer never ends: it is killed). Workers count "database is locked" errors
that reach them (they should never: the busy timeout absorbs contention) and
retry, so the row counts stay meaningful even when that check fails.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from harness.engine import db
from harness.store.store import ReceiptBundle, Store

STAGES = ("μ₁_normalize", "μ₂_extract", "μ₃_emit", "μ₄_canonicalize", "μ₅_receipt")
OPERATIONS = ("generation", "validation", "emission", "canonicalization")
STATUSES = ("passed", "passed", "passed", "failed", "partial")
AUDITS_PER_RECEIPT = 2
BASE = datetime(2026, 1, 29, tzinfo=timezone.utc)
READ_PAUSE_S = 0.01
CRASH_BATCH_MAX = 120  # receipts per crash-writer batch: long transactions, so kills land inside them
T = TypeVar("T")


# -------------------------------------------------------------- generators
def timestamp(seconds: float, form: int) -> str:
    """The same moment in the four forms ggen writers use (REFERENCE section 4)."""
    moment = BASE + timedelta(seconds=seconds)
    if form == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 1:
        return moment.isoformat(timespec="seconds")  # +00:00
    if form == 2:
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def execution_rows(prefix: str, i: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One execution: (receipt, 5 stage metrics, 2 audit rows), deterministic in (prefix, i)."""
    rng = random.Random(f"{prefix}:{i}")
    agent = f"{prefix}-agent-{i % 4}"
    execution_id = f"{prefix}-{i:07d}"
    duration = rng.randint(5, 500)
    when = i * 7.0
    receipt = {
        "execution_id": execution_id,
        "agent_id": agent,
        "operation": OPERATIONS[i % len(OPERATIONS)],
        "status": STATUSES[i % len(STATUSES)],
        "timestamp": timestamp(when, i % 4),
        "duration_ms": duration,
        "files_generated": rng.randint(0, 9),
        "receipt_json": {"execution_id": execution_id, "files": [f"out/{i}.rs"]},
    }
    metrics = [
        {
            "execution_id": execution_id,
            "stage": stage,
            "duration_ms": rng.randint(1, 100),
            "status": "passed" if rng.random() < 0.9 else "failed",
            "timestamp": timestamp(when, 0),
        }
        for stage in STAGES
    ]
    audits = [
        {
            "timestamp": timestamp(when + k * 0.001, 0),
            "agent_id": agent,
            "operation": f"emit {execution_id} step {k}",
            "status": "completed",
            "duration_ms": rng.randint(0, 50),
        }
        for k in range(AUDITS_PER_RECEIPT)
    ]
    return receipt, metrics, audits


def bundle(prefix: str, i: int) -> ReceiptBundle:
    receipt, metrics, audits = execution_rows(prefix, i)
    return ReceiptBundle(receipt, stage_metrics=metrics, audit_entries=audits)


def ingest_lines(prefix: str, count: int) -> Iterator[dict[str, Any]]:
    """The same executions as ingest lines: receipt, its stage metrics, its audit rows."""
    for i in range(count):
        receipt, metrics, audits = execution_rows(prefix, i)
        yield {"kind": "receipt", **receipt}
        for metric in metrics:
            yield {"kind": "stage_metric", **metric}
        for audit in audits:
            yield {"kind": "audit", **audit}


def write_jsonl(path: str | os.PathLike[str], lines: Iterator[dict[str, Any]]) -> int:
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            written += 1
    return written


def is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error)
    return "locked" in text or "busy" in text


def retrying(action: Callable[[], T], tally: dict[str, int]) -> T:
    """Run action; a BUSY that reaches us is counted (it is a failure) and retried after a pause."""
    while True:
        try:
            return action()
        except sqlite3.OperationalError as e:
            if not is_busy(e):
                raise
            tally["busy"] += 1
            time.sleep(0.05)


# ------------------------------------------------------------------ workers
def store_writer(db_path: str, prefix: str, count: int, batch: int) -> dict[str, Any]:
    tally: dict[str, Any] = {"busy": 0, "written": 0, "slowest_s": 0.0}
    with Store.open(db_path) as store:
        for start in range(0, count, batch):
            bundles = [bundle(prefix, i) for i in range(start, min(count, start + batch))]
            began = time.monotonic()
            tally["written"] += retrying(partial(store.record_receipts, bundles), tally)
            tally["slowest_s"] = round(max(tally["slowest_s"], time.monotonic() - began), 3)
    return tally


def memory_updater(db_path: str, agent: str, count: int) -> dict[str, Any]:
    tally = {"busy": 0, "updates": 0}
    with Store.open(db_path) as store:
        for i in range(count):
            memory: dict[str, Any] = {"state": "working", "counters": {"pid": os.getpid(), "i": i}}

            def upsert(m: dict[str, Any] = memory) -> None:
                store.upsert_memory(agent, m, count_retry=True)

            retrying(upsert, tally)
            tally["updates"] += 1
    return tally


CONSISTENCY_AGENTS = """
SELECT agent_id, count(*), sum(status = 'passed'), sum(status = 'failed'),
       round(CAST(sum(duration_ms) AS REAL) / count(*), 2), min(duration_ms), max(duration_ms), sum(files_generated)
FROM receipts GROUP BY agent_id ORDER BY agent_id
"""
CONSISTENCY_STAGES = """
SELECT stage, count(*), round(CAST(sum(duration_ms) AS REAL) / count(*), 2), min(duration_ms), max(duration_ms),
       sum(status = 'passed'), sum(status = 'failed')
FROM pipeline_metrics GROUP BY stage ORDER BY stage
"""


def view_mismatches(store: Store) -> list[str]:
    """Compare the views (rollup-backed) with a recomputation from the base tables, in one snapshot."""
    agents = sorted(
        (
            r["agent_id"],
            r["total_executions"],
            r["successful_executions"],
            r["failed_executions"],
            r["avg_duration_ms"],
            r["min_duration_ms"],
            r["max_duration_ms"],
            r["total_files_generated"],
        )
        for r in store.agent_performance_summary()
    )
    stages = sorted(
        (r["stage"], r["executions"], r["avg_duration_ms"], r["min_duration_ms"], r["max_duration_ms"], r["passed"], r["failed"])
        for r in store.pipeline_stage_performance()
    )
    problems = []
    if agents != [tuple(r) for r in store.conn.execute(CONSISTENCY_AGENTS)]:
        problems.append("agent_performance_summary differs from receipts")
    if stages != [tuple(r) for r in store.conn.execute(CONSISTENCY_STAGES)]:
        problems.append("pipeline_stage_performance differs from pipeline_metrics")
    return problems


def reader(db_path: str, stop_file: str) -> dict[str, Any]:
    tally: dict[str, Any] = {"busy": 0, "reads": 0, "inconsistent": 0, "problems": []}
    store = Store(db.connect(db_path))
    try:
        while True:
            stopping = Path(stop_file).exists()  # one last read after the writers are done
            try:
                store.conn.execute("BEGIN")  # one snapshot for the views and their recomputation
                store.recent_executions(10)
                problems = view_mismatches(store)
                store.conn.execute("COMMIT")
            except sqlite3.OperationalError as e:
                if not is_busy(e):
                    raise
                tally["busy"] += 1
                if store.conn.in_transaction:
                    store.conn.execute("ROLLBACK")
                continue
            tally["reads"] += 1
            time.sleep(READ_PAUSE_S)  # a dashboard polls; a tight loop would only steal the writers' CPU
            if problems:
                tally["inconsistent"] += 1
                tally["problems"] = sorted(set(tally["problems"]) | set(problems))
            if stopping:
                return tally
    finally:
        store.conn.close()


def crash_writer(db_path: str, log_path: str, seed: int) -> None:
    """Write batches forever, logging each; killed by the test.

    Log lines: "ready"; "begin <batch id>" before a batch (flushed: a killed process's
    written data survives, so the test knows a batch was in flight); "<batch id> <receipts>"
    after its COMMIT returned (flush + fsync). The batch id holds its size (n<size>).
    """
    rng = random.Random(seed)
    with open(log_path, "a", encoding="utf-8") as log, Store.open(db_path) as store:

        def note(text: str, *, sync: bool = True) -> None:
            log.write(text + "\n")
            log.flush()
            if sync:
                os.fsync(log.fileno())

        note("ready")
        number = 0
        while True:
            number += 1
            size = rng.randint(1, CRASH_BATCH_MAX)
            batch_id = f"s{seed}b{number}n{size}"  # the size in the id: a batch is checkable unlogged
            note(f"begin {batch_id}", sync=False)
            store.record_receipts([bundle(batch_id, i) for i in range(size)])
            note(f"{batch_id} {size}")


def main(argv: list[str]) -> int:
    role, *args = argv
    if role == "store-writer":
        summary = store_writer(args[0], args[1], int(args[2]), int(args[3]))
    elif role == "memory":
        summary = memory_updater(args[0], args[1], int(args[2]))
    elif role == "reader":
        summary = reader(args[0], args[1])
    elif role == "crash-writer":
        crash_writer(args[0], args[1], int(args[2]))
        return 0
    elif role == "write-jsonl":
        summary = {"lines": write_jsonl(args[0], ingest_lines(args[1], int(args[2])))}
    else:
        print(f"unknown role {role!r}", file=sys.stderr)
        return 2
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
