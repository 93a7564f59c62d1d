"""`ggen-db bench`: exit statuses, the exact error lines, the table and the JSON file."""

from __future__ import annotations

import json
from pathlib import Path

import _bench_data as data
import pytest
from _operate_db import undocumented

from harness.cli import build_parser, main


@pytest.fixture(autouse=True)
def test_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GGEN_DB_CACHE", str(data.CACHE))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["bench", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--scale", "5k"], "Error: ggen-db bench: argument --scale: 5k: must be one of 1k, 10k, 100k, 1m (see --help)"),
        (["--rounds", "0"], "Error: ggen-db bench: argument --rounds: 0 must be at least 1 (see --help)"),
        (["--durability", "fast"], "Error: ggen-db bench: argument --durability: invalid choice: 'fast' (choose from 'normal', 'full') (see --help)"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], args: list[str], line: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", *args])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip() == line


def test_scales_repeat_or_comma_separate() -> None:
    parser = build_parser()
    args = parser.parse_args(["bench", "--scale", "10k,100k", "--scale", "1m"])
    assert [s for group in args.scale for s in group] == ["10k", "100k", "1m"]


def test_missing_schema_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, "--scale", "1k", "--schema", str(tmp_path / "nope.sql"))
    assert status == 2 and out == ""
    assert err.strip() == f"Error: --schema {tmp_path / 'nope.sql'}: no such file"


def test_unknown_workload_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--scale", "1k", "--workload", "nope")
    assert status == 2 and err.startswith("Error: --workload nope: no such workload; choose from ")


def test_compare_and_baseline_together_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "--scale", "1k", "--baseline-schema", "original", "--compare", str(tmp_path / "x.json"))
    assert status == 2
    assert err.strip() == "Error: --compare and --baseline-schema are incompatible: compare with one baseline at a time"


def test_help_ends_with_an_example_and_the_readme_documents_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    lines = capsys.readouterr().out.rstrip().splitlines()
    examples = lines[lines.index("example:") + 1:]
    assert examples and all(line.strip().startswith("ggen-db bench ") for line in examples)
    assert undocumented("bench") == []


def test_a_run_prints_the_table_writes_json_and_exits_by_its_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "bench.json"
    status, out, _ = run(capsys, "--scale", "1k", "--workload", "lookup", "--workload", "aggregation",
                         "--rounds", "20", "--json", str(target))
    # Real rounds on a shared machine may miss a budget: the exit status must follow the verdict printed.
    assert status == (0 if "OK: every budget met" in out else 1)
    assert "p50 ms" in out and "budget ms" in out and "headroom" in out
    assert "lookup" in out and "aggregation" in out and "WARN" in out
    assert out.rstrip().endswith(f"results written to {target}")
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert [b["name"] for b in saved["benchmarks"]] == ["lookup[1k]", "aggregation[1k]"]


def test_a_regression_exits_1_and_shows_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--scale", "1k", "--schema", str(data.schema_without("idx_receipts_time")),
                         "--baseline-schema", str(data.SCHEMA), "--workload", "view_recent_executions", "--rounds", "30")
    assert status == 1
    assert "vs base" in out and "YES" in out
    assert "FAIL view_recent_executions@1k: regression: " in out
    assert "FAILED: a budget, a ratio target or a comparison failed" in out


def test_a_missing_compare_file_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "--scale", "1k", "--compare", str(tmp_path / "old.json"))
    assert status == 2 and err.strip() == f"Error: --compare {tmp_path / 'old.json'}: no such file"
