"""`ggen-db signoff`: exit codes, one-line errors, progress and the closing summary; one real run end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the junit.xml the command just wrote
from pathlib import Path

import _signoff_fakes as fake
import jsonschema
import pytest

from harness import signoff as api
from harness.cli import main
from harness.contract.model import document_schema
from harness.results import FAIL, WARN

REPORTS = {"signoff.html", "signoff.md", "signoff.json", "junit.xml"}


@pytest.fixture
def fake_runs(monkeypatch):
    """The conformance suite and benchmarks replaced by fakes whose results a test can set."""
    state = {"conformance": fake.check_report(), "bench": fake.bench_report(), "scales": None}

    def benchmarks(scales, *, quick, schema_file, progress):
        state["scales"] = tuple(scales)
        progress("measuring at 10k: lookup", 1, 2)
        progress("measuring at 10k: lookup", 2, 2)
        return fake.about(state["bench"], schema_file)

    monkeypatch.setattr(api, "run_conformance", lambda schema_file: fake.about(state["conformance"], schema_file))
    monkeypatch.setattr(api, "run_benchmarks", benchmarks)
    return state


def test_pass_exits_0_and_ends_with_the_verdict_and_the_reports(tmp_path, fake_runs, capsys):
    assert main(["signoff", "--out", str(tmp_path / "out"), "--scale", "10k"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("PASS: sign-off of ")
    assert lines[-5] == f"reports in {tmp_path / 'out'}/:"
    assert {Path(line.strip()).name for line in lines[-4:]} == REPORTS
    # Progress goes to stderr, one line per step (not per round) when it is not a terminal.
    assert err.count("measuring at 10k: lookup") == 1
    assert "running the conformance suite" in err


def test_warn_exits_0_and_fail_exits_1_after_writing_the_reports(tmp_path, fake_runs, capsys):
    fake_runs["bench"] = fake.bench_report(fake.workload(verdict=WARN, reasons=("noisy: CV 1.2 > 1.0",)))
    assert main(["signoff", "--out", str(tmp_path / "warn")]) == 0
    assert "WARN SLO unreliable measurement: lookup_by_execution_id at 10k: noisy" in capsys.readouterr().out

    fake_runs["conformance"] = fake.check_report(failed={31: "no foreign key on collision_detection.session_id"})
    assert main(["signoff", "--out", str(tmp_path / "fail")]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL: ")
    assert "FAIL conformance failed: [31] check_31" in out
    assert set(os.listdir(tmp_path / "fail")) == REPORTS


def test_scales_may_be_repeated_or_comma_separated(tmp_path, fake_runs):
    assert main(["signoff", "--out", str(tmp_path / "o"), "--scale", "100k,1k", "--scale", "10k"]) == 0
    assert fake_runs["scales"] == ("1k", "10k", "100k")


def test_default_scales_are_10k_and_100k(tmp_path, fake_runs):
    assert main(["signoff", "--out", str(tmp_path / "o")]) == 0
    assert fake_runs["scales"] == ("10k", "100k")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--schema", "nope.sql"], "Error: --schema nope.sql: no such file"),
        (["--baseline", "old.json"], "Error: --baseline old.json: no such file"),
        (["--baseline", "broken.json"], "Error: --baseline broken.json: not JSON (line 1: Expecting value)"),
        (["--out", "a-file"], "Error: --out a-file: is a file; give a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_with_nothing_written(tmp_path, monkeypatch, capsys, args, line):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text("nope")
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr(api, "run_benchmarks", lambda *a, **k: pytest.fail("benchmarks ran on bad input"))
    assert main(["signoff", *args]) == 2
    out, err = capsys.readouterr()
    assert err == line + "\n"
    assert out == ""
    assert sorted(os.listdir(tmp_path)) == ["a-file", "broken.json"]


def test_an_unknown_scale_is_a_usage_error_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(api, "run_benchmarks", lambda *a, **k: pytest.fail("benchmarks ran on bad input"))
    with pytest.raises(SystemExit) as exit_info:
        main(["signoff", "--scale", "10k,5k"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "Error: ggen-db signoff: argument --scale: 5k: must be one of 1k, 10k, 100k, 1m (see --help)\n")
    assert os.listdir(tmp_path) == []


def test_help_ends_with_examples_and_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["signoff", "--help"])
    text = capsys.readouterr().out
    assert "exit status: 0 PASS or WARN, 1 FAIL, 2 bad input." in text
    assert "ggen-db signoff --scale 1k --quick" in text


# ------------------------------------------------------------- end to end
@pytest.mark.slow
def test_a_real_quick_signoff_writes_valid_reports(tmp_path):
    """`ggen-db signoff --scale 1k --quick` as a user runs it: real checks, real benchmarks."""
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "harness", "signoff", "--scale", "1k", "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert set(os.listdir(out)) == REPORTS

    data = json.loads((out / "signoff.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(document_schema("signoff.schema.json")).validate(data)
    status = data["verdict"]["status"]
    assert done.returncode == (1 if status == FAIL else 0)
    assert done.stdout.startswith(f"{status}: sign-off of ")
    # The shipped schema must pass its own conformance suite; a noisy machine may only fail SLOs.
    numbered = sorted(f["number"] for f in data["conformance"]["findings"] if f["number"] is not None)
    assert numbered == list(range(1, 37))
    assert data["conformance"]["ok"], [f for f in data["conformance"]["findings"] if f["status"] != "passed"]
    assert data["slo"]["results"] and all(r["timings_ms"] for r in data["slo"]["results"])
    assert re.fullmatch(r"[0-9a-f]{64}", data["schema"]["sha256"])

    junit = ET.parse(out / "junit.xml").getroot()  # noqa: S314
    cases = len(data["conformance"]["findings"]) + len(data["slo"]["results"]) + len(data["slo"]["derived"])
    assert int(junit.get("tests")) == cases
    html = (out / "signoff.html").read_text(encoding="utf-8")
    assert f'data-verdict="{status}"' in html and "<script" not in html
    markdown = (out / "signoff.md").read_text(encoding="utf-8")
    assert markdown.startswith("# ggen-db sign-off: ")

    # The report is a valid baseline for the next sign-off.
    assert api.load_baseline(out / "signoff.json").rounds
