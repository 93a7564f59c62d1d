"""Databases at a schema version, and chains of test migrations, for the migration tests."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

from harness.changes.versions import VERSIONS_DIR, Versions, find_migrations
from harness.engine import db

V1 = VERSIONS_DIR / "0001.sql"
V1_TEXT = V1.read_text(encoding="utf-8")

# A CHECK cannot be altered: widening receipts.status needs SQLite's table rebuild of the parent of
# pipeline_metrics and slo_violations (ON DELETE CASCADE), the case that loses children when done wrong.
STATUS_CHECK = "CHECK (status = 'passed' OR status = 'failed' OR status = 'partial' OR status = 'cancelled')"
WIDER_STATUS_CHECK = STATUS_CHECK[:-1] + " OR status = 'skipped')"
INDEX_SQL = "CREATE INDEX IF NOT EXISTS idx_receipts_environment ON receipts (environment);"


def create_table_sql(script: str, table: str) -> str:
    """The CREATE TABLE statement of table in a schema script."""
    head = f"CREATE TABLE IF NOT EXISTS {table} ("
    statement = next(s for s in db.split_statements(script) if head in s)
    return statement[statement.index(head) :]


def chain(directory: Path) -> Versions:
    """Version 1, then 0002 (receipts rebuilt with a wider status CHECK, .py), 0003 (an index, .sql)."""
    v2 = V1_TEXT.replace(STATUS_CHECK, WIDER_STATUS_CHECK)
    assert v2 != V1_TEXT
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "0002_receipts_status_skipped.py").write_text(textwrap.dedent(f'''\
        import sqlite3

        from harness.changes.rebuild import rebuild_table

        RECEIPTS = {create_table_sql(v2, "receipts")!r}


        def upgrade(conn: sqlite3.Connection) -> None:
            """receipts.status also takes 'skipped' (a CHECK: the table is rebuilt)."""
            rebuild_table(conn, "receipts", RECEIPTS)
        '''), encoding="utf-8")
    (directory / "0003_receipts_environment_index.sql").write_text(INDEX_SQL + "\n", encoding="utf-8")
    return Versions(V1_TEXT, find_migrations(directory), v2 + "\n" + INDEX_SQL + "\n")


def database_at_version_1(path: Path) -> sqlite3.Connection:
    """A file database with the version-1 schema, as `ggen-db init` made it before any migration."""
    conn = db.connect(path)
    db.apply_schema(conn, V1_TEXT, source="0001.sql")
    conn.execute("PRAGMA user_version = 1")
    return conn


def add_receipt(conn: sqlite3.Connection, execution_id: str, *, children: int = 2) -> None:
    conn.execute(
        "INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
        "VALUES (?, 'agent-01', 'generation', 'passed', '2026-01-29T12:00:00Z', 5)",
        (execution_id,),
    )
    stages = ("μ₁_normalize", "μ₂_extract", "μ₃_emit", "μ₄_canonicalize", "μ₅_receipt")
    for stage in stages[:children]:
        conn.execute(
            "INSERT INTO pipeline_metrics (execution_id, stage, duration_ms, status, timestamp) "
            "VALUES (?, ?, 1, 'passed', '2026-01-29T12:00:00Z')",
            (execution_id, stage),
        )
