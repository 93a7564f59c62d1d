"""A small known database for the operator commands' tests (query, get, export, stats, archive,
maintain, reset), and the check that each command's README section agrees with its --help."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest

from harness.changes.install import init_database
from harness.cli import build_parser, main
from harness.store.store import Store

README = Path(__file__).resolve().parent.parent / "README.md"
CREATED = "2026-01-29 00:00:00"
RECEIPTS: list[dict[str, Any]] = [
    {"execution_id": "e1", "agent_id": "agent-a", "operation": "generation", "status": "passed",
     "timestamp": "2026-01-28T10:00:00Z", "duration_ms": 100, "files_generated": 1,
     "receipt_json": '{"files":["a.rs"]}', "created_at": CREATED},
    {"execution_id": "e2", "agent_id": "agent-b", "operation": "validation", "status": "failed",
     "timestamp": "2026-01-29T08:00:00+02:00", "duration_ms": 200, "error_message": "boom", "created_at": CREATED},
    {"execution_id": "e3", "agent_id": "agent-a", "operation": "emission", "status": "passed",
     "timestamp": "2026-01-29 09:00:00", "duration_ms": 300, "created_at": CREATED},
    {"execution_id": "e4", "agent_id": "other-x", "operation": "generation", "status": "cancelled",
     "timestamp": "2026-01-29T12:00:00Z", "duration_ms": 50, "created_at": CREATED},
]
STAGE_METRICS: list[dict[str, Any]] = [
    {"execution_id": "e1", "stage": "μ₁_normalize", "duration_ms": 40, "status": "passed",
     "timestamp": "2026-01-28T10:00:00Z", "created_at": CREATED},
    {"execution_id": "e1", "stage": "μ₂_extract", "duration_ms": 60, "status": "passed",
     "timestamp": "2026-01-28T10:00:00.040Z", "created_at": CREATED},
    {"execution_id": "e3", "stage": "μ₃_emit", "duration_ms": 300, "status": "failed",
     "timestamp": "2026-01-29T09:00:00Z", "created_at": CREATED},
]
VIOLATIONS: list[dict[str, Any]] = [
    {"execution_id": "e2", "metric": "latency_p95", "target_value": 100.0, "actual_value": 200.0,
     "severity": "critical", "timestamp": "2026-01-29T06:00:00.200Z", "created_at": CREATED},
]
AUDIT: list[dict[str, Any]] = [
    {"timestamp": "2026-01-28T10:00:00.050Z", "agent_id": "agent-a", "operation": "emit a.rs",
     "status": "completed", "duration_ms": 10, "created_at": CREATED},
    {"timestamp": "2026-01-28T10:00:01Z", "agent_id": "agent-a", "operation": "after e1",
     "status": "completed", "created_at": CREATED},
    {"timestamp": "2026-01-29T06:00:00.100Z", "agent_id": "agent-b", "operation": "validate",
     "status": "failed", "error_message": "boom", "created_at": CREATED},
    {"timestamp": "2026-01-29T09:00:00.100Z", "agent_id": "agent-a", "operation": "emit b.rs",
     "status": "completed", "created_at": CREATED},
]
MEMORY: list[dict[str, Any]] = [
    {"agent_id": "agent-a", "memory_json": '{"state":"idle"}', "updated_at": "2026-01-29T09:00:01Z",
     "created_at": CREATED},
    {"agent_id": "agent-b", "memory_json": '{"state":"blocked"}', "last_error": "boom",
     "updated_at": "2026-01-29T06:00:01Z", "created_at": CREATED},
]
SESSIONS: list[dict[str, Any]] = [
    {"session_id": "s1", "start_time": "2026-01-28T09:00:00Z", "end_time": "2026-01-28T11:00:00Z",
     "status": "completed", "agent_count": 2, "created_at": CREATED},
    {"session_id": "s2", "start_time": "2026-01-29T11:00:00Z", "status": "running", "agent_count": 2,
     "created_at": CREATED},
]
COLLISIONS: list[dict[str, Any]] = [
    {"session_id": "s1", "agent_id_1": "agent-a", "agent_id_2": "agent-b", "collision_type": "file_conflict",
     "description": "both wrote a.rs", "severity": "warning", "timestamp": "2026-01-28T10:30:00Z",
     "created_at": CREATED},
    {"session_id": "s2", "agent_id_1": "agent-b", "agent_id_2": "other-x", "collision_type": "memory_conflict",
     "description": "same memory key", "severity": "critical", "timestamp": "2026-01-29T11:30:00Z",
     "created_at": CREATED},
]
TABLES = (("receipts", RECEIPTS), ("pipeline_metrics", STAGE_METRICS), ("slo_violations", VIOLATIONS),
          ("audit_log", AUDIT), ("agent_memory", MEMORY), ("workflow_sessions", SESSIONS),
          ("collision_detection", COLLISIONS))


def known_database(path: Path) -> Path:
    """The rows above, in this order (ids 1, 2, ... per table)."""
    init_database(path)
    with Store.open(path, background_checkpoints=False) as store:
        for table, rows in TABLES:
            store.insert_rows(table, rows)
    return path


def subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


def readme_section(command: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- section: {command} -->\n(.*?)(?=\n<!-- section: )", text, re.S)
    assert match, f"README has no section for ggen-db {command} (<!-- section: {command} -->)"
    return match.group(1)


def undocumented(command: str) -> list[str]:
    """What --help says that the command's README section does not: options, choices, example lines."""
    parser = subparser(command)
    section = readme_section(command)
    missing = [] if f"## `ggen-db {command}`" in section else [f"heading ## `ggen-db {command}`"]
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help" and option not in section:
                missing.append(option)
        for choice in action.choices or ():
            if str(choice) not in section:
                missing.append(f"choice {choice}")
    for line in (parser.epilog or "").splitlines()[1:]:
        if line.strip() and line.strip() not in section:
            missing.append(f"example line {line.strip()!r}")
    return missing


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI in this process: (exit status, stdout, stderr); argparse's SystemExit is a status too."""
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = int(e.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
