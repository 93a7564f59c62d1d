"""The benchmark runner: every workload at every scale, one call per round.

`run_bench()` loads (or reuses from the cache) a generated database per
scale, copies it to a scratch directory, and measures each workload of
harness.bench.workloads: reads first (they see exactly the scale), then writes
(committed and counted). With a baseline schema, the same workloads run on
a database of the same data built with the baseline, rounds interleaved
A B, B A, ... so drift on a shared machine hits both sides alike, and each
result carries a Mann-Whitney comparison. It also judges the store's own
overhead (against the same INSERTs with bare sqlite3) and how lookups
scale, as DerivedChecks. Nothing here prints: progress goes through a callback.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.bench import datagen, user_data
from harness.bench import stats as benchstats
from harness.bench.comparison import against_earlier, compare_rounds, rounds_by_key
from harness.bench.fingerprint import differs, fingerprint
from harness.bench.results_json import load_results
from harness.bench.rounds import DataSample, ReadRound, Round, bind, query_plan, warm_up
from harness.bench.scales import SCALES, parse_scales
from harness.bench.workloads import READ, Workload, load_workloads, select
from harness.engine import db
from harness.errors import InputError, UsageError
from harness.results import FAIL, PASS, WARN, BenchReport, Comparison, DerivedCheck, WorkloadResult
from harness.store.checkpoint import Checkpointer

ORIGINAL_SCHEMA = Path(__file__).resolve().parent / "baselines" / "original.sql"
DURABILITIES = ("normal", "full")

#: Wall-clock limit of one workload at one scale (both sides of an A/B run
#: together): the original design's views take seconds per call at 100k.
TIME_LIMIT_S = 180.0
#: Rounds always measured, time limit or not.
MIN_ROUNDS_UNDER_LIMIT = 20
#: The scale lookups are compared with (lookup p50 at the largest scale <= 2x p50 here).
SCALING_REFERENCE = "10k"

# Ratio targets over one run (DerivedChecks).
STORE_OVERHEAD_MAX = 1.5  # store call p50 <= 1.5x the bare sqlite3 statements
LOOKUP_SCALING_MAX = 2.0  # lookup p50 at the largest scale <= 2x at 10k
#: Every read's p50 per returned row (the median round's) at 1m <= 1.5x at 100k, when a run measures both.
READ_SCALING_MAX = 1.5
READ_SCALING_SCALES = ("100k", "1m")
BATCH_VS_ORIGINAL_MAX = 2.0  # batch of 1000 p95 <= 2x the original design's
VIEW_SPEEDUP_MIN = 500.0  # every view's p50 >= 500x below the original design's ...
VIEW_SPEEDUP_FROM = 100_000  # ... from 100k receipts on (the original's views scan everything)
#: (store workload, its bare-sqlite3 reference): each measured alone, their p50s compared.
OVERHEAD_PAIRS = (("insert_single", "insert_single_bare"), ("batch_1000", "batch_1000_bare"))
VIEW_WORKLOADS = ("view_recent_executions", "view_agent_performance_summary", "view_pipeline_stage_performance")


@dataclass(frozen=True)
class BenchProgress:
    """A progress event: phase "load" (building or copying data) or "measure" (rounds of a workload)."""

    phase: str
    scale: str
    subject: str
    done: int
    total: int

    @property
    def message(self) -> str:
        """In words: 'loading data at 10k: copying candidate data', 'measuring at 10k: lookup'."""
        verb = "loading data" if self.phase == "load" else "measuring"
        return f"{verb} at {self.scale}: {self.subject}"


ProgressCallback = Callable[[BenchProgress], None]


# ------------------------------------------------------------ validation
def resolve_baseline(baseline_schema: str | os.PathLike[str] | None) -> Path | None:
    """The baseline schema file: 'original' names the shipped original-design fixture."""
    if baseline_schema is None:
        return None
    if os.fspath(baseline_schema) == "original":
        return ORIGINAL_SCHEMA
    return _existing(baseline_schema, "--baseline-schema")


def _existing(path: str | os.PathLike[str], option: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{option} {path}: no such file")
    return p


def _previous_results(path: str | os.PathLike[str]) -> BenchReport:
    try:
        return load_results(path)
    except InputError as e:
        raise InputError(f"--compare {e}") from e


def _check_options(scales: Sequence[str], durability: str, rounds: int | None) -> tuple[str, ...]:
    _check_rounds(durability, rounds)
    return parse_scales(scales)


#: What a run on the user's database (db_path) cannot be combined with: they choose or build the
#: generated data it replaces (the options' names as the command spells them).
EXCLUDED_BY_DB = {"scales": "--scale", "schema": "--schema", "baseline_schema": "--baseline-schema"}


def _refuse_with_db(**given: object) -> None:
    """UsageError when any option that --db excludes is given."""
    if any(value is not None for value in given.values()):
        raise UsageError(f"--db measures the database given: it excludes {', '.join(EXCLUDED_BY_DB.values())}")


def _check_rounds(durability: str, rounds: int | None) -> None:
    if durability not in DURABILITIES:
        raise UsageError(f"--durability {durability}: must be one of {', '.join(DURABILITIES)}")
    if rounds is not None and rounds < 1:
        raise UsageError(f"--rounds {rounds}: must be a positive integer")


# ------------------------------------------------------------- the run
def run_bench(
    scales: Sequence[str] | None = None,
    *,
    db_path: str | os.PathLike[str] | None = None,
    quick: bool = False,
    schema: str | os.PathLike[str] | None = None,
    baseline_schema: str | os.PathLike[str] | None = None,
    durability: str = "normal",
    workloads: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    rounds: int | None = None,
    seed: int = 42,
    cache_dir: str | os.PathLike[str] | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    previous: str | os.PathLike[str] | None = None,
) -> BenchReport:
    """Measure the workloads at each scale and judge them against their budgets.

    schema / baseline_schema: schema files (default: the shipped schema.sql;
    baseline 'original' = the original design). workloads: names (default
    all). rounds: override every workload's round count. quick: the
    workloads' quick round counts (percentiles then WARN as too few rounds).
    previous: a results file of an earlier run (save_results) to compare
    with instead of a baseline schema (compare_runs). scales default to 100k.

    db_path: measure the read workloads on a verified copy of that database
    instead of generated data (never the file itself), with parameters drawn
    from its rows (harness.bench.user_data); the results' scale is "db". It
    excludes scales, schema and baseline_schema, which choose or build the
    generated data it replaces.
    """
    if db_path is not None:
        _refuse_with_db(scales=scales, schema=schema, baseline_schema=baseline_schema)
        _check_rounds(durability, rounds)
        earlier = _previous_results(previous) if previous is not None else None
        plan = _Plan(select(load_workloads(), workloads), quick, rounds, durability, seed, time_limit_s,
                     progress or (lambda event: None))
        report = _run_on_database(db_path, plan, work_dir)
        return compare_runs(report, earlier) if earlier is not None else report
    ordered = _check_options(("100k",) if scales is None else scales, durability, rounds)
    schema_file = _existing(schema, "--schema") if schema is not None else db.schema_path()
    baseline_file = resolve_baseline(baseline_schema)
    if previous is not None and baseline_file is not None:
        raise UsageError("--compare and --baseline-schema are incompatible: compare with one baseline at a time")
    earlier = _previous_results(previous) if previous is not None else None
    chosen = select(load_workloads(), workloads)
    notify = progress or (lambda event: None)
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    original = baseline_file is not None and _sha256(baseline_file) == _sha256(ORIGINAL_SCHEMA)
    plan = _Plan(chosen, quick, rounds, durability, seed, time_limit_s, notify, original_baseline=original,
                 count_steps=set(READ_SCALING_SCALES) <= set(ordered))

    results: list[WorkloadResult] = []
    notes: list[str] = []
    machine: dict[str, Any] = {}
    with _scratch(work_dir) as scratch:
        for scale in ordered:
            with _Databases(scale, schema_file, baseline_file, plan, scratch, cache_dir) as dbs:
                if not machine:
                    machine = fingerprint(scratch, dbs.candidate)
                results.extend(plan.measure_scale(scale, dbs, notes))
        scaling_scale = _scaling_extra(ordered, chosen)
        if scaling_scale:
            lookup_only = plan.only(select(chosen, ["lookup"]))
            with _Databases(scaling_scale, schema_file, None, lookup_only, scratch, cache_dir) as dbs:
                results.extend(lookup_only.measure_scale(scaling_scale, dbs, notes))
            notes.append(f"lookup also measured at {scaling_scale} for the scaling check")

    report = BenchReport(
        results=tuple(results),
        fingerprint=machine,
        schema_sha256=_sha256(schema_file),
        durability=durability,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - t0, 3),
        baseline_schema_sha256=_sha256(baseline_file) if baseline_file else None,
        notes=tuple(notes),
        derived=tuple(derived_checks(results, against_original=original)),
    )
    return compare_runs(report, earlier) if earlier is not None else report


def _run_on_database(db_path: str | os.PathLike[str], plan: _Plan, work_dir: str | os.PathLike[str] | None,
                     ) -> BenchReport:
    """The plan's read workloads on a verified copy of the database at db_path, parameters from its rows.

    A workload whose parameters the data cannot supply is in the report's `skipped`, with the reason;
    write workloads are left out. The fingerprint's "database" entry describes the database.
    """
    notify = plan.notify
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    notes: list[str] = []
    with _scratch(work_dir) as scratch:
        notify(BenchProgress("load", user_data.DB_SCALE, "copying the database (verified backup)", 0, 1))
        user = user_data.copy_user_database(db_path, scratch / "user-copy.db")
        notify(BenchProgress("load", user_data.DB_SCALE, "copying the database (verified backup)", 1, 1))
        with closing(sqlite3.connect(f"{user.copy.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            bound = user_data.bind_to_database(plan.workloads, conn)
        plan = plan.only(bound.reads)
        with _CopiedDatabase(user.copy, plan, scratch) as dbs:
            machine = {**fingerprint(scratch, dbs.candidate), "database": user.describe()}
            measured = plan.measure_scale(user_data.DB_SCALE, dbs, notes)
    notes.extend(bound.notes())
    notes.extend(user.drift_notes())
    results = tuple(replace(r, receipts=user.receipts) for r in measured)
    return BenchReport(
        results=results,
        fingerprint=machine,
        schema_sha256=user.schema_sha256,
        durability=plan.durability,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - t0, 3),
        notes=tuple(notes),
        derived=tuple(_headroom_checks(results)),  # the other ratio targets compare scales or schemas
        skipped=bound.skipped,
    )


def compare_runs(current: BenchReport, previous: BenchReport) -> BenchReport:
    """current with each result compared to the same workload and scale of an earlier run.

    Results from another machine (fingerprint.differs) are compared all the
    same, but a regression there is a WARN, not a FAIL, and a note says why.
    """
    differences = differs(previous.fingerprint, current.fingerprint)
    found = against_earlier(current.results, rounds_by_key(previous.results))
    workloads = {w.name: w for w in load_workloads()}
    results = [
        _judged_against(r, workloads[r.workload], found[(r.workload, r.scale)], decisive=not differences)
        if (r.workload, r.scale) in found else r
        for r in current.results
    ]
    notes = list(current.notes)
    if differences:
        notes.append(f"WARNING: the earlier results come from another machine ({'; '.join(differences)}): "
                     "ratios are indicative only and regressions do not fail the run")
    if previous.durability != current.durability:
        notes.append(f"WARNING: the earlier run used durability={previous.durability}, this one {current.durability}")
    notes.append(f"compared with the run of {previous.started_at} (schema {previous.schema_sha256[:12]})")
    return replace(current, results=tuple(results), notes=tuple(notes),
                   baseline_schema_sha256=previous.schema_sha256)


def _judged_against(r: WorkloadResult, workload: Workload, comparison: Comparison, *,
                    decisive: bool = True) -> WorkloadResult:
    """r with its comparison against a baseline; a decisive regression turns the verdict to FAIL."""
    if not comparison.regression:
        return replace(r, comparison=comparison)
    reason = (f"regression: {comparison.ratio:.2f}x the baseline at p50 "
              f"(p={comparison.p_value:.2g}, threshold {workload.threshold:g}x)")
    verdict = FAIL if decisive and not workload.reference else (WARN if r.verdict != FAIL else FAIL)
    return replace(r, comparison=comparison, verdict=verdict, reasons=(reason, *r.reasons))


def _scaling_extra(scales: Sequence[str], chosen: Sequence[Workload]) -> str | None:
    """The extra scale lookups must be measured at for the scaling check, if any."""
    wants_lookup = any(w.name == "lookup" for w in chosen)
    largest = scales[-1]
    bigger = SCALES[largest] > SCALES[SCALING_REFERENCE]
    return SCALING_REFERENCE if wants_lookup and bigger and SCALING_REFERENCE not in scales else None


@contextmanager
def _scratch(work_dir: str | os.PathLike[str] | None) -> Iterator[Path]:
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
        yield Path(work_dir)
        return
    path = Path(tempfile.mkdtemp(prefix="ggen-db-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------ databases
class _Databases:
    """The candidate (and baseline) database of one scale: working copies of the cached data.

    refresh() replaces the copies with pristine ones, so each write workload
    starts at the scale and one workload's rows never slow another.
    """

    def __init__(self, scale: str, schema: Path, baseline: Path | None, plan: _Plan, scratch: Path,
                 cache_dir: str | os.PathLike[str] | None) -> None:
        self.scale, self.plan, self.scratch, self.cache_dir = scale, plan, scratch, cache_dir
        self.schemas = {"candidate": schema, **({"baseline": baseline} if baseline is not None else {})}
        self.cached: dict[str, Path] = {}
        self.conns: dict[str, sqlite3.Connection] = {}
        self.checkpointers: dict[str, Checkpointer] = {}
        self.dropped_statistics: set[str] = set()

    @property
    def candidate(self) -> sqlite3.Connection:
        return self.conns["candidate"]

    @property
    def baseline(self) -> sqlite3.Connection | None:
        return self.conns.get("baseline")

    def __enter__(self) -> _Databases:
        spec = datagen.DataSpec.for_scale(self.scale, seed=self.plan.seed)
        for side, schema in self.schemas.items():
            events = _load_progress(self.plan.notify, self.scale, f"building {side} data ({schema.name})")
            self.cached[side] = Path(datagen.cached_database(spec, schema_file=schema, cache_dir=self.cache_dir,
                                                             progress=events))
        self.refresh()
        return self

    def refresh(self) -> None:
        self._close()
        for side, cached in self.cached.items():
            self.plan.notify(BenchProgress("load", self.scale, f"copying {side} data", 0, 1))
            work = self._work_path(side)
            copy_database(cached, work)
            conn = db.connect(work, durability=self.plan.durability)
            if drop_statistics(conn):
                self.dropped_statistics.add(side)
            self.conns[side] = conn
            self.plan.notify(BenchProgress("load", self.scale, f"copying {side} data", 1, 1))

    def start_checkpointers(self) -> None:
        """Checkpoints off the writers' commits, as Store.open runs them (for write workloads only:
        a thread waking in the process during a read would be timed with it)."""
        for side in self.conns:
            self.checkpointers[side] = Checkpointer(self._work_path(side)).start()

    def _work_path(self, side: str) -> Path:
        return self.scratch / f"{side}-{self.scale}.db"

    def receipts(self) -> int:
        return int(self.candidate.execute("SELECT count(*) FROM receipts").fetchone()[0])

    def _close(self) -> None:
        for checkpointer in self.checkpointers.values():
            checkpointer.stop()
        self.checkpointers = {}
        for side, conn in self.conns.items():
            conn.close()
            work = self._work_path(side)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
        self.conns = {}

    def __exit__(self, *exc: object) -> None:
        self._close()


class _CopiedDatabase(_Databases):
    """bench --db: the verified copy of the user's database stands in for the generated data."""

    def __init__(self, copy: Path, plan: _Plan, scratch: Path) -> None:
        super().__init__(user_data.DB_SCALE, db.schema_path(), None, plan, scratch, None)
        self.copy = copy

    def __enter__(self) -> _CopiedDatabase:
        self.cached = {"candidate": self.copy}
        self.refresh()
        return self


def _load_progress(notify: ProgressCallback, scale: str, subject: str) -> Callable[[int, int], None]:
    """datagen's progress (done, total) as BenchProgress events."""

    def forward(done: int, total: int) -> None:
        notify(BenchProgress("load", scale, subject, done, total))

    return forward


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through the backup API (the cache may have a WAL beside it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    # Flush the copy now: the kernel writing it back during the first rounds would time the disk.
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def drop_statistics(conn: sqlite3.Connection) -> bool:
    """Remove ANALYZE statistics (sqlite_stat1/4) so plans are the ones without statistics."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name IN ('sqlite_stat1', 'sqlite_stat4')")]
    for name in tables:
        conn.execute(f"DELETE FROM {name}")  # noqa: S608 - one of two fixed names from sqlite_master
    if tables:
        conn.execute("ANALYZE sqlite_schema")  # reload the (now empty) statistics into the planner
    return bool(tables)


# ------------------------------------------------------------ measuring
@dataclass(frozen=True)
class Measurement:
    """What the measured rounds of one workload on one database gave."""

    timings_ms: Sequence[float]  # one duration per round, milliseconds
    cpu_ms: float = 0.0  # CPU time of all rounds together (0: not measured)
    rows_by_round: Sequence[int] = ()  # rows read (reads) or receipts written (writes), one count per round
    largest_result: int = 0  # the most rows one round returned: what a workload's max_rows bounds
    stopped_at: int | None = None  # the round the time limit stopped the run at, if it did

    @property
    def rows_total(self) -> int:
        return sum(self.rows_by_round)


@dataclass
class _Side:
    """A workload on one database (candidate or baseline): its round and the durations measured."""

    baseline: bool
    round: Round
    timings: list[float]
    cpu_ms: float = 0.0
    rows: list[int] = field(default_factory=list)  # rows read (reads) or receipts written (writes), per round

    def measurement(self, stopped_at: int | None) -> Measurement:
        largest = getattr(self.round, "max_rows_seen", 0)  # only reads return rows to bound
        return Measurement(tuple(self.timings), self.cpu_ms, tuple(self.rows), largest, stopped_at)


class _Plan:
    """How to measure: the workloads, round counts, durability and the progress callback."""

    def __init__(self, workloads: Sequence[Workload], quick: bool, rounds: int | None, durability: str,
                 seed: int, time_limit_s: float, notify: ProgressCallback, *, original_baseline: bool = False,
                 count_steps: bool = False) -> None:
        self.workloads = tuple(workloads)
        self.quick, self.rounds, self.durability = quick, rounds, durability
        self.seed, self.time_limit_s, self.notify = seed, time_limit_s, notify
        # Only the original design lacks the _utc columns: any other baseline runs the same SQL.
        self.original_baseline = original_baseline
        self.count_steps = count_steps  # each read's VM steps per row, for read_scaling (a run of 100k and 1m)

    def only(self, workloads: Sequence[Workload]) -> _Plan:
        """The same plan for these workloads."""
        return _Plan(workloads, self.quick, self.rounds, self.durability, self.seed, self.time_limit_s,
                     self.notify, original_baseline=self.original_baseline, count_steps=self.count_steps)

    def measure_scale(self, scale: str, dbs: _Databases, notes: list[str]) -> list[WorkloadResult]:
        """Reads on the loaded copy first, then each write workload alone on a fresh copy."""
        applicable = [w for w in self.workloads if scale in w.scales]
        results = []
        samples = {side: DataSample(conn, self.seed) for side, conn in dbs.conns.items()}
        for workload in (w for w in applicable if w.kind == READ):
            results.append(self._measure(workload, scale, dbs, samples))
        for k, workload in enumerate(w for w in applicable if w.kind != READ):
            if k:
                dbs.refresh()
            dbs.start_checkpointers()
            before = dbs.receipts()
            results.append(self._measure(workload, scale, dbs, {}))
            notes.append(f"{scale}: {workload.name} wrote {dbs.receipts() - before} receipts (committed, counted): "
                         f"the database grew from {before} while it was measured")
        if dbs.dropped_statistics:
            notes.append(f"{scale}: ANALYZE statistics found and removed before measuring "
                         f"({', '.join(sorted(dbs.dropped_statistics))})")
        return results

    def _measure(self, workload: Workload, scale: str, dbs: _Databases,
                 samples: dict[str, DataSample]) -> WorkloadResult:
        sides = [
            _Side(side == "baseline", bind(workload, conn, seed=self.seed,
                                           baseline=side == "baseline" and self.original_baseline,
                                           sample=samples.get(side)), [])
            for side, conn in dbs.conns.items()
        ]
        stopped = self._run_rounds(workload, sides, scale)
        mine = next(s.measurement(stopped) for s in sides if not s.baseline)
        theirs = next((s.measurement(stopped) for s in sides if s.baseline), None)
        plan = query_plan(dbs.candidate, workload.sql, workload.params) if workload.kind == READ else ()
        result = judge(workload, scale, self.durability, mine, baseline=theirs, plan=plan,
                       time_limit_s=self.time_limit_s)
        candidate = next(s.round for s in sides if not s.baseline)
        if self.count_steps and isinstance(candidate, ReadRound):
            result = replace(result, steps_per_row=candidate.steps_per_row())
        return result

    def _run_rounds(self, workload: Workload, sides: list[_Side], scale: str) -> int | None:
        """Warm up, then measure the sides round by round, alternating which goes first
        (A B, B A, ...); returns the round it stopped at when the time limit cut it short."""
        total = self.rounds if self.rounds is not None else workload.rounds_for(quick=self.quick)
        for side in sides:
            warm_up(side.round, workload.warmup)
        gc.collect()
        gc.disable()  # a collection inside a timed call is noise, not the operation's cost
        started = time.perf_counter()
        try:
            for i in range(total):
                for side in sides if i % 2 == 0 else sides[::-1]:
                    _one_round(side)
                if i % 10 == 9 or i == total - 1:
                    self.notify(BenchProgress("measure", scale, workload.name, i + 1, total))
                over = time.perf_counter() - started > self.time_limit_s
                if over and i + 1 >= MIN_ROUNDS_UNDER_LIMIT and i + 1 < total:
                    self.notify(BenchProgress("measure", scale, workload.name, total, total))
                    return i + 1
        finally:
            gc.enable()
        return None


def _one_round(side: _Side) -> None:
    """prepare (untimed), then run (timed: wall and CPU)."""
    prepared = side.round.prepare()
    c0, t0 = time.process_time_ns(), time.perf_counter_ns()
    rows = side.round.run(prepared)
    t1, c1 = time.perf_counter_ns(), time.process_time_ns()
    side.timings.append((t1 - t0) / 1e6)
    side.cpu_ms += (c1 - c0) / 1e6
    side.rows.append(rows)


# -------------------------------------------------------------- judging
def judge(workload: Workload, scale: str, durability: str, measured: Measurement, *,
          baseline: Measurement | None = None, plan: Sequence[str] = (),
          time_limit_s: float = TIME_LIMIT_S) -> WorkloadResult:
    """A WorkloadResult from the measured rounds: percentiles, budget verdict, reliability, and
    with a baseline (the same workload on the baseline database, same run) the A/B comparison.

    plan: the read's query plan, shown with the result. time_limit_s: the limit that stopped the
    rounds early when measured.stopped_at is set.
    """
    result = _against_budget(workload, scale, durability, measured, plan, time_limit_s)
    return _against_baseline(result, workload, measured, baseline) if baseline and baseline.timings_ms else result


def _against_budget(workload: Workload, scale: str, durability: str, measured: Measurement,
                    plan: Sequence[str], time_limit_s: float) -> WorkloadResult:
    """The verdict on the budget and the row bound, with what makes the measurement unreliable.

    For reads (CPU-bound) wall time far above the CPU time means the machine was busy with something else.
    """
    timings = measured.timings_ms
    summary = benchstats.summarize(timings)
    value = summary.at(workload.percentile)
    reasons = benchstats.reliability_warnings(summary, workload.percentile)
    if workload.kind == READ and measured.cpu_ms:
        reasons.extend(benchstats.contention_warnings(sum(timings), measured.cpu_ms))
    if measured.stopped_at is not None:
        reasons.append(f"stopped after {measured.stopped_at} rounds (time limit {time_limit_s:.0f} s)")
    failures = []
    if value > workload.budget_ms:
        failures.append(f"{workload.percentile} {value:.3f} ms over the budget of {workload.budget_ms:g} ms")
    if workload.max_rows is not None and measured.largest_result > workload.max_rows:
        failures.append(f"returned {measured.largest_result} rows; the bound is {workload.max_rows}")
    verdict = FAIL if failures else (WARN if reasons else PASS)
    if workload.reference and verdict == FAIL:
        verdict = WARN  # a comparison point, not a product target
        reasons.append("reference measurement: not a product target")
    return WorkloadResult(
        workload=workload.name,
        description=workload.operation,
        scale=scale,
        receipts=SCALES.get(scale, 0),  # bench --db: its receipt count, set by _run_on_database
        percentile=workload.percentile,
        durability=durability,
        budget_ms=workload.budget_ms,
        rounds=summary.rounds,
        p50_ms=summary.p50,
        p95_ms=summary.p95,
        p99_ms=summary.p99,
        p999_ms=summary.p999,
        mean_ms=summary.mean,
        stddev_ms=summary.stddev,
        cv=summary.cv,
        measured_ms=value,
        headroom=workload.budget_ms / max(value, 1e-6),
        verdict=verdict,
        reasons=tuple(failures + reasons),
        plan=tuple(plan),
        timings_ms=tuple(timings),
        rows_per_round=measured.rows_total / len(timings) if timings else None,
        params=dict(workload.params),
        rows_by_round=tuple(measured.rows_by_round),
    )


def _against_baseline(result: WorkloadResult, workload: Workload, measured: Measurement,
                      baseline: Measurement) -> WorkloadResult:
    """result compared with the baseline's rounds. When the two returned different row counts they did
    not give the same answer: a regression is then a WARN that says so, not a FAIL."""
    same_answer = measured.rows_total == baseline.rows_total
    comparison = compare_rounds(measured.timings_ms, baseline.timings_ms, threshold=workload.threshold)
    compared = _judged_against(result, workload, comparison, decisive=same_answer)
    if comparison.regression and not same_answer:
        compared = replace(compared, reasons=(*compared.reasons, (
            f"not like for like: this schema returned {measured.rows_total} rows over the run, "
            f"the baseline {baseline.rows_total}")))
    return compared


def derived_checks(results: Sequence[WorkloadResult], *, against_original: bool) -> list[DerivedCheck]:
    """The ratio targets of one run: store overhead, lookup scaling, read scaling, headroom, and (vs the original)
    batch cost and views."""
    by_key = {(r.workload, r.scale): r for r in results}
    scales = sorted({r.scale for r in results}, key=SCALES.__getitem__)
    out: list[DerivedCheck] = []
    for scale in scales:
        for main, ref in OVERHEAD_PAIRS:
            a, b = by_key.get((main, scale)), by_key.get((ref, scale))
            if a and b:
                out.append(_ratio_check(f"store_overhead_{main}@{scale}",
                                        f"{main} p50 / bare sqlite3 p50 at {scale}",
                                        a.p50_ms / b.p50_ms, STORE_OVERHEAD_MAX, "<=", (a, b)))
    lookups = [by_key[("lookup", s)] for s in scales if ("lookup", s) in by_key]
    small = by_key.get(("lookup", SCALING_REFERENCE))
    if small and lookups and lookups[-1].scale != SCALING_REFERENCE:
        big = lookups[-1]
        out.append(_ratio_check(f"lookup_scaling@{big.scale}", f"lookup p50 at {big.scale} / at {SCALING_REFERENCE}",
                                big.p50_ms / small.p50_ms, LOOKUP_SCALING_MAX, "<=", (big, small)))
    out.extend(_read_scaling_checks(results))
    out.extend(_headroom_checks(results))
    if against_original:
        out.extend(_original_checks(results))
    return out


def _read_scaling_checks(results: Sequence[WorkloadResult]) -> list[DerivedCheck]:
    """A read's p50 per returned row from 100k to 1m: the median over rounds of a round's time per row it
    returned (at least one). A LIMITed read returning more rows at 1m (more running sessions, a quiet
    agent's full page) does more work for its answer, not per row; and each round draws its parameters,
    so a median of the rounds' times over their mean rows would compare unlike rounds.

    The time is proved against the work: SQLite's VM steps per returned row at both scales. Steps that grow
    more than the limit fail whatever the time says (the plan reads more per row as the data grows); a time
    over the limit with the steps unchanged is a WARN, its cause named: the same work per row, made slower
    by a file ten times larger (pages that no longer fit SQLite's page cache, read from the OS; deeper
    B-trees), not by the data."""
    small_scale, big_scale = READ_SCALING_SCALES
    reads = {w.name for w in load_workloads() if w.kind == READ}
    small = {r.workload: r for r in results if r.scale == small_scale and r.workload in reads}
    out = []
    for big in (r for r in results if r.scale == big_scale and r.workload in small):
        base = small[big.workload]
        if not base.rows_by_round or not big.rows_by_round:
            continue
        growth = big.p50_per_row_ms / max(base.p50_per_row_ms, 1e-9)
        check = _ratio_check(f"read_scaling_{big.workload}@{big_scale}",
                             f"{big.workload} p50 per returned row at {big_scale} / at {small_scale}",
                             growth, READ_SCALING_MAX, "<=", (big, base))
        out.append(_proved_by_steps(check, base, big))
    return out


def _proved_by_steps(check: DerivedCheck, base: WorkloadResult, big: WorkloadResult) -> DerivedCheck:
    if base.steps_per_row is None or big.steps_per_row is None:
        return check
    steps = big.steps_per_row / max(base.steps_per_row, 1e-9)
    detail = f"{check.detail}; VM steps per returned row {steps:.2f}x"
    if steps > READ_SCALING_MAX:
        return replace(check, verdict=FAIL, detail=detail + ": the work per row grows with the data")
    if check.verdict == FAIL:
        return replace(check, verdict=WARN, detail=detail + ": the same work per row at both scales; the time "
                       "it gained is the larger file's (pages that no longer fit SQLite's page cache, read from "
                       "the OS; deeper B-trees)")
    return replace(check, detail=detail)


def _headroom_checks(results: Sequence[WorkloadResult]) -> list[DerivedCheck]:
    """Each product workload's headroom (budget / its percentile) against its target (Workload.headroom_target:
    reads 5x, the full-scan class 3x, writes 1.5x). Short of it is a WARN: the budget is met (or its miss is
    the workload's own FAIL) but with less margin than a team can gate on from one machine to the next.
    An unreliable measurement (busy machine, spread rounds) is named in the detail but does not turn a
    headroom that holds into a WARN: its row already says so, and 1,000x is not in doubt."""
    workloads = {w.name: w for w in load_workloads()}
    out = []
    for r in results:
        workload = workloads.get(r.workload)
        if workload is None or workload.reference:
            continue
        target = workload.headroom_target
        detail = f"inputs: {r.workload}@{r.scale}" + ("; unreliable: " + r.workload if r.verdict == WARN else "")
        out.append(DerivedCheck(f"headroom_{r.workload}@{r.scale}",
                                f"{r.workload} headroom: budget / {r.percentile} at {r.scale}",
                                round(r.headroom, 3), target, ">=", PASS if r.headroom >= target else WARN, detail))
    return out


def _original_checks(results: Sequence[WorkloadResult]) -> list[DerivedCheck]:
    out = []
    for r in results:
        if r.comparison is None:
            continue
        if r.workload == "batch_1000":
            out.append(_ratio_check(f"batch_1000_vs_original@{r.scale}",
                                    "batch of 1000 p95 / the original design's p95 (same run)",
                                    r.p95_ms / max(r.comparison.baseline_p95_ms, 1e-9), BATCH_VS_ORIGINAL_MAX, "<=",
                                    (r,)))
        if r.workload in VIEW_WORKLOADS and r.receipts >= VIEW_SPEEDUP_FROM:
            # Medians: the p95 of a sub-millisecond call on a busy machine is the
            # scheduler's time slice, not the view's cost.
            speedup = r.comparison.baseline_p50_ms / max(r.p50_ms, 1e-9)
            out.append(_ratio_check(f"{r.workload}_vs_original@{r.scale}",
                                    "speedup over the original design's view, p50 / p50 (same run)",
                                    speedup, VIEW_SPEEDUP_MIN, ">=", (r,)))
    return out


def _ratio_check(name: str, description: str, value: float, limit: float, op: str,
                 inputs: Sequence[WorkloadResult]) -> DerivedCheck:
    ok = value <= limit if op == "<=" else value >= limit
    shaky = [r.workload for r in inputs if r.verdict == WARN]
    verdict = FAIL if not ok else (WARN if shaky else PASS)
    detail = f"inputs: {', '.join(f'{r.workload}@{r.scale}' for r in inputs)}"
    if shaky:
        detail += f"; unreliable: {', '.join(shaky)}"
    return DerivedCheck(name, description, round(value, 3), limit, op, verdict, detail)
