"""`ggen-db export`: exact lines on a small known database, --out written whole, one-line errors, docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _operate_db import known_database
from _operate_db import run_cli as run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return known_database(tmp_path_factory.mktemp("export") / "known.db")



def test_receipts_as_jsonl(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", str(db), "receipts", "--until", "2026-01-29T07:00:00Z")
    assert code == 0
    assert [json.loads(line)["kind"] for line in out.splitlines()] == [
        "receipt", "stage_metric", "stage_metric", "receipt", "slo_violation"]
    assert out.splitlines()[0] == (
        '{"kind": "receipt", "execution_id": "e1", "agent_id": "agent-a", "operation": "generation", '
        '"status": "passed", "timestamp": "2026-01-28T10:00:00Z", "created_at": "2026-01-29 00:00:00", '
        '"manifest_hash": null, "ontology_hash": null, "files_generated": 1, "files_modified": 0, '
        '"duration_ms": 100, "receipt_json": "{\\"files\\":[\\"a.rs\\"]}", "error_message": null, '
        '"environment": null}')
    assert err.startswith("exported 5 lines to stdout (receipt 2, stage_metric 2, slo_violation 1) in ")


def test_audit_as_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", str(db), "audit", "--since", "2026-01-29", "--format", "csv")
    assert code == 0
    assert out == ("timestamp,agent_id,operation,status,duration_ms,error_message,context_json,created_at\n"
                   "2026-01-29T06:00:00.100Z,agent-b,validate,failed,,boom,,2026-01-29 00:00:00\n"
                   "2026-01-29T09:00:00.100Z,agent-a,emit b.rs,completed,,,,2026-01-29 00:00:00\n")


def test_out_is_replaced_only_when_complete(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "audit.jsonl"
    target.write_text("old\n")
    code, out, err = run(capsys, "export", str(db), "audit", "--out", str(target))
    assert (code, out) == (0, "")
    assert len(target.read_text().splitlines()) == 4 and f"to {target} (audit 4)" in err
    code, _, err = run(capsys, "export", str(db), "audit", "--out", str(target), "--since", "soon")
    assert code == 2 and err.startswith("Error: --since 'soon'")
    assert len(target.read_text().splitlines()) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl"]  # no temporary file left


@pytest.mark.parametrize("argv,message", [
    (["memory"], "Error: ggen-db export: argument WHAT: invalid choice: 'memory' (choose from 'receipts', 'audit') "
     "(see --help)"),
    (["audit", "--format", "json"], "Error: ggen-db export: argument --format: invalid choice: 'json' (choose from "
     "'jsonl', 'csv') (see --help)"),
])
def test_bad_input_is_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:
    assert run(capsys, "export", str(db), *argv) == (2, "", message + "\n")


def test_out_in_a_missing_directory(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", str(db), "audit", "--out", str(tmp_path / "no" / "a.jsonl"))
    assert code == 2 and err.startswith(f"Error: --out {tmp_path / 'no' / 'a.jsonl'}: cannot write in ")
