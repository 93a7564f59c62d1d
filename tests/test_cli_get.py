"""`ggen-db get`: one receipt with its children and audit window, one agent's memory; exact output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return known_database(tmp_path_factory.mktemp("get") / "known.db")



def test_a_receipt_with_its_metrics_violations_and_audit_window(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "get", str(db), "receipt", "e1", "--format", "json")
    assert (code, err) == (0, "")
    record = json.loads(out)
    assert list(record) == ["receipt", "stage_metrics", "slo_violations", "audit"]
    assert record["receipt"]["execution_id"] == "e1" and record["receipt"]["first_file"] == "a.rs"
    assert [m["stage"] for m in record["stage_metrics"]] == ["μ₁_normalize", "μ₂_extract"]
    assert record["slo_violations"] == []
    # e1 runs 10:00:00.000-10:00:00.100: the audit row at .050 is inside, the one at 10:00:01 is not
    assert [a["operation"] for a in record["audit"]] == ["emit a.rs"]


def test_a_receipt_as_jsonl_names_each_section(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "get", str(db), "receipt", "e2", "--format", "jsonl")
    assert code == 0
    assert [json.loads(line)["kind"] for line in out.splitlines()] == ["receipt", "slo_violations", "audit"]
    assert json.loads(out.splitlines()[1]) == {
        "kind": "slo_violations", "id": 1, "execution_id": "e2", "metric": "latency_p95", "target_value": 100.0,
        "actual_value": 200.0, "severity": "critical", "description": None, "timestamp": "2026-01-29T06:00:00.200Z",
        "created_at": "2026-01-29 00:00:00", "timestamp_utc": "2026-01-29 06:00:00.200"}


def test_a_receipt_as_tables(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "get", str(db), "receipt", "e3", "--format", "table")
    assert code == 0
    lines = out.splitlines()
    assert lines[:5] == ["receipt", "", "  column            value", " " + "─" * 43, "  id                3"]
    assert "  first_file" in lines
    assert "stage_metrics (1)" in lines and "slo_violations (0)" in lines and "audit (1)" in lines


def test_memory_in_every_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "get", str(db), "memory", "agent-b", "--format", "csv")
    assert code == 0
    assert out == ("id,agent_id,memory_json,collision_history,retry_count,last_error,updated_at,created_at,"
                   "updated_at_utc,state\n"
                   '2,agent-b,"{""state"":""blocked""}",,0,boom,2026-01-29T06:00:01Z,2026-01-29 00:00:00,'
                   "2026-01-29 06:00:01.000,blocked\n")
    assert json.loads(run(capsys, "get", str(db), "memory", "agent-b", "--format", "json")[1])["memory"]["state"] == "blocked"
    assert json.loads(run(capsys, "get", str(db), "memory", "agent-b", "--format", "jsonl")[1])["kind"] == "memory"


@pytest.mark.parametrize("kind,key,message", [
    ("receipt", "nope", "no receipt with execution_id 'nope' in {db}\n"),
    ("memory", "agent-*", "no memory with agent_id 'agent-*' in {db}\n"),  # an id, not a pattern
])
def test_not_found_exits_1(db: Path, capsys: pytest.CaptureFixture[str], kind: str, key: str, message: str) -> None:
    assert run(capsys, "get", str(db), kind, key) == (1, "", message.format(db=db))


def test_bad_input_is_one_line_and_exit_2(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "get", str(db), "receipt", "e1", "--format", "csv") == (
        2, "", "Error: --format csv: a receipt has several sections; use json, jsonl or table\n")
    assert run(capsys, "get", str(db), "session", "s1") == (
        2, "", "Error: ggen-db get: argument KIND: invalid choice: 'session' (choose from 'receipt', 'memory') "
        "(see --help)\n")
    assert run(capsys, "get", str(tmp_path / "no.db"), "memory", "a") == (
        2, "", f"Error: DB {tmp_path / 'no.db'}: no such file\n")
