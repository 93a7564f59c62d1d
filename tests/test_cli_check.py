"""`ggen-db check`: exit statuses, the exact error lines, and the JUnit / JSON / Markdown files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 (parses only XML this test just wrote)
from pathlib import Path

import pytest

from harness.checks import plan
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine.db import schema_path
from harness.reports.check_report import render_json
from harness.results import CheckReport, Finding

N_CHECKS = len(plan(load_contract()))
# Dropping idx_receipts_time breaks checks 23 and 24, index_idx_receipts_time, the view's no-full-scan
# check, and index_serves_<query> of every documented query the index serves.
N_BROKEN = 4 + sum(q.index == "idx_receipts_time" for q in load_contract().queries.values())
DROPPED = "CREATE INDEX IF NOT EXISTS idx_receipts_time ON receipts (timestamp_utc, id, status);"


@pytest.fixture
def broken_schema(tmp_path: Path) -> Path:
    text = schema_path().read_text(encoding="utf-8")
    path = tmp_path / "broken.sql"
    path.write_text(text.replace(DROPPED, ""), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_shipped_schema_exits_0_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    assert out.startswith(f"ggen-db check: PASS: {N_CHECKS} checks, {N_CHECKS} passed, 0 failed, 0 errors")
    assert out.count("\n") == 1


def test_a_broken_promise_exits_1_with_one_line_per_failure(
    capsys: pytest.CaptureFixture[str], broken_schema: Path
) -> None:
    status, out, _ = run(capsys, "--schema", str(broken_schema))
    lines = out.splitlines()
    assert status == 1
    assert "FAIL [23] check_23_receipts_indexes: idx_receipts_time on receipts (timestamp_utc, id, status): index is missing" in lines
    assert "FAIL index_idx_receipts_time: idx_receipts_time on receipts (timestamp_utc, id, status): index is missing" in lines
    assert lines[-1].startswith(f"ggen-db check: FAIL: {N_CHECKS} checks, {N_CHECKS - N_BROKEN} passed, {N_BROKEN} failed")
    assert all(line.startswith(("FAIL ", "ERROR ")) for line in lines[:-1])


def test_a_database_is_checked_read_only(capsys: pytest.CaptureFixture[str], file_db: Path) -> None:
    before = file_db.read_bytes()
    status, out, _ = run(capsys, "--db", str(file_db))
    assert status == 0
    assert f"{N_CHECKS - 2} passed, 0 failed, 0 errors, 2 skipped (db {file_db}" in out
    assert file_db.read_bytes() == before


# ------------------------------------------------------------ exit status 2
def test_missing_schema_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no.sql"
    assert run(capsys, "--schema", str(missing)) == (2, "", f"Error: --schema {missing}: no such file\n")


def test_schema_that_does_not_load_names_the_statement(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE ok (x INTEGER);\nCREATE TABLE receipts (id INTEGER PRIMARY KEY,);\n", encoding="utf-8")
    assert run(capsys, "--schema", str(bad)) == (
        2, "", f'Error: {bad}: statement does not load (near ")": syntax error): '
               "CREATE TABLE receipts (id INTEGER PRIMARY KEY,);\n")


def test_a_file_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just some text that is long enough" * 20)
    assert run(capsys, "--db", str(junk)) == (
        2, "", f"Error: --db {junk}: not a SQLite database (file is not a database)\n")


def test_missing_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "--db", str(tmp_path / "no.db")) == (2, "", f"Error: --db {tmp_path / 'no.db'}: no such file\n")


def test_schema_and_db_together(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--schema", "a.sql", "--db", "b.db"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "Error: ggen-db check: argument --db: not allowed with argument --schema (see --help)\n")


def test_output_directory_must_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--junit", str(tmp_path / "nope" / "check.xml")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"Error: ggen-db check: argument --junit: directory {tmp_path / 'nope'} does not exist (see --help)\n")


def test_invalid_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    contract = tmp_path / "contract.json"
    contract.write_text("{not json", encoding="utf-8")
    assert run(capsys, "--contract", str(contract)) == (
        2, "", f"Error: {contract}: not JSON (line 1: Expecting property name enclosed in double quotes)\n")


def test_an_input_error_writes_no_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    outputs = [tmp_path / "c.xml", tmp_path / "c.json", tmp_path / "c.md"]
    status, _, _ = run(capsys, "--schema", str(tmp_path / "no.sql"), "--junit", str(outputs[0]),
                       "--json", str(outputs[1]), "--markdown", str(outputs[2]))
    assert status == 2
    assert not any(p.exists() for p in outputs)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------- the files
@pytest.fixture
def outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path, broken_schema: Path) -> dict[str, str]:
    paths = {name: tmp_path / f"check.{name}" for name in ("xml", "json", "md")}
    status, _, _ = run(capsys, "--schema", str(broken_schema), "--junit", str(paths["xml"]),
                       "--json", str(paths["json"]), "--markdown", str(paths["md"]))
    assert status == 1
    return {name: path.read_text(encoding="utf-8") for name, path in paths.items()}


def test_junit_is_xml_with_one_testcase_per_check(outputs: dict[str, str]) -> None:
    root = ET.fromstring(outputs["xml"])  # noqa: S314
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (str(N_CHECKS), str(N_BROKEN), "0")
    cases = suite.findall("testcase")
    assert len(cases) == N_CHECKS
    assert cases[0].get("classname") == "Schema Structure" and cases[0].get("name") == "check_01_table_receipts_exists"
    failed = {c.get("name"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert len(failed) == N_BROKEN
    failure = failed["check_23_receipts_indexes"]
    assert failure is not None and "idx_receipts_time" in (failure.get("message") or "")


def test_json_round_trips_to_the_same_report(outputs: dict[str, str]) -> None:
    document = json.loads(outputs["json"])
    assert document["format_version"] == 1 and document["ok"] is False
    assert document["counts"] == {"passed": N_CHECKS - N_BROKEN, "failed": N_BROKEN, "error": 0, "skipped": 0}
    fields = {k: v for k, v in document.items() if k not in ("format_version", "ok", "counts", "findings")}
    report = CheckReport(findings=tuple(Finding(**f) for f in document["findings"]), **fields)
    assert render_json(report) == outputs["json"]


def test_markdown_has_the_verdict_and_the_tables(outputs: dict[str, str]) -> None:
    text = outputs["md"]
    assert text.startswith("## ❌ ggen-db check: FAIL\n")
    assert f"**{N_CHECKS}** checks: **{N_CHECKS - N_BROKEN}** passed, **{N_BROKEN}** failed" in text
    assert "| # | check | group | status | message |" in text
    assert "| 23 | `check_23_receipts_indexes` | Indexes | FAIL | idx&#95;receipts&#95;time on receipts" in text
    assert f"<details><summary>All {N_CHECKS} checks</summary>" in text
    assert text.count("| PASS |") == N_CHECKS - N_BROKEN


def test_help_ends_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "--schema FILE" in out and "--db FILE" in out and "exit status: 0" in out
    assert out.rstrip().splitlines()[-1].strip().startswith("ggen-db check ")
