"""Shared test configuration and the databases tests start from.

Databases (each test gets its own; nothing is shared between tests):
- `memory_db`: an in-memory connection with the shipped schema;
- `file_db`: a database file with the shipped schema loaded, nothing else (WAL, closed);
- `initialized_db`: a database file as `ggen-db init` makes it (schema version recorded);
- `populated_db`: a private copy of the seeded 1k-receipt database (harness.bench.datagen).

Hypothesis profiles: "ci" (the default) is bounded and derandomized, so a
run is reproducible and fits the suite's time budget on a 2-core machine;
"deep" runs many more examples for a local hunt. Choose with
HYPOTHESIS_PROFILE=deep.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import _bench_data
import pytest
from hypothesis import settings

from harness.bench.runner import copy_database
from harness.changes.install import init_database
from harness.engine import db
from harness.store.checkpoint import THREAD_NAME

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None, print_blob=False)
settings.register_profile("deep", max_examples=2000, deadline=None, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# On a failure, hypothesis's pytest plugin imports hypothesis.extra._patching
# (libcst), whose import warns that mypy_extensions.TypedDict is deprecated;
# under filterwarnings=error that aborts the session with INTERNALERROR and
# hides the falsifying example. Import it once here, the warning silenced.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401


@pytest.fixture(autouse=True)
def no_checkpointer_left_running() -> Iterator[None]:
    """A checkpointer thread outliving its test is a Store or Checkpointer left open."""
    yield
    left = [t for t in threading.enumerate() if t.name == THREAD_NAME]
    assert not left, f"{len(left)} checkpointer thread(s) still running: a Store.open() or Checkpointer not closed"


@pytest.fixture
def memory_db() -> Iterator[sqlite3.Connection]:
    """An in-memory database with the shipped schema, on a connection with the documented pragmas."""
    conn = db.scratch_database()
    yield conn
    conn.close()


@pytest.fixture
def file_db(tmp_path: Path) -> Path:
    """tmp_path/schema.db: the shipped schema loaded into a file (WAL), no version recorded, no rows."""
    path = tmp_path / "schema.db"
    conn = db.connect(path)
    try:
        db.apply_schema(conn, db.read_schema())
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


@pytest.fixture
def initialized_db(tmp_path: Path) -> Path:
    """tmp_path/ggen.db as `ggen-db init` makes it: the schema and its version, no rows."""
    path = tmp_path / "ggen.db"
    init_database(path)
    return path


@pytest.fixture
def populated_db(tmp_path: Path) -> Path:
    """tmp_path/populated.db: a copy of the seeded 1k-receipt database, the test's own to write."""
    path = tmp_path / "populated.db"
    copy_database(_bench_data.database("1k"), path)
    return path
