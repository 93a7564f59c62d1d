"""schema.sql is hand-written, but its repeated parts cannot drift apart.

- Every `<column>_utc` generated column that normalizes a timestamp is one CASE
  with the column name substituted; every `created_at` CHECK is one condition.
- The triggers of the rollups that keep counters and extremes are the ones
  harness.contract.rollup_sql generates from their definition (the module the
  checks and the bulk loader use), and no other trigger writes those tables.

Text is compared with whitespace collapsed: the layout is the author's, the
tokens are the template's. Other triggers (integrity rules) are not templated.
"""

from __future__ import annotations

import re

import pytest

from harness.contract.model import load_contract
from harness.contract.rollup_sql import ROLLUPS, RollupSql, triggers
from harness.engine.db import read_schema, split_statements

SCHEMA = read_schema()
# The shape of an accepted timestamp (see the conventions at the top of schema.sql).
TIMESTAMP_SHAPE = """{column} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
    AND substr({column}, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr({column}, char(0)) = 0
    AND substr({column}, 12, 2) < '24'
    AND date(substr({column}, 1, 10), '+0 days') = substr({column}, 1, 10)"""
UTC_CASE = "CASE WHEN " + TIMESTAMP_SHAPE + " THEN strftime('%Y-%m-%d %H:%M:%f', {column}, '+0 seconds') END"
CREATED_AT_CHECK = TIMESTAMP_SHAPE + " AND strftime('%s', {column}) IS NOT NULL"

UTC_COLUMN = re.compile(r"\b(\w+)_utc TEXT GENERATED ALWAYS AS (?=\()")
CREATED_AT = re.compile(r"CONSTRAINT (\w+)_created_at_format CHECK (?=\()")


def _in_parentheses(text: str, start: int) -> str:
    """The text inside the parentheses opening at text[start] (SQL strings here hold no parentheses)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i]
    raise AssertionError(f"unbalanced parentheses from {text[start:start + 60]!r}")


def _tokens(sql: str) -> str:
    """The SQL without comments, its whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", sql)).replace("( ", "(").replace(" )", ")").strip()


def _definitions(pattern: re.Pattern[str]) -> list[tuple[str, str, str]]:
    """(table, name, parenthesized expression) for each match of pattern in schema.sql's CREATE TABLEs."""
    found = []
    for statement in split_statements(SCHEMA):
        table = re.match(r"(?:--[^\n]*\n|\s)*CREATE TABLE IF NOT EXISTS (\w+)", statement)
        if table:
            found += [(table[1], m[1], _in_parentheses(statement, m.end())) for m in pattern.finditer(statement)]
    return found


def _utc_columns() -> dict[tuple[str, str], str]:
    """(table, column) -> the expression of its `<column>_utc` generated column, for those written as a CASE."""
    return {(table, column): expression for table, column, expression in _definitions(UTC_COLUMN)
            if expression.strip().startswith("CASE")}


def _timestamp_columns() -> set[tuple[str, str]]:
    """The contract's timestamp columns other than created_at (the database's own, checked in place)."""
    return {(t.name, c.name) for t in load_contract().tables.values() for c in t.columns
            if c.kind == "timestamp" and c.name != "created_at"}


def _tables_with_created_at() -> set[str]:
    return {t.name for t in load_contract().tables.values() if any(c.name == "created_at" for c in t.columns)}


def test_every_utc_case_is_the_template_with_its_column() -> None:
    columns = _utc_columns()
    assert columns, "no <column>_utc CASE found: has the layout of schema.sql changed?"
    for (table, column), expression in columns.items():
        assert _tokens(expression) == _tokens(UTC_CASE.format(column=column)), f"{table}.{column}_utc drifted"


def test_every_writer_timestamp_has_a_utc_case() -> None:
    assert set(_utc_columns()) == _timestamp_columns()


def test_every_created_at_check_is_the_template() -> None:
    checks = _definitions(CREATED_AT)
    assert sorted(table for table, _, _ in checks) == sorted(_tables_with_created_at())
    for table, _, condition in checks:
        assert _tokens(condition) == _tokens(CREATED_AT_CHECK.format(column="created_at")), f"{table}: created_at drifted"


def _schema_triggers() -> dict[str, str]:
    """Every CREATE TRIGGER of schema.sql by name."""
    out = {}
    for statement in split_statements(SCHEMA):
        match = re.search(r"CREATE TRIGGER IF NOT EXISTS (\w+)", statement)
        if match:
            out[match[1]] = statement
    return out


# The rollups whose triggers rollup_sql writes (those that keep counters and extremes).
GENERATED = [rollup for rollup in ROLLUPS.values() if rollup.counts]


def test_the_rollups_with_counters_are_generated() -> None:
    assert [r.table for r in GENERATED] == ["agent_execution_stats", "stage_execution_stats"]


@pytest.mark.parametrize("rollup", GENERATED, ids=[r.table for r in GENERATED])
def test_the_rollup_triggers_are_the_generated_ones(rollup: RollupSql) -> None:
    generated = triggers(rollup)
    written = _schema_triggers()
    for name, sql in generated.items():
        assert name in written, f"schema.sql has no trigger {name}"
        assert _tokens(written[name].rstrip().rstrip(";")) == _tokens(sql), f"{name} differs from rollup_sql.triggers()"


def test_no_other_trigger_writes_those_rollups() -> None:
    generated = {name for rollup in GENERATED for name in triggers(rollup)}
    writes = re.compile(rf"\b(?:INSERT INTO|UPDATE)\s+({'|'.join(r.table for r in GENERATED)})\b")
    others = {name for name, sql in _schema_triggers().items() if name not in generated and writes.search(sql)}
    assert not others, f"triggers writing a rollup outside rollup_sql.triggers(): {sorted(others)}"
