"""Environment checks: the SQLite library, how the schema loads, and the connection settings.

These write only to temporary files of their own, never to the target.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup, Skip
from harness.engine import db as harness_db
from harness.engine.introspection import schema_snapshot
from harness.errors import GgenDbError

ENVIRONMENT = CheckGroup("Environment")

_PRAGMA_NAME = re.compile(r"[a-z_]+")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


# A RAM-backed directory when there is one: these files exist for a few
# milliseconds, and fsync on a real disk would dominate the whole run.
_FAST_TMP = Path("/dev/shm")  # noqa: S108 (mkdtemp makes a private directory inside it)


@contextmanager
def _temporary_database() -> Iterator[Path]:
    base = str(_FAST_TMP) if _FAST_TMP.is_dir() and os.access(_FAST_TMP, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="ggen-db-check-", dir=base) as directory:
        yield Path(directory) / "check.db"


@dataclass(frozen=True)
class PlainLoad:
    """What executescript of the schema on a plain sqlite3 connection to a new file gave."""

    error: str | None
    foreign_keys: int | None
    journal_mode: str | None  # read back by a second connection (WAL persists in the file)
    names: frozenset[str]


def plain_load_of(ctx: CheckContext) -> PlainLoad:
    """The plain load of the target's schema file, done once per run."""
    if "plain_load" not in ctx.memo:
        ctx.memo["plain_load"] = _plain_load(_schema_text(ctx))
    result: PlainLoad = ctx.memo["plain_load"]
    return result


def _plain_load(text: str) -> PlainLoad:
    with _temporary_database() as path:
        with closing(sqlite3.connect(path)) as conn:
            try:
                conn.executescript(text)
            except sqlite3.Error as e:
                return PlainLoad(str(e), None, None, frozenset())
            foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
            names = frozenset(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
        with closing(sqlite3.connect(path)) as conn:
            journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return PlainLoad(None, foreign_keys, str(journal_mode).lower(), names)


def _schema_text(ctx: CheckContext) -> str:
    if ctx.schema_text is None:
        raise Skip("applies to a schema file; a --db target is judged by its own catalogue")
    return ctx.schema_text


@ENVIRONMENT.check("sqlite_version")
def sqlite_version(ctx: CheckContext) -> Iterable[str]:
    """SQLite is recent enough

    The SQLite library in use is at least the contract's sqlite_min_version (STRICT tables, JSON functions,
    pragma table_list).

    Fix: Use a Python whose sqlite3 module links a newer SQLite (python -c 'import sqlite3;
    print(sqlite3.sqlite_version)').
    """
    if _version(sqlite3.sqlite_version) < _version(ctx.contract.sqlite_min_version):
        yield f"SQLite {sqlite3.sqlite_version}: older than the contract's sqlite_min_version " \
              f"{ctx.contract.sqlite_min_version}"


@ENVIRONMENT.check("schema_plain_load", schema_only=True)
def plain_load(ctx: CheckContext) -> Iterable[str]:
    """schema loads with a plain sqlite3 connection

    sqlite3.connect(file).executescript(schema) creates every table and view of the contract and leaves that
    connection with foreign keys on, as the original test suites loaded it.

    Fix: Keep `PRAGMA foreign_keys = ON;` in schema.sql and only statements executescript can run.
    """
    loaded = plain_load_of(ctx)
    if loaded.error is not None:
        return [f"schema: does not load with executescript on a plain connection ({loaded.error})"]
    found = []
    if loaded.foreign_keys != ctx.contract.pragmas.get("foreign_keys", 1):
        found.append("schema: leaves a plain connection with foreign keys off (PRAGMA foreign_keys = ON)")
    missing = [n for n in (*ctx.contract.tables, *ctx.contract.views) if n not in loaded.names]
    if missing:
        found.append(f"schema: a plain load does not create {', '.join(missing)}")
    return found


@ENVIRONMENT.check("schema_idempotent", schema_only=True)
def idempotent(ctx: CheckContext) -> Iterable[str]:
    """schema applied twice changes nothing

    Running the schema on a database that already has it succeeds and leaves sqlite_master unchanged.

    Fix: Write every statement as CREATE ... IF NOT EXISTS (and INSERT OR IGNORE for seed rows).
    """
    text = _schema_text(ctx)
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(text)
        first = schema_snapshot(conn)
        try:
            conn.executescript(text)
        except sqlite3.Error as e:
            return [f"schema: applying it a second time fails ({e})"]
        if schema_snapshot(conn) != first:
            return ["schema: applying it a second time changes sqlite_master"]
    return []


@ENVIRONMENT.check("journal_mode_wal")
def journal_mode(ctx: CheckContext) -> Iterable[str]:
    """databases use the contract's journal mode (WAL)

    A file database created from the schema (or the --db file) is in the contract's journal_mode, so readers
    do not block the writer.

    Fix: Keep `PRAGMA journal_mode = WAL;` at the top of schema.sql; for an existing file run it once.
    """
    wanted = str(ctx.contract.pragmas.get("journal_mode", "wal")).lower()
    if ctx.target_kind == "db":
        actual = ctx.target.execute("PRAGMA journal_mode").fetchone()[0]
        if str(actual).lower() != wanted:
            yield f"{ctx.target_path}: journal_mode is {actual}, the contract says {wanted}"
        return
    loaded = plain_load_of(ctx)
    if loaded.error is not None:
        raise Broken(f"schema: does not load with executescript on a plain connection ({loaded.error})")
    if loaded.journal_mode != wanted:
        yield f"schema: a database created from it has journal_mode {loaded.journal_mode}, the contract says {wanted}"


@ENVIRONMENT.check("harness_connection_pragmas")
def connection_pragmas(ctx: CheckContext) -> Iterable[str]:
    """harness connections keep the contract's pragmas

    A connection from harness.engine.db (after the schema is applied to it) has the contract's pragmas:
    foreign keys on, WAL, synchronous NORMAL, the busy timeout; read-only and in-memory ones have foreign keys
    on too.

    Fix: Do not change per-connection pragmas (foreign_keys, synchronous, busy_timeout) in schema.sql;
    harness/engine/db.py sets them.
    """
    script = ctx.schema_text if ctx.schema_text is not None else ";\n".join(ctx.ddl) + ";"
    found = []
    with _temporary_database() as path:
        with closing(harness_db.connect(path)) as conn:
            try:
                harness_db.apply_schema(conn, script, source="schema")
            except GgenDbError as e:
                return [f"schema: does not apply through harness.engine.db ({e})"]
            found.extend(_pragma_problems(conn, ctx.contract.pragmas, "harness.engine.db.connect"))
        with closing(harness_db.connect_read_only(path)) as conn:
            found.extend(_pragma_problems(conn, {"foreign_keys": 1}, "harness.engine.db.connect_read_only"))
    with closing(harness_db.connect_memory()) as conn:
        found.extend(_pragma_problems(conn, {"foreign_keys": 1}, "harness.engine.db.connect_memory"))
    return found


def _pragma_problems(conn: sqlite3.Connection, wanted: dict[str, Any] | Any, who: str) -> list[str]:
    found = []
    for name, value in wanted.items():
        if not _PRAGMA_NAME.fullmatch(name):
            found.append(f"contract pragma {name!r}: not a pragma name")
            continue
        actual = conn.execute(f"PRAGMA {name}").fetchone()[0]
        if str(actual).lower() != str(value).lower():
            found.append(f"{who}: PRAGMA {name} is {actual}, the contract says {value}")
    return found
