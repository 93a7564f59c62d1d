"""A stateful property test: random sequences of Store calls against a plain Python model.

Rules record receipts (with stage metrics, SLO violations and audit rows),
batches of them, memory upserts, sessions, collisions, archival, and writes
that must be refused. Ids come from small pools, so duplicates, unknown
sessions and repeated upserts happen often. After every step the database
must match the model: row counts, both aggregate views (rollup-backed) and
retry counts, with integrity_check and foreign_key_check clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from harness.engine.db import scratch_database
from harness.errors import ValidationError
from harness.store.store import ReceiptBundle, Store, utc_text

EXECUTIONS = [f"e{i}" for i in range(12)]
AGENTS = ["a1", "a2", "o'brien", "x'); DELETE FROM audit_log; --"]
SESSIONS = ["s1", "s2", "s3"]
STAGES = ["μ₁_normalize", "μ₂_extract", "μ₃_emit", "μ₄_canonicalize", "μ₅_receipt"]
BASE = datetime(2026, 1, 29, tzinfo=timezone.utc)


def timestamp(seconds: int, form: int) -> str:
    """One moment in the writers' four forms; the offset form uses +02:00 so UTC conversion matters."""
    moment = BASE + timedelta(seconds=seconds)
    if form == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 1:
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    if form == 2:
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


TIMESTAMPS = st.builds(timestamp, st.integers(0, 10 * 86400), st.integers(0, 3))
METRIC = st.fixed_dictionaries({
    "stage": st.sampled_from(STAGES),
    "duration_ms": st.integers(0, 10_000),
    "status": st.sampled_from(["passed", "failed"]),
    "timestamp": TIMESTAMPS,
})
VIOLATION = st.fixed_dictionaries({
    "metric": st.sampled_from(["latency_p99", "error_rate"]),
    "target_value": st.floats(0, 1000),
    "actual_value": st.floats(0, 1000),
    "severity": st.sampled_from(["warning", "critical"]),
    "timestamp": TIMESTAMPS,
})


@st.composite
def bundles(draw: st.DrawFn) -> ReceiptBundle:
    execution_id = draw(st.sampled_from(EXECUTIONS))
    agent = draw(st.sampled_from(AGENTS))
    receipt = {
        "execution_id": execution_id,
        "agent_id": agent,
        "operation": draw(st.sampled_from(["generation", "validation", "emission"])),
        "status": draw(st.sampled_from(["passed", "failed", "partial", "cancelled"])),
        "timestamp": draw(TIMESTAMPS),
        "duration_ms": draw(st.integers(0, 100_000)),
        "files_generated": draw(st.integers(0, 20)),
    }
    audits = [{"timestamp": draw(TIMESTAMPS), "agent_id": agent, "operation": f"step of {execution_id}",
               "status": "completed"} for _ in range(draw(st.integers(0, 2)))]
    return ReceiptBundle(
        receipt,
        stage_metrics=draw(st.lists(METRIC, max_size=5)),
        slo_violations=draw(st.lists(VIOLATION, max_size=2)),
        audit_entries=audits,
    )


BAD_RECEIPT_CHANGES = st.sampled_from([
    {"status": "succeeded"}, {"duration_ms": -1}, {"timestamp": "yesterday-ish"}, {"agent_id": "  "},
    {"receipt_json": "{not json"}, {"operation": "compile"}, {"duration_ms": "12ms"},
])


@dataclass
class ModelReceipt:
    agent: str
    status: str
    duration: int
    files: int
    utc: str
    metrics: list[dict[str, Any]]
    violations: int
    audits: int


@dataclass
class Model:
    receipts: dict[str, ModelReceipt] = field(default_factory=dict)
    audit_rows: int = 0
    memory: dict[str, int] = field(default_factory=dict)  # agent -> retry_count
    sessions: dict[str, str] = field(default_factory=dict)  # session -> status
    collisions: int = 0

    def add(self, bundle: ReceiptBundle) -> None:
        r = bundle.receipt
        self.receipts[r["execution_id"]] = ModelReceipt(
            r["agent_id"], r["status"], r["duration_ms"], r["files_generated"],
            utc_text(r["timestamp"], table="receipts", column="timestamp"),
            [dict(m) for m in bundle.stage_metrics], len(bundle.slo_violations), len(bundle.audit_entries),
        )
        self.audit_rows += len(bundle.audit_entries)

    def agents_view(self) -> list[tuple[Any, ...]]:
        by_agent: dict[str, list[ModelReceipt]] = {}
        for receipt in self.receipts.values():
            by_agent.setdefault(receipt.agent, []).append(receipt)
        rows = []
        for agent, rs in by_agent.items():
            durations = [r.duration for r in rs]
            rows.append((agent, len(rs), sum(r.status == "passed" for r in rs), sum(r.status == "failed" for r in rs),
                         sum(durations) / len(rs), min(durations), max(durations), sum(r.files for r in rs),
                         max(r.utc for r in rs)))
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    def stages_view(self) -> dict[str, tuple[Any, ...]]:
        by_stage: dict[str, list[dict[str, Any]]] = {}
        for receipt in self.receipts.values():
            for metric in receipt.metrics:
                by_stage.setdefault(metric["stage"], []).append(metric)
        return {
            stage: (len(ms), sum(m["duration_ms"] for m in ms) / len(ms), min(m["duration_ms"] for m in ms),
                    max(m["duration_ms"] for m in ms), sum(m["status"] == "passed" for m in ms),
                    sum(m["status"] == "failed" for m in ms))
            for stage, ms in by_stage.items()
        }


class StoreMachine(RuleBasedStateMachine):
    @initialize()
    def open_database(self) -> None:
        self.store = Store(scratch_database())
        self.model = Model()

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.conn.close()

    # ---------------------------------------------------------------- rules
    @rule(bundle=bundles())
    def record_receipt(self, bundle: ReceiptBundle) -> None:
        if bundle.receipt["execution_id"] in self.model.receipts:
            with pytest.raises(ValidationError) as refused:
                self.store.record_receipt(bundle)
            assert (refused.value.column, refused.value.rule) == ("execution_id", "unique")
            return
        self.store.record_receipt(bundle)
        self.model.add(bundle)

    @rule(batch=st.lists(bundles(), min_size=2, max_size=4))
    def record_receipts(self, batch: list[ReceiptBundle]) -> None:
        ids = [b.receipt["execution_id"] for b in batch]
        if len(set(ids)) < len(ids) or any(i in self.model.receipts for i in ids):
            with pytest.raises(ValidationError):  # one duplicate refuses the whole batch
                self.store.record_receipts(batch)
            return
        assert self.store.record_receipts(batch) == len(batch)
        for bundle in batch:
            self.model.add(bundle)

    @rule(bundle=bundles(), change=BAD_RECEIPT_CHANGES)
    def refused_receipt(self, bundle: ReceiptBundle, change: dict[str, Any]) -> None:
        bad = ReceiptBundle({**bundle.receipt, **change}, bundle.stage_metrics, bundle.slo_violations,
                            bundle.audit_entries)
        with pytest.raises(ValidationError):
            self.store.record_receipt(bad)

    @rule(bundle=bundles(), duration=st.integers(-100, -1))
    def refused_stage_metric_refuses_its_receipt(self, bundle: ReceiptBundle, duration: int) -> None:
        metric = {"stage": STAGES[0], "duration_ms": duration, "status": "passed", "timestamp": timestamp(0, 0)}
        with pytest.raises(ValidationError):
            self.store.record_receipt(ReceiptBundle(bundle.receipt, [*bundle.stage_metrics, metric]))

    @rule(agent=st.sampled_from(AGENTS), state=st.sampled_from(["idle", "working"]), retry=st.booleans(),
          history=st.none() | st.just([{"collision_type": "file_conflict"}]))
    def upsert_memory(self, agent: str, state: str, retry: bool, history: Any) -> None:
        self.store.upsert_memory(agent, {"state": state}, collision_history=history, count_retry=retry)
        self.model.memory[agent] = self.model.memory.get(agent, 0) + int(retry)

    @rule(agent=st.sampled_from(AGENTS))
    def refused_memory(self, agent: str) -> None:
        with pytest.raises(ValidationError):
            self.store.upsert_memory(agent, [1, 2])  # memory_json must be an object

    @rule(session=st.sampled_from(SESSIONS), start=TIMESTAMPS)
    def start_session(self, session: str, start: str) -> None:
        if session in self.model.sessions:
            with pytest.raises(ValidationError):
                self.store.start_session(session, start_time=start, agent_count=2)
            return
        self.store.start_session(session, start_time=start, agent_count=2)
        self.model.sessions[session] = "running"

    @rule(session=st.sampled_from(SESSIONS), status=st.sampled_from(["completed", "failed", "cancelled"]))
    def finish_session(self, session: str, status: str) -> None:
        end = timestamp(20 * 86400, 0)  # after every generated start time
        if session not in self.model.sessions:
            with pytest.raises(ValidationError) as refused:
                self.store.finish_session(session, status=status, end_time=end)
            assert refused.value.rule == "not_found"
            return
        self.store.finish_session(session, status=status, end_time=end)
        self.model.sessions[session] = status

    @rule(session=st.sampled_from(SESSIONS), agents=st.permutations(AGENTS), when=TIMESTAMPS)
    def record_collision(self, session: str, agents: list[str], when: str) -> None:
        collision = {"session_id": session, "agent_id_1": agents[0], "agent_id_2": agents[1],
                     "collision_type": "file_conflict", "description": "both wrote out/x.rs", "severity": "warning",
                     "timestamp": when}
        if session not in self.model.sessions:
            with pytest.raises(ValidationError) as refused:
                self.store.record_collision(collision)
            assert refused.value.rule == "foreign_key"
            return
        self.store.record_collision(collision)
        self.model.collisions += 1

    @rule(session=st.sampled_from(SESSIONS), agent=st.sampled_from(AGENTS))
    def refused_collision_with_itself(self, session: str, agent: str) -> None:
        with pytest.raises(ValidationError):
            self.store.record_collision({"session_id": session, "agent_id_1": agent, "agent_id_2": agent,
                                         "collision_type": "file_conflict", "description": "d", "severity": "info",
                                         "timestamp": timestamp(0, 0)})

    @rule(cutoff=TIMESTAMPS)
    def archive(self, cutoff: str) -> None:
        bound = utc_text(cutoff, table="receipts", column="before")
        expected = [e for e, r in self.model.receipts.items() if r.utc < bound]
        assert self.store.delete_receipts_before(cutoff) == len(expected)
        for execution_id in expected:
            del self.model.receipts[execution_id]  # metrics and violations cascade; audit rows stay

    # ----------------------------------------------------------- invariants
    def _count(self, table: str) -> int:
        return int(self.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed names

    @invariant()
    def row_counts_match(self) -> None:
        if not hasattr(self, "store"):
            return
        m = self.model
        assert self._count("receipts") == len(m.receipts)
        assert self._count("pipeline_metrics") == sum(len(r.metrics) for r in m.receipts.values())
        assert self._count("slo_violations") == sum(r.violations for r in m.receipts.values())
        assert self._count("audit_log") == m.audit_rows
        assert self._count("agent_memory") == len(m.memory)
        assert self._count("workflow_sessions") == len(m.sessions)
        assert self._count("collision_detection") == m.collisions

    @invariant()
    def views_match(self) -> None:
        if not hasattr(self, "store"):
            return
        found = [(r["agent_id"], r["total_executions"], r["successful_executions"], r["failed_executions"],
                  r["avg_duration_ms"], r["min_duration_ms"], r["max_duration_ms"], r["total_files_generated"],
                  r["last_execution"]) for r in self.store.agent_performance_summary()]
        found.sort()  # the numbers are checked here; each view's documented order is the view tests' job
        expected = sorted(self.model.agents_view())
        assert [row[:4] for row in found] == [row[:4] for row in expected]
        for got, want in zip(found, expected, strict=True):
            assert abs(got[4] - want[4]) <= 0.005 + 1e-9  # round(x, 2) in SQL
            assert got[5:] == want[5:]
        stages = {r["stage"]: (r["executions"], r["avg_duration_ms"], r["min_duration_ms"], r["max_duration_ms"],
                               r["passed"], r["failed"]) for r in self.store.pipeline_stage_performance()}
        want_stages = self.model.stages_view()
        assert set(stages) == set(want_stages)
        for stage, got_stage in stages.items():
            want_stage = want_stages[stage]
            assert got_stage[0] == want_stage[0] and got_stage[2:] == want_stage[2:]
            assert abs(got_stage[1] - want_stage[1]) <= 0.005 + 1e-9

    @invariant()
    def memory_and_sessions_match(self) -> None:
        if not hasattr(self, "store"):
            return
        for agent, retries in self.model.memory.items():
            row = self.store.memory(agent)
            assert row is not None and row["retry_count"] == retries
        for session, status in self.model.sessions.items():
            row = self.store.session(session)
            assert row is not None and row["status"] == status

    @invariant()
    def database_is_sound(self) -> None:
        if not hasattr(self, "store"):
            return
        assert self.store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert self.store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


StoreMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_store_against_a_model = StoreMachine.TestCase
