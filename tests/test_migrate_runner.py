"""The migration runner: versions, transactions, table rebuilds, backups, drift, refusals."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from _versions import V1, V1_TEXT, add_receipt, chain, create_table_sql, database_at_version_1

from harness.changes.migrate import SchemaDriftError, migrate
from harness.changes.rebuild import rebuild_table
from harness.changes.versions import MigrationError, Versions, find_migrations
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine import db
from harness.engine.catalog import read_catalog
from harness.engine.db import split_statements

# sha256 of `git show ce2e1bd:schema.sql`, the schema deployed databases have
V1_SHA256 = "e6229607d41de7bedff823273ea7ba771f8d120479b5501a497ad6d856bbee10"


def test_version_1_is_the_deployed_schema_text() -> None:
    digest = hashlib.sha256(V1.read_bytes()).hexdigest()
    assert digest == V1_SHA256


def test_contract_schema_version_is_the_newest_migration() -> None:
    assert load_contract().schema_version == Versions.shipped().head


def test_every_shipped_version_builds_to_its_expected_catalog() -> None:
    versions = Versions.shipped()
    for version in range(1, versions.head + 1):
        built = read_catalog(versions.scratch(version))
        assert built == versions.expected_catalog(version), f"version {version}"


def test_migrating_rebuilds_a_parent_table_and_its_children_survive(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    for n in range(20):
        add_receipt(conn, f"exec-{n}", children=3)
    conn.execute("DELETE FROM receipts WHERE execution_id = 'exec-19'")  # AUTOINCREMENT must not reuse id 20
    conn.close()
    result = migrate(target, versions=versions, backup_path=tmp_path / "before.db")
    assert [a.version for a in result.applied] == [2, 3]
    assert result.verification is not None and result.verification.ok, result.verification
    conn = db.connect(target)
    assert conn.execute("SELECT count(*) FROM receipts").fetchone()[0] == 19
    assert conn.execute("SELECT count(*) FROM pipeline_metrics").fetchone()[0] == 19 * 3
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert read_catalog(conn) == versions.expected_catalog(3)
    # the rebuilt table takes the new value, keeps its cascades and its AUTOINCREMENT counter
    add_receipt(conn, "exec-new", children=1)
    conn.execute("UPDATE receipts SET status = 'skipped' WHERE execution_id = 'exec-new'")
    assert conn.execute("SELECT id FROM receipts WHERE execution_id = 'exec-new'").fetchone()[0] == 21
    conn.execute("DELETE FROM receipts WHERE execution_id = 'exec-0'")
    assert conn.execute("SELECT count(*) FROM pipeline_metrics WHERE execution_id = 'exec-0'").fetchone()[0] == 0
    assert conn.execute("SELECT total_executions FROM agent_execution_stats").fetchone()[0] == 19


def test_the_same_rebuild_with_foreign_keys_turned_off_inside_the_transaction_loses_the_children(
    tmp_path: Path,
) -> None:
    """What the runner avoids: PRAGMA foreign_keys is a no-op inside a transaction, DROP TABLE cascades."""
    conn = database_at_version_1(tmp_path / "g.db")
    add_receipt(conn, "exec-1", children=3)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("PRAGMA foreign_keys = OFF")
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # still on
    with pytest.raises(Exception, match="foreign keys are on"):
        rebuild_table(conn, "receipts", create_table_sql(V1_TEXT, "receipts"))
    conn.execute("DROP TABLE receipts")
    assert conn.execute("SELECT count(*) FROM pipeline_metrics").fetchone()[0] == 0
    conn.execute("ROLLBACK")


def test_backup_is_taken_and_verified_before_anything_changes(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    add_receipt(conn, "exec-1")
    conn.close()
    result = migrate(target, versions=versions, backup_path=tmp_path / "before.db")
    assert result.backup is not None and result.backup.row_counts["receipts"] == 1
    saved = sqlite3.connect(tmp_path / "before.db")
    assert saved.execute("PRAGMA user_version").fetchone()[0] == 1
    assert saved.execute("SELECT count(*) FROM pipeline_metrics").fetchone()[0] == 2


def test_default_backup_lands_next_to_the_database(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    result = migrate(target, versions=versions)
    assert result.backup is not None
    assert Path(result.backup.dest).name.startswith("g.db.v1-") and Path(result.backup.dest).is_file()


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    before = target.read_bytes()
    result = migrate(target, versions=versions, dry_run=True)
    assert [p.name for p in result.plan] == ["0002_receipts_status_skipped.py", "0003_receipts_environment_index.sql"]
    assert result.plan[0].statements == ("receipts.status also takes 'skipped' (a CHECK: the table is rebuilt).",)
    assert "idx_receipts_environment" in result.plan[1].statements[0]
    assert result.applied == () and result.backup is None
    assert target.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if ".bak" in p.name]


def test_to_stops_at_the_version_asked_for(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    migrate(target, versions=versions, to=2, backup_path=tmp_path / "b.db")
    conn = db.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert read_catalog(conn) == versions.expected_catalog(2)
    again = migrate(target, versions=versions, backup_path=tmp_path / "b2.db")
    assert [a.version for a in again.applied] == [3]


def test_a_drifted_database_is_refused_with_the_differences_and_left_alone(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    conn.execute("DROP VIEW recent_executions")
    conn.execute("CREATE VIEW recent_executions AS SELECT execution_id FROM receipts")
    conn.execute("DROP INDEX idx_receipts_time")
    conn.close()
    with pytest.raises(SchemaDriftError, match="schema version 1: the schema has drifted") as refused:
        migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    details = refused.value.details()
    assert "index idx_receipts_time removed" in details
    assert any(d.startswith("view recent_executions: columns") for d in details)
    assert not (tmp_path / "b.db").exists()
    assert db.connect(target).execute("PRAGMA user_version").fetchone()[0] == 1


def _write(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")


def test_a_failing_migration_rolls_back_and_keeps_the_versions_before_it(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    _write(directory, "0002_ok.sql", "CREATE INDEX idx_x ON receipts (environment);\n")
    _write(directory, "0003_broken.sql", "CREATE INDEX idx_y ON receipts (environment);\nDROP TABLE nope;\n")
    head = V1_TEXT + "\nCREATE INDEX idx_x ON receipts (environment);\nCREATE INDEX idx_y ON receipts (environment);\n"
    versions = Versions(V1_TEXT, find_migrations(directory), head, {2: V1_TEXT + "\nCREATE INDEX idx_x ON receipts (environment);\n"})
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    add_receipt(conn, "exec-1")
    conn.close()
    with pytest.raises(MigrationError, match="0003_broken.sql: statement fails .*no such table: nope"):
        migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    conn = db.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_x" in names and "idx_y" not in names
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_migration_that_breaks_a_foreign_key_is_rolled_back(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    _write(directory, "0002_orphans.sql", "DELETE FROM receipts;\n")
    versions = Versions(V1_TEXT, find_migrations(directory), V1_TEXT)
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    add_receipt(conn, "exec-1")
    conn.close()
    with pytest.raises(MigrationError, match="2 row\\(s\\) break a foreign key in pipeline_metrics; rolled back"):
        migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    assert db.connect(target).execute("SELECT count(*) FROM receipts").fetchone()[0] == 1


def test_a_migration_that_does_not_produce_its_version_is_rolled_back(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    _write(directory, "0002_half.sql", "CREATE INDEX idx_x ON receipts (environment);\n")
    head = V1_TEXT + "\nCREATE INDEX idx_x ON receipts (environment, status);\n"
    versions = Versions(V1_TEXT, find_migrations(directory), head)
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    with pytest.raises(SchemaDriftError, match="migration 0002_half.sql: result: the schema has drifted"):
        migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    conn = db.connect(target)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_x'").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("0002_tx.sql", "BEGIN;\nCREATE INDEX i ON receipts (status);\nCOMMIT;\n", "`BEGIN` is the runner's job"),
        ("0002_fk.sql", "PRAGMA foreign_keys = OFF;\n", "`PRAGMA FOREIGN_KEYS` is the runner's job"),
        ("0002_nofunc.py", "X = 1\n", "defines no upgrade\\(conn\\) function"),
    ],
)
def test_migrations_that_take_the_runners_job_are_refused(tmp_path: Path, name: str, text: str, message: str) -> None:
    directory = tmp_path / "migrations"
    _write(directory, name, text)
    versions = Versions(V1_TEXT, find_migrations(directory), V1_TEXT)
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    with pytest.raises(MigrationError, match=message):
        migrate(target, versions=versions, dry_run=True)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["0003_skip.sql"], "expected version 0002"),
        (["0002_a.sql", "0002_b.sql"], "0002_b.sql: expected version 0003"),
        (["2_short.sql"], "name must be NNNN_slug.sql"),
    ],
)
def test_migration_numbers_run_in_order(tmp_path: Path, names: list[str], message: str) -> None:
    for name in names:
        _write(tmp_path, name, "SELECT 1;\n")
    with pytest.raises(MigrationError, match=message):
        find_migrations(tmp_path)


def test_versions_out_of_range_are_refused(tmp_path: Path) -> None:
    versions = chain(tmp_path / "migrations")
    target = tmp_path / "g.db"
    database_at_version_1(target).close()
    with pytest.raises(Exception, match="--to 9: unknown schema version \\(released: 1..3\\)"):
        migrate(target, versions=versions, to=9)
    migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    with pytest.raises(Exception, match="--to 2: the database is at version 3; migrations only go forward"):
        migrate(target, versions=versions, to=2)


def test_an_up_to_date_database_needs_nothing(tmp_path: Path) -> None:
    target = tmp_path / "g.db"
    assert main(["init", str(target)]) == 0  # a fresh install is at the newest version
    result = migrate(target)
    assert result.plan == () and result.backup is None and result.from_version == result.to_version


# ------------------------------------------------------------------- the CLI
def test_cli_migrate_up_to_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.db"
    assert main(["init", str(target)]) == 0
    capsys.readouterr()
    assert main(["migrate", str(target)]) == 0
    head = Versions.shipped().head
    assert capsys.readouterr().out == f"{target}: schema version {head} -> {head}: up to date, nothing to do\n"


def test_cli_migrate_reports_drift_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.db"
    main(["init", str(target)])
    conn = db.connect(target)
    conn.execute("DROP TRIGGER audit_log_append_only")
    conn.close()
    capsys.readouterr()
    assert main(["migrate", str(target)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "drift (expected -> database):\n  trigger audit_log_append_only removed\n"
    assert captured.err.startswith(f"Error: DB {target}: schema version")


def test_cli_migrate_missing_database_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path / "none.db")]) == 2
    assert capsys.readouterr().err == f"Error: DB {tmp_path / 'none.db'}: no such file (create it with `ggen-db init`)\n"


ROLLUP_DELETE = next(s for s in split_statements(V1_TEXT) if "TRIGGER IF NOT EXISTS receipts_rollup_delete" in s)
ROLLUP_DELETE = ROLLUP_DELETE[ROLLUP_DELETE.index("CREATE") :]
FK_TRIGGER = "CREATE TRIGGER t_fk BEFORE INSERT ON receipts BEGIN SELECT 1; END;"


@pytest.mark.parametrize(
    ("migration", "recomputed"),
    [
        (FK_TRIGGER, False),  # a trigger on a base table that writes no rollup
        ("DROP TRIGGER receipts_rollup_delete;\n" + ROLLUP_DELETE.replace("total_executions - 1", "total_executions - (1)"),
         True),  # a rollup trigger edited
    ],
)
def test_rollups_are_recomputed_when_a_migration_touches_them(tmp_path: Path, migration: str, recomputed: bool) -> None:
    directory = tmp_path / "migrations"
    _write(directory, "0002_change.sql", migration + "\n")
    head = V1_TEXT + "\n" + FK_TRIGGER + "\n" if not recomputed else V1_TEXT.replace(
        ROLLUP_DELETE, ROLLUP_DELETE.replace("total_executions - 1", "total_executions - (1)"))
    versions = Versions(V1_TEXT, find_migrations(directory), head)
    target = tmp_path / "g.db"
    conn = database_at_version_1(target)
    add_receipt(conn, "exec-1")
    conn.execute("UPDATE agent_execution_stats SET total_files_generated = 99")  # a stale rollup
    conn.close()
    result = migrate(target, versions=versions, backup_path=tmp_path / "b.db")
    assert result.verification is not None and result.verification.ok == recomputed
    stored = db.connect(target).execute("SELECT total_files_generated FROM agent_execution_stats").fetchone()[0]
    assert stored == (0 if recomputed else 99)
