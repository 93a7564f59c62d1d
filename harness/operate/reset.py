"""`ggen-db reset`: empty a database, keeping its schema and version, after a verified backup.

Every row of every table goes in one transaction (the rollups first, so that the delete
triggers find nothing to update, then children before parents, then AUTOINCREMENT's
counters): writers wait for it and then see an empty database; a failure leaves every row.
The backup (harness.store.backup: online, verified, 0600) is taken first unless the caller
says there is none to take.
"""

from __future__ import annotations

import os
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from harness.engine.db import existing_file, transaction
from harness.engine.introspection import quote_identifier
from harness.errors import InputError
from harness.operate.database import open_read_write, schema_version
from harness.store.backup import backup

# Rollups first, children before parents; sqlite_sequence last.
ORDER = ("agent_execution_stats", "stage_execution_stats", "pipeline_metrics", "slo_violations",
         "collision_detection", "receipts", "workflow_sessions", "audit_log", "agent_memory")


@dataclass
class ResetResult:
    path: str
    backup: str | None
    schema_version: int
    deleted: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def default_backup_path(db_path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return db_path.with_name(f"{db_path.name}.before-reset-{stamp}.db")


def reset(db_path: str | os.PathLike[str], *, backup_to: str | os.PathLike[str] | None = None,
          take_backup: bool = True) -> ResetResult:
    """Back the database up (verified), then delete every row; the schema and its version stay."""
    path = existing_file(db_path)
    started = time.perf_counter()
    saved = None
    if take_backup:
        dest = Path(backup_to) if backup_to else default_backup_path(path)
        if dest.exists():
            raise InputError(f"--backup {dest}: already exists; give a new file")
        saved = backup(path, dest).dest
    with closing(open_read_write(path)) as conn:
        result = ResetResult(os.fspath(path), saved, schema_version(conn))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        others = sorted(tables - set(ORDER) - {"sqlite_sequence"} - {t for t in tables if t.startswith("sqlite_stat")})
        with transaction(conn):
            for table in (*[t for t in ORDER if t in tables], *others):
                # Names from this module or the database's own catalogue, quoted; no value is interpolated.
                result.deleted[table] = conn.execute(f"DELETE FROM {quote_identifier(table)}").rowcount  # noqa: S608
            if "sqlite_sequence" in tables:
                conn.execute("DELETE FROM sqlite_sequence")
    result.duration_s = time.perf_counter() - started
    return result
