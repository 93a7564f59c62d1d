"""The data generator: deterministic, valid, realistic, and bulk-loaded exactly as the Store writes it."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.bench.datagen import (
    DATA_END,
    DataSpec,
    build_database,
    bulk_load,
    cached_database,
    generate_bundles,
    generate_memory,
    generate_sessions,
)
from harness.bench.scales import SCALES
from harness.contract.model import is_timestamp, load_contract, utc_key
from harness.engine import db
from harness.errors import UsageError
from harness.store.store import Store

SPEC = DataSpec(receipts=1000, seed=7)
BASE_TABLES = {t.name for t in load_contract().base_tables}


def _tables_and_views(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_stat%' ORDER BY name"
    )
    return [r[0] for r in rows]


def _content(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table and view (generated columns included), in a stable order."""
    content = {}
    for name in _tables_and_views(conn):
        rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608 - names from sqlite_master
        content[name] = sorted(rows, key=repr) if name == "sqlite_sequence" else rows
    return content


def _store_written(spec: DataSpec) -> sqlite3.Connection:
    conn = db.scratch_database()
    store = Store(conn)
    for bundle in generate_bundles(spec):
        store.record_receipt(bundle)
    for record in generate_sessions(spec):
        store.insert_rows("workflow_sessions", [record.session])
        store.insert_rows("collision_detection", record.collisions)
    store.insert_rows("agent_memory", generate_memory(spec))
    return conn


@pytest.fixture(scope="module")
def bulk() -> Iterator[sqlite3.Connection]:
    conn = db.scratch_database()
    bulk_load(conn, SPEC)
    yield conn
    conn.close()


def test_bulk_load_is_identical_to_writing_through_the_store(bulk: sqlite3.Connection) -> None:
    slow = _store_written(SPEC)
    expected, actual = _content(slow), _content(bulk)
    assert list(actual) == list(expected)
    for name in expected:
        assert actual[name] == expected[name], name
    assert len(actual["receipts"]) == 1000
    assert actual["agent_execution_stats"] and actual["stage_execution_stats"]
    assert len(actual["recent_executions"]) == 100


def test_bulk_loaded_database_passes_every_check_and_foreign_key(bulk: sqlite3.Connection) -> None:
    # CHECKs are skipped during the load; integrity_check evaluates every one of them again.
    assert bulk.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert bulk.execute("PRAGMA foreign_key_check").fetchall() == []


def test_bulk_load_restores_triggers_and_pragmas(bulk: sqlite3.Connection, memory_db: sqlite3.Connection) -> None:
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    assert bulk.execute(schema).fetchall() == memory_db.execute(schema).fetchall()
    assert bulk.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert bulk.execute("PRAGMA ignore_check_constraints").fetchone() == (0,)
    assert bulk.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").fetchone() == (0,)


def test_loading_from_a_second_process_gives_the_same_database(bulk: sqlite3.Connection,
                                                               memory_db: sqlite3.Connection) -> None:
    stats = bulk_load(memory_db, SPEC, parallel=True)
    assert _content(memory_db) == _content(bulk)
    assert stats.receipts == 1000 and stats.rows == sum(len(v) for k, v in _content(memory_db).items()
                                                        if k in BASE_TABLES)  # fmt: skip


def test_a_failed_load_leaves_the_database_as_it_was(memory_db: sqlite3.Connection) -> None:
    conn = memory_db
    bulk_load(conn, DataSpec(receipts=20, seed=1))
    before = _content(conn)
    schema = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    with pytest.raises(sqlite3.IntegrityError):
        bulk_load(conn, DataSpec(receipts=20, seed=1))  # the same execution_ids again
    assert _content(conn) == before
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_same_spec_same_data_other_seed_other_data() -> None:
    first = [b.receipt for b in generate_bundles(DataSpec(receipts=50, seed=1))]
    again = [b.receipt for b in generate_bundles(DataSpec(receipts=50, seed=1))]
    other = [b.receipt for b in generate_bundles(DataSpec(receipts=50, seed=2))]
    assert first == again
    assert first != other


def test_data_is_realistic(bulk: sqlite3.Connection) -> None:
    agents = Counter(r[0] for r in bulk.execute("SELECT agent_id FROM receipts"))
    assert len(agents) >= 20
    counts = sorted(agents.values(), reverse=True)
    assert counts[0] > 4 * counts[-1]  # skewed (Zipf-like) activity
    statuses = Counter(r[0] for r in bulk.execute("SELECT status FROM receipts"))
    assert statuses["passed"] > 700 and set(statuses) == {"passed", "failed", "partial", "cancelled"}
    assert bulk.execute("SELECT count(*) FROM pipeline_metrics").fetchone() == (5000,)
    assert bulk.execute("SELECT count(*) FROM audit_log").fetchone() == (5000,)
    violations = bulk.execute("SELECT count(DISTINCT execution_id) FROM slo_violations").fetchone()[0]
    assert 2 <= violations <= 30  # about 1%
    durations = sorted(r[0] for r in bulk.execute("SELECT duration_ms FROM receipts"))
    assert durations[-1] > 5 * durations[500]  # long tail
    assert bulk.execute("SELECT count(*) FROM collision_detection").fetchone()[0] > 0
    assert bulk.execute("SELECT count(*) FROM agent_memory").fetchone() == (24,)


def test_timestamps_come_in_every_writer_form_inside_the_30_days(bulk: sqlite3.Connection) -> None:
    stamps = [r[0] for r in bulk.execute("SELECT timestamp FROM receipts UNION ALL SELECT timestamp FROM audit_log")]
    assert all(is_timestamp(s) for s in stamps)
    forms = Counter(_form(s) for s in stamps)
    assert set(forms) == {"Z", "+00:00", "offset", "naive", "sqlite"}
    assert min(forms.values()) > len(stamps) * 0.05
    end = utc_key(DATA_END)
    assert all(end - 30 * 86_400_000 <= utc_key(s) < end for s in stamps)


def _form(stamp: str) -> str:
    if stamp.endswith("Z"):
        return "Z"
    if stamp.endswith("+00:00"):
        return "+00:00"
    if stamp[-6] in "+-":
        return "offset"
    return "sqlite" if " " in stamp else "naive"


def test_audit_rows_lie_inside_their_receipt_window(bulk: sqlite3.Connection) -> None:
    # The recent_executions view counts them: every receipt shows its own 5 rows (or more, when the agent overlaps).
    counts = [r[0] for r in bulk.execute("SELECT audit_entries FROM recent_executions")]
    assert len(counts) == 100 and min(counts) >= 5


def test_documents_pass_their_json_schemas(bulk: sqlite3.Connection) -> None:
    contract = load_contract()
    from harness.contract.model import row_violations

    for table in ("receipts", "audit_log", "workflow_sessions", "agent_memory"):
        t = contract.tables[table]
        names = [c.name for c in t.writable_columns]
        sql = f"SELECT {', '.join(names)} FROM {table} LIMIT 300"  # noqa: S608 - contract names
        for row in bulk.execute(sql):
            present = {k: v for k, v in zip(names, row, strict=True) if v is not None}
            assert row_violations(t, present, documents=True) == [], (table, present)


def test_for_scale_names_the_option_and_the_allowed_values() -> None:
    assert DataSpec.for_scale("10k").receipts == 10_000
    assert set(SCALES) == {"1k", "10k", "100k", "1m"}
    with pytest.raises(UsageError) as e:
        DataSpec.for_scale("5k")
    assert str(e.value) == "--scale 5k: must be one of 1k, 10k, 100k, 1m"


def test_build_database_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    target.write_bytes(b"")
    with pytest.raises(UsageError, match="already exists"):
        build_database(target, DataSpec(receipts=10))


def test_a_failed_build_leaves_no_file(tmp_path: Path) -> None:
    from harness.errors import SchemaLoadError

    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE TABLE receipts (x);\nCREATE TABLE nonsense (;\n", encoding="utf-8")
    target = tmp_path / "x.db"
    with pytest.raises(SchemaLoadError):
        build_database(target, DataSpec(receipts=10), schema_file=broken)
    assert list(tmp_path.iterdir()) == [broken]


def test_cached_database_builds_once_and_reports_progress(tmp_path: Path) -> None:
    spec = DataSpec(receipts=200, seed=3)
    seen: list[tuple[int, int]] = []
    first = cached_database(spec, cache_dir=tmp_path, progress=lambda done, total: seen.append((done, total)))
    mtime = first.stat().st_mtime_ns
    again = cached_database(spec, cache_dir=tmp_path, progress=lambda done, total: seen.append((-1, -1)))
    assert again == first and first.stat().st_mtime_ns == mtime
    assert (-1, -1) not in seen and seen[-1][0] == seen[-1][1] > 2200
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary left behind
    conn = sqlite3.connect(first)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("SELECT count(*) FROM receipts").fetchone() == (200,)
    conn.close()


def test_cache_key_changes_with_schema_seed_and_size() -> None:
    spec = DataSpec(receipts=100)
    key = spec.cache_key("schema")
    assert key != spec.cache_key("schema2")
    assert key != DataSpec(receipts=100, seed=43).cache_key("schema")
    assert key != DataSpec(receipts=101).cache_key("schema")


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from harness.bench.datagen import default_cache_dir

    monkeypatch.setenv("GGEN_DB_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("GGEN_DB_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "ggen-db"
