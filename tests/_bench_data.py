"""Generated databases for the benchmark-side tests, built once per test process.

The 1k and 10k databases (and variants with an index dropped) are built
into one temporary directory that lives as long as the pytest process, so
test_plans, test_bench and test_cli_bench share them.
"""

from __future__ import annotations

import atexit
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from harness.bench import datagen
from harness.engine import db

_ROOT = Path(tempfile.mkdtemp(prefix="ggen-db-test-data-"))
atexit.register(shutil.rmtree, _ROOT, True)

CACHE = _ROOT / "cache"
SCHEMA = db.schema_path()
ORIGINAL = Path(__file__).resolve().parent.parent / "harness" / "bench" / "baselines" / "original.sql"


def database(scale: str, schema: Path | None = None) -> Path:
    """The cached database of a scale built with schema (default: schema.sql)."""
    return datagen.cached_database(datagen.DataSpec.for_scale(scale), schema_file=schema, cache_dir=CACHE)


def schema_without(index: str) -> Path:
    """schema.sql with one CREATE INDEX removed: the deliberately slowed schema."""
    target = _ROOT / f"schema-without-{index}.sql"
    if not target.exists():
        statements = db.split_statements(db.read_schema(SCHEMA))
        creates = re.compile(rf"CREATE INDEX IF NOT EXISTS {re.escape(index)}\b")
        kept = [s for s in statements if not creates.search(s)]
        assert len(kept) == len(statements) - 1, f"{index} is not created by schema.sql"
        target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def read_only(path: Path) -> sqlite3.Connection:
    return db.connect_read_only(path)
