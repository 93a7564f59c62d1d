"""`ggen-db stats`: exact sections on a small known database, formats, one-line errors, docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run

from harness.operate.stats import stats


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return known_database(tmp_path_factory.mktemp("stats") / "known.db")



def test_every_section_as_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "stats", str(db), "--until", "2026-01-30", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert list(document) == ["database", "tables", "agents", "stages", "receipts_by_day", "violations_by_metric"]
    database = document["database"]
    assert database["schema_version"] >= 1 and database["page_size"] == 4096
    assert database["file_bytes"] == database["page_size"] * database["page_count"]
    assert (database["period"], database["since"], database["until"]) == (
        "24h", "2026-01-29 00:00:00.000", "2026-01-30 00:00:00.000")
    assert document["tables"] == [
        {"table": "receipts", "rows": 4, "how": "rollup"},
        {"table": "pipeline_metrics", "rows": 3, "how": "rollup"},
        {"table": "agent_memory", "rows": 2, "how": "counted"},
        {"table": "workflow_sessions", "rows": 2, "how": "counted"},
        {"table": "collision_detection", "rows": 2, "how": "counted"},
        {"table": "slo_violations", "rows": 1, "how": "counted"},
        {"table": "audit_log", "rows": 4, "how": "id range (at most)"},
    ]
    assert [(a["agent_id"], a["total_executions"], a["success_rate"]) for a in document["agents"]] == [
        ("agent-a", 2, 1.0), ("agent-b", 1, 0.0), ("other-x", 1, 0.0)]
    assert [(s["stage"], s["avg_duration_ms"]) for s in document["stages"]] == [
        ("μ₃_emit", 300.0), ("μ₂_extract", 60.0), ("μ₁_normalize", 40.0)]
    assert document["receipts_by_day"] == [{"day": "2026-01-29", "receipts": 3, "passed": 1, "failed": 1}]
    assert document["violations_by_metric"] == [{"metric": "latency_p95", "violations": 1, "critical": 1}]


def test_the_period_counts_back_from_until(db: Path) -> None:
    record = stats(db, period="7d", until="2026-01-30").record
    assert record.sections["receipts_by_day"] == (
        {"day": "2026-01-28", "receipts": 1, "passed": 1, "failed": 0},
        {"day": "2026-01-29", "receipts": 3, "passed": 1, "failed": 1})
    assert stats(db, until="2026-01-28T12:00:00Z").record.sections["violations_by_metric"] == ()


def test_exact_counts_the_audit_log(db: Path) -> None:
    tables = stats(db, exact=True, until="2026-01-30").record.sections["tables"]
    assert tables[-1] == {"table": "audit_log", "rows": 4, "how": "counted"}


def test_tables_and_jsonl(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", str(db), "--until", "2026-01-30", "--format", "table")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == ["database", "", "  column           value"]
    assert "tables (7)" in lines and "agents (3)" in lines and "violations_by_metric (1)" in lines
    code, out, _ = run(capsys, "stats", str(db), "--until", "2026-01-30", "--format", "jsonl")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["database", *["tables"] * 7, *["agents"] * 3, *["stages"] * 3, "receipts_by_day",
                     "violations_by_metric"]


@pytest.mark.parametrize("argv,message", [
    (["--period", "1y"], "Error: ggen-db stats: argument --period: invalid choice: '1y' (choose from '24h', '7d', "
     "'30d', '90d') (see --help)"),
    (["--until", "tomorrow"], "Error: --until 'tomorrow': not a duration back from now (30m, 24h, 7d, 2w), a date "
     "(2026-01-29) or a timestamp (2026-01-29T12:00:00Z)"),
    (["--format", "csv"], "Error: ggen-db stats: argument --format: invalid choice: 'csv' (choose from 'table', "
     "'json', 'jsonl') (see --help)"),
])
def test_bad_input_is_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    assert run(capsys, "stats", str(db), *argv) == (2, "", message + "\n")
