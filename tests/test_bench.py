"""harness.bench.runner and harness.bench.results_json: judging rounds, derived targets, runs, A/B, saved results."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import _bench_data as data
import pytest

from harness.bench.results_json import load_results, save_results
from harness.bench.runner import (
    ORIGINAL_SCHEMA,
    BenchProgress,
    Measurement,
    compare_runs,
    derived_checks,
    judge,
    resolve_baseline,
    run_bench,
)
from harness.bench.workloads import load_workloads, select
from harness.errors import InputError, UsageError
from harness.results import FAIL, PASS, WARN, BenchReport

LOOKUP, BATCH, BARE = select(load_workloads(), ["lookup", "batch_1000", "batch_1000_bare"])


def steady(value: float, n: int = 300) -> list[float]:
    return [value * (1 + 0.01 * (i % 5)) for i in range(n)]


# ------------------------------------------------------------------ judge
def test_judge_passes_a_steady_workload_within_budget() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(0.02)))
    assert (r.verdict, r.reasons, r.percentile, r.rounds) == (PASS, (), "p99", 300)
    assert r.measured_ms == r.p99_ms and r.headroom == pytest.approx(1.0 / r.p99_ms)


def test_judge_fails_a_budget_miss_and_says_by_how_much() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(2.0)))
    assert r.verdict == FAIL
    assert r.reasons[0].startswith("p99 2.080 ms over the budget of 1 ms")
    assert r.headroom < 1


def test_judge_warns_when_the_measurement_is_unreliable() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(0.02, n=50)))
    assert r.verdict == WARN and "too few rounds: 50 < 300 needed for p99" in r.reasons


def test_judge_warns_when_the_machine_was_busy() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(0.02), cpu_ms=sum(steady(0.02)) / 3))
    assert r.verdict == WARN and any(x.startswith("machine busy") for x in r.reasons)


def test_judge_fails_a_result_over_its_row_bound() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(0.02), largest_result=2))
    assert r.verdict == FAIL and "returned 2 rows; the bound is 1" in r.reasons


def test_judge_fails_a_significant_regression_against_the_baseline() -> None:
    r = judge(LOOKUP, "10k", "normal", Measurement(steady(0.06)), baseline=Measurement(steady(0.02)))
    assert r.comparison is not None and r.comparison.regression
    assert r.verdict == FAIL and r.reasons[0].startswith("regression: 3.00x the baseline at p50")


def test_a_regression_against_a_baseline_that_answered_differently_is_a_warning() -> None:
    mine = Measurement(steady(0.06), rows_by_round=[1] * 300)
    r = judge(LOOKUP, "10k", "normal", mine, baseline=Measurement(steady(0.02), rows_by_round=[1, 0, 0, 1, 0] * 60))
    assert r.comparison is not None and r.comparison.regression
    assert r.verdict == WARN
    assert "not like for like: this schema returned 300 rows over the run, the baseline 120" in r.reasons
    same = judge(LOOKUP, "10k", "normal", mine, baseline=Measurement(steady(0.02), rows_by_round=[1] * 300))
    assert same.verdict == FAIL


def test_judge_a_reference_measurement_never_fails() -> None:
    r = judge(BARE, "10k", "normal", Measurement(steady(900.0, n=60)))
    assert r.verdict == WARN and "reference measurement: not a product target" in r.reasons


def test_progress_events_say_what_is_happening() -> None:
    assert BenchProgress("load", "10k", "copying candidate data", 0, 1).message == (
        "loading data at 10k: copying candidate data")
    assert BenchProgress("measure", "100k", "lookup", 10, 300).message == "measuring at 100k: lookup"


# ---------------------------------------------------------------- derived
def test_derived_checks_store_overhead_scaling_and_the_original() -> None:
    results = [
        judge(BATCH, "100k", "normal", Measurement(steady(200.0, n=60)),
              baseline=Measurement(steady(120.0, n=60))),
        judge(BARE, "100k", "normal", Measurement(steady(100.0, n=60))),
        judge(LOOKUP, "10k", "normal", Measurement(steady(0.02))),
        judge(LOOKUP, "100k", "normal", Measurement(steady(0.05))),
    ]
    checks = {c.name: c for c in derived_checks(results, against_original=True)}
    assert checks["store_overhead_batch_1000@100k"].value == 2.0
    assert checks["store_overhead_batch_1000@100k"].verdict == FAIL
    assert checks["lookup_scaling@100k"].value == 2.5 and checks["lookup_scaling@100k"].verdict == FAIL
    assert checks["batch_1000_vs_original@100k"].value == pytest.approx(1.667, abs=0.001)
    assert checks["batch_1000_vs_original@100k"].verdict == PASS
    assert "batch_1000_vs_original@100k" not in {c.name for c in derived_checks(results, against_original=False)}


def test_views_must_be_500x_faster_than_the_original_from_100k() -> None:
    (view,) = select(load_workloads(), ["view_recent_executions"])
    fast = judge(view, "100k", "normal", Measurement(steady(0.3)), baseline=Measurement(steady(600.0)))
    slow = judge(view, "100k", "normal", Measurement(steady(3.0)), baseline=Measurement(steady(600.0)))
    small = judge(view, "10k", "normal", Measurement(steady(0.3)), baseline=Measurement(steady(30.0)))
    names = {c.name: c for c in derived_checks([fast, small], against_original=True)}
    assert names["view_recent_executions_vs_original@100k"].verdict == PASS
    assert "view_recent_executions_vs_original@10k" not in names
    (check,) = [c for c in derived_checks([slow], against_original=True) if c.name.endswith("_vs_original@100k")]
    assert check.verdict == FAIL and check.value == pytest.approx(200, rel=0.01)


def test_headroom_short_of_its_target_warns_and_a_missed_budget_stays_the_fail() -> None:
    """Targets: reads 5x, the full-scan class 3x, writes 1.5x; the bare-sqlite3 references have none."""
    (scan,) = select(load_workloads(), ["full_scan_10k"])
    results = [
        judge(LOOKUP, "1m", "normal", Measurement(steady(0.02))),  # p99 0.0208 ms: 48x
        judge(LOOKUP, "100k", "normal", Measurement(steady(0.3))),  # p99 0.312 ms: 3.2x, budget met
        judge(LOOKUP, "10k", "normal", Measurement(steady(2.0))),  # budget missed
        judge(scan, "1m", "normal", Measurement(steady(30.0, n=60))),  # p95 31.2 ms: 3.2x
        judge(BATCH, "1m", "normal", Measurement(steady(250.0, n=60))),  # p95 260 ms: 1.15x
        judge(BARE, "1m", "normal", Measurement(steady(250.0, n=60))),
        judge(LOOKUP, "1k", "normal", Measurement(steady(0.02, n=50))),  # too few rounds (WARN row): 48x
    ]
    checks = {c.name: c for c in derived_checks(results, against_original=False) if c.name.startswith("headroom_")}
    assert {name: (c.verdict, c.limit) for name, c in checks.items()} == {
        "headroom_lookup@1m": (PASS, 5.0), "headroom_lookup@100k": (WARN, 5.0), "headroom_lookup@10k": (WARN, 5.0),
        "headroom_full_scan_10k@1m": (PASS, 3.0), "headroom_batch_1000@1m": (WARN, 1.5),
        "headroom_lookup@1k": (PASS, 5.0),
    }
    assert checks["headroom_lookup@1k"].detail == "inputs: lookup@1k; unreliable: lookup"
    assert checks["headroom_lookup@100k"].value == pytest.approx(3.205, abs=0.001)
    assert results[1].verdict == PASS and results[2].verdict == FAIL  # the headroom WARN leaves the row as it was


def test_every_export_page_is_the_size_export_reads_and_its_budget_is_the_full_scan_rate() -> None:
    from harness.operate.export import PAGE_ROWS

    for workload in select(load_workloads(), ["export_receipts_in_window", "export_audit_in_window"]):
        assert workload.params["page"] == workload.max_rows == PAGE_ROWS
        full_scan_rate = select(load_workloads(), ["full_scan_10k"])[0].budget_ms / 10_000
        assert workload.budget_ms == pytest.approx(PAGE_ROWS * full_scan_rate) and workload.headroom_target == 3.0


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"durability": "fast"}, "--durability fast: must be one of normal, full"),
        ({"scales": ["5k"]}, "--scale 5k: must be one of 1k, 10k, 100k, 1m"),
        ({"scales": []}, "--scale: give at least one scale"),
        ({"rounds": 0}, "--rounds 0: must be a positive integer"),
        ({"workloads": ["nope"]}, "--workload nope: no such workload"),
    ],
)
def test_usage_errors_name_the_option(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match="^" + message.replace("(", r"\(")):
        run_bench(**{"scales": ["1k"], **kwargs})  # type: ignore[arg-type]


def test_missing_schema_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^--schema .*nope\.sql: no such file$"):
        run_bench(["1k"], schema=tmp_path / "nope.sql")
    with pytest.raises(InputError, match=r"^--baseline-schema .*nope\.sql: no such file$"):
        run_bench(["1k"], baseline_schema=tmp_path / "nope.sql")


def test_original_names_the_shipped_fixture() -> None:
    assert resolve_baseline("original") == ORIGINAL_SCHEMA and ORIGINAL_SCHEMA.is_file()
    assert resolve_baseline(None) is None


# ------------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def small_run() -> BenchReport:
    events: list[BenchProgress] = []
    report = run_bench(["1k"], workloads=["lookup", "view_recent_executions", "insert_single", "insert_single_bare"],
                       rounds=20, cache_dir=data.CACHE, progress=events.append)
    assert {e.phase for e in events} == {"load", "measure"}
    return report


def test_a_run_measures_every_chosen_workload_with_its_raw_rounds(small_run: BenchReport) -> None:
    assert [r.workload for r in small_run.results] == ["lookup", "view_recent_executions", "insert_single",
                                                       "insert_single_bare"]
    for r in small_run.results:
        assert r.scale == "1k" and r.receipts == 1000 and r.rounds == 20 and len(r.timings_ms) == 20
        assert r.durability == "normal" and r.p50_ms <= r.p95_ms <= r.p99_ms <= r.p999_ms
    lookup = small_run.results[0]
    assert "USING INDEX sqlite_autoindex_receipts_1" in lookup.plan[0]
    assert "too few rounds: 20 < 300 needed for p99" in lookup.reasons


def test_a_run_records_the_machine_and_what_it_wrote(small_run: BenchReport) -> None:
    fp = small_run.fingerprint
    assert fp["sqlite_version"] and fp["cpu_count"] >= 1 and len(fp["hash"]) == 16
    assert fp["pragmas"]["journal_mode"] == "wal" and fp["pragmas"]["synchronous"] == 1
    # 20 measured rounds after a warm-up of at least 20 that lasts until the WAL file stops growing
    wrote = [re.match(r"1k: insert_single wrote (\d+) receipts \(committed, counted\)", n) for n in small_run.notes]
    assert [int(m.group(1)) >= 40 for m in wrote if m] == [True]
    assert [c.name for c in small_run.derived] == ["store_overhead_insert_single@1k", "headroom_lookup@1k",
                                                   "headroom_view_recent_executions@1k", "headroom_insert_single@1k"]


def test_results_round_trip_through_pytest_benchmark_json(small_run: BenchReport, tmp_path: Path) -> None:
    path = save_results(small_run, tmp_path / "out" / "bench.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert {"machine_info", "commit_info", "benchmarks", "datetime", "version"} <= set(raw)
    first = raw["benchmarks"][0]
    assert first["name"] == "lookup[1k]" and first["params"] == {"scale": "1k", "durability": "normal"}
    assert {"min", "max", "mean", "stddev", "rounds", "median", "iqr", "ops", "data"} <= set(first["stats"])
    assert first["stats"]["rounds"] == 20 and len(first["stats"]["data"]) == 20
    assert {"p50_ms", "p95_ms", "p99_ms", "p999_ms", "budget_ms", "headroom", "verdict"} <= set(first["extra_info"])
    assert first["stats"]["median"] * 1000 == pytest.approx(first["extra_info"]["p50_ms"])
    assert load_results(path) == small_run


def test_load_results_refuses_what_it_did_not_write(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_results(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not a JSON file"):
        load_results(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"benchmarks": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not a ggen-db bench result"):
        load_results(tmp_path / "other.json")


def test_comparing_with_another_machine_warns_and_does_not_fail(small_run: BenchReport) -> None:
    # Fixed rounds, not the machine's: a 4x slower lookup must not also miss its budget on a busy machine.
    earlier = replace(small_run, results=tuple(replace(r, timings_ms=tuple(steady(0.02))) for r in small_run.results))
    slower = replace(small_run, results=tuple(
        replace(r, timings_ms=tuple(steady(0.08)), verdict=PASS, reasons=()) for r in small_run.results))
    same = compare_runs(slower, earlier)
    lookup = same.results[0]
    assert lookup.comparison is not None and lookup.comparison.regression and lookup.verdict == FAIL
    elsewhere = replace(earlier, fingerprint={**small_run.fingerprint, "cpu_model": "Other CPU"})
    warned = compare_runs(slower, elsewhere)
    assert warned.results[0].verdict == WARN
    assert any(n.startswith("WARNING: the earlier results come from another machine (cpu_model:") for n in warned.notes)


def test_ab_run_flags_the_workload_an_index_drop_slows(tmp_path: Path) -> None:
    """A/B, few dozen rounds: schema.sql without idx_receipts_time against schema.sql."""
    report = run_bench(["1k"], schema=data.schema_without("idx_receipts_time"), baseline_schema=data.SCHEMA,
                       workloads=["view_recent_executions", "lookup"], rounds=30, cache_dir=data.CACHE)
    by_name = {r.workload: r for r in report.results}
    slowed, untouched = by_name["view_recent_executions"], by_name["lookup"]
    assert slowed.comparison is not None and slowed.comparison.regression and slowed.comparison.p_value < 0.01
    assert slowed.verdict == FAIL and slowed.reasons[0].startswith("regression: ")
    assert untouched.comparison is not None and not untouched.comparison.regression
    assert not report.ok


@pytest.mark.parametrize(("baseline", "original_sql"), [("schema", False), ("original", True)])
def test_only_the_original_baseline_runs_the_original_sql(monkeypatch: pytest.MonkeyPatch, baseline: str,
                                                          original_sql: bool) -> None:
    """Any other baseline schema (a previous version of this one) runs the same SQL as the candidate."""
    import harness.bench.runner

    calls: list[bool] = []
    real_bind = harness.bench.runner.bind

    def spy(*args: object, baseline: bool = False, **kwargs: object) -> object:
        calls.append(baseline)
        return real_bind(*args, baseline=baseline, **kwargs)

    monkeypatch.setattr(harness.bench.runner, "bind", spy)
    run_bench(["1k"], baseline_schema=data.SCHEMA if baseline == "schema" else "original",
              workloads=["range_24h"], rounds=3, cache_dir=data.CACHE)
    assert sorted(calls) == [False, original_sql]


def test_ab_run_against_the_original_design_shows_the_view_gain() -> None:
    report = run_bench(["1k"], baseline_schema="original", workloads=["view_pipeline_stage_performance"],
                       rounds=20, cache_dir=data.CACHE)
    (view,) = report.results
    assert view.comparison is not None and view.comparison.improvement
    assert report.baseline_schema_sha256 is not None


def test_drop_statistics_removes_analyze_results(populated_db: Path) -> None:
    import sqlite3

    from harness.bench.runner import drop_statistics

    conn = sqlite3.connect(populated_db)
    conn.execute("ANALYZE")
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    assert drop_statistics(conn) is True
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] == 0
    assert drop_statistics(sqlite3.connect(":memory:")) is False


def test_a_run_counts_steps_only_when_it_measures_both_scaling_scales(monkeypatch: pytest.MonkeyPatch,
                                                                     small_run: BenchReport) -> None:
    assert all(r.steps_per_row is None for r in small_run.results)  # one scale: nothing to prove
    import harness.bench.runner

    monkeypatch.setattr(harness.bench.runner, "READ_SCALING_SCALES", ("1k", "10k"))
    report = run_bench(["1k", "10k"], workloads=["by_agent"], rounds=20, cache_dir=data.CACHE)
    steps = {r.scale: r.steps_per_row for r in report.results}
    assert steps["1k"] and steps["10k"] and steps["10k"] <= 1.1 * steps["1k"], steps
    [check] = [c for c in report.derived if c.name == "read_scaling_by_agent@10k"]
    assert "VM steps per returned row" in check.detail
