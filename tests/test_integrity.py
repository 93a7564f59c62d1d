"""Referential integrity for every connection: the sqlite3 shell and plain Python connections included.

Version 1 kept its foreign keys only where PRAGMA foreign_keys = ON. Schema
version 2 adds triggers (harness/migrations/0002_foreign_key_triggers.sql)
that refuse orphans and carry out ON DELETE / ON UPDATE for everyone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness
from harness.changes.install import init_database
from harness.changes.migrate import migrate
from harness.checks import check_schema
from harness.checks.plans import full_scans
from harness.checks.rollups import rollup_problems
from harness.checks.scratch_rows import insert, insert_with_parents, sample_row
from harness.contract.foreign_key_sql import foreign_key_triggers
from harness.contract.model import load_contract
from harness.engine.db import schema_path, split_statements
from harness.engine.introspection import schema_snapshot
from harness.errors import GgenDbError

CONTRACT = load_contract()
PACKAGE = Path(harness.__file__).resolve().parent
VERSION_1 = PACKAGE / "changes" / "versions" / "0001.sql"
MIGRATION = PACKAGE / "migrations" / "0002_foreign_key_triggers.sql"
MIGRATIONS = sorted((PACKAGE / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))
STAGE = ("INSERT INTO pipeline_metrics (execution_id, stage, duration_ms, status, timestamp) "
         "VALUES ('{id}', 'μ₁_normalize', 5, 'passed', '2026-01-29T12:00:00Z');")
RECEIPT = ("INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
           "VALUES ('{id}', 'agent-01', 'generation', 'passed', '2026-01-29T12:00:00Z', 5);")


def _sqlite3_shell() -> str:
    found = shutil.which("sqlite3")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the sqlite3 command-line shell is not installed (CI must install it: apt-get install sqlite3)")
        pytest.skip("the sqlite3 command-line shell is not installed")
    return found


def _shell(db: Path, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_sqlite3_shell(), str(db), sql], capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def initialized(tmp_path: Path) -> Path:
    path = tmp_path / "g.db"
    init_database(path)
    return path


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# ----------------------------------------------------------- the sqlite3 shell
def test_the_shell_cannot_insert_an_orphan(initialized: Path) -> None:
    result = _shell(initialized, STAGE.format(id="nope"))
    assert result.returncode != 0
    assert "pipeline_metrics.execution_id: references a missing receipts.execution_id" in result.stderr
    assert _count(initialized, "SELECT count(*) FROM pipeline_metrics") == 0


def test_a_shell_delete_cascades_and_keeps_the_rollups_exact(initialized: Path) -> None:
    setup = _shell(initialized, RECEIPT.format(id="e1") + STAGE.format(id="e1") + RECEIPT.format(id="e2")
                   + STAGE.format(id="e2"))
    assert setup.returncode == 0, setup.stderr
    pragma = _shell(initialized, "PRAGMA foreign_keys;")
    assert pragma.stdout.strip() == "0"  # the shell really runs without foreign keys
    deleted = _shell(initialized, "DELETE FROM receipts WHERE execution_id = 'e1';")
    assert deleted.returncode == 0, deleted.stderr
    assert _count(initialized, "SELECT count(*) FROM pipeline_metrics WHERE execution_id = 'e1'") == 0
    assert _count(initialized, "SELECT count(*) FROM pipeline_metrics WHERE execution_id = 'e2'") == 1
    renamed = _shell(initialized, "UPDATE receipts SET execution_id = 'e3' WHERE execution_id = 'e2';")
    assert renamed.returncode == 0, renamed.stderr
    assert _count(initialized, "SELECT count(*) FROM pipeline_metrics WHERE execution_id = 'e3'") == 1
    conn = sqlite3.connect(initialized)
    try:
        assert rollup_problems(conn, CONTRACT) == []
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


# ------------------------------------------------- plain Python, pragma on/off
@pytest.fixture(params=["foreign_keys off", "foreign_keys on"])
def plain(request: pytest.FixtureRequest) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(schema_path().read_text(encoding="utf-8"))
    conn.execute(f"PRAGMA foreign_keys = {int(request.param.endswith('on'))}")
    yield conn
    conn.close()


@pytest.mark.parametrize(("child", "column"), [(t, fk.column) for t, fk in CONTRACT.foreign_keys])
def test_every_foreign_key_holds_on_a_plain_connection(plain: sqlite3.Connection, child: str, column: str) -> None:
    fk = next(f for f in CONTRACT.tables[child].foreign_keys if f.column == column)
    parent, table = CONTRACT.tables[fk.table], CONTRACT.tables[child]
    where = f"{child}.{column}: references a missing {fk.table}.{fk.references}"
    with pytest.raises(sqlite3.IntegrityError, match=where):
        insert(plain, child, sample_row(table, **{column: "nope"}))
    insert_with_parents(plain, CONTRACT, parent, sample_row(parent, **{fk.references: "p1"}))
    insert_with_parents(plain, CONTRACT, table, sample_row(table, **{column: "p1"}))
    with pytest.raises(sqlite3.IntegrityError, match=where):
        plain.execute(f"UPDATE {child} SET {column} = 'nope'")  # noqa: S608 (contract names)
    assert fk.on_update == "CASCADE" and fk.on_delete == "CASCADE"  # what the assertions below expect
    plain.execute(f"UPDATE {fk.table} SET {fk.references} = 'p2' WHERE {fk.references} = 'p1'")  # noqa: S608
    assert plain.execute(f"SELECT {column} FROM {child}").fetchall() == [("p2",)]  # noqa: S608
    plain.execute(f"DELETE FROM {fk.table} WHERE {fk.references} = 'p2'")  # noqa: S608
    assert plain.execute(f"SELECT count(*) FROM {child}").fetchone()[0] == 0  # noqa: S608
    assert rollup_problems(plain, CONTRACT) == []


def test_the_triggers_seek_by_index_never_scan() -> None:
    """The cost proxy: each trigger's lookup is an index seek, so it stays cheap at any size."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(schema_path().read_text(encoding="utf-8"))
    for child, fk in CONTRACT.foreign_keys:
        for trigger in foreign_key_triggers(child, fk):
            lookups = [f"SELECT 1 FROM {fk.table} WHERE {fk.references} = ?",  # noqa: S608
                       f"SELECT 1 FROM {child} WHERE {fk.column} = ?"]  # noqa: S608
            for sql in lookups:
                assert full_scans(conn, sql, ('x',)) == [], (trigger.name, sql)


# ------------------------------------------------------------------ migration
def test_version_1_plus_the_migration_is_the_shipped_schema() -> None:
    def catalog(*scripts: str) -> tuple[tuple[str, str, str, str | None], ...]:
        conn = sqlite3.connect(":memory:")
        try:
            for script in scripts:
                for statement in split_statements(script):
                    conn.execute(statement)
            return schema_snapshot(conn)
        finally:
            conn.close()

    upgraded = catalog(VERSION_1.read_text(encoding="utf-8"), *(m.read_text(encoding="utf-8") for m in MIGRATIONS))
    assert upgraded == catalog(schema_path().read_text(encoding="utf-8"))
    assert MIGRATION in MIGRATIONS and CONTRACT.schema_version == len(MIGRATIONS) + 1


def test_a_version_1_database_with_an_orphan_is_reported_and_not_migrated_until_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(VERSION_1.read_text(encoding="utf-8"))  # its PRAGMA turns foreign keys on
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(STAGE.format(id="ghost"))  # what a version-1 writer without foreign keys could do
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    failed = {f.code: f.message for f in check_schema(db=path).failed}
    assert "pipeline_metrics: row 1 references a missing receipts row" in failed["data_foreign_key_check"]
    assert "the database is at schema version 1" in failed["data_schema_drift"]
    with pytest.raises(GgenDbError, match="orphan"):
        migrate(path)
    _shell(path, "DELETE FROM pipeline_metrics WHERE execution_id = 'ghost';")
    assert migrate(path).to_version == CONTRACT.schema_version
    assert "data_foreign_key_check" not in {f.code for f in check_schema(db=path).failed}
