"""Workloads bound to a database: per-round parameters, the one-round call, and the probes.

A `Round` has two halves: `prepare()` (not timed: draws the parameters or
builds the bundles of one round) and `run(prepared)` (timed: exactly one
call). The benchmark runner and the pytest-benchmark targets both time
`run` only, one call per round.

Parameters come from the loaded data, drawn by a seeded RNG per workload so
two runs (and the two sides of an A/B run) ask the same questions.
`query_plan()` and `vm_steps()` are the deterministic probes the plan and
step gates use.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from harness.bench import datagen
from harness.bench.workloads import READ, STREAM_PAGE_ROWS, Workload
from harness.store.store import ReceiptBundle, Run, Store, add_to_runs, insert_sql
from harness.store.validation import dump_json

#: Execution ids sampled per database for lookups (drawn from the whole id range).
ID_POOL = 4096
#: Template bundles generated once per database for the write workloads.
TEMPLATE_BUNDLES = 1000
#: Seed offset of the templates, so written receipts differ from the loaded ones.
TEMPLATE_SEED_OFFSET = 7919
#: Parameters whose value is drawn from the data each round (draw_params); the others are fixed.
SAMPLED_PARAMS = frozenset({"execution_id", "agent_id", "session_id", "agent_id_1", "agent_id_2", "after"})


class Round(Protocol):
    """One workload on one database."""

    conn: sqlite3.Connection

    def prepare(self) -> Any:
        """Everything a round needs that must not be timed."""

    def run(self, prepared: Any) -> int:
        """The timed call; returns the rows read or the receipts written."""


# ------------------------------------------------------------ the data
@dataclass
class DataSample:
    """Values drawn from a loaded database, loaded lazily and cached per connection."""

    conn: sqlite3.Connection
    seed: int = 42
    _cache: dict[str, Any] = field(default_factory=dict)

    def _once(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    @property
    def max_receipt_id(self) -> int:
        return int(self._once("max_id", lambda: self.conn.execute("SELECT max(id) FROM receipts").fetchone()[0] or 0))

    @property
    def execution_ids(self) -> list[str]:
        return list(self._once("execution_ids", self._load_execution_ids))

    def _load_execution_ids(self) -> list[str]:
        rng = random.Random(f"{self.seed}:execution_ids")
        top = self.max_receipt_id
        ids = []
        for _ in range(ID_POOL if top else 0):
            row = self.conn.execute("SELECT execution_id FROM receipts WHERE id = ?", (rng.randint(1, top),)).fetchone()
            if row:
                ids.append(row[0])
        return ids

    @property
    def agent_weights(self) -> tuple[list[str], list[int]]:
        """Agents and their receipt counts: drawing by weight asks about busy agents most."""

        def load() -> tuple[list[str], list[int]]:
            rows = self.conn.execute("SELECT agent_id, count(*) FROM receipts GROUP BY agent_id ORDER BY agent_id").fetchall()
            return [r[0] for r in rows], [r[1] for r in rows]

        result: tuple[list[str], list[int]] = self._once("agents", load)
        return result

    @property
    def session_ids(self) -> list[str]:
        return list(self._once("sessions", lambda: [r[0] for r in self.conn.execute(
            "SELECT session_id FROM workflow_sessions ORDER BY id")]))

    @property
    def collision_pairs(self) -> list[tuple[str, str]]:
        return list(self._once("pairs", lambda: [tuple(r) for r in self.conn.execute(
            "SELECT DISTINCT agent_id_1, agent_id_2 FROM collision_detection ORDER BY 1, 2")]))


def draw_params(example: Mapping[str, object], sample: DataSample, rng: random.Random) -> dict[str, object]:
    """The parameters of one round: each name with a source gets a value from the data.

    Sources by parameter name: execution_id (a random existing receipt),
    agent_id (an agent, weighted by its receipts; every agent also has a
    memory row), session_id (an existing session), agent_id_1/agent_id_2 (a pair
    that collided), after (a rowid with 10,000 receipts after it). Every other
    parameter keeps the contract's example value (the time windows ending at
    DATA_END, statuses, severities, limits).
    """
    params = dict(example)
    if "execution_id" in params and sample.execution_ids:
        params["execution_id"] = rng.choice(sample.execution_ids)
    if "agent_id" in params:
        agents, weights = sample.agent_weights
        if agents:
            params["agent_id"] = rng.choices(agents, weights)[0]
    if "session_id" in params and sample.session_ids:
        params["session_id"] = rng.choice(sample.session_ids)
    if "agent_id_1" in params and sample.collision_pairs:
        params["agent_id_1"], params["agent_id_2"] = rng.choice(sample.collision_pairs)
    if "after" in params:
        params["after"] = rng.randint(0, max(0, sample.max_receipt_id - 10_000))
    return params


# ---------------------------------------------------------------- reads
STEP_DRAWS = 9  # parameter draws whose VM steps per returned row a read's steps_per_row is the median of


class ReadRound:
    """One SQL statement per round, every row fetched."""

    def __init__(self, workload: Workload, conn: sqlite3.Connection, sql: str, sample: DataSample) -> None:
        self.conn = conn
        self.sql = sql
        self.name = workload.name
        self.example = workload.params
        self.sample = sample
        self.rng = random.Random(f"{sample.seed}:{workload.name}")
        self.max_rows_seen = 0

    def prepare(self) -> dict[str, object]:
        return draw_params(self.example, self.sample, self.rng)

    def run(self, prepared: dict[str, object]) -> int:
        rows = fetch_in_pages(self.conn.execute(self.sql, prepared))
        self.max_rows_seen = max(self.max_rows_seen, rows)
        return rows

    def steps_per_row(self, draws: int = STEP_DRAWS) -> float:
        """The median over draws of the VM steps per returned row (at least one): the work the plan does per
        row of the answer, counted by SQLite rather than timed. The draws have their own generator, so the
        same seed draws the same parameters at every scale."""
        rng = random.Random(f"{self.sample.seed}:{self.name}:steps")
        per_row = []
        for _ in range(draws):
            steps, rows = vm_steps(self.conn, self.sql, draw_params(self.example, self.sample, rng))
            per_row.append(steps / max(rows, 1))
        return statistics.median(per_row)


def fetch_in_pages(cursor: sqlite3.Cursor) -> int:
    """Every row of the cursor, handed to Python STREAM_PAGE_ROWS at a time as ggen-db's streaming readers take
    them (export's keyset pages, archive's batches); returns how many. A result of up to one page is one
    fetch, as fetchall would be; a 10,000-row scan no longer holds all its rows at once (full_scan_10k:
    0.84x the CPU of fetchall at 100k and 1m, A/B in README "Where the time goes")."""
    cursor.arraysize = STREAM_PAGE_ROWS
    page = cursor.fetchmany()
    rows = len(page)
    while len(page) == STREAM_PAGE_ROWS:
        page = cursor.fetchmany()
        rows += len(page)
    return rows


# --------------------------------------------------------------- writes
class Templates:
    """Receipt bundles to write: generated once per database, written under fresh execution_ids.

    Written as a live writer's traffic arrives: in time order after the newest data. Pass k over the
    templates (one day of receipts) writes them k days after DATA_END, so the time indexes and the
    hourly counts grow at their end, as they do in the field. Writing the same day again on every pass
    would put each pass's rows between the previous pass's in every time-ordered index: at 1m a batch of
    1000 then wrote 2,786 log pages on its first pass and 4,382 on its 30th, against 872 and 782 in
    time order (benchmarks/where_time_goes.py write_order).
    """

    def __init__(self, seed: int, tag: str, *, advance: bool = True) -> None:
        """advance=False: every pass writes the templates' own day again (for the comparison above)."""
        spec = datagen.DataSpec(receipts=TEMPLATE_BUNDLES, seed=seed + TEMPLATE_SEED_OFFSET, days=1)
        self.bundles = [ReceiptBundle(receipt=dict(b.receipt), stage_metrics=tuple(b.stage_metrics))
                        for b in datagen.generate_bundles(spec)]
        self.tag = tag
        self.advance = advance
        self.counter = 0

    def fresh(self, n: int) -> list[ReceiptBundle]:
        """n bundles (receipt + stage metrics only) under execution_ids never written before, later than any
        written before."""
        out = []
        for _ in range(n):
            passes, index = divmod(self.counter, len(self.bundles))
            template = self.bundles[index]
            execution_id = f"bench-{self.tag}-{self.counter:09d}"
            self.counter += 1
            days = passes + 1 if self.advance else 0  # the templates hold the last day before DATA_END
            out.append(ReceiptBundle(
                receipt=_later({**template.receipt, "execution_id": execution_id}, days),
                stage_metrics=tuple(_later({**m, "execution_id": execution_id}, days) for m in template.stage_metrics),
            ))
        return out


#: The columns of a written row that hold a writer's timestamp (date first, in every accepted form).
_TIME_FIELDS = ("timestamp", "created_at")


def _later(row: dict[str, Any], days: int) -> dict[str, Any]:
    """row with the date of each timestamp moved `days` days on (the time of day and the form kept)."""
    if not days:
        return row
    for name in _TIME_FIELDS:
        value = row.get(name)
        if isinstance(value, str):
            moved = date.fromisoformat(value[:10]) + timedelta(days=days)
            row[name] = moved.isoformat() + value[10:]
    return row


class _WriteRound:
    """Shared by the write rounds: fresh bundles per round, counted."""

    def __init__(self, workload: Workload, conn: sqlite3.Connection, templates: Templates) -> None:
        self.conn = conn
        self.batch = workload.batch
        self.templates = templates
        self.written = 0


class StoreWriteRound(_WriteRound):
    """Store.record_receipt (batch 1) or Store.record_receipts (batch > 1) per round."""

    def __init__(self, workload: Workload, store: Store, templates: Templates) -> None:
        super().__init__(workload, store.conn, templates)
        self.store = store

    def prepare(self) -> list[ReceiptBundle]:
        return self.templates.fresh(self.batch)

    def run(self, prepared: list[ReceiptBundle]) -> int:
        if self.batch == 1:
            self.store.record_receipt(prepared[0])
        else:
            self.store.record_receipts(prepared)
        self.written += len(prepared)
        return len(prepared)


@dataclass(frozen=True)
class BareBatch:
    """A bare round's receipts and the store's INSERT statements with their rows."""

    bundles: list[ReceiptBundle]
    statements: list[tuple[str, list[Sequence[Any]]]]


class BareWriteRound(_WriteRound):
    """The store's INSERT statements with bare sqlite3: the cost of SQLite alone."""

    def prepare(self) -> BareBatch:
        bundles = self.templates.fresh(self.batch)
        receipts = _statement_runs("receipts", [b.receipt for b in bundles])
        metrics = _statement_runs("pipeline_metrics", [m for b in bundles for m in b.stage_metrics])
        return BareBatch(bundles, receipts + metrics)

    def run(self, prepared: BareBatch) -> int:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        for sql, rows in prepared.statements:
            if len(rows) == 1:
                conn.execute(sql, rows[0])
            else:
                conn.executemany(sql, rows)
        conn.execute("COMMIT")
        self.written += self.batch
        return self.batch


def _statement_runs(table: str, rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Sequence[Any]]]]:
    """Rows grouped by column set (the store's grouping), each group with the store's INSERT statement."""
    runs: list[Run] = []
    for row in rows:
        add_to_runs(runs, tuple(row), [dump_json(v) if isinstance(v, (dict, list)) else v for v in row.values()])
    return [(insert_sql(table, columns), list(values)) for columns, values in runs]


def bind(workload: Workload, conn: sqlite3.Connection, *, seed: int = 42,
         baseline: bool = False, sample: DataSample | None = None, templates: Templates | None = None) -> Round:
    """The Round of a workload on a connection (baseline=True: the original design's SQL)."""
    if workload.kind == READ:
        sql = (workload.baseline_sql or workload.sql) if baseline else workload.sql
        return ReadRound(workload, conn, sql, sample or DataSample(conn, seed))
    templates = templates or Templates(seed, tag=workload.name)
    if workload.reference:
        return BareWriteRound(workload, conn, templates)
    return StoreWriteRound(workload, Store(conn), templates)


# --------------------------------------------------------------- warm-up
#: A warm-up waiting for the WAL to restart gives up after this many rounds.
MAX_WARMUP_ROUNDS = 20_000


def warm_up(round_: Round, rounds: int) -> int:
    """Untimed rounds before measuring: at least `rounds`, and on a file database until a round
    leaves the WAL file's size unchanged. Returns the rounds run.

    A fresh working copy has no WAL file, and appending to a growing file costs a batch of 100
    about 1.5x what overwriting a WAL of its working size does (26 vs 17 ms at 1m, with the two
    duration indexes the rollups later replaced). A database in service keeps its WAL file at its
    largest size, so writes are measured once the log has restarted; reads write nothing, so the
    size never changes and they stop at `rounds`.
    """
    wal = _wal_path(round_.conn)
    size = _size(wal)
    done = 0
    while done < MAX_WARMUP_ROUNDS:
        round_.run(round_.prepare())
        done += 1
        now = _size(wal)
        if done >= rounds and (now is None or now == size):
            break
        size = now
    return done


def wal_file_size(conn: sqlite3.Connection) -> int | None:
    """Bytes in the main database's -wal file; None for an in-memory database."""
    return _size(_wal_path(conn))


def _wal_path(conn: sqlite3.Connection) -> str | None:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    return f"{path}-wal" if path else None


def _size(path: str | None) -> int | None:
    if path is None:
        return None
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


# --------------------------------------------------------------- probes
def query_plan(conn: sqlite3.Connection, sql: str, params: Mapping[str, object] | Sequence[object] = ()) -> tuple[str, ...]:
    """EXPLAIN QUERY PLAN of a statement, one detail line per plan node (indented by depth)."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node_id, parent, _, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node_id] + detail)
    return tuple(lines)


def vm_steps(conn: sqlite3.Connection, sql: str, params: Mapping[str, object] | Sequence[object] = (), *,
             limit: int | None = None) -> tuple[int, int]:
    """(SQLite VM instructions executed, rows returned) for one run of a statement, rows fetched.

    The progress handler is called every instruction; the count does not
    depend on the machine or its load, so it gates cost deterministically.
    With a limit, the statement is interrupted once it has run more than
    limit instructions: the result is then (limit + 1, 0).
    """
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 1 if limit is not None and steps > limit else 0

    conn.set_progress_handler(count, 1)
    try:
        rows = len(conn.execute(sql, params).fetchall())
    except sqlite3.OperationalError:
        if limit is None or steps <= limit:
            raise
        return limit + 1, 0
    finally:
        conn.set_progress_handler(None, 0)
    return steps, rows
