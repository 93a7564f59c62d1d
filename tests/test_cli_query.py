"""`ggen-db query`: exact output on a small known database, filters, formats, one-line errors, docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return known_database(tmp_path_factory.mktemp("query") / "known.db")



def ids(out: str, key: str = "id") -> list[object]:
    return [row[key] for row in json.loads(out)]


def test_receipts_newest_first_as_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "query", str(db), "receipts", "--format", "json")
    assert (code, err) == (0, "")
    assert ids(out, "execution_id") == ["e4", "e3", "e2", "e1"]  # e2 was written +02:00: 06:00 UTC
    first = json.loads(out)[0]
    assert first == {
        "id": 4, "execution_id": "e4", "agent_id": "other-x", "operation": "generation", "status": "cancelled",
        "timestamp": "2026-01-29T12:00:00Z", "created_at": "2026-01-29 00:00:00", "manifest_hash": None,
        "ontology_hash": None, "files_generated": 0, "files_modified": 0, "duration_ms": 50, "receipt_json": None,
        "error_message": None, "environment": None, "timestamp_utc": "2026-01-29 12:00:00.000",
        "finished_utc": "2026-01-29 12:00:00.050"}
    assert out.startswith('[{"id": 4, ') and out.count("\n") == 4 and out.endswith("}]\n")


def test_an_agent_pattern_expands_and_merges_newest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ids(run(capsys, "query", str(db), "receipts", "--agent", "agent-*", "--format", "json")[1],
               "execution_id") == ["e3", "e2", "e1"]
    assert ids(run(capsys, "query", str(db), "receipts", "--agent", "agent-?", "--limit", "2", "--format",
                   "json")[1], "execution_id") == ["e3", "e2"]
    assert ids(run(capsys, "query", str(db), "audit", "--agent", "agent-a", "--format", "json")[1]) == [4, 2, 1]


@pytest.mark.parametrize("table", ["receipts", "audit", "memory", "collisions", "violations"])
def test_an_unknown_agent_is_an_empty_result(db: Path, capsys: pytest.CaptureFixture[str], table: str) -> None:
    assert run(capsys, "query", str(db), table, "--agent", "nobody*", "--format", "json") == (0, "[]\n", "")


def test_an_empty_result_in_csv_is_the_header(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", str(db), "receipts", "--agent", "nobody", "--format", "csv")
    assert code == 0
    assert out == ("id,execution_id,agent_id,operation,status,timestamp,created_at,manifest_hash,ontology_hash,"
                   "files_generated,files_modified,duration_ms,receipt_json,error_message,environment,"
                   "timestamp_utc,finished_utc\n")
    assert run(capsys, "query", str(db), "audit", "--agent", "nobody", "--format", "jsonl")[1] == ""


def test_status_filter_as_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", str(db), "receipts", "--status", "passed", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1:] == [
        "3,e3,agent-a,emission,passed,2026-01-29 09:00:00,2026-01-29 00:00:00,,,0,0,300,,,,"
        "2026-01-29 09:00:00.000,2026-01-29 09:00:00.300",
        '1,e1,agent-a,generation,passed,2026-01-28T10:00:00Z,2026-01-29 00:00:00,,,1,0,100,"{""files"":[""a.rs""]}",,,'
        "2026-01-28 10:00:00.000,2026-01-28 10:00:00.100",
    ]


def test_time_window_compares_in_utc(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "query", str(db), "receipts", "--since", "2026-01-29", "--until", "2026-01-29T08:00:00+02:00",
              "--format", "json")[1]
    assert ids(out, "execution_id") == []  # e2 is at 06:00 UTC: the until bound is exclusive
    out = run(capsys, "query", str(db), "receipts", "--since", "2026-01-29T06:00:00Z", "--until", "2026-01-29T10:00:00Z",
              "--format", "json")[1]
    assert ids(out, "execution_id") == ["e3", "e2"]


def test_every_table_as_jsonl(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sessions = run(capsys, "query", str(db), "sessions", "--format", "jsonl")[1].splitlines()
    assert [json.loads(line)["session_id"] for line in sessions] == ["s2", "s1"]
    assert [json.loads(line)["session_id"] for line in
            run(capsys, "query", str(db), "sessions", "--status", "completed", "--format", "jsonl")[1].splitlines()] == ["s1"]
    collisions = run(capsys, "query", str(db), "collisions", "--agent", "other-*", "--format", "jsonl")[1]
    assert collisions == (
        '{"id": 2, "session_id": "s2", "agent_id_1": "agent-b", "agent_id_2": "other-x", "collision_type": '
        '"memory_conflict", "description": "same memory key", "resolution": null, "severity": "critical", '
        '"timestamp": "2026-01-29T11:30:00Z", "created_at": "2026-01-29 00:00:00", "timestamp_utc": '
        '"2026-01-29 11:30:00.000"}\n')
    violations = run(capsys, "query", str(db), "violations", "--severity", "critical", "--format", "jsonl")[1]
    assert json.loads(violations)["agent_id"] == "agent-b"  # the receipt's agent comes with each violation
    memory = run(capsys, "query", str(db), "memory", "--format", "jsonl")[1].splitlines()
    assert [json.loads(line)["agent_id"] for line in memory] == ["agent-a", "agent-b"]


def test_table_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", str(db), "memory", "--format", "table")
    assert code == 0
    assert out.splitlines() == [
        "memory (2)",
        "",
        "  id   agent_id   retry_count   last_error   updated_at_utc",
        " " + "─" * 68,
        "  1    agent-a    0                          2026-01-29 09:00:01.000",
        "  2    agent-b    0             boom         2026-01-29 06:00:01.000",
        "",
    ]


def test_json_is_the_default_when_not_on_a_terminal(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ids(run(capsys, "query", str(db), "memory")[1], "agent_id") == ["agent-a", "agent-b"]


@pytest.mark.parametrize("argv,message", [
    (["receipts", "--status", "succeeded"],
     "Error: --status 'succeeded': must be one of passed, failed, partial, cancelled"),
    (["memory", "--status", "idle"],
     "Error: --status: rows of memory have no status (--status applies to receipts, audit, sessions)"),
    (["receipts", "--severity", "critical"],
     "Error: --severity: rows of receipts have no severity (--severity applies to collisions, violations)"),
    (["sessions", "--agent", "a*"],
     "Error: --agent: rows of sessions have no agent (--agent applies to receipts, memory, audit, collisions, "
     "violations)"),
    (["receipts", "--since", "yesterday"],
     "Error: --since 'yesterday': not a duration back from now (30m, 24h, 7d, 2w), a date (2026-01-29) or a "
     "timestamp (2026-01-29T12:00:00Z)"),
    (["receipts", "--since", "2026-01-30", "--until", "2026-01-29"],
     "Error: --since '2026-01-30' is not before --until '2026-01-29'"),
    (["receipts", "--limit", "0"], "Error: ggen-db query: argument --limit: 0 must be at least 1 (see --help)"),
    (["tables"], "Error: ggen-db query: argument TABLE: invalid choice: 'tables' (choose from 'receipts', 'memory', "
     "'audit', 'sessions', 'collisions', 'violations') (see --help)"),
])
def test_bad_input_is_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    code, out, err = run(capsys, "query", str(db), *argv)
    assert (code, out, err) == (2, "", message + "\n")


def test_a_missing_or_foreign_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "query", str(tmp_path / "no.db"), "receipts") == (2, "", f"Error: DB {tmp_path / 'no.db'}: no such file\n")
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    code, _, err = run(capsys, "query", str(other), "receipts")
    assert (code, err) == (2, f"Error: DB {other}: not a ggen-db database (no receipts table; create one with: ggen-db init)\n")


def test_query_never_writes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = db.read_bytes()
    run(capsys, "query", str(db), "receipts", "--agent", "*")
    assert db.read_bytes() == before
