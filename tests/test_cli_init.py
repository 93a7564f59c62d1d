"""`ggen-db init`: exit codes, output, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.contract.model import load_contract

CONTRACT = load_contract()
VERSION, TABLES = CONTRACT.schema_version, len(CONTRACT.tables)


def test_init_prints_what_it_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "x" / "ggen.db"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"created {target} (schema version 0 -> {VERSION}, journal_mode=wal)")
    assert f"tables: {TABLES} ({TABLES} added:" in out
    assert "views: 3 (3 added: agent_performance_summary, pipeline_stage_performance, recent_executions)" in out


def test_init_twice_adds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ggen.db"
    main(["init", str(target)])
    capsys.readouterr()
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"opened {target} (schema version {VERSION} -> {VERSION}")
    assert f"tables: {TABLES} (0 added: none)" in out


def test_default_path_is_used_without_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GGEN_DB", raising=False)
    assert main(["init"]) == 0
    assert (tmp_path / ".ggen" / "ggen.db").is_file()


def test_not_a_database_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bad.db"
    target.write_text("garbage")
    assert main(["init", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"Error: DB {target}: not a SQLite database (file is not a database)\n"


def test_missing_schema_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "a.db"), "--schema", str(tmp_path / "nope.sql")]) == 2
    assert capsys.readouterr().err == f"Error: --schema {tmp_path / 'nope.sql'}: no such file\n"


def test_unknown_option_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["init", "--bogus"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "Error: ggen-db: unrecognized arguments: --bogus (see --help)\n"


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before init prints: every write fails with EPIPE
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "harness", "init", str(tmp_path / "p.db")],
            stdout=write_end, stderr=subprocess.PIPE, text=True, check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in writer.stderr
    assert writer.returncode == 141
    assert (tmp_path / "p.db").is_file()


def test_init_on_a_changed_view_reports_drift_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.engine.db import read_schema

    target = tmp_path / "existing.db"
    main(["init", str(target)])
    changed = tmp_path / "new.sql"
    changed.write_text(read_schema().replace("LIMIT 100;", "LIMIT 50;"))
    capsys.readouterr()
    assert main(["init", str(target), "--schema", str(changed)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "drift (database -> schema):\n  view recent_executions: sql `... limit 100` -> `... limit 50`\n"
    assert captured.err == (
        f"Error: DB {target}: its schema differs from {changed} in 1 place that init cannot change (it only adds "
        f"missing objects); ship the change as a migration (harness/migrations/) and run `ggen-db migrate {target}`\n"
    )
