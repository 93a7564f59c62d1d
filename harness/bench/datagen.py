"""Deterministic, realistic ggen data, and a fast bulk loader for it.

One generator defines the data: rows are plain tuples in fixed column
orders (RECEIPT_COLUMNS, ...), drawn from random.Random(seed).random() only
(the one stream Python promises to keep stable across versions). The same
tuples feed both forms:

* generate_bundles / generate_sessions / generate_memory: the row-by-row
  form (ReceiptBundle and friends), for the Store and the tests;
* bulk_load: executemany straight into the tables, with secondary indexes
  and triggers dropped during the load and re-created after, CHECKs skipped
  (PRAGMA integrity_check re-verifies them; tests/test_datagen.py proves the
  loaded database identical to one written through the Store), and the
  rollup tables rebuilt from the base tables at the end.

Every value is explicit (created_at included), so the same DataSpec gives
identical database content. No ANALYZE is run: workloads are defined
without statistics.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import marshal
import math
import os
import random
import sqlite3
import subprocess
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from harness.atomic import SQLITE_COMPANIONS, Replacing
from harness.bench import scales
from harness.engine import db
from harness.errors import UsageError
from harness.store import bulkload
from harness.store.store import ReceiptBundle
from harness.store.validation import dump_json

GENERATOR_VERSION = "1"
DATA_END = "2026-01-30 00:00:00"  # data spans the `days` days before this instant (UTC)
BATCH_RECEIPTS = 5000  # receipts per executemany batch in bulk loads

Progress = Callable[[int, int], None]

RECEIPT_COLUMNS = (
    "execution_id", "agent_id", "operation", "status", "timestamp", "created_at", "manifest_hash",
    "ontology_hash", "files_generated", "files_modified", "duration_ms", "receipt_json", "error_message",
    "environment",
)  # fmt: skip
METRIC_COLUMNS = (
    "execution_id", "stage", "duration_ms", "input_size_bytes", "output_size_bytes", "status",
    "error_message", "timestamp", "created_at",
)  # fmt: skip
VIOLATION_COLUMNS = (
    "execution_id", "metric", "target_value", "actual_value", "severity", "description", "timestamp", "created_at",
)  # fmt: skip
AUDIT_COLUMNS = (
    "timestamp", "agent_id", "operation", "status", "duration_ms", "error_message", "context_json", "created_at",
)  # fmt: skip
SESSION_COLUMNS = (
    "session_id", "start_time", "end_time", "status", "agent_count", "total_duration_ms",
    "successful_operations", "failed_operations", "context_json", "created_at",
)  # fmt: skip
COLLISION_COLUMNS = (
    "session_id", "agent_id_1", "agent_id_2", "collision_type", "description", "resolution", "severity",
    "timestamp", "created_at",
)  # fmt: skip
MEMORY_COLUMNS = (
    "agent_id", "memory_json", "collision_history", "retry_count", "last_error", "updated_at", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class DataSpec:
    """What to generate. sessions=None means one session per 100 receipts (at least 10)."""

    receipts: int
    seed: int = 42
    agents: int = 24
    days: int = 30
    audit_per_receipt: int = 5
    stages_per_receipt: int = 5
    violation_rate: float = 0.01
    sessions: int | None = None
    collisions_per_session: float = 2.0

    def __post_init__(self) -> None:
        if self.receipts < 0 or self.agents < 2 or self.days < 1:
            raise UsageError("DataSpec: receipts must be >= 0, agents >= 2 and days >= 1")
        if not 0 <= self.stages_per_receipt <= 5:
            raise UsageError("DataSpec: stages_per_receipt must be 0..5 (the contract has 5 stages)")
        if not 0.0 <= self.violation_rate <= 1.0 or self.audit_per_receipt < 0:
            raise UsageError("DataSpec: violation_rate must be 0..1 and audit_per_receipt >= 0")

    @classmethod
    def for_scale(cls, scale: str, seed: int = 42) -> DataSpec:
        """The spec of a named scale; UsageError naming --scale and the allowed values."""
        return cls(receipts=scales.receipts(scale), seed=seed)

    @property
    def session_count(self) -> int:
        return self.sessions if self.sessions is not None else max(10, self.receipts // 100)

    @property
    def rows(self) -> int:
        """Rows of the base tables this spec generates (an estimate for violations and collisions)."""
        per_receipt = 1 + self.stages_per_receipt + self.audit_per_receipt + self.violation_rate
        sessions = self.session_count * (1 + self.collisions_per_session)
        return round(self.receipts * per_receipt + sessions) + self.agents

    def cache_key(self, schema_text: str) -> str:
        """What a cached database is keyed by: the schema text, this spec and the generator version."""
        text = "\n".join((schema_text, repr(self), GENERATOR_VERSION))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    """One workflow session and the collisions detected in it."""

    session: Mapping[str, Any]
    collisions: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class LoadStats:
    rows: int
    receipts: int
    seconds: float
    rows_per_second: float


@dataclass
class _Batch:
    """Rows of consecutive receipts, per table, in column order."""

    receipts: list[tuple[Any, ...]] = field(default_factory=list)
    metrics: list[tuple[Any, ...]] = field(default_factory=list)
    violations: list[tuple[Any, ...]] = field(default_factory=list)
    audit: list[tuple[Any, ...]] = field(default_factory=list)

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        return {"receipts": self.receipts, "pipeline_metrics": self.metrics, "slo_violations": self.violations,
                "audit_log": self.audit}  # fmt: skip


# ------------------------------------------------------------- vocabulary
STAGES = ("μ₁_normalize", "μ₂_extract", "μ₃_emit", "μ₄_canonicalize", "μ₅_receipt")
_OPERATIONS = (
    ("generation", 40), ("validation", 15), ("normalization", 10), ("extraction", 8), ("emission", 8),
    ("canonicalization", 6), ("receipt", 6), ("dry_run", 4), ("watch", 3),
)  # fmt: skip
_STATUSES = (("passed", 85), ("failed", 8), ("partial", 4), ("cancelled", 3))
_ENVIRONMENTS = (("production", 70), ("staging", 20), ("dev", 10))
_ERRORS = (
    "ontology parse error: unexpected token at line 42",
    "template render failed: undefined variable 'module_name'",
    "timeout after 30000 ms waiting for the canonicalizer",
    "SHACL validation: 3 shapes violated",
    "write conflict on generated/src/lib.rs",
)
_FILES = ("src/lib.rs", "src/main.rs", "src/model.py", "api/schema.graphql", "docs/index.md", "Cargo.toml",
          "src/handlers/user's.ts", "tests/test_gen.py", "ontology/core.ttl", "templates/ŝtruct.tera")  # fmt: skip
_METRICS = (("p99_latency_ms", 500.0), ("stage_duration_ms", 2000.0), ("memory_mb", 512.0), ("error_rate", 0.01))
_COLLISION_TYPES = (("file_conflict", 45), ("memory_conflict", 20), ("semantic_overlap", 20), ("structural_overlap", 15))
_SEVERITIES = (("info", 60), ("warning", 30), ("critical", 10))
_SESSION_STATUSES = (("completed", 80), ("failed", 10), ("cancelled", 10))
_AGENT_STATES = ("idle", "planning", "generating", "validating", "waiting", "blocked")
# Timestamp forms writers send (contract timestamp_rule), with how often they are sent.
_FORMS = (("z", 40), ("utc_offset", 15), ("offset", 10), ("naive", 20), ("sqlite", 15))
_OFFSETS = (120, -300, 330, 60, -480)  # minutes east of UTC
_DAY_MS = 86_400_000


def _weights(pairs: Sequence[tuple[Any, int | float]]) -> tuple[tuple[Any, ...], list[float]]:
    total = sum(w for _, w in pairs)
    cumulative, acc = [], 0.0
    for _, w in pairs:
        acc += w / total
        cumulative.append(acc)
    cumulative[-1] = 1.0
    return tuple(v for v, _ in pairs), cumulative


def _pick(choices: tuple[tuple[Any, ...], list[float]], r: float) -> Any:
    values, cumulative = choices
    return values[min(bisect(cumulative, r), len(values) - 1)]


_OPERATION_PICK = _weights(_OPERATIONS)
_STATUS_PICK = _weights(_STATUSES)
_ENVIRONMENT_PICK = _weights(_ENVIRONMENTS)
_FORM_PICK = _weights(_FORMS)
_COLLISION_PICK = _weights(_COLLISION_TYPES)
_SEVERITY_PICK = _weights(_SEVERITIES)
_SESSION_STATUS_PICK = _weights(_SESSION_STATUSES)


def _hash_pool(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest() for i in range(n))


_MANIFESTS = _hash_pool("manifest", 256)
_ONTOLOGIES = _hash_pool("ontology", 16)


# ------------------------------------------------------------- timestamps
class _Clock:
    """Formats instants (ms since DATA_END minus `days`) in the writers' forms."""

    def __init__(self, days: int) -> None:
        end = datetime.fromisoformat(DATA_END)
        self.start = end - timedelta(days=days)
        # Date strings for every day an offset can reach (one day either side).
        self._dates = [(self.start + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(-1, days + 2)]

    def _parts(self, ms: int) -> tuple[str, int, int, int, int]:
        day, rest = divmod(ms, _DAY_MS)
        hour, rest = divmod(rest, 3_600_000)
        minute, rest = divmod(rest, 60_000)
        second, millis = divmod(rest, 1000)
        return self._dates[day + 1], hour, minute, second, millis

    def sqlite(self, ms: int) -> str:
        """'YYYY-MM-DD HH:MM:SS' (what datetime('now') writes; seconds only)."""
        date, h, m, s, _ = self._parts(ms)
        return f"{date} {h:02d}:{m:02d}:{s:02d}"

    def form(self, ms: int, form: str) -> str:
        if form == "z":
            date, h, m, s, f = self._parts(ms)
            return f"{date}T{h:02d}:{m:02d}:{s:02d}.{f:03d}Z"
        if form == "utc_offset":
            date, h, m, s, f = self._parts(ms)
            return f"{date}T{h:02d}:{m:02d}:{s:02d}.{f:03d}+00:00"
        if form == "naive":  # datetime.isoformat() of a UTC time: microseconds, no zone
            date, h, m, s, f = self._parts(ms)
            return f"{date}T{h:02d}:{m:02d}:{s:02d}.{f:03d}000"
        if form == "sqlite":
            return self.sqlite(ms)
        offset = _OFFSETS[ms % len(_OFFSETS)]
        date, h, m, s, f = self._parts(ms + offset * 60_000)
        sign = "+" if offset >= 0 else "-"
        return f"{date}T{h:02d}:{m:02d}:{s:02d}.{f:03d}{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def _form_for(ms: int, r: float, latest: int) -> tuple[int, str]:
    """A form drawn by r for the instant ms. The seconds-only form needs a whole second:
    ms is rounded up to one when that stays <= latest, else the 'Z' form is used."""
    form = _pick(_FORM_PICK, r)
    if form == "sqlite":
        up = -(-ms // 1000) * 1000
        return (up, form) if up <= latest else (ms, "z")
    return ms, form


def _stamp(clock: _Clock, ms: int, r: float, latest: int) -> str:
    return clock.form(*_form_for(ms, r, latest))


# --------------------------------------------------------------- receipts
class _ReceiptGenerator:
    """Draws receipts one by one; all state is the spec and one random stream."""

    def __init__(self, spec: DataSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.clock = _Clock(spec.days)
        self.span = spec.days * _DAY_MS
        self.agents = tuple(f"agent-{k:02d}" for k in range(1, spec.agents + 1))
        # Zipf-like activity: agent k is picked with weight 1/k.
        self.agent_pick = _weights([(a, 1.0 / (k + 1)) for k, a in enumerate(self.agents)])
        self.stages = STAGES[: spec.stages_per_receipt]

    def _instant(self, i: int) -> int:
        """Receipt i's start, chronological in i, busier around midday (UTC)."""
        n = max(self.spec.receipts, 1)
        q = (i + self.rng.random()) / n * self.spec.days
        day = int(q)
        f = q - day
        f = f + 0.6 * math.sin(2 * math.pi * f) / (2 * math.pi)  # monotone warp: denser near noon
        return min(day * _DAY_MS + int(f * _DAY_MS), self.span - 1)

    def _duration(self) -> int:
        # Log-normal, median ~1.2 s, long tail; Box-Muller from the stable random() stream.
        r1, r2 = self.rng.random(), self.rng.random()
        normal = math.sqrt(-2.0 * math.log(1.0 - r1)) * math.cos(2 * math.pi * r2)
        return max(5, min(int(1200 * math.exp(0.9 * normal)), 600_000))

    def receipt(self, i: int, batch: _Batch) -> None:
        """Append receipt i (1-based) and its rows to batch."""
        rnd, clock = self.rng.random, self.clock
        execution_id = f"exec-{i:06d}"
        start, form = _form_for(self._instant(i - 1), rnd(), self.span - 1)
        duration = self._duration()
        end = start + duration
        agent = _pick(self.agent_pick, rnd())
        operation = _pick(_OPERATION_PICK, rnd())
        status = _pick(_STATUS_PICK, rnd())
        created_at = clock.sqlite(end)
        error = _ERRORS[int(rnd() * len(_ERRORS))] if status == "failed" else None
        files = 1 + int(rnd() * 12) if status == "passed" else int(rnd() * 3)
        manifest = _MANIFESTS[int(rnd() * len(_MANIFESTS))]
        ontology = _ONTOLOGIES[int(rnd() * len(_ONTOLOGIES))]
        failed_stage = int(rnd() * len(self.stages)) if status == "failed" and self.stages else -1
        stage_parts = self._stages(execution_id, start, duration, failed_stage, created_at, batch)
        first = int(rnd() * len(_FILES))
        file_list = ",".join(f'"{_FILES[(first + k) % len(_FILES)]}"' for k in range(min(files, 3)))
        receipt_json = (
            f'{{"execution_id":"{execution_id}","files":[{file_list}],"stages":[{stage_parts}],'
            f'"hashes":{{"manifest":"{manifest}","ontology":"{ontology}"}},'
            f'"metadata":{{"agent":"{agent}","operation":"{operation}"}}}}'
        )
        batch.receipts.append((
            execution_id, agent, operation, status, clock.form(start, form), created_at,
            manifest, ontology, files, int(rnd() * 3), duration, receipt_json, error,
            _pick(_ENVIRONMENT_PICK, rnd()),
        ))  # fmt: skip
        if rnd() < self.spec.violation_rate:
            self._violation(execution_id, end, duration, created_at, batch)
        self._audit(execution_id, agent, operation, status, start, duration, error, created_at, batch)

    def _stages(self, execution_id: str, start: int, duration: int, failed: int, created_at: str, batch: _Batch) -> str:
        rnd, parts = self.rng.random, []
        at, left = start, duration
        for k, stage in enumerate(self.stages):
            share = left if k == len(self.stages) - 1 else int(left * (0.15 + 0.3 * rnd()))
            stage_status = "failed" if k == failed else "passed"
            size_in = int(2_000 + rnd() * 500_000)
            batch.metrics.append((
                execution_id, stage, share, size_in, int(size_in * (0.5 + rnd())), stage_status,
                _ERRORS[k % len(_ERRORS)] if k == failed else None, _stamp(self.clock, at, rnd(), start + duration),
                created_at,
            ))  # fmt: skip
            parts.append(f'{{"stage":"{stage}","duration_ms":{share},"status":"{stage_status}"}}')
            at += share
            left -= share
        return ",".join(parts)

    def _violation(self, execution_id: str, end: int, duration: int, created_at: str, batch: _Batch) -> None:
        rnd = self.rng.random
        metric, target = _METRICS[int(rnd() * len(_METRICS))]
        actual = round(target * (1.1 + 2.0 * rnd()), 3)
        severity = "critical" if actual > 2 * target else "warning"
        batch.violations.append((
            execution_id, metric, target, actual, severity,
            f"{metric} {actual} exceeded target {target}" if rnd() < 0.8 else None,
            self.clock.form(end, "z"), created_at,
        ))  # fmt: skip

    def _audit(
        self, execution_id: str, agent: str, operation: str, status: str, start: int, duration: int,
        error: str | None, created_at: str, batch: _Batch,
    ) -> None:  # fmt: skip
        """Audit rows inside [start, start + duration]: started, steps, then the outcome."""
        rnd, n = self.rng.random, self.spec.audit_per_receipt
        context = f'{{"execution_id":"{execution_id}"}}'
        for k in range(n):
            at = start + duration * k // max(n, 1)
            if k == 0:
                row_status, op, took, err = "started", f"{operation}.start", None, None
            elif k == n - 1:
                row_status = "failed" if status == "failed" else ("skipped" if status == "cancelled" else "completed")
                op, took, err = f"{operation}.finish", duration, error
            else:
                row_status, op, took, err = "completed", f"{operation}.step{k}", duration // n, None
            batch.audit.append(
                (_stamp(self.clock, at, rnd(), start + duration), agent, op, row_status, took, err, context, created_at)
            )


def _receipt_batches(spec: DataSpec, size: int = BATCH_RECEIPTS) -> Iterator[_Batch]:
    generator = _ReceiptGenerator(spec)
    batch = _Batch()
    for i in range(1, spec.receipts + 1):
        generator.receipt(i, batch)
        if len(batch.receipts) >= size:
            yield batch
            batch = _Batch()
    if batch.receipts:
        yield batch


def generate_bundles(spec: DataSpec) -> Iterator[ReceiptBundle]:
    """The receipts of spec, one ReceiptBundle per execution, in order (deterministic)."""
    for batch in _receipt_batches(spec, size=1):
        receipt = batch.receipts[0]
        yield ReceiptBundle(
            receipt=dict(zip(RECEIPT_COLUMNS, receipt, strict=True)),
            stage_metrics=[dict(zip(METRIC_COLUMNS, r, strict=True)) for r in batch.metrics],
            slo_violations=[dict(zip(VIOLATION_COLUMNS, r, strict=True)) for r in batch.violations],
            audit_entries=[dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in batch.audit],
        )


# ------------------------------------------------- sessions, memory
def _session_rows(spec: DataSpec) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    rng = random.Random(spec.seed * 1_000_003 + 1)  # its own stream: sessions do not shift receipts
    rnd, clock = rng.random, _Clock(spec.days)
    agents = [f"agent-{k:02d}" for k in range(1, spec.agents + 1)]
    n, span = spec.session_count, spec.days * _DAY_MS
    for s in range(1, n + 1):
        session_id = f"session-{s:04d}"
        start = int((s - 1 + rnd()) / n * (span - 3_600_000))
        length = int(60_000 + rnd() * 3_000_000)
        count = 2 + int(rnd() * min(5, spec.agents - 1))
        first, stride = int(rnd() * spec.agents), 7 if spec.agents % 7 else 1
        members = [agents[(first + k * stride) % spec.agents] for k in range(count)]
        running = s > n - max(1, n // 50)  # the newest sessions are still open
        status = "running" if running else _pick(_SESSION_STATUS_PICK, rnd())
        ok_ops = int(rnd() * 40)
        failed_ops = int(rnd() * 4) if status != "completed" else 0
        context = dump_json({"session_id": session_id, "agents": members})
        start, form = _form_for(start, rnd(), start + 999)
        session = (
            session_id, clock.form(start, form), None if running else clock.form(start + length, "z"),
            status, count, None if running else length, ok_ops, failed_ops, context, clock.sqlite(start),
        )  # fmt: skip
        collisions = []
        for c in range(int(rnd() * (2 * spec.collisions_per_session + 1))):
            a, b = members[int(rnd() * count)], members[int(rnd() * count)]
            if a == b:
                b = members[(members.index(a) + 1) % count]
            kind, severity = _pick(_COLLISION_PICK, rnd()), _pick(_SEVERITY_PICK, rnd())
            at = start + int((c + 1) * length / (2 * spec.collisions_per_session + 2))
            resolution = None if rnd() < 0.2 else ("merged", "agent_1_wins", "agent_2_wins", "retried")[int(rnd() * 4)]
            collisions.append((
                session_id, a, b, kind, f"{kind.replace('_', ' ')} on {_FILES[int(rnd() * len(_FILES))]}",
                resolution, severity, _stamp(clock, at, rnd(), at), clock.sqlite(at),
            ))  # fmt: skip
        yield session, collisions


def generate_sessions(spec: DataSpec) -> Iterator[SessionRecord]:
    """Workflow sessions of spec with their collisions (deterministic)."""
    for session, collisions in _session_rows(spec):
        yield SessionRecord(
            session=dict(zip(SESSION_COLUMNS, session, strict=True)),
            collisions=[dict(zip(COLLISION_COLUMNS, c, strict=True)) for c in collisions],
        )


def _memory_rows(spec: DataSpec) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(spec.seed * 1_000_003 + 2)
    rnd, clock = rng.random, _Clock(spec.days)
    span = spec.days * _DAY_MS
    for k in range(1, spec.agents + 1):
        agent = f"agent-{k:02d}"
        # Most agents were active lately; every fifth has gone quiet (stale memory).
        updated = span - int(rnd() * 7_200_000) if k % 5 else int(rnd() * span / 4)
        state = _AGENT_STATES[int(rnd() * len(_AGENT_STATES))]
        memory = (
            f'{{"state":"{state}","context":{{"last_file":"{_FILES[k % len(_FILES)]}"}},'
            f'"history":["{_AGENT_STATES[(k + 1) % 6]}","{state}"],"counters":{{"retries":{k % 4},"runs":{k * 17}}}}}'
        )
        history = (
            f'[{{"session_id":"session-{k:04d}","other_agent":"agent-{k % spec.agents + 1:02d}",'
            f'"collision_type":"file_conflict","severity":"warning","resolution":null,"timestamp":"{clock.form(updated, "z")}"}}]'
            if k % 3 == 0
            else None
        )
        error = _ERRORS[k % len(_ERRORS)] if k % 4 == 0 else None
        yield (agent, memory, history, k % 4, error, _stamp(clock, updated, rnd(), span - 1), clock.sqlite(updated))


def generate_memory(spec: DataSpec) -> Iterator[dict[str, Any]]:
    """One agent_memory row per agent (deterministic)."""
    for row in _memory_rows(spec):
        yield dict(zip(MEMORY_COLUMNS, row, strict=True))


# ------------------------------------------------------------ bulk load
PARALLEL_FROM = 50_000  # receipts; below this a second process costs more than it saves
RECEIPT_TABLES = {
    "receipts": RECEIPT_COLUMNS,
    "pipeline_metrics": METRIC_COLUMNS,
    "slo_violations": VIOLATION_COLUMNS,
    "audit_log": AUDIT_COLUMNS,
}
OTHER_TABLES = {
    "workflow_sessions": SESSION_COLUMNS,
    "collision_detection": COLLISION_COLUMNS,
    "agent_memory": MEMORY_COLUMNS,
}


def bulk_load(
    conn: sqlite3.Connection, spec: DataSpec, *, progress: Progress | None = None, parallel: bool | None = None
) -> LoadStats:
    """Load spec's data into a database that already has the schema, fast (see harness.store.bulkload).

    The rows are exactly those of generate_bundles / generate_sessions /
    generate_memory. parallel=True generates them in a second process while
    this one inserts (default: from PARALLEL_FROM receipts on).
    """
    began = time.perf_counter()
    total, done = spec.rows, 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress(min(done, total), total)

    use_process = spec.receipts >= PARALLEL_FROM if parallel is None else parallel
    receipts = _batches_from_process(spec) if use_process else (b.tables() for b in _receipt_batches(spec))
    batches = itertools.chain(receipts, [_other_rows(spec)])
    rows = bulkload.load(conn, {**RECEIPT_TABLES, **OTHER_TABLES}, batches, on_batch=advance)
    if progress:
        progress(rows, rows)
    seconds = time.perf_counter() - began
    return LoadStats(rows=rows, receipts=spec.receipts, seconds=seconds, rows_per_second=rows / seconds if seconds else 0.0)


def _other_rows(spec: DataSpec) -> dict[str, list[tuple[Any, ...]]]:
    sessions, collisions = [], []
    for session, session_collisions in _session_rows(spec):
        sessions.append(session)
        collisions.extend(session_collisions)
    return {"workflow_sessions": sessions, "collision_detection": collisions, "agent_memory": list(_memory_rows(spec))}


# The second process is a plain `python -c` child (not multiprocessing, whose
# spawn re-runs the caller's main script): it writes marshalled batches to its
# stdout, each after its length, and the pipe's buffer is the back-pressure.
_WORKER = "import sys; from harness.bench.datagen import serve_batches; serve_batches(sys.argv[1])"


def serve_batches(spec_json: str) -> None:
    """Entry point of the generator process: spec as JSON in, marshalled batches on stdout."""
    spec = DataSpec(**json.loads(spec_json))
    out = sys.stdout.buffer
    for batch in _receipt_batches(spec):
        frame = marshal.dumps(batch.tables())
        out.write(len(frame).to_bytes(8, "little"))
        out.write(frame)
    out.flush()


def _batches_from_process(spec: DataSpec) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """spec's receipt batches, generated by a child process, in order."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-c", _WORKER, json.dumps(asdict(spec))],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert child.stdout is not None and child.stderr is not None
    try:
        # Length-prefixed frames: marshal.load on a pipe reads object by object (slow), loads() is not.
        while header := child.stdout.read(8):
            frame = child.stdout.read(int.from_bytes(header, "little"))
            yield marshal.loads(frame)  # noqa: S302 - our own child's output
        error = child.stderr.read().decode("utf-8", "replace").strip()
        if child.wait() != 0:
            raise RuntimeError(f"data generator process failed (exit {child.returncode}): {error[-2000:]}")
    finally:
        if child.poll() is None:
            child.kill()  # only on an early exit; the process is ours
            child.wait()
        child.stdout.close()
        child.stderr.close()


def build_database(
    path: str | os.PathLike[str],
    spec: DataSpec,
    *,
    schema_file: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> LoadStats:
    """A fresh file database at path: the schema, then spec's data bulk-loaded; WAL on at the end.

    Refuses (UsageError) to touch an existing file; removes what it created when it fails.
    """
    target = Path(path)
    if target.exists():
        raise UsageError(f"{target}: already exists; build_database only creates new databases")
    try:
        conn = bulkload.fresh_database(target, schema_file)
        try:
            stats = bulk_load(conn, spec, progress=progress)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
    except BaseException:
        for leftover in bulkload.leftovers(target):  # the file is ours: it did not exist
            leftover.unlink(missing_ok=True)
        raise
    return stats


def default_cache_dir() -> Path:
    """$GGEN_DB_CACHE, else ~/.cache/ggen-db."""
    override = os.environ.get("GGEN_DB_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "ggen-db"


def cached_database(
    spec: DataSpec,
    *,
    schema_file: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """A database for spec, built once and reused (keyed by schema text, spec and generator version).

    Built under a temporary name and renamed into place, so a crashed or
    concurrent build never leaves a half-built database under the real name.
    """
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    key = spec.cache_key(db.read_schema(schema_file))
    final = directory / f"ggen-{spec.receipts}-{spec.seed}-{key[:16]}.db"
    if final.exists():
        return final
    with Replacing(final, companions=SQLITE_COMPANIONS) as temporary:
        build_database(temporary, spec, schema_file=schema_file, progress=progress)
    return final


__all__ = [
    "DATA_END", "DataSpec", "LoadStats", "SessionRecord", "build_database", "bulk_load",
    "cached_database", "default_cache_dir", "generate_bundles", "generate_memory", "generate_sessions",
]  # fmt: skip
