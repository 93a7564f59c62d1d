"""Rules proven by reading them: the CHECKs as stored must be exactly what the contract implies.

The two widened enumerations of issue 11 (a value nobody thought of added to
receipts_status_enum and audit_log_status_enum) passed 194 of 194 checks;
they must now fail, by name, whatever the value.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.checks import open_target, run_checks
from harness.checks.implied_sql import table_expressions
from harness.checks.scratch_rows import insert_with_parents, sample_row, undone
from harness.checks.table_sql import same_expression, string_literals_compared_with
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine.db import apply_schema, connect_memory, schema_path
from harness.engine.sqltext import declared_rules

CONTRACT = load_contract()
SCHEMA = schema_path().read_text(encoding="utf-8")
RECEIPTS_STATUS = "OR status = 'partial' OR status = 'cancelled')"
AUDIT_STATUS = "OR status = 'failed' OR status = 'skipped')"
ISSUE_WIDENINGS = {
    "receipts_status_enum": (RECEIPTS_STATUS, "enum_receipts_status", "receipts.status"),
    "audit_log_status_enum": (AUDIT_STATUS, "enum_audit_log_status", "audit_log.status"),
}


def _widened(anchor: str, value: str) -> str:
    assert SCHEMA.count(anchor) == 1, anchor
    literal = "'" + value.replace("'", "''") + "'"
    return SCHEMA.replace(anchor, f"{anchor[:-1]} OR status = {literal})")


def _failures(schema_text: str, tmp_path: Path, *codes: str) -> dict[str, str]:
    path = tmp_path / "schema.sql"
    path.write_text(schema_text, encoding="utf-8")
    ctx = open_target(CONTRACT, schema=path)
    try:
        return {f.code: f.message for f in run_checks(ctx, only=codes or None) if f.status != "passed"}
    finally:
        ctx.close_scratches()
        ctx.target.close()


@pytest.mark.parametrize("constraint", sorted(ISSUE_WIDENINGS))
def test_the_issue_widenings_exit_1_naming_the_extra_value(
    constraint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor, code, where = ISSUE_WIDENINGS[constraint]
    path = tmp_path / "widened.sql"
    path.write_text(_widened(anchor, "bogus"), encoding="utf-8")
    assert main(["check", "--schema", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if code in x)
    assert "FAIL" in line and f"{where}: widened by 'bogus'" in line and constraint in line
    assert "the database accepts it" in line


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12))
def test_any_novel_value_widening_an_enumeration_is_named(value: str, tmp_path: Path) -> None:
    for anchor, code, where in ISSUE_WIDENINGS.values():
        allowed = CONTRACT.tables[where.split(".")[0]].column("status").values
        if value in allowed:
            continue
        message = _failures(_widened(anchor, value), tmp_path, code)[code]
        assert f"{where}: widened by {value!r}" in message


def test_a_raised_bound_is_read_and_its_literal_named(tmp_path: Path) -> None:
    text = SCHEMA.replace("CHECK (files_generated <= 1000000000000)", "CHECK (files_generated <= 1000000000001)")
    message = _failures(text, tmp_path, "catalog_receipts_rules")["catalog_receipts_rules"]
    assert "CHECK receipts_files_generated_maximum reads `files_generated <= 1000000000001`" in message
    assert "adds '1000000000001'" in message and "drops '1000000000000'" in message
    assert "the database accepts 1000000000001" in message


def test_a_widened_id_limit_is_read_even_where_no_probe_reaches(tmp_path: Path) -> None:
    # 257 characters are still refused, so no behaviour probe sees this; the catalog does.
    text = SCHEMA.replace("CHECK (length(agent_id) <= 256 AND", "CHECK ((length(agent_id) <= 256 OR agent_id = 'root') AND", 1)
    message = _failures(text, tmp_path, "catalog_receipts_rules")["catalog_receipts_rules"]
    assert "receipts.agent_id: CHECK receipts_agent_id_nonempty reads" in message and "adds 'root'" in message


def test_the_shipped_catalogue_is_what_the_contract_implies() -> None:
    conn = connect_memory()
    apply_schema(conn, SCHEMA)
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"):
        declared = [r for r in declared_rules(sql) if r.column != "finished_utc"]
        implied = table_expressions(CONTRACT, CONTRACT.tables[name])
        assert len(declared) == len(implied), name
        for expected in implied:
            assert any(same_expression(expected.text, r.text) for r in declared), (name, expected.name)


def test_cutting_a_create_table_respects_strings_quotes_and_nesting() -> None:
    sql = """CREATE TABLE t ("a, b" TEXT CONSTRAINT x CHECK ("a, b" = 'CHECK (1), y' OR "a, b" IN ('z')),
             c INTEGER NOT NULL CONSTRAINT c_min CHECK ((c >= 0)) CONSTRAINT c_max CHECK (c <= 9),
             d TEXT GENERATED ALWAYS AS (upper(c || ')')) STORED, CHECK (c <> 5)) STRICT"""
    rules = declared_rules(sql)
    assert [(r.kind, r.column, r.name) for r in rules] == [
        ("check", "a, b", "x"), ("check", "c", "c_min"), ("check", "c", "c_max"), ("generated", "d", None),
        ("check", None, None)]
    assert sorted(string_literals_compared_with(rules[0].text, "a, b")) == ["CHECK (1), y", "z"]
    assert same_expression("(c >= 0)", "C>=0") and same_expression("a OR (b OR c)", "c OR b OR a")
    assert not same_expression("(a OR b) AND c", "a OR b AND c")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_text_outside_an_enumeration_is_refused(data: st.DataObject) -> None:
    """Fuzzing beyond the checks' own list: any text that is not a value of the enumeration is refused."""
    table, column = data.draw(st.sampled_from([(t, c) for t in CONTRACT.base_tables for c in t.columns
                                               if c.kind == "enum"]), label="column")
    value = data.draw(st.text(st.characters(codec="utf-8"), max_size=20).filter(lambda v: v not in column.values))
    conn = _shipped()
    with undone(conn), pytest.raises(sqlite3.IntegrityError, match=f"{table.name}_{column.name}_enum"):
        insert_with_parents(conn, CONTRACT, table, sample_row(table, **{column.name: value}))


_CONN: list[sqlite3.Connection] = []


def _shipped() -> sqlite3.Connection:
    if not _CONN:
        conn = connect_memory()
        apply_schema(conn, SCHEMA)
        _CONN.append(conn)
    return _CONN[0]
