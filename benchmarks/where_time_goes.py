"""Where the time of the slow targets goes: the measurements behind the README's findings.

Not a benchmark target (pytest does not collect it): a script that takes the
schema apart on generated data and prints what each part costs. Every number
is CPU time (time.process_time), a WAL frame count or a percentile of many
rounds, so it holds up better than wall time on a shared machine.

    python benchmarks/where_time_goes.py --scale 100k            # every section
    python benchmarks/where_time_goes.py --scale 1m frames window

Sections:
  frames       WAL pages and CPU per commit of 1, 100 and 1000 receipts (after 3 unmeasured
               commits), as is and with the two (key, duration_ms) indexes the rollups replaced
               (idx_pipeline_metrics_stage_duration, idx_receipts_agent_duration)
  checkpoint   single-insert p99 and batch-of-100 p95 with wal_autocheckpoint 1000, 10000 and
               off, and with the backstop as db.connect sets it plus a background Checkpointer
  batch_variants  store batches of 1000 as db.connect sets the connection, with temp files on
               disk, and with the two (key, duration_ms) indexes
  insert_cpu   CPU per receipt with its 5 stage metrics, in memory: schema.sql, without its insert
               triggers, without CHECKs, and the original design
  select_star  the 10k-receipt scan with the _utc columns VIRTUAL (schema.sql) and STORED
  scan_levers  full_scan_10k's statement fetched whole (fetchall), a page of 1,000 at a time (the bench's
               rounds, export's pages), row by row, and fetchall with mmap_size 256 MB or cache_size 64 MB:
               interleaved rounds, CPU and wall p50 / p95 as ratios to fetchall
  insert_parts CPU per receipt with its 5 stage metrics, in memory, with each insert trigger, each receipts /
               pipeline_metrics index, the CHECKs or the foreign-key pragma left out, one at a time
  stage_rollup the same CPU with pipeline_metrics_rollup_insert as shipped, without its foreign-key probe,
               without its UPSERT, as INSERT OR IGNORE + UPDATE, and without the trigger
  export_pages a whole export's read path (every receipt, every audit row), CPU best of 3: one cursor over
               the window (export before keyset pages) and the pages export reads now
  write_order  WAL pages, CPU and wall time per bare batch of 1000 (checkpointed away before each) over 30
               batches: the bench's templates (one day's timestamps, the same day every pass) and the same
               receipts each pass a day later than the last (the order a live writer's receipts arrive in)
  window       receipts_last_24h_by_day as is and with a covering (timestamp_utc, status) index
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from harness.bench import datagen
from harness.bench.rounds import BareWriteRound, Templates, fetch_in_pages
from harness.bench.runner import ORIGINAL_SCHEMA, copy_database
from harness.bench.scales import scale_name
from harness.bench.stats import summarize
from harness.bench.workloads import load_workloads, select
from harness.contract.model import load_contract
from harness.engine import db
from harness.operate import export
from harness.store.checkpoint import Checkpointer
from harness.store.store import Store

# The two indexes the rollups' stored extremes replaced, for the before/after comparisons.
DURATION_INDEXES = ("CREATE INDEX idx_receipts_agent_duration ON receipts (agent_id, duration_ms)",
                    "CREATE INDEX idx_pipeline_metrics_stage_duration ON pipeline_metrics (stage, duration_ms)")
INSERT_TRIGGERS = ("receipts_execution_id_recorded_once", "receipts_rollup_insert", "pipeline_metrics_rollup_insert")


@contextmanager
def working_copy(scale: str, schema: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A scratch copy of the cached database of a scale."""
    cached = datagen.cached_database(datagen.DataSpec.for_scale(scale), schema_file=schema)
    with tempfile.TemporaryDirectory(prefix="ggen-db-costs-") as scratch:
        target = Path(scratch) / "copy.db"
        copy_database(cached, target)
        conn = db.connect(target)
        try:
            yield conn
        finally:
            conn.close()


def wal_frames(conn: sqlite3.Connection) -> int:
    wal = Path(conn.execute("PRAGMA database_list").fetchone()[2] + "-wal")
    return wal.stat().st_size // (conn.execute("PRAGMA page_size").fetchone()[0] + 24) if wal.exists() else 0


def bare_round(conn: sqlite3.Connection, batch: int, tag: str) -> BareWriteRound:
    (workload,) = select(load_workloads(), ["batch_1000_bare"])
    return BareWriteRound(replace(workload, batch=batch), conn, Templates(42, tag))


# --------------------------------------------------------------- sections
def frames(scale: str) -> None:
    for added in ((), DURATION_INDEXES):
        with working_copy(scale) as conn:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            for statement in added:
                conn.execute(statement)  # constant statements above
            for batch in (1, 100, 1000):
                round_ = bare_round(conn, batch, f"frames-{batch}")
                for _ in range(3):  # a bulk load packs index pages full: the first inserts split them
                    round_.run(round_.prepare())
                pages, cpu = [], []
                for _ in range(3):
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    prepared = round_.prepare()
                    c0 = time.process_time()
                    round_.run(prepared)
                    cpu.append((time.process_time() - c0) * 1e3)
                    pages.append(wal_frames(conn))
                label = "with the two (key, duration) indexes" if added else "schema.sql"
                print(f"frames {scale} {label:32} batch {batch:5}: WAL pages per commit {pages}, "
                      f"CPU ms {[round(c, 1) for c in cpu]}")


def checkpoint(scale: str) -> None:
    """Single inserts (p99) and batches of 100 (p95) per wal_autocheckpoint setting, and with the
    writer's autocheckpoint as db.connect sets it plus a background Checkpointer."""
    for pages in (1000, 10000, 0, "background"):
        for batch, rounds, pct in ((1, 1000, 99.0), (100, 100, 95.0)):
            with working_copy(scale) as conn, contextlib.ExitStack() as stack:
                if pages == "background":
                    stack.enter_context(Checkpointer(conn.execute("PRAGMA database_list").fetchone()[2]))
                else:
                    conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
                store, templates = Store(conn), Templates(42, f"ckpt-{pages}-{batch}")
                timings = []
                for i in range(rounds + rounds // 3):
                    bundles = templates.fresh(batch)
                    t0 = time.perf_counter_ns()
                    store.record_receipts(bundles)
                    if i >= rounds // 3:  # the first rounds warm the cache
                        timings.append((time.perf_counter_ns() - t0) / 1e6)
                s = summarize(timings)
                name = "p99" if pct == 99.0 else "p95"
                print(f"checkpoint {scale} wal_autocheckpoint={pages or 'off':>10} batch {batch:3}: p50 {s.p50:.3f} "
                      f"{name} {s.at(name):.3f} p99.9 {s.p999:.3f} ms over {rounds} rounds, "
                      f"WAL {wal_frames(conn)} frames at the end")


def batch_variants(scale: str) -> None:
    """Store batches of 1000, 12 interleaved rounds, per connection setting and index variant."""
    variants: dict[str, Sequence[str]] = {
        "connection as db.connect sets it": (),
        "temp_store = FILE": ("PRAGMA temp_store = FILE",),
        "with the two (key, duration) indexes": DURATION_INDEXES,
    }
    with contextlib.ExitStack() as stack:
        sides = []
        for k, (label, statements) in enumerate(variants.items()):
            conn = stack.enter_context(working_copy(scale))
            for statement in statements:
                conn.execute(statement)  # constant statements above
            sides.append((label, Store(conn), Templates(42, f"variant-{k}"), []))
        for i in range(13):
            for _, store, templates, timings in sides[i % 3:] + sides[:i % 3]:
                bundles = templates.fresh(1000)
                t0 = time.perf_counter_ns()
                store.record_receipts(bundles)
                if i:  # the first round warms the cache
                    timings.append((time.perf_counter_ns() - t0) / 1e6)
        for label, _, _, timings in sides:
            s = summarize(timings)
            print(f"batch_variants {scale} {label:34}: batch of 1000 p50 {s.p50:.1f} p95 {s.p95:.1f} ms")


def insert_cpu(scale: str) -> None:
    text = db.read_schema(None)
    variants: dict[str, tuple[str, Sequence[str]]] = {
        "schema.sql": (text, ()),
        "schema.sql without its insert triggers": (_without_triggers(text), ()),
        "schema.sql without CHECKs": (text, ("PRAGMA ignore_check_constraints = ON",)),
        "the original design": (ORIGINAL_SCHEMA.read_text(encoding="utf-8"), ()),
    }
    conns = {}
    for label, (script, pragmas) in variants.items():
        conn = db.connect_memory()
        db.apply_schema(conn, script)
        for pragma in pragmas:
            conn.execute(pragma)
        conns[label] = conn
    best = {label: float("inf") for label in conns}
    for rep in range(9):  # interleaved, minimum kept: the least disturbed run
        for label, conn in conns.items():
            round_ = bare_round(conn, 500, f"cpu-{rep}")
            prepared = round_.prepare()
            c0 = time.process_time()
            round_.run(prepared)
            best[label] = min(best[label], (time.process_time() - c0) * 1e6 / 500)
            conn.execute("DELETE FROM pipeline_metrics")
            conn.execute("DELETE FROM receipts")
    for label, us in best.items():
        print(f"insert_cpu {label:40}: {us:.1f} us CPU per receipt with its 5 stage metrics")


def select_star(scale: str) -> None:
    stored = Path(tempfile.mkdtemp(prefix="ggen-db-stored-")) / "schema-stored.sql"
    stored.write_text(re.sub(r"\) VIRTUAL", ") STORED", db.read_schema(None)), encoding="utf-8")
    sql = select(load_workloads(), ["full_scan_10k"])[0].sql
    for label, schema in (("VIRTUAL (schema.sql)", None), ("STORED", stored)):
        with working_copy("10k", schema) as conn:
            print(f"select_star 10k {label:22}: {_best_cpu(lambda: conn.execute(sql, {'after': 0}).fetchall()):.1f} "
                  "ms CPU for 10,000 rows")


def scan_levers(scale: str, rounds: int = 60) -> None:
    sql = select(load_workloads(), ["full_scan_10k"])[0].sql
    fetches: dict[str, Callable[[sqlite3.Cursor], object]] = {
        "fetchall": lambda cur: cur.fetchall(), "pages of 1,000": fetch_in_pages, "row by row": lambda cur: sum(1 for _ in cur),
        "fetchall, mmap_size 256 MB": lambda cur: cur.fetchall(), "fetchall, cache_size 64 MB": lambda cur: cur.fetchall(),
    }
    pragmas = {"fetchall, mmap_size 256 MB": "PRAGMA mmap_size = 268435456", "fetchall, cache_size 64 MB": "PRAGMA cache_size = -65536"}
    with working_copy(scale) as first:
        path = first.execute("PRAGMA database_list").fetchone()[2]
        conns = {label: db.connect_read_only(path) for label in fetches}
        for label, pragma in pragmas.items():
            conns[label].execute(pragma)  # constant statements above
        top = first.execute("SELECT max(id) FROM receipts").fetchone()[0]
        wall: dict[str, list[float]] = {label: [] for label in fetches}
        cpu: dict[str, list[float]] = {label: [] for label in fetches}
        rng = random.Random(42)
        for i in range(rounds):
            after = {"after": rng.randint(0, top - 10_000)}
            for label in list(fetches)[:: 1 if i % 2 else -1]:
                c0, t0 = time.process_time(), time.perf_counter()
                fetches[label](conns[label].execute(sql, after))
                wall[label].append((time.perf_counter() - t0) * 1e3)
                cpu[label].append((time.process_time() - c0) * 1e3)
        for conn in conns.values():
            conn.close()
    base = summarize(cpu["fetchall"]).p50, summarize(wall["fetchall"]).p50, summarize(wall["fetchall"]).p95
    for label in fetches:
        c, w = summarize(cpu[label]), summarize(wall[label])
        print(f"scan_levers {scale} {label:28}: CPU p50 {c.p50:.1f} ms ({c.p50 / base[0]:.2f}), wall p50 {w.p50:.1f} "
              f"({w.p50 / base[1]:.2f}) p95 {w.p95:.1f} ({w.p95 / base[2]:.2f}) over {rounds} interleaved rounds")


def insert_parts(scale: str) -> None:
    probe = db.scratch_database()
    parts = [(kind, name) for kind, name, sql in probe.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL "
        "AND tbl_name IN ('receipts', 'pipeline_metrics') ORDER BY type, name")
        if kind == "index" or re.search(r"\bINSERT\s+ON\b", sql, re.I)]
    variants: dict[str, Sequence[str]] = {"schema.sql": (), "without CHECKs": ("PRAGMA ignore_check_constraints = ON",),
                                          "foreign_keys off": ("PRAGMA foreign_keys = OFF",)}
    variants.update({f"without {kind} {name}": (f"DROP {kind.upper()} {name}",) for kind, name in parts})
    _cpu_per_receipt("insert_parts", variants)


_STAGE_TRIGGER_HEAD = "CREATE TRIGGER pipeline_metrics_rollup_insert AFTER INSERT ON pipeline_metrics BEGIN\n"
_STAGE_UPDATE = """
    INSERT OR IGNORE INTO stage_execution_stats (stage, executions, passed, failed, total_duration_ms,
        min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
    VALUES (NEW.stage, 0, 0, 0, 0, NULL, 0, NULL, 0);
    UPDATE stage_execution_stats SET executions = executions + 1, passed = passed + (NEW.status = 'passed'),
        failed = failed + (NEW.status = 'failed'), total_duration_ms = total_duration_ms + NEW.duration_ms,
        rows_at_min_duration = CASE WHEN min_duration_ms IS NULL OR NEW.duration_ms < min_duration_ms THEN 1
            WHEN NEW.duration_ms = min_duration_ms THEN rows_at_min_duration + 1 ELSE rows_at_min_duration END,
        min_duration_ms = min(coalesce(min_duration_ms, NEW.duration_ms), NEW.duration_ms),
        rows_at_max_duration = CASE WHEN max_duration_ms IS NULL OR NEW.duration_ms > max_duration_ms THEN 1
            WHEN NEW.duration_ms = max_duration_ms THEN rows_at_max_duration + 1 ELSE rows_at_max_duration END,
        max_duration_ms = max(coalesce(max_duration_ms, NEW.duration_ms), NEW.duration_ms)
    WHERE stage = NEW.stage;
"""


def stage_rollup(scale: str) -> None:
    shipped = db.scratch_database().execute(
        "SELECT sql FROM sqlite_master WHERE name = 'pipeline_metrics_rollup_insert'").fetchone()[0]
    probe = re.search(r"    SELECT RAISE\(ABORT.*?;\n", shipped)
    upsert = shipped[shipped.index("    INSERT INTO stage_execution_stats"):shipped.rindex("END")]
    assert probe is not None
    drop = "DROP TRIGGER pipeline_metrics_rollup_insert"
    _cpu_per_receipt("stage_rollup", {
        "as shipped": (),
        "without its foreign-key probe": (drop, _STAGE_TRIGGER_HEAD + upsert + "END"),
        "without its UPSERT": (drop, _STAGE_TRIGGER_HEAD + probe.group(0) + "END"),
        "INSERT OR IGNORE + UPDATE": (drop, _STAGE_TRIGGER_HEAD + probe.group(0) + _STAGE_UPDATE + "END"),
        "without the trigger": (drop,),
    })


def _cpu_per_receipt(section: str, variants: dict[str, Sequence[str]]) -> None:
    """CPU per receipt (+5 stage metrics) of bare batches of 500 in memory per schema variant; interleaved, best of 9."""
    rounds = {}
    for label, statements in variants.items():
        conn = db.scratch_database()
        for statement in statements:
            conn.execute(statement)  # names from sqlite_master, statements above
        warm = bare_round(conn, 500, f"{section}-warm")
        for _ in range(6):  # 3,000 receipts already there: the indexes have some depth
            warm.run(warm.prepare())
        rounds[label] = bare_round(conn, 500, section)
    best = {label: float("inf") for label in rounds}
    for _ in range(9):  # interleaved, minimum kept: the least disturbed run
        for label, round_ in rounds.items():
            prepared = round_.prepare()
            c0 = time.process_time()
            round_.run(prepared)
            best[label] = min(best[label], (time.process_time() - c0) * 1e6 / 500)
    first = next(iter(best.values()))
    for label, us in sorted(best.items(), key=lambda item: item[1]):
        print(f"{section} {label:56}: {us:.1f} us CPU per receipt ({us - first:+.1f})")


def export_pages(scale: str) -> None:
    since, until = "1000-01-01 00:00:00.000", "3000-01-01 00:00:00.000"
    cached = datagen.cached_database(datagen.DataSpec.for_scale(scale))
    for table, query in (("receipts", "export_receipts_in_window"), ("audit_log", "export_audit_in_window")):
        whole = f"SELECT * FROM {table} WHERE timestamp_utc >= ? AND timestamp_utc < ? ORDER BY timestamp_utc, id"  # noqa: S608

        def one_cursor(conn: sqlite3.Connection, sql: str = whole) -> int:
            cursor = conn.execute(sql, (since, until))
            names = [d[0] for d in cursor.description]
            return sum(1 for values in cursor if dict(zip(names, values, strict=True)))

        def pages(conn: sqlite3.Connection, name: str = query) -> int:
            return sum(1 for _ in export._pages(conn, name, since, until))

        best = {"one cursor": float("inf"), "keyset pages": float("inf")}
        rows = 0
        for _ in range(3):
            for label, read in (("one cursor", one_cursor), ("keyset pages", pages)):
                conn = db.connect_read_only(cached)
                conn.execute("BEGIN")
                c0 = time.process_time()
                rows = read(conn)
                best[label] = min(best[label], time.process_time() - c0)
                conn.close()
        print(f"export_pages {scale} {table} ({rows} rows): " + ", ".join(f"{k} {v:.2f} s CPU" for k, v in best.items()))


def write_order(scale: str, rounds: int = 30) -> None:
    (workload,) = select(load_workloads(), ["batch_1000_bare"])
    for label, templates in (("the same day each pass", Templates(42, "order", advance=False)),
                             ("a day later each pass", Templates(42, "order"))):
        with working_copy(scale) as conn:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            round_ = BareWriteRound(workload, conn, templates)
            seen = []
            for i in range(rounds):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                prepared = round_.prepare()
                c0, t0 = time.process_time(), time.perf_counter()
                round_.run(prepared)
                wall, cpu = (time.perf_counter() - t0) * 1e3, (time.process_time() - c0) * 1e3
                if i in (0, rounds // 2, rounds - 1):
                    seen.append(f"batch {i + 1}: {wal_frames(conn)} pages, {cpu:.0f} ms CPU, {wall:.0f} ms")
            print(f"write_order {scale} {label:22}: {'; '.join(seen)}")


def window(scale: str) -> None:
    query = load_contract().queries["receipts_last_24h_by_day"]
    with working_copy(scale) as conn:
        run: Callable[[], object] = lambda: conn.execute(query.sql, query.params).fetchall()  # noqa: E731
        print(f"window {scale} as is: {_best_cpu(run):.2f} ms CPU")
        conn.execute("CREATE INDEX idx_receipts_time_status ON receipts (timestamp_utc, status)")
        conn.execute("DROP INDEX idx_receipts_time")
        print(f"window {scale} covering (timestamp_utc, status): {_best_cpu(run):.2f} ms CPU")


def _best_cpu(call: Callable[[], object], runs: int = 9) -> float:
    best = float("inf")
    for _ in range(runs):
        c0 = time.process_time()
        call()
        best = min(best, (time.process_time() - c0) * 1e3)
    return best


def _without_triggers(script: str) -> str:
    for name in INSERT_TRIGGERS:
        script = re.sub(rf"CREATE TRIGGER IF NOT EXISTS {name}\b.*?\nEND;", "", script, flags=re.S)
    return script


SECTIONS = {"frames": frames, "checkpoint": checkpoint, "batch_variants": batch_variants, "insert_cpu": insert_cpu,
            "select_star": select_star, "scan_levers": scan_levers, "insert_parts": insert_parts, "stage_rollup": stage_rollup,
            "export_pages": export_pages, "write_order": write_order, "window": window}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="100k", type=scale_name, help="data scale (default: 100k)")
    parser.add_argument("sections", nargs="*", choices=(*SECTIONS, []), metavar="SECTION",
                        help=f"any of {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args(argv)
    for name in args.sections or SECTIONS:
        SECTIONS[name](args.scale)


if __name__ == "__main__":
    main()
