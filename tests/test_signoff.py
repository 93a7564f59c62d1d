"""signoff(): verdict rules, input checks before any work, baseline deltas, reports written whole.

The conformance suite and the benchmarks are replaced by fakes (tests/_signoff_fakes.py), so these
tests take milliseconds; tests/test_cli_signoff.py runs the real thing once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import _signoff_fakes as fake
import pytest

from harness import signoff as api
from harness.errors import InputError, UsageError
from harness.results import FAIL, PASS, WARN, DerivedCheck

REPORTS = {"signoff.html", "signoff.md", "signoff.json", "junit.xml"}


@pytest.fixture
def fake_runs(monkeypatch):
    """Replace the conformance suite and the benchmarks; record how they were called."""
    calls: dict[str, object] = {}
    state = {"conformance": fake.check_report(), "bench": fake.bench_report()}

    def conformance(schema_file):
        calls["conformance"] = schema_file
        return fake.about(state["conformance"], schema_file)

    def benchmarks(scales, *, quick, schema_file, progress):
        calls["bench"] = (tuple(scales), quick, schema_file)
        if progress:
            progress("measuring at 10k: lookup", 5, 10)
        return fake.about(state["bench"], schema_file)

    monkeypatch.setattr(api, "run_conformance", conformance)
    monkeypatch.setattr(api, "run_benchmarks", benchmarks)
    return state, calls


@pytest.fixture
def no_work(monkeypatch):
    """Any attempt to start measuring fails the test: input errors must come first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the inputs were checked")

    for name in ("initialize_scratch", "run_conformance", "run_benchmarks"):
        monkeypatch.setattr(api, name, forbidden)


# ----------------------------------------------------------------- verdict
def test_verdict_is_pass_when_everything_passes():
    assert api.decide(fake.check_report(), fake.bench_report()) == api.Verdict(PASS)


def test_a_failed_check_fails_the_signoff_and_says_which():
    verdict = api.decide(fake.check_report(failed={25: "execution_id is not UNIQUE"}), fake.bench_report())
    assert verdict.status == FAIL
    assert verdict.failures == ("conformance failed: [25] check_25 (check check_25): execution_id is not UNIQUE",)


def test_a_missed_budget_fails_and_an_unreliable_measurement_warns():
    bench = fake.bench_report(fake.workload(verdict=FAIL, reasons=("p99 2 ms over the budget of 1 ms",)),
                              fake.workload(scale="100k", verdict=WARN, reasons=("noisy: CV 1.2 > 1.0",)))
    verdict = api.decide(fake.check_report(), bench)
    assert verdict.status == FAIL
    assert verdict.failures == ("SLO missed its budget: lookup_by_execution_id at 10k: p99 2 ms over the budget of 1 ms",)
    assert verdict.warnings == ("SLO unreliable measurement: lookup_by_execution_id at 100k: noisy: CV 1.2 > 1.0",)


def test_warnings_alone_give_warn():
    bench = fake.bench_report(fake.workload(verdict=WARN, reasons=("too few rounds: 60 < 300 needed for p99",)))
    assert api.decide(fake.check_report(), bench).status == WARN


def test_derived_targets_count_like_workloads():
    bench = replace(fake.bench_report(), derived=(
        DerivedCheck("store_overhead", "store / bare", 1.7, 1.5, "<=", FAIL),
        DerivedCheck("lookup_scaling", "100k / 10k", 1.1, 2.0, "<=", WARN, "unreliable: lookup"),
        DerivedCheck("views", "speed-up", 900.0, 500.0, ">=", PASS),
    ))
    verdict = api.decide(fake.check_report(), bench)
    assert verdict.failures == ("SLO target FAIL: store_overhead: 1.70 (must be <= 1.5)",)
    assert verdict.warnings == ("SLO target WARN: lookup_scaling: 1.10 (must be <= 2); unreliable: lookup",)


def test_evidence_about_another_version_of_the_schema_fails():
    edited = replace(fake.bench_report(), schema_sha256="cd" * 32)
    verdict = api.decide(fake.check_report(), edited, schema_sha256=fake.SHA)
    assert verdict.failures == (
        "schema changed during the sign-off: the benchmarks ran on sha256 cdcdcdcdcdcd, not abababababab; run it again",
    )
    assert api.decide(fake.check_report(), fake.bench_report(), schema_sha256=fake.SHA).status == PASS


def test_nothing_measured_or_checked_is_a_failure():
    empty_checks = replace(fake.check_report(), findings=())
    verdict = api.decide(empty_checks, replace(fake.bench_report(), results=()))
    assert verdict.failures == ("conformance: no check ran", "SLO: no workload was measured")


def test_a_baseline_from_another_machine_warns():
    verdict = api.decide(fake.check_report(), fake.bench_report(), fake.baseline(same_machine=False))
    assert verdict.status == WARN
    assert "measured on another machine (cpu differ)" in verdict.warnings[0]


def test_a_significant_regression_warns_and_an_insignificant_change_does_not():
    slower = (api.Delta("lookup", "10k", fake.comparison(1.6, regression=True, p_value=0.001)),)
    noise = (api.Delta("lookup", "10k", fake.comparison(1.6, p_value=0.2)),)
    assert api.decide(fake.check_report(), fake.bench_report(), fake.baseline(), slower).warnings == (
        "regression against the baseline: lookup at 10k is 1.60x slower (p = 0.001)",
    )
    assert api.decide(fake.check_report(), fake.bench_report(), fake.baseline(), noise).status == PASS


# --------------------------------------------------------------- the run
def test_signoff_writes_the_four_reports_and_returns_where(tmp_path, fake_runs):
    state, calls = fake_runs
    events = []
    result = api.signoff(tmp_path / "out", scales=("100k", "10k"), progress=lambda *e: events.append(e))
    assert set(os.listdir(tmp_path / "out")) == REPORTS
    assert result.files == {name: os.fspath(tmp_path / "out" / name) for name in REPORTS}
    assert calls["bench"][:2] == (("10k", "100k"), False)  # deduplicated and ordered by size
    assert ("measuring at 10k: lookup", 5, 10) in events
    assert events[-1] == ("writing the reports", 0, 0)
    data = json.loads((tmp_path / "out" / "signoff.json").read_text(encoding="utf-8"))
    assert data["verdict"]["status"] == result.verdict.status == PASS
    assert data["environment"]["scratch_database"]["tables"] > 0  # `ggen-db init` really ran
    assert data["environment"]["scratch_database"]["pragmas"]["journal_mode"] == "wal"


def test_the_report_directory_gets_the_usual_permissions(tmp_path, fake_runs):
    umask = os.umask(0o022)
    try:
        api.signoff(tmp_path / "out", scales=("10k",))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "signoff.html").stat().st_mode) == 0o644


def test_a_schema_edited_while_it_is_measured_fails_the_signoff(tmp_path, fake_runs, monkeypatch):
    schema = tmp_path / "schema.sql"
    schema.write_bytes(Path(api.db.schema_path()).read_bytes())

    def benchmarks_after_an_edit(scales, *, quick, schema_file, progress):
        schema.write_text(schema.read_text() + "\n-- edited\n")
        return fake.about(fake.bench_report(), schema_file)

    monkeypatch.setattr(api, "run_benchmarks", benchmarks_after_an_edit)
    result = api.signoff(tmp_path / "out", scales=("10k",), schema=schema)
    assert result.verdict.status == FAIL
    assert result.verdict.failures[0].startswith("schema changed during the sign-off: the benchmarks ran on")


def test_default_directory_is_dated_and_named_after_the_schema(tmp_path, fake_runs, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = api.signoff(scales=("10k",))
    name = Path(result.out_dir).name
    assert Path(result.out_dir).parent == Path("reports")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[0-9a-f]{12}", name)
    assert name.endswith(result.schema_sha256[:12])
    assert set(os.listdir(tmp_path / "reports" / name)) == REPORTS


def test_rerun_replaces_the_reports_and_leaves_no_staging_directory(tmp_path, fake_runs):
    state, _ = fake_runs
    api.signoff(tmp_path / "out", scales=("10k",))
    state["conformance"] = fake.check_report(failed={1: "no receipts table"})
    result = api.signoff(tmp_path / "out", scales=("10k",))
    assert result.verdict.status == FAIL
    assert json.loads((tmp_path / "out" / "signoff.json").read_text())["verdict"]["status"] == FAIL
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_rendering_failure_writes_nothing(tmp_path, fake_runs, monkeypatch):
    from harness.reports import signoff_junit

    def broken(result):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(signoff_junit, "render_junit", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        api.signoff(tmp_path / "out", scales=("10k",))
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scales": ("5k",)}, UsageError, "--scale 5k: must be one of 1k, 10k, 100k, 1m"),
        ({"scales": ()}, UsageError, "--scale: give at least one scale"),
        ({"schema": "missing.sql"}, InputError, "--schema missing.sql: no such file"),
        ({"baseline": "missing.json"}, InputError, "--baseline missing.json: no such file"),
    ],
)
def test_bad_input_is_refused_before_any_work(tmp_path, monkeypatch, no_work, kwargs, error, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error) as raised:
        api.signoff(tmp_path / "out", **kwargs)
    assert str(raised.value) == message
    assert os.listdir(tmp_path) == []


def test_out_must_not_be_a_file(tmp_path, no_work):
    (tmp_path / "out").write_text("x")
    with pytest.raises(UsageError, match=r"--out .*out: is a file; give a directory"):
        api.signoff(tmp_path / "out")


def test_a_baseline_that_is_not_json_is_refused(tmp_path, no_work):
    bad = tmp_path / "old.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match=r"--baseline .*old.json: not JSON \(line 1: "):
        api.signoff(tmp_path / "out", baseline=bad)


def test_a_baseline_without_raw_rounds_is_refused(tmp_path, no_work):
    from harness.reports.signoff_json import render_json

    data = json.loads(render_json(fake.result()))
    del data["slo"]["results"][0]["timings_ms"]
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"not a valid ggen-db signoff.json \(at slo/results/0: 'timings_ms' is a"):
        api.signoff(tmp_path / "out", baseline=bad)


# --------------------------------------------------------------- baseline
def write_baseline(tmp_path: Path, result) -> Path:
    from harness.reports.signoff_json import render_json

    path = tmp_path / "old.json"
    path.write_text(render_json(result), encoding="utf-8")
    return path


def test_baseline_rounds_are_read_back_per_workload_and_scale(tmp_path):
    earlier = fake.result()
    baseline = api.load_baseline(write_baseline(tmp_path, earlier))
    assert baseline.rounds[("lookup_by_execution_id", "100k")] == earlier.bench.results[1].timings_ms
    assert baseline.fingerprint["cpu_model"] == "Fake CPU @ 2.0GHz"


def test_a_slower_run_is_a_significant_regression_and_the_same_run_is_not(tmp_path):
    earlier = fake.bench_report(fake.workload(median_ms=0.02, seed=1))
    baseline = api.load_baseline(write_baseline(tmp_path, fake.result(bench=earlier)))
    same = api.compare_with_baseline(earlier, baseline)[0].comparison
    slower = api.compare_with_baseline(fake.bench_report(fake.workload(median_ms=0.04, seed=9)), baseline)[0]
    assert same is not None and not same.regression and same.ratio == 1.0
    assert slower.comparison is not None and slower.comparison.regression and slower.comparison.ratio > 1.5
    assert slower.comparison.baseline_p50_ms == pytest.approx(earlier.results[0].p50_ms)


def test_a_workload_missing_from_the_baseline_has_no_comparison(tmp_path):
    baseline = api.load_baseline(write_baseline(tmp_path, fake.result()))
    deltas = api.compare_with_baseline(fake.bench_report(fake.workload(name="new_workload")), baseline)
    assert deltas == (api.Delta("new_workload", "10k", None),)


def test_signoff_with_a_baseline_from_another_machine_warns(tmp_path, fake_runs):
    earlier = fake.result(bench=replace(fake.bench_report(), fingerprint={**fake.FINGERPRINT, "cpu_model": "Other"}))
    result = api.signoff(tmp_path / "out", scales=("10k",), baseline=write_baseline(tmp_path, earlier))
    assert result.verdict.status == WARN
    assert result.baseline is not None and not result.baseline.same_machine
    assert result.baseline.machine_differences == ("cpu_model: Other != Fake CPU @ 2.0GHz",)
    assert all(d.comparison is not None for d in result.deltas)
    data = json.loads((tmp_path / "out" / "signoff.json").read_text())
    assert data["options"]["baseline"] == os.fspath(tmp_path / "old.json")


# -------------------------------------------------------------------- git
def test_git_commit_is_unknown_outside_a_checkout(tmp_path):
    assert api.git_commit(tmp_path) == "unknown"


def test_git_commit_is_the_checked_out_commit_inside_one():
    repo = Path(__file__).resolve().parent.parent
    if shutil.which("git") is None or not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", api.git_commit(repo / "tests"))
