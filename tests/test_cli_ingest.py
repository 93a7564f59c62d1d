"""`ggen-db ingest`: exit statuses 0/1/2, the summary line, one line per rejected line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.contract.model import load_contract, row_violations

AUDIT = {"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a1", "operation": "emit", "status": "completed"}


def jsonl(tmp_path: Path, lines: list[Any]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_a_clean_file_exits_0_with_a_summary(initialized_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = jsonl(tmp_path, [AUDIT, AUDIT])
    assert main(["ingest", str(initialized_db), str(source)]) == 0
    captured = capsys.readouterr()
    first, timing = captured.out.splitlines()
    assert first == f"ingested 2 of 2 lines from {source}: audit 2"
    assert re.fullmatch(r"  checked in \d+\.\d\d s; waited \d+\.\d\d s for the write lock, held it \d+\.\d\d s", timing)
    assert captured.err == ""


def test_a_rejected_line_exits_1_and_writes_nothing(
    initialized_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = jsonl(tmp_path, [AUDIT, {**AUDIT, "duration_ms": -3}, {**AUDIT, "status": "ok"}])
    assert main(["ingest", str(initialized_db), str(source)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "line 2: audit_log.duration_ms: nonnegative: must be >= 0",
        "line 3: audit_log.status: enum: must be one of started, completed, failed, skipped",
    ]
    assert captured.out.splitlines()[0] == (
        f"nothing written to the database: 2 of 3 lines rejected in {source} (use --skip-invalid to write the valid ones)"
    )


def test_skip_invalid_writes_the_rest_and_still_exits_1(
    initialized_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = jsonl(tmp_path, [AUDIT, {**AUDIT, "agent_id": ""}])
    assert main(["ingest", "--skip-invalid", str(initialized_db), str(source)]) == 1
    captured = capsys.readouterr()
    violations = row_violations(load_contract().tables["audit_log"], {"agent_id": ""})
    rule = next(v for v in violations if v.column == "agent_id")  # the contract's wording
    assert captured.err == f"line 2: audit_log.agent_id: nonempty: {rule.message}\n"
    assert captured.out.splitlines()[0] == f"ingested 1 of 2 lines from {source}, 1 rejected: audit 1"


def test_a_missing_database_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = jsonl(tmp_path, [AUDIT])
    missing = tmp_path / "missing.db"
    assert main(["ingest", str(missing), str(source)]) == 2
    assert capsys.readouterr().err == f"Error: DB {missing}: no such file (create it with: ggen-db init {missing})\n"
    assert not missing.exists()


def test_stdin_and_progress_through_the_console_script(initialized_db: Path) -> None:
    lines = "".join(json.dumps(AUDIT) + "\n" for _ in range(3))
    done = subprocess.run(
        [sys.executable, "-m", "harness", "ingest", "--progress", str(initialized_db), "-"],
        input=lines.encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[0] == "ingested 3 of 3 lines from <stdin>: audit 3"
    assert "ingest" in done.stderr.decode() and "100%" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
