"""Creating and upgrading databases: `ggen-db init`.

init_database never drops, deletes or rewrites data: the schema is made of
IF NOT EXISTS statements, applied in one transaction, and the schema version
is recorded in PRAGMA user_version. A database written by a newer schema
version, or one holding tables that ggen-db did not create, is refused.

IF NOT EXISTS can only add objects, so on an existing database init first
compares its catalog with the schema's: objects missing from the database
are added (a repair), but any other difference (a changed view, trigger,
index, CHECK or column, an object the schema does not have) is drift, and
init refuses with the list of differences and points to `ggen-db migrate`.
An older database version is refused the same way: migrations upgrade it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from harness.changes.migrate import SchemaDriftError
from harness.contract.model import Contract, load_contract
from harness.engine import db
from harness.engine.catalog import catalog_of_script, read_catalog
from harness.engine.compare import ADDED, Change, compare
from harness.errors import InputError, SchemaLoadError, SchemaVersionError

DEFAULT_DB_ENV = "GGEN_DB"
DEFAULT_DB_PATH = Path(".ggen") / "ggen.db"
OWNER_ONLY = 0o600


@dataclass(frozen=True)
class InitResult:
    """What init_database did. Names are sorted; `created_*` lists only what this run added."""

    path: str
    created_file: bool
    previous_version: int
    schema_version: int
    journal_mode: str
    created_tables: tuple[str, ...]
    created_indexes: tuple[str, ...]
    created_views: tuple[str, ...]
    created_triggers: tuple[str, ...]
    tables: tuple[str, ...]
    indexes: tuple[str, ...]
    views: tuple[str, ...]
    triggers: tuple[str, ...]


def default_db_path() -> Path:
    """$GGEN_DB when set, else .ggen/ggen.db under the current directory."""
    return Path(os.environ.get(DEFAULT_DB_ENV) or DEFAULT_DB_PATH)


def init_database(
    path: str | os.PathLike[str] | None = None,
    *,
    schema_file: str | os.PathLike[str] | None = None,
    contract: Contract | None = None,
) -> InitResult:
    """Create or upgrade the database at path (default: default_db_path())."""
    contract = contract or load_contract()
    target = Path(path) if path is not None else default_db_path()
    script = db.read_schema(schema_file)
    check_sqlite(contract)
    created_file = _prepare_file(target)
    try:
        conn = db.connect(target)
        try:
            before = _objects(conn)
            previous = _check_version(conn, contract, target, before)
            if previous:
                _refuse_drift(conn, script, os.fspath(schema_file or "schema.sql"), target)
            _apply(conn, script, os.fspath(schema_file or "schema.sql"), contract.schema_version)
            after = _objects(conn)
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()
    except BaseException:
        if created_file:  # leave no empty database behind
            _remove_database_files(target)
        raise
    return _result(target, created_file, previous, contract.schema_version, mode, before, after)


def check_sqlite(contract: Contract) -> None:
    """Pre-flight: the SQLite library is new enough and has the JSON functions."""
    if _version_tuple(sqlite3.sqlite_version) < _version_tuple(contract.sqlite_min_version):
        raise InputError(
            f"SQLite {sqlite3.sqlite_version} is too old: the schema needs >= {contract.sqlite_min_version} "
            "(STRICT tables, JSON functions)"
        )
    try:
        sqlite3.connect(":memory:").execute("SELECT json_valid('{}')").fetchone()
    except sqlite3.OperationalError as e:
        raise InputError(f"SQLite {sqlite3.sqlite_version} lacks the JSON functions ({e})") from e


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _prepare_file(target: Path) -> bool:
    """Create parent directories and an owner-only empty file; True when the file is new."""
    if target.is_dir():
        raise InputError(f"DB {target}: is a directory, not a database file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"DB {target}: cannot create its directory ({e.strerror})") from e
    if target.exists():
        if not os.access(target, os.R_OK | os.W_OK):
            raise InputError(f"DB {target}: not writable")
        _check_is_database(target)
        return False
    if not os.access(target.parent, os.W_OK):
        raise InputError(f"DB {target}: directory {target.parent} is not writable")
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
    os.close(fd)
    return True


def _remove_database_files(target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(os.fspath(target) + suffix).unlink(missing_ok=True)


def _check_is_database(target: Path) -> None:
    try:
        conn = sqlite3.connect(target.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise InputError(f"DB {target}: not a SQLite database ({e})") from e


def _objects(conn: sqlite3.Connection) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    found: dict[str, set[str]] = {"table": set(), "index": set(), "view": set(), "trigger": set()}
    for kind, name in rows:
        found[kind].add(name)
    return found


def _check_version(
    conn: sqlite3.Connection, contract: Contract, target: Path, before: dict[str, set[str]]
) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > contract.schema_version:
        raise SchemaVersionError(
            f"DB {target}: schema version {version} is newer than this ggen-db's {contract.schema_version}; "
            "upgrade ggen-db instead"
        )
    if 0 < version < contract.schema_version:
        raise SchemaVersionError(
            f"DB {target}: schema version {version} is older than this ggen-db's {contract.schema_version}; "
            f"run `ggen-db migrate {target}` (init only adds missing objects)"
        )
    if version == 0 and before["table"]:
        raise InputError(
            f"DB {target}: holds tables but no ggen-db schema version (PRAGMA user_version = 0); "
            "refusing to modify a database ggen-db did not create"
        )
    return version


def _refuse_drift(conn: sqlite3.Connection, script: str, source: str, target: Path) -> None:
    """SchemaDriftError when the database differs from the schema in anything init cannot add."""
    drift = [c for c in compare(read_catalog(conn), catalog_of_script(script, source=source), versions=False)
             if not init_can_apply(c)]
    if drift:
        raise SchemaDriftError(
            f"DB {target}: its schema differs from {source} in {len(drift)} place{'s' if len(drift) > 1 else ''} "
            "that init cannot change (it only adds missing objects); ship the change as a migration "
            f"(harness/migrations/) and run `ggen-db migrate {target}`",
            drift,
        )


def init_can_apply(change: Change) -> bool:
    """An object the schema has and the database lacks: a whole table, index, view or trigger."""
    return change.action == ADDED and change.kind in ("table", "index", "view", "trigger")


def _apply(conn: sqlite3.Connection, script: str, source: str, version: int) -> None:
    """Pragmas first (journal_mode cannot change inside a transaction), then all DDL atomically."""
    statements = db.split_statements(script)
    pragmas = [s for s in statements if s.lstrip().upper().startswith("PRAGMA")]
    ddl = [s for s in statements if s not in pragmas]
    for statement in pragmas:
        _execute(conn, statement, source)
    with db.transaction(conn):
        for statement in ddl:
            _execute(conn, statement, source)
        conn.execute(f"PRAGMA user_version = {int(version)}")


def _execute(conn: sqlite3.Connection, statement: str, source: str) -> None:
    try:
        conn.execute(statement)
    except sqlite3.Error as e:
        raise SchemaLoadError(source, statement, str(e)) from e


def _result(
    target: Path,
    created_file: bool,
    previous: int,
    version: int,
    mode: str,
    before: dict[str, set[str]],
    after: dict[str, set[str]],
) -> InitResult:
    def added(kind: str) -> tuple[str, ...]:
        return tuple(sorted(after[kind] - before[kind]))

    return InitResult(
        path=os.fspath(target),
        created_file=created_file,
        previous_version=previous,
        schema_version=version,
        journal_mode=mode,
        created_tables=added("table"),
        created_indexes=added("index"),
        created_views=added("view"),
        created_triggers=added("trigger"),
        tables=tuple(sorted(after["table"])),
        indexes=tuple(sorted(after["index"])),
        views=tuple(sorted(after["view"])),
        triggers=tuple(sorted(after["trigger"])),
    )
