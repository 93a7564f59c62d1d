"""harness.engine.introspection: what PRAGMAs and sqlite_master say, as frozen records."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from harness.engine.db import scratch_database
from harness.engine.introspection import (
    SchemaInfo,
    ddl_statements,
    inspect_schema,
    quote_identifier,
    schema_snapshot,
)

ODD_SCHEMA = '''
CREATE TABLE parent (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE child (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    a TEXT NOT NULL DEFAULT 'x',
    b TEXT,
    n INTEGER,
    doubled INTEGER GENERATED ALWAYS AS (n * 2) STORED,
    tripled INTEGER GENERATED ALWAYS AS (n * 3) VIRTUAL,
    "odd ""name""" TEXT UNIQUE,
    FOREIGN KEY (a, b) REFERENCES parent (a, b) ON DELETE SET NULL ON UPDATE RESTRICT
) STRICT;
CREATE INDEX child_partial ON child (n DESC, a) WHERE n > 0;
CREATE INDEX child_expression ON child (lower(b));
CREATE VIEW child_view AS SELECT id, doubled AS twice FROM child;
CREATE VIEW broken_view AS SELECT x FROM no_such_table;
CREATE TRIGGER child_insert AFTER INSERT ON child BEGIN SELECT 1; END;
CREATE TRIGGER child_guard INSTEAD OF DELETE ON child_view BEGIN SELECT 1; END;
'''


@pytest.fixture
def odd() -> Iterator[SchemaInfo]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(ODD_SCHEMA)
    yield inspect_schema(conn)
    conn.close()


@pytest.fixture(scope="module")
def shipped() -> Iterator[SchemaInfo]:
    conn = scratch_database()
    yield inspect_schema(conn)
    conn.close()


def test_tables_with_strict_and_without_rowid(odd: SchemaInfo) -> None:
    assert list(odd.tables) == ["child", "parent"]  # sqlite_sequence is SQLite's own
    assert (odd.tables["child"].strict, odd.tables["child"].without_rowid) == (True, False)
    assert (odd.tables["parent"].strict, odd.tables["parent"].without_rowid) == (False, True)
    assert odd.tables["child"].autoincrement and not odd.tables["parent"].autoincrement


def test_columns_include_generated_ones_with_their_kind(odd: SchemaInfo) -> None:
    child = odd.tables["child"]
    assert [c.name for c in child.columns] == ["id", "a", "b", "n", "doubled", "tripled", 'odd "name"']
    a = child.column("a")
    assert a is not None and (a.type, a.not_null, a.default, a.pk) == ("TEXT", True, "'x'", 0)
    doubled, tripled = child.column("doubled"), child.column("tripled")
    assert doubled is not None and doubled.generated == "stored"
    assert tripled is not None and tripled.generated == "virtual"
    assert child.column("id") is not None and child.column("id").pk == 1  # type: ignore[union-attr]
    assert child.column("missing") is None


def test_indexes_with_origin_partial_desc_and_expressions(odd: SchemaInfo) -> None:
    partial = odd.index("child_partial")
    assert partial is not None and partial.origin == "c" and partial.partial and not partial.unique
    assert [(c.name, c.desc) for c in partial.columns] == [("n", True), ("a", False)]
    expression = odd.index("child_expression")
    assert expression is not None and expression.column_names == (None,) and expression.columns[0].cid == -2
    unique = [i for i in odd.tables["child"].indexes if i.origin == "u"]
    assert len(unique) == 1 and unique[0].unique and unique[0].column_names == ('odd "name"',)
    assert unique[0].sql is None
    (pk,) = odd.tables["parent"].indexes
    assert pk.origin == "pk" and pk.column_names == ("a", "b")


def test_foreign_keys_are_grouped_with_their_actions(odd: SchemaInfo) -> None:
    (fk,) = odd.tables["child"].foreign_keys
    assert (fk.columns, fk.parent, fk.parent_columns) == (("a", "b"), "parent", ("a", "b"))
    assert (fk.on_delete, fk.on_update) == ("SET NULL", "RESTRICT")


def test_views_have_their_columns_or_say_why_not(odd: SchemaInfo) -> None:
    assert odd.views["child_view"].columns == ("id", "twice")
    broken = odd.views["broken_view"]
    assert broken.columns == () and broken.problem is not None and "no_such_table" in broken.problem


def test_triggers_with_timing_and_event(odd: SchemaInfo) -> None:
    assert (odd.triggers["child_insert"].timing, odd.triggers["child_insert"].event) == ("AFTER", "INSERT")
    assert (odd.triggers["child_guard"].timing, odd.triggers["child_guard"].event) == ("INSTEAD OF", "DELETE")
    assert odd.triggers["child_guard"].table == "child_view"


def test_the_shipped_schema(shipped: SchemaInfo) -> None:
    assert len(shipped.tables) == 14 and len(shipped.views) == 3  # 7 base tables, 2 rollups, 5 tables of counts
    assert all(t.strict for t in shipped.tables.values())
    receipts = shipped.tables["receipts"]
    assert receipts.column("timestamp_utc") is not None
    assert receipts.column("timestamp_utc").generated == "stored"  # type: ignore[union-attr]
    autoindex = shipped.index("sqlite_autoindex_receipts_1")
    assert autoindex is not None and autoindex.origin == "u" and autoindex.column_names == ("execution_id",)
    assert shipped.sqlite_version == sqlite3.sqlite_version


@pytest.mark.parametrize("name", ["plain", 'with "quotes"', "semi; DROP TABLE x; --", "ünïcödé", ""])
def test_quote_identifier_round_trips_any_name(name: str) -> None:
    conn = sqlite3.connect(":memory:")
    quoted = quote_identifier(name)
    conn.execute(f"CREATE TABLE {quoted} ({quote_identifier(name + 'c')} TEXT)")
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [(name,)]
    conn.close()


def test_ddl_statements_recreate_the_same_schema() -> None:
    source = scratch_database()
    copy = sqlite3.connect(":memory:")
    for statement in ddl_statements(source):
        copy.execute(statement)
    assert schema_snapshot(copy) == schema_snapshot(source)
    source.close()
    copy.close()
