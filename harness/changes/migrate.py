"""Upgrading a database to a newer schema version: `ggen-db migrate`.

migrate() refuses a database whose catalog is not the one its recorded
version (PRAGMA user_version) should have, listing the differences; takes a
verified backup (harness.store.backup) before changing anything; then
applies each pending migration in its own transaction with
apply_migration(). A migration that fails, breaks a foreign key or does not
produce its version's catalog is rolled back; the versions before it stay.
After the last one the database is verified: integrity_check,
foreign_key_check, rollups equal to their recomputation, catalog equal to
the target version's.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness.changes.versions import Migration, MigrationError, Versions
from harness.checks.rollups import rollup_problems
from harness.contract.model import load_contract
from harness.contract.rollup_sql import ROLLUPS, rebuild_statements
from harness.engine import db
from harness.engine.catalog import Catalog, read_catalog
from harness.engine.compare import Change, compare
from harness.errors import GgenDbError, InputError, SchemaVersionError
from harness.store.backup import BackupResult, backup


class SchemaDriftError(GgenDbError):
    """The database's schema is not the one it claims (or is asked) to have; carries the differences."""

    def __init__(self, message: str, changes: list[Change]) -> None:
        self.changes = changes
        super().__init__(message)

    def details(self) -> list[str]:
        return [c.describe() for c in self.changes]


@dataclass(frozen=True)
class PlannedMigration:
    version: int
    name: str
    kind: str
    statements: tuple[str, ...]  # a .sql migration's statements; a .py one's docstring


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    seconds: float


@dataclass(frozen=True)
class Verification:
    """What is checked after migrating: each entry is (check, 'ok' or the problem)."""

    results: tuple[tuple[str, str], ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(outcome == "ok" for _, outcome in self.results)


@dataclass(frozen=True)
class MigrateResult:
    path: str
    from_version: int
    to_version: int
    dry_run: bool
    plan: tuple[PlannedMigration, ...]
    applied: tuple[AppliedMigration, ...]
    backup: BackupResult | None
    verification: Verification | None
    seconds: float


def migrate(
    db_path: str | os.PathLike[str],
    *,
    to: int | None = None,
    dry_run: bool = False,
    backup_path: str | os.PathLike[str] | None = None,
    versions: Versions | None = None,
) -> MigrateResult:
    """Bring the database at db_path to version `to` (default: the newest)."""
    started = time.perf_counter()
    versions = versions or Versions.shipped()
    path = _existing(db_path)
    conn = db.connect(path)
    try:
        current = _recorded_version(conn, path, versions)
        target = _target(to, current, versions)
        refuse_drift(conn, versions.expected_catalog(current), f"DB {path}: schema version {current}")
        pending = versions.between(current, target)
        plan = tuple(_planned(m) for m in pending)
        if dry_run or not pending:
            return MigrateResult(os.fspath(path), current, target, dry_run, plan, (), None, None,
                                 time.perf_counter() - started)
        saved = backup(path, backup_path or default_backup_path(path, current))
        applied = tuple(_timed(conn, m, versions.expected_catalog(m.version)) for m in pending)
        verification = verify(conn, versions.expected_catalog(target))
    finally:
        conn.close()
    return MigrateResult(os.fspath(path), current, target, False, plan, applied, saved, verification,
                         time.perf_counter() - started)


def default_backup_path(path: Path, version: int) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def _existing(db_path: str | os.PathLike[str]) -> Path:
    path = Path(db_path)
    if path.is_dir():
        raise InputError(f"DB {path}: is a directory, not a database file")
    if not path.is_file():
        raise InputError(f"DB {path}: no such file (create it with `ggen-db init`)")
    db.connect_read_only(path).close()  # a SQLite database, readable
    return path


def _recorded_version(conn: sqlite3.Connection, path: Path, versions: Versions) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == 0:
        raise InputError(f"DB {path}: no ggen-db schema version (PRAGMA user_version = 0); create it with `ggen-db init`")
    if version > versions.head:
        raise SchemaVersionError(
            f"DB {path}: schema version {version} is newer than this ggen-db's {versions.head}; upgrade ggen-db instead"
        )
    return version


def _target(to: int | None, current: int, versions: Versions) -> int:
    target = versions.head if to is None else to
    if not versions.base_version <= target <= versions.head:
        raise InputError(f"--to {target}: unknown schema version (released: {versions.base_version}..{versions.head})")
    if target < current:
        raise InputError(f"--to {target}: the database is at version {current}; migrations only go forward")
    return target


def refuse_drift(conn: sqlite3.Connection, expected: Catalog, what: str) -> None:
    """SchemaDriftError listing every difference when conn's catalog is not expected."""
    changes = compare(expected, read_catalog(conn))
    if changes:
        raise SchemaDriftError(
            f"{what}: the schema has drifted from that version ({len(changes)} difference"
            f"{'s' if len(changes) != 1 else ''}): {'; '.join(c.describe() for c in changes[:3])}"
            f"{' ...' if len(changes) > 3 else ''}",
            changes,
        )


def _planned(m: Migration) -> PlannedMigration:
    if m.kind == "sql":
        statements = tuple(m.statements())
    else:
        doc = m.upgrade_function().__doc__ or f"upgrade() in {m.name}"
        statements = (" ".join(doc.split()),)
    return PlannedMigration(m.version, m.name, m.kind, statements)


def _timed(conn: sqlite3.Connection, m: Migration, expected: Catalog) -> AppliedMigration:
    began = time.perf_counter()
    apply_migration(conn, m, expected=expected)
    return AppliedMigration(m.version, m.name, time.perf_counter() - began)


def apply_migration(conn: sqlite3.Connection, migration: Migration, *, expected: Catalog | None) -> None:
    """Run one migration in its own transaction, foreign keys off; commit only a sound result.

    Foreign keys go off BEFORE the transaction opens: inside one the pragma is
    a no-op, and a table rebuild's DROP TABLE would cascade-delete the
    children. Before COMMIT: the rollups are recomputed when the migration
    touched a rollup, its base table or their triggers, foreign_key_check is
    empty, user_version is the migration's, and (when expected is given) the
    catalog is that version's.
    """
    if conn.in_transaction:
        raise MigrationError(f"migration {migration.name}: a transaction is already open")
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.transaction(conn):
            before = read_catalog(conn)
            migration.run(conn)
            if _touches_rollups(compare(before, read_catalog(conn), versions=False)):
                _recompute_rollups(conn)
            _refuse_broken_foreign_keys(conn, migration)
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            if expected is not None:
                refuse_drift(conn, expected, f"migration {migration.name}: result")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _touches_rollups(changes: list[Change]) -> bool:
    """The migration changed a rollup table, its base table or a trigger on either: recompute the rollups
    (a rebuild of a base table re-inserts its rows with the triggers gone)."""
    tables = {t for r in ROLLUPS.values() for t in (r.table, r.base)}
    rollups = {r.table for r in ROLLUPS.values()}
    return any(_touches(c, tables, rollups) for c in changes)


def _touches(change: Change, tables: set[str], rollups: set[str]) -> bool:
    if change.kind == "index" or not (change.table in tables or change.name in tables):
        return False
    if change.kind == "trigger":  # only a trigger that writes a rollup (not, say, a foreign key check)
        text = f"{change.old} {change.new}"
        return any(name in text for name in rollups)
    return True


def _recompute_rollups(conn: sqlite3.Connection) -> None:
    """Rollups rebuilt from their base tables, when the database's rollups have the shape this code knows."""
    for statement in rebuild_statements(conn) if _rollups_have_known_shape(conn) else []:
        conn.execute(statement)


def _rollups_have_known_shape(conn: sqlite3.Connection) -> bool:
    for rollup in ROLLUPS.values():
        columns = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", (rollup.table,))}
        if columns and columns != set(rollup.columns):
            return False
    return True


def _refuse_broken_foreign_keys(conn: sqlite3.Connection, migration: Migration) -> None:
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise MigrationError(
            f"migration {migration.name}: {len(broken)} row(s) break a foreign key in {', '.join(tables)}; rolled back"
        )


def verify(conn: sqlite3.Connection, expected: Catalog) -> Verification:
    """The convergence checks: integrity, foreign keys, rollups equal to their recomputation, the catalog."""
    began = time.perf_counter()
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    drift = compare(expected, read_catalog(conn))
    return Verification((
        ("integrity_check", "ok" if integrity == ["ok"] else "; ".join(integrity[:5])),
        ("foreign_key_check", "ok" if not broken else f"{len(broken)} row(s) break a foreign key"),
        ("rollups", rollups_match(conn)),
        ("catalog", "ok" if not drift else "; ".join(c.describe() for c in drift[:5])),
    ), time.perf_counter() - began)


def rollups_match(conn: sqlite3.Connection) -> str:
    """'ok' when every rollup equals its recomputation (the conformance check's comparison), else what differs."""
    if not _rollups_have_known_shape(conn):
        return "ok"
    problems = rollup_problems(conn, load_contract())
    return "ok" if not problems else "; ".join(problems[:3])
