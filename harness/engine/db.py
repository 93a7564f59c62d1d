"""Opening databases: every connection ggen-db makes goes through here.

Every connection gets foreign keys on and a busy timeout; file databases get
WAL and synchronous=NORMAL (the documented durability setting). Read-only
opens use a URI with mode=ro, so nothing can be written by accident.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import TracebackType

from harness.errors import InputError, SchemaLoadError

BUSY_TIMEOUT_MS = 5000
# A writer's commit checkpoints only once the log passes 40,000 pages (about 160 MB): the
# background Checkpointer (harness.store.checkpoint, started by Store.open) copies the log into the
# database as it grows, so this is the backstop that bounds the log when the checkpointer
# cannot finish (a writer never pauses long enough for the log to restart). SQLite's 1,000 would
# put a checkpoint's fsyncs in over 1% of single inserts (benchmarks/where_time_goes.py
# checkpoint); a batch of 100 writes about 200 pages at 1m, so 40,000 is one in about 200.
WAL_AUTOCHECKPOINT_PAGES = 40_000
DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "schema.sql"


def schema_path() -> Path:
    """The schema.sql shipped with ggen-db (the repository root, or the installed copy)."""
    installed = Path(__file__).resolve().parents[1] / "schema.sql"
    return DEFAULT_SCHEMA if DEFAULT_SCHEMA.exists() else installed


def configure(conn: sqlite3.Connection, *, durability: str = "normal") -> sqlite3.Connection:
    """Apply the documented per-connection pragmas."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    synchronous = {"normal": "NORMAL", "full": "FULL", "off": "OFF"}[durability]
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    # Statement journals of trigger-carrying inserts stay in memory, not a temp file
    # (batch of 1000 at 1m: 269 -> 172 ms p50, benchmarks/where_time_goes.py batch_variants).
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def connect(path: str | os.PathLike[str], *, durability: str = "normal") -> sqlite3.Connection:
    """A read-write connection to a file database (created if missing, owner-only), WAL on."""
    _create_owner_only(path)
    conn = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    return configure(conn, durability=durability)


def _create_owner_only(path: str | os.PathLike[str]) -> None:
    """Create a missing database file as 0600: SQLite would make it 0644 (less the umask), and its
    -wal and -shm files copy the database file's mode."""
    name = os.fspath(path)
    if name == ":memory:" or name.startswith("file:"):
        return
    try:
        os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        pass  # it exists, or sqlite3.connect will report the real problem (no directory, read-only)


def connect_memory() -> sqlite3.Connection:
    """A scratch in-memory database with the documented pragmas."""
    return configure(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))


def connect_read_only(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open an existing database read-only; InputError if it is missing or not a database."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"--db {path}: is a directory, not a database file")
    if not p.is_file():
        raise InputError(f"--db {path}: no such file")
    if not os.access(p, os.R_OK):
        raise InputError(f"--db {path}: not readable")
    uri = p.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        raise InputError(f"--db {path}: not a SQLite database ({e})") from e
    return conn


def read_schema(path: str | os.PathLike[str] | None = None) -> str:
    """The text of a schema file; InputError naming the path when it cannot be read."""
    p = Path(path) if path is not None else schema_path()
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(f"--schema {p}: no such file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"--schema {p}: cannot read ({e})") from e


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers' inner ';' included)."""
    statements, start = [], 0
    for i, ch in enumerate(script):
        if ch == ";" and sqlite3.complete_statement(script[start : i + 1]):
            statements.append(script[start : i + 1].strip())
            start = i + 1
    rest = script[start:].strip()
    if rest and not all(line.strip().startswith("--") for line in rest.splitlines() if line.strip()):
        statements.append(rest)
    return statements


def apply_schema(conn: sqlite3.Connection, script: str, *, source: str = "schema.sql") -> None:
    """Run a schema script statement by statement, naming the statement that fails.

    Runs outside any transaction because PRAGMA journal_mode cannot change
    inside one; every statement is idempotent, so a failure part-way leaves
    a database that a corrected schema brings up to date.
    """
    for statement in split_statements(script):
        try:
            conn.execute(statement)
        except sqlite3.Error as e:
            raise SchemaLoadError(source, statement, str(e)) from e


def scratch_database(schema_file: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """An in-memory database loaded from a schema file (default: the shipped schema.sql)."""
    conn = connect_memory()
    source = os.fspath(schema_file) if schema_file is not None else "schema.sql"
    apply_schema(conn, read_schema(schema_file), source=source)
    return conn


class transaction:  # noqa: N801 - used like a function: `with transaction(conn):`
    """BEGIN <mode> ... COMMIT, or ROLLBACK on any exception (KeyboardInterrupt too), re-raised.

    The block may end the transaction itself (a ROLLBACK or COMMIT of its own, then return):
    the exit commits only a transaction still open. A class rather than @contextmanager, so the
    store's per-write transaction can share end_transaction at no extra cost.
    """

    __slots__ = ("conn", "mode")

    def __init__(self, conn: sqlite3.Connection, mode: str = "IMMEDIATE") -> None:
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"transaction mode {mode!r}: DEFERRED, IMMEDIATE or EXCLUSIVE")
        self.conn = conn
        self.mode = mode

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute(f"BEGIN {self.mode}")  # one of three keywords, checked above
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        end_transaction(self.conn, failed=kind is not None)


def end_transaction(conn: sqlite3.Connection, *, failed: bool) -> None:
    """COMMIT an open transaction, or ROLLBACK it when the block failed or the COMMIT itself fails."""
    if not conn.in_transaction:
        return
    if failed:
        conn.execute("ROLLBACK")
        return
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def existing_file(db_path: str | os.PathLike[str], *, argument: str = "DB") -> Path:
    """The path of an existing, readable regular file; InputError naming `argument` otherwise."""
    path = Path(db_path)
    if not path.exists():
        raise InputError(f"{argument} {path}: no such file")
    if not path.is_file():
        raise InputError(f"{argument} {path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{argument} {path}: not readable")
    return path


#: The tables every ggen-db database has had since schema version 1.
REQUIRED_TABLES = ("receipts", "audit_log", "agent_memory")


def require_ggen_db(conn: sqlite3.Connection, what: str) -> None:
    """InputError unless the database has the tables of every ggen-db schema; `what` names it (argument and path)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise InputError(f"{what}: not a ggen-db database (no {missing[0]} table; create one with: ggen-db init)")
