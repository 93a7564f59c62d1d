"""Opening the database a command names as `DB`: read-only unless the command writes.

Errors name the argument (`DB path: ...`) as backup and ingest do; a file that is a
SQLite database without the ggen-db tables is refused before any query runs.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from harness.engine.db import BUSY_TIMEOUT_MS, configure, existing_file, require_ggen_db
from harness.errors import InputError


def open_read_only(db_path: str | os.PathLike[str], *, argument: str = "DB") -> sqlite3.Connection:
    """A read-only connection (URI mode=ro): nothing can be written through it."""
    path = existing_file(db_path, argument=argument)
    uri = path.resolve().as_uri() + "?mode=ro"
    return _checked(sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False), path, argument)


def open_read_write(db_path: str | os.PathLike[str], *, argument: str = "DB") -> sqlite3.Connection:
    """A read-write connection with the documented pragmas (never creates a missing file)."""
    path = existing_file(db_path, argument=argument)
    if not os.access(path, os.W_OK):
        raise InputError(f"{argument} {path}: not writable")
    uri = path.resolve().as_uri() + "?mode=rw"
    conn = _checked(sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False), path, argument)
    try:
        configure(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise InputError(f"{argument} {path}: cannot be written ({e})") from e
    return conn


def _checked(conn: sqlite3.Connection, path: Path, argument: str) -> sqlite3.Connection:
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        require_ggen_db(conn, f"{argument} {path}")
    except sqlite3.DatabaseError as e:
        conn.close()
        raise InputError(f"{argument} {path}: not a SQLite database ({e})") from e
    except InputError:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection, schema: str = "main") -> int:
    """PRAGMA user_version: the ggen-db schema version the database was made with."""
    return int(conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0])
