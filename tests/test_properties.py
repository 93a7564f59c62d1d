"""Property tests: the database's accept/refuse decisions equal the contract's own predicate.

Rows generated from the contract (harness.testing.strategies) are inserted into one
scratch database per module, each example inside a SAVEPOINT that is rolled
back, and the database's decision is compared with contract.row_violations.
A disagreement names the table, the column, the value and both decisions;
hypothesis shrinks it to a minimal row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.contract import model as contract
from harness.contract.model import Table
from harness.engine.db import scratch_database
from harness.errors import Problem
from harness.testing import strategies
from harness.testing.strategies import Bundle, Row

CONTRACT = contract.load_contract()
TABLES = CONTRACT.base_tables
TABLE_IDS = [t.name for t in TABLES]
# (table, column, the generated column that normalizes it to UTC)
NORMALIZED = [(t, c.normalizes, c.name) for t in TABLES for c in t.columns if c.normalizes]
NORMALIZED_IDS = [f"{t.name}.{column}" for t, column, _ in NORMALIZED]
SCHEMA_NAMES = sorted({c.json_schema for t in TABLES for c in t.columns if c.json_schema})


# ------------------------------------------------------------------ helpers
def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def insert(conn: sqlite3.Connection, table: Table, row: Row) -> None:
    if not row:
        conn.execute(f"INSERT INTO {quote(table.name)} DEFAULT VALUES")  # noqa: S608 - contract identifier, quoted
        return
    names = ", ".join(quote(name) for name in row)
    marks = ", ".join("?" for _ in row)
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 - identifiers quoted, values bound
    conn.execute(sql, tuple(row.values()))


@contextmanager
def rolled_back(conn: sqlite3.Connection) -> Iterator[None]:
    """Whatever the block writes is undone, so one database serves every example."""
    conn.execute("SAVEPOINT example")
    try:
        yield
    finally:
        conn.execute("ROLLBACK TO example")
        conn.execute("RELEASE example")


def insert_parents(conn: sqlite3.Connection, bundle: Bundle) -> list[str]:
    """Insert the bundle's parent rows; the errors of those the database refused."""
    refused = []
    for table, row in bundle.parents:
        try:
            insert(conn, table, row)
        except sqlite3.Error as e:  # a broken key cannot have a parent: the row's own insert is judged
            refused.append(f"parent {table.name} refused: {e}")
    return refused


def database_decision(conn: sqlite3.Connection, bundle: Bundle) -> tuple[str | None, list[str]]:
    """(None when the database accepts the row, else its error message; the parents' errors)."""
    with rolled_back(conn):
        parent_errors = insert_parents(conn, bundle)
        try:
            insert(conn, bundle.table, bundle.row)
        except sqlite3.Error as e:
            return str(e), parent_errors
        except OverflowError as e:  # an int beyond int64: sqlite3 refuses to bind it
            return f"sqlite3: {e}", parent_errors
        return None, parent_errors


def suspect_column(table: Table, message: str) -> str | None:
    """The column a database error or a contract violation names (the longest match wins)."""
    names = [
        c.name
        for c in table.columns
        if f"{table.name}_{c.name}_" in message or f"{table.name}.{c.name}" in message
    ]
    names += [c.name for c in table.columns if message.startswith(f"{c.name}: ")]
    return max(names, key=len, default=None)


def assert_agreement(conn: sqlite3.Connection, bundle: Bundle) -> tuple[str | None, list[Problem]]:
    """The database's decision on bundle.row is the contract's; on disagreement, say where and how."""
    refused, parent_errors = database_decision(conn, bundle)
    violations = contract.row_violations(bundle.table, bundle.row)
    if (refused is None) == (not violations):
        return refused, violations
    table = bundle.table
    said = "; ".join(str(v) for v in violations)
    column = suspect_column(table, refused or said)
    value = bundle.row.get(column, "<not in the row>") if column else "<unknown>"
    raise AssertionError(
        f"{table.name}.{column}: value {value!r}: "
        f"the database {'accepted it' if refused is None else 'refused it (' + refused + ')'}, "
        f"the contract {'refuses it (' + said + ')' if violations else 'accepts it'}"
        f"{' [' + '; '.join(parent_errors) + ']' if parent_errors else ''}\nrow: {bundle.row!r}"
    )


def bundles(table: Table, rows: st.SearchStrategy[Row]) -> st.SearchStrategy[Bundle]:
    return strategies.with_parents(CONTRACT, table, rows)


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = scratch_database()
    yield conn
    conn.close()


# ------------------------------------------------------- accept / refuse
@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
@given(data=st.data())
def test_valid_rows_are_accepted(db: sqlite3.Connection, table: Table, data: st.DataObject) -> None:
    bundle = data.draw(bundles(table, strategies.valid_rows(table)), label="bundle")
    refused, violations = assert_agreement(db, bundle)
    assert refused is None and violations == []
    assert contract.row_violations(table, bundle.row, documents=True) == []


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
@given(data=st.data())
def test_invalid_rows_are_refused(db: sqlite3.Connection, table: Table, data: st.DataObject) -> None:
    bundle = data.draw(bundles(table, strategies.invalid_rows(table)), label="bundle")
    refused, violations = assert_agreement(db, bundle)
    assert refused is not None and violations, f"not broken: {bundle.row!r}"


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
@given(data=st.data())
def test_retyped_values_are_judged_alike(db: sqlite3.Connection, table: Table, data: st.DataObject) -> None:
    assert_agreement(db, data.draw(bundles(table, strategies.retyped_rows(table)), label="bundle"))


# A hand-picked table of edges, each once: the storage-class conversions
# the predicate mirrors, and the holes fixed in the schema.
EDGES: list[tuple[str, str, Any]] = [
    ("receipts", "duration_ms", "12"),
    ("receipts", "duration_ms", " 12 "),
    ("receipts", "duration_ms", "+12"),
    ("receipts", "duration_ms", "12.0"),
    ("receipts", "duration_ms", "1e3"),
    ("receipts", "duration_ms", "0x10"),
    ("receipts", "duration_ms", "1.5"),
    ("receipts", "duration_ms", "-1"),
    ("receipts", "duration_ms", "9223372036854775807"),
    ("receipts", "duration_ms", "9223372036854775808"),
    ("receipts", "duration_ms", "\u0661\u0662"),
    ("receipts", "duration_ms", 12.0),
    ("receipts", "duration_ms", 12.5),
    ("receipts", "duration_ms", True),
    ("receipts", "duration_ms", float("nan")),
    ("receipts", "duration_ms", 2.0**63),
    ("receipts", "duration_ms", 2**63),
    ("receipts", "duration_ms", -(2.0**63)),
    ("receipts", "duration_ms", "-9223372036854775808.0"),
    ("receipts", "duration_ms", " 9223372036854775807 "),
    ("receipts", "files_generated", None),
    ("slo_violations", "target_value", "1.5"),
    ("slo_violations", "target_value", 3),
    ("slo_violations", "target_value", "abc"),
    ("slo_violations", "target_value", float("nan")),
    ("receipts", "agent_id", 12),
    ("receipts", "agent_id", "a\x00b"),
    ("receipts", "agent_id", "a\x00" + "x" * 300),
    ("receipts", "agent_id", "x" * 257),
    ("receipts", "agent_id", " \t\n"),
    ("receipts", "receipt_json", 12),
    ("receipts", "receipt_json", float("inf")),
    ("receipts", "receipt_json", "[" * 1500 + "]" * 1500),
    ("receipts", "receipt_json", "[" * 2001 + "]" * 2001),
    ("receipts", "timestamp", "2026-01-29T12:00:00\x00garbage"),
    ("receipts", "timestamp", "2026-01-29T12:00:00Z\x00"),
    ("receipts", "timestamp", "2026-01-29T12:00:00+14:59"),
    ("receipts", "timestamp", "2026-01-29T12:00:00+15:00"),
    ("receipts", "timestamp", "2026-01-29T12:00:00z"),
    ("receipts", "timestamp", "2026-01-29T12:00:00."),
    ("receipts", "created_at", "2026-01-29 12:00:00\x00junk"),
    ("receipts", "environment", "Production"),
    ("pipeline_metrics", "stage", "\u00b5\u2081_normalize"),
    ("collision_detection", "agent_id_2", "agent-01"),
]


def plain_row(table: Table) -> Row:
    """The simplest valid row of a table, written out by hand (no generator involved)."""
    plain = {
        "id": "plain-1",
        "timestamp": "2026-01-29T12:00:00Z",
        "real": 1.0,
        "hash": "a" * 64,
        "json": "{}",
    }
    row: Row = {}
    for c in table.writable_columns:
        if c.required and c.kind == "enum":
            row[c.name] = c.values[0]
        elif c.required and c.kind == "count":
            row[c.name] = c.minimum or 0
        elif c.required:
            row[c.name] = plain.get(c.kind, "text")
    for rule in table.rules:
        if rule.kind == "distinct":
            row[rule.columns[0]], row[rule.columns[1]] = "agent-01", "agent-02"
    return row


def plain_bundle(table: Table, changes: Row | None = None) -> Bundle:
    """plain_row(table) with changes, and plain parents holding the keys it references."""
    row = {**plain_row(table), **(changes or {})}
    parents = []
    for fk in table.foreign_keys:
        parent = CONTRACT.tables[fk.table]
        parents.append((parent, {**plain_row(parent), fk.references: row[fk.column]}))
    return Bundle(tuple(parents), table, row)


@pytest.mark.parametrize("table", TABLES, ids=TABLE_IDS)
def test_plain_rows_are_accepted(db: sqlite3.Connection, table: Table) -> None:
    refused, _ = assert_agreement(db, plain_bundle(table))
    assert refused is None


@pytest.mark.parametrize(("table", "column", "value"), EDGES, ids=[f"{t}.{c}={v!r:.40}" for t, c, v in EDGES])
def test_edge_values_are_judged_alike(db: sqlite3.Connection, table: str, column: str, value: Any) -> None:
    assert_agreement(db, plain_bundle(CONTRACT.tables[table], {column: value}))


# Holes the schema once had (GLOB and json_valid stop reading at a NUL; a
# REAL column took Infinity): the database must refuse them as the contract does.
FORMER_SCHEMA_HOLES: list[tuple[str, str, Any]] = [
    *[(t.name, c.name, "a" * 64 + "\x00zz") for t in TABLES for c in t.columns if c.kind == "hash"],
    *[(t.name, c.name, "{}\x00junk") for t in TABLES for c in t.columns if c.kind == "json"],
    *[
        (t.name, c.name, v)
        for t in TABLES
        for c in t.columns
        if c.kind == "real"
        for v in (float("inf"), "-1e999")
    ],
]


@pytest.mark.parametrize(
    ("table", "column", "value"),
    FORMER_SCHEMA_HOLES,
    ids=[f"{t}.{c}={v!r:.20}" for t, c, v in FORMER_SCHEMA_HOLES],
)
def test_former_schema_holes_stay_closed(db: sqlite3.Connection, table: str, column: str, value: Any) -> None:
    bundle = plain_bundle(CONTRACT.tables[table], {column: value})
    assert contract.row_violations(bundle.table, bundle.row), "the contract refuses it"
    assert_agreement(db, bundle)


def test_rollup_sums_hold_receipts_at_the_maximum(db: sqlite3.Connection) -> None:
    # duration_ms is capped (contract maximum) so that many receipts at the cap
    # still sum exactly in agent_execution_stats.total_duration_ms (int64).
    table = CONTRACT.tables["receipts"]
    cap = table.column("duration_ms").maximum
    assert cap is not None and cap * 1_000_000 < 2**63
    rows = [{**plain_row(table), "execution_id": f"big-{i}", "duration_ms": cap} for i in range(3)]
    assert all(contract.row_violations(table, row) == [] for row in rows)
    over = {**rows[0], "execution_id": "too-big", "duration_ms": cap + 1}
    assert [v.rule for v in contract.row_violations(table, over)] == ["maximum"]
    with rolled_back(db):
        for row in rows:
            insert(db, table, row)
        total = db.execute(
            "SELECT total_duration_ms FROM agent_execution_stats WHERE agent_id = ?", (rows[0]["agent_id"],)
        ).fetchone()[0]
        assert total == 3 * cap


# ----------------------------------------------------------- UTC columns
def with_timestamp(table: Table, row: Row, column: str, value: str) -> Row:
    """row with column set to value, and a not_before partner set equal so the rule holds."""
    row = {**row, column: value}
    for rule in table.rules:
        if rule.kind == "not_before" and column in rule.columns:
            partner = rule.columns[1] if rule.columns[0] == column else rule.columns[0]
            row[partner] = value
    return row


def read_back(conn: sqlite3.Connection, table: Table, column: str) -> Any:
    sql = f"SELECT {quote(column)} FROM {quote(table.name)} WHERE rowid = last_insert_rowid()"  # noqa: S608 - quoted
    return conn.execute(sql).fetchone()[0]


@pytest.mark.parametrize(("table", "column", "utc_column"), NORMALIZED, ids=NORMALIZED_IDS)
@given(data=st.data())
def test_utc_column_is_the_contract_utc_text(
    db: sqlite3.Connection, table: Table, column: str, utc_column: str, data: st.DataObject
) -> None:
    timestamp = data.draw(strategies.timestamps(), label="timestamp")
    plain = plain_bundle(table)
    bundle = Bundle(plain.parents, table, with_timestamp(table, plain.row, column, timestamp))
    with rolled_back(db):
        insert_parents(db, bundle)
        insert(db, table, bundle.row)
        stored = read_back(db, table, utc_column)
    assert stored == contract.utc_text(timestamp), f"{table.name}.{utc_column} of {timestamp!r}"


UTC_EDGES = [
    ("2026-01-29T12:00:00.0005", "2026-01-29 12:00:00.001"),
    ("2026-01-29T12:00:00.0015Z", "2026-01-29 12:00:00.002"),
    ("2026-01-29T12:00:00.0025+00:00", "2026-01-29 12:00:00.003"),
    ("2026-01-29T12:00:59.9996Z", "2026-01-29 12:01:00.000"),
    ("2026-01-29T13:00:59.9996+01:00", "2026-01-29 12:01:00.000"),
    ("2026-01-29 12:00:59.9996", "2026-01-29 12:01:00.000"),
    ("1000-01-01T00:00:00+14:00", "0999-12-31 10:00:00.000"),
    ("2999-12-31T23:59:59.9999-14:59", "3000-01-01 14:59:00.000"),
    ("2024-02-29T23:30:00-01:00", "2024-03-01 00:30:00.000"),
]


@pytest.mark.parametrize(("timestamp", "expected"), UTC_EDGES)
def test_utc_column_edges(db: sqlite3.Connection, timestamp: str, expected: str) -> None:
    table = CONTRACT.tables["receipts"]
    with rolled_back(db):
        insert(db, table, {**plain_row(table), "timestamp": timestamp})
        assert read_back(db, table, "timestamp_utc") == expected == contract.utc_text(timestamp)


def rows_in_one_table(table: Table, base: Row, column: str, timestamps: list[str]) -> list[Row]:
    """One row per timestamp, unique columns made distinct, all under the same parents."""
    rows = []
    for i, timestamp in enumerate(timestamps):
        row = with_timestamp(table, base, column, timestamp)
        for unique in table.unique:
            row.update({name: f"{name}-{i}" for name in unique})
        rows.append(row)
    return rows


@pytest.mark.parametrize(("table", "column", "utc_column"), NORMALIZED, ids=NORMALIZED_IDS)
@given(data=st.data())
def test_utc_order_is_the_contract_order(
    db: sqlite3.Connection, table: Table, column: str, utc_column: str, data: st.DataObject
) -> None:
    timestamps = data.draw(strategies.nearby_timestamps(), label="timestamps")
    bundle = plain_bundle(table)
    rows = rows_in_one_table(table, bundle.row, column, timestamps)
    order_by = f"ORDER BY {quote(utc_column)}, id"
    sql = f"SELECT {quote(column)} FROM {quote(table.name)} {order_by}"  # noqa: S608 - identifiers quoted
    with rolled_back(db):
        insert_parents(db, bundle)
        for row in rows:
            insert(db, table, row)
        got = [r[0] for r in db.execute(sql)]
    expected = [t for _, t in sorted(enumerate(timestamps), key=lambda p: (contract.utc_key(p[1]), p[0]))]
    assert got == expected


# ------------------------------------------------------------ documents
@pytest.mark.parametrize("schema_name", SCHEMA_NAMES)
@given(data=st.data())
def test_generated_documents_pass_their_schema(
    db: sqlite3.Connection, schema_name: str, data: st.DataObject
) -> None:
    text = data.draw(strategies.documents(schema_name), label="document")
    assert contract.document_problem(schema_name, text) is None
    assert db.execute("SELECT json_valid(?)", (text,)).fetchone()[0] == 1


@pytest.mark.parametrize("schema_name", SCHEMA_NAMES)
@given(data=st.data())
def test_broken_documents_are_reported(db: sqlite3.Connection, schema_name: str, data: st.DataObject) -> None:
    text = data.draw(strategies.broken_documents(schema_name), label="document")
    problem = contract.document_problem(schema_name, text)
    assert problem is not None and problem[0] == "json_schema", text
    assert problem[1].startswith(f"{schema_name}: ")
    assert (
        db.execute("SELECT json_valid(?)", (text,)).fetchone()[0] == 1
    )  # still JSON: only the schema refuses it
