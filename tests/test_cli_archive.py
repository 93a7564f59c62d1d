"""`ggen-db archive`: the summary line, --dry-run, one-line errors, docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return known_database(tmp_path / "known.db")



def test_dry_run_then_the_move(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "archive.db"
    code, out, err = run(capsys, "archive", str(db), "--before", "2026-01-29T07:00:00Z", "--to", str(target), "--dry-run")
    assert (code, err) == (0, "")
    assert out == (f"would move 10 rows older than 2026-01-29 07:00:00.000 from {db} to {target}: receipts 2, "
                   "pipeline_metrics 2, slo_violations 1, audit_log 3, workflow_sessions 1, collision_detection 1\n")
    code, out, err = run(capsys, "archive", str(db), "--before", "2026-01-29T07:00:00Z", "--to", str(target))
    assert (code, err) == (0, "")
    assert out.startswith(f"moved 10 rows older than 2026-01-29 07:00:00.000 from {db} to {target} (created) in 3 "
                          "batches, ")
    assert out.endswith("s): receipts 2, pipeline_metrics 2, slo_violations 1, audit_log 3, workflow_sessions 1, "
                        "collision_detection 1\n")


@pytest.mark.parametrize("argv,message", [
    (["--to", "a.db"], "Error: ggen-db archive: the following arguments are required: --before (see --help)"),
    (["--before", "soon", "--to", "a.db"], "Error: --before 'soon': not a duration back from now (30m, 24h, 7d, 2w), "
     "a date (2026-01-29) or a timestamp (2026-01-29T12:00:00Z)"),
    (["--before", "2026-01-29", "--to", "a.db", "--batch", "0"],
     "Error: ggen-db archive: argument --batch: 0 must be at least 1 (see --help)"),
])
def test_bad_input_is_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    assert run(capsys, "archive", str(db), *argv) == (2, "", message + "\n")


def test_the_database_itself_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "archive", str(db), "--before", "2026-01-29", "--to", str(db)) == (
        2, "", f"Error: --to {db}: is the database itself\n")
