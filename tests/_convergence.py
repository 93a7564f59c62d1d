"""Populated databases at a version, copied rows, and the convergence assertion (shared by the migration
tests and the schema-change corpus)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.bench.datagen import DataSpec, bulk_load
from harness.changes.converge import check_convergence, copy_rows, fresh_database, shared_columns
from harness.changes.versions import Versions
from harness.contract.model import load_contract
from harness.engine import db
from harness.errors import ValidationError
from harness.ingest.runner import ingest
from harness.store.store import Store
from harness.testing.strategies import Bundle

CONTRACT = load_contract()
HEAD_SCRIPT = Versions.shipped().head_script


# ---------------------------------------------------------------- the writers
def _write_with_store(path: Path, bundles: list[Bundle]) -> None:
    store = Store.open(path)
    try:
        for bundle in bundles:
            try:
                with store.transaction():
                    for table, row in (*bundle.parents, (bundle.table, bundle.row)):
                        store.insert_rows(table.name, [row])
            except ValidationError:
                continue  # a drawn key met one datagen wrote: not what this test is about
    finally:
        store.close()


def _ingest_lines(path: Path, directory: Path, agent: str) -> None:
    lines = [
        {"kind": "receipt", "execution_id": f"ingested-{agent}", "agent_id": agent, "operation": "emission",
         "status": "failed", "timestamp": "2026-01-29T12:00:00+02:00", "duration_ms": 40},
        {"kind": "stage_metric", "execution_id": f"ingested-{agent}", "stage": "μ₃_emit", "duration_ms": 40,
         "status": "failed", "timestamp": "2026-01-29T12:00:00+02:00"},
        {"kind": "audit", "timestamp": "2026-01-29 10:00:01", "agent_id": agent, "operation": "emit",
         "status": "failed"},
    ]
    source = directory / "lines.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = ingest(path, source)
    assert result.committed, result


def populate_source(directory: Path, spec: DataSpec, bundles: list[Bundle], agent: str) -> Path:
    """A newest-version database written by datagen, the Store and ingest."""
    path = directory / "source.db"
    conn = db.connect(path)
    db.apply_schema(conn, HEAD_SCRIPT)
    bulk_load(conn, spec, parallel=False)
    conn.close()
    _write_with_store(path, bundles)
    _ingest_lines(path, directory, agent)
    return path


# ------------------------------------------------------------- convergence
def converge(versions: Versions, version: int, directory: Path, source: Path) -> Path:
    """Copy source's rows into a database at version, migrate it to the newest version and assert it
    converges (harness.changes.converge); returns the migrated database."""
    populated = directory / f"v{version}.db"
    conn = fresh_database(versions, version, populated)
    reader = db.connect_read_only(source)
    copy_rows(conn, source, shared_columns(reader, conn))
    reader.close()
    conn.close()
    work = directory / "convergence"
    work.mkdir()
    problems = check_convergence(versions, populated, work)
    assert not problems, "; ".join(problems)
    return work / "migrated.db"
