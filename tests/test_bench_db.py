"""`ggen-db bench --db FILE`: the reads on a copy of a database made by `ggen-db ingest`.

The database holds 150 executions of four agents named `mine-agent-N` (tests/workers.py, about
1,200 receipt, stage-metric and audit lines) and three sessions, and no memory, collisions or
violations: the parameters must come from its rows, the workloads on the empty tables must be
skipped with the reason, and the file itself must not change.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import workers

from harness.bench import datagen
from harness.bench.results_json import load_results
from harness.bench.user_data import bind_to_database, bindings, parse_moment
from harness.bench.workloads import load_workloads, select
from harness.cli import main
from harness.contract.model import load_contract

EXECUTIONS = 150
AGENTS = {f"mine-agent-{k}" for k in range(4)}
SESSIONS = [
    {"kind": "session", "session_id": f"mine-session-{k}", "start_time": f"2026-01-29T0{k}:00:00Z",
     "status": "completed", "end_time": f"2026-01-29T0{k}:30:00Z", "agent_count": 2}
    for k in range(3)
]
READS = ("by_agent", "range_24h", "export_receipts_in_window", "legacy_audit_time_range", "session_by_id", "memory_by_agent",
         "collisions_between_agents", "receipt_agents_matching", "receipts_by_status_over_time")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made by `ggen-db init` and `ggen-db ingest` from a JSON Lines file."""
    directory = tmp_path_factory.mktemp("bench-db")
    source = directory / "mine.jsonl"
    workers.write_jsonl(source, iter([*workers.ingest_lines("mine", EXECUTIONS), *SESSIONS]))
    path = directory / "mine.db"
    assert main(["init", str(path)]) == 0
    assert main(["ingest", str(path), str(source)]) == 0
    return path


def _state(path: Path) -> tuple[str, int, list[str]]:
    """The file's bytes (hashed), its mtime and the files beside it."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)))


def _bench(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(["bench", *args])
    except SystemExit as e:
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def run(ingested: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One `bench --db` run (the reads named in READS and a write): its output, JSON, and the file before and after."""
    target = tmp_path_factory.mktemp("bench-db-out") / "bench.json"
    before = _state(ingested)
    out = io.StringIO()
    workloads = [arg for name in (*READS, "batch_100") for arg in ("--workload", name)]
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        status = main(["bench", "--db", str(ingested), "--rounds", "5", *workloads, "--json", str(target)])
    return {"status": status, "out": out.getvalue(), "json": json.loads(target.read_text(encoding="utf-8")),
            "path": target, "before": before, "after": _state(ingested)}


def _params(saved: dict[str, Any], workload: str) -> dict[str, Any]:
    found = [b["extra_info"]["query_params"] for b in saved["benchmarks"] if b["name"] == f"{workload}[db]"]
    assert found, f"{workload} was not measured"
    return dict(found[0])


def test_the_original_file_is_not_touched(run: dict[str, Any]) -> None:
    assert run["after"] == run["before"]
    assert run["before"][2] == ["mine.db"]  # no -wal or -shm beside it, before or after


def test_the_exit_status_follows_the_verdict(run: dict[str, Any]) -> None:
    assert run["status"] == (0 if "OK: every budget met" in run["out"] else 1)
    # Each measured read's headroom is judged against its target, as on generated data.
    derived = {d["name"] for d in run["json"]["ggen_db"]["report"]["derived"]}
    assert derived == {f"headroom_{b['name'].removesuffix('[db]')}@db" for b in run["json"]["benchmarks"]}


def test_ids_and_agents_come_from_the_database(run: dict[str, Any]) -> None:
    agent = _params(run["json"], "by_agent")["agent_id"]
    assert agent in AGENTS
    assert agent not in {m["agent_id"] for m in datagen.generate_memory(datagen.DataSpec.for_scale("1k"))}
    assert _params(run["json"], "session_by_id")["session_id"].startswith("mine-session-")
    assert _params(run["json"], "receipt_agents_matching")["pattern"] == "mine-agent-*"
    # The contract's example status ('failed') is in the data, so it stays.
    assert _params(run["json"], "receipts_by_status_over_time")["status"] == "failed"


def test_windows_end_just_after_the_newest_timestamp(run: dict[str, Any], ingested: Path) -> None:
    with sqlite3.connect(ingested.resolve().as_uri() + "?mode=ro", uri=True) as conn:
        newest = conn.execute("SELECT max(timestamp_utc) FROM receipts").fetchone()[0]
    end = parse_moment(newest)
    assert end is not None
    end += timedelta(seconds=1)
    day, page = _params(run["json"], "range_24h"), _params(run["json"], "export_receipts_in_window")
    assert (day["since"], day["until"]) == (str(end - timedelta(days=1)), str(end))
    # The first export page of the day ending at the same moment, in the contract's form (milliseconds kept).
    assert (page["after_ts"], page["until"]) == (f"{end - timedelta(days=1)}.000", f"{end}.000")
    # A writer's text column (timestamps with offsets) is ordered through its normalized column.
    legacy = _params(run["json"], "legacy_audit_time_range")
    assert legacy["until"] == str(end) and "audit_log.timestamp_utc" in " ".join(run["out"].split())


def test_a_workload_without_data_is_skipped_with_the_reason(run: dict[str, Any]) -> None:
    skipped = {s["workload"]: s["reason"] for s in run["json"]["ggen_db"]["report"]["skipped"]}
    assert skipped == {"memory_by_agent": "no rows in agent_memory",
                       "collisions_between_agents": "no rows in collision_detection"}
    assert "SKIP memory_by_agent@db: no rows in agent_memory" in run["out"]
    assert "note: writes skipped: --db measures reads only" in run["out"]
    assert not any(b["name"].startswith(("memory_by_agent", "batch_100")) for b in run["json"]["benchmarks"])
    assert load_results(run["path"]).skipped[0].workload in skipped


def test_the_fingerprint_describes_the_database(run: dict[str, Any], ingested: Path) -> None:
    database = run["json"]["machine_info"]["fingerprint"]["database"]
    assert database["row_counts"]["receipts"] == EXECUTIONS
    assert database["row_counts"]["pipeline_metrics"] == 5 * EXECUTIONS
    assert database["row_counts"]["workflow_sessions"] == len(SESSIONS)
    assert database["size_bytes"] == ingested.stat().st_size and database["page_size"] == 4096
    assert database["user_version"] >= 1 and database["drift"] == []
    assert f"database {ingested}: {ingested.stat().st_size:,} bytes, page size 4096" in run["out"]
    assert all(b["extra_info"]["receipts"] == EXECUTIONS for b in run["json"]["benchmarks"])


def test_compare_with_an_earlier_db_run(run: dict[str, Any], ingested: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _bench(capsys, "--db", str(ingested), "--rounds", "5", "--workload", "by_agent",
                            "--compare", str(run["path"]))
    assert status in (0, 1) and "compared with the run of" in out and "vs base" in out


# ----------------------------------------------------------- bad input
def test_bad_databases_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    expected = {
        tmp_path / "absent.db": f"Error: --db {tmp_path / 'absent.db'}: no such file",
        text: f"Error: --db {text}: not a readable SQLite database (file is not a database)",
        other: f"Error: --db {other}: not a ggen-db database (no receipts table; create one with: ggen-db init)",
    }
    for path, line in expected.items():
        status, out, err = _bench(capsys, "--db", str(path), "--rounds", "1")
        assert (status, out, err.strip()) == (2, "", line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "other.db"]


@pytest.mark.parametrize("option", [["--scale", "1k"], ["--baseline-schema", "original"], ["--schema", "schema.sql"]])
def test_db_excludes_the_generated_data_options(option: list[str], ingested: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _bench(capsys, "--db", str(ingested), *option)
    assert (status, out) == (2, "")
    assert err.strip() == "Error: --db measures the database given: it excludes --scale, --schema, --baseline-schema"


# ------------------------------------------------------ binding rules
def test_each_parameter_binds_to_its_column_through_aliases() -> None:
    workloads = {w.name: w for w in load_workloads()}
    found = bindings(workloads["violations_in_window"].sql)
    assert (found["agent"].table, found["agent"].column, found["agent"].op) == ("receipts", "agent_id", "GLOB")
    assert (found["since"].table, found["since"].column, found["since"].op) == ("slo_violations", "timestamp_utc", ">=")
    rollup = bindings(workloads["receipts_last_24h_by_day"].sql)["since"]
    assert (rollup.table, rollup.column) == ("receipt_hourly_counts", "hour")
    assert "limit" not in bindings(workloads["by_agent"].sql)


def test_a_workload_whose_sql_fails_on_the_database_is_skipped(ingested: Path, tmp_path: Path) -> None:
    """A database missing a table the shipped schema has (an older or edited one): its reads are skipped."""
    copy = tmp_path / "edited.db"
    with sqlite3.connect(ingested) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("DROP TABLE receipt_hourly_counts")
    chosen = select(load_workloads(), ["receipts_last_24h_by_day", "lookup", "batch_100"])
    with sqlite3.connect(copy) as conn:
        bound = bind_to_database(chosen, conn)
    assert [w.name for w in bound.reads] == ["lookup"] and bound.reads[0].scales == ("db",)
    assert [(s.workload, s.reason) for s in bound.skipped] == [
        ("receipts_last_24h_by_day", "its SQL fails on this database (no such table: receipt_hourly_counts)")]
    assert bound.writes_left_out


def test_moments_are_read_in_every_stored_form() -> None:
    assert parse_moment("2026-01-29 00:23:13.000") == datetime(2026, 1, 29, 0, 23, 13)
    assert parse_moment("2026-01-29T00:23:13Z") == datetime(2026, 1, 29, 0, 23, 13)
    assert parse_moment("2026-01-29 05") == datetime(2026, 1, 29, 5)
    assert parse_moment("2026-01-29") == datetime(2026, 1, 29)
    assert parse_moment("soon") is None and parse_moment(None) is None


def test_schema_drift_is_one_note(ingested: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "edited.db"
    with sqlite3.connect(ingested) as source, sqlite3.connect(edited) as target:
        source.backup(target)
        target.execute("CREATE INDEX mine_extra ON receipts (operation)")
    status, out, _ = _bench(capsys, "--db", str(edited), "--rounds", "2", "--workload", "lookup")
    assert status in (0, 1)
    text = " ".join(out.split())  # the table's console wraps long notes
    assert text.count("from the shipped schema.sql (ggen-db check") == 1
    assert (f"note: schema version {load_contract().schema_version}: 1 object differs from the shipped schema.sql (ggen-db check --db shows them; "
            "ggen-db migrate upgrades an older database): index mine_extra: added (not in the shipped schema.sql)") in text


def test_a_log_left_by_a_crashed_writer_is_read_not_checkpointed_into_the_file(
        ingested: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crashed = tmp_path / "crashed.db"
    with sqlite3.connect(ingested) as source, sqlite3.connect(crashed) as target:
        source.backup(target)
    writer = ("import os, sqlite3, sys\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
              "c.execute(\"INSERT INTO audit_log (timestamp, agent_id, operation, status) "
              "VALUES ('2026-01-30T00:00:00Z', 'late-agent', 'emit', 'completed')\")\n"
              "os._exit(0)\n")  # no close: the committed row stays in the -wal
    subprocess.run([sys.executable, "-c", writer, str(crashed)], check=True)
    before = _state(crashed)
    assert before[2] == ["crashed.db", "crashed.db-shm", "crashed.db-wal"]
    target = tmp_path / "bench.json"
    status, _, _ = _bench(capsys, "--db", str(crashed), "--rounds", "2", "--workload", "lookup", "--json", str(target))
    assert status in (0, 1)
    assert _state(crashed)[:2] == before[:2]
    database = json.loads(target.read_text(encoding="utf-8"))["machine_info"]["fingerprint"]["database"]
    assert database["row_counts"]["audit_log"] == 2 * EXECUTIONS + 1  # the logged row was read
