"""The contract module: loading contract.json, lookups, and the contract's own predicates.

The predicates are checked here against tables of examples written out by
hand (REFERENCE section 4 and the timestamp_rule of contract.json), against
Python's datetime, and against the strategies; tests/test_properties.py
checks them against the database.
"""

from __future__ import annotations

import copy
import json
import math
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.contract import model as contract
from harness.contract.model import REFUSED, load_contract
from harness.engine import db
from harness.errors import ContractError, Problem
from harness.testing import strategies

SHIPPED = json.loads(resources.files("harness.contract").joinpath("contract.json").read_text(encoding="utf-8"))
CONTRACT = load_contract()
BASE_TABLES = ["receipts", "agent_memory", "audit_log", "workflow_sessions", "collision_detection",
               "pipeline_metrics", "slo_violations"]  # fmt: skip


# ------------------------------------------------------------------ loading
def test_shipped_contract_loads() -> None:
    assert CONTRACT.source == "harness/contract/contract.json"
    assert len(CONTRACT.sha256) == 64 and int(CONTRACT.sha256, 16) >= 0
    assert CONTRACT.schema_version >= 1
    assert [t.name for t in CONTRACT.base_tables] == BASE_TABLES
    assert {t.name for t in CONTRACT.tables.values() if t.derived} == {
        "agent_execution_stats",
        "stage_execution_stats",
        "receipt_hourly_counts",
        "audit_hourly_counts",
        "session_daily_counts",
        "collision_hourly_counts",
        "violation_hourly_counts",
    }
    assert set(CONTRACT.views) == {
        "recent_executions",
        "agent_performance_summary",
        "pipeline_stage_performance",
    }


def test_loading_a_path_gives_the_same_contract(tmp_path: Path) -> None:
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(SHIPPED), encoding="utf-8")
    loaded = load_contract(path)
    assert loaded.source == str(path)
    assert loaded.tables == CONTRACT.tables and loaded.queries == CONTRACT.queries


def _receipts_column(data: dict[str, Any], name: str) -> dict[str, Any]:
    columns: list[dict[str, Any]] = data["tables"]["receipts"]["columns"]
    return next(c for c in columns if c["name"] == name)


def _receipts_column_index(name: str) -> int:
    return [c["name"] for c in SHIPPED["tables"]["receipts"]["columns"]].index(name)


# (what is broken, the edit, what the one-line error must say after "<path>: ")
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("missing top-level key", lambda d: d.pop("tables"), "(top): 'tables' is a required property"),
    ("missing nested key", lambda d: d["tables"]["receipts"].pop("indexes"), "tables/receipts: 'indexes' is a required property"),
    ("wrong type", lambda d: d.update(schema_version="1"), "schema_version: '1' is not of type 'integer'"),
    ("wrong nested type", lambda d: d["tables"]["receipts"]["indexes"][0].update(unique="yes"),
     "tables/receipts/indexes/0/unique: 'yes' is not of type 'boolean'"),
    ("unknown kind", lambda d: _receipts_column(d, "agent_id").update(kind="uuid"),
     f"tables/receipts/columns/{_receipts_column_index('agent_id')}/kind: 'uuid' is not one of"),
    ("enum without values", lambda d: _receipts_column(d, "status").pop("values"),
     f"tables/receipts/columns/{_receipts_column_index('status')}: 'values' is a required property"),
    ("unknown key", lambda d: d["tables"]["receipts"].update(extra=1),
     "tables/receipts: Additional properties are not allowed ('extra' was unexpected)"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_contract_is_refused_naming_the_path(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(SHIPPED)
    edit(data)
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_contract_that_is_not_json_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "contract.json"
    path.write_text('{\n  "contract_version": "1.0.0",\n  "tables": {,}\n}', encoding="utf-8")
    with pytest.raises(ContractError, match=r"not JSON \(line 3: Expecting property name"):
        load_contract(path)
    assert str(pytest.raises(ContractError, load_contract, path).value).startswith(f"{path}: ")


def test_missing_contract_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"cannot read \(No such file or directory\)"):
        load_contract(tmp_path / "absent.json")


def test_column_without_kind_says_kind_is_missing(tmp_path: Path) -> None:
    data = copy.deepcopy(SHIPPED)
    _receipts_column(data, "agent_id").pop("kind")
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContractError, match="'kind' is a required property"):
        load_contract(path)


def test_missing_document_schema_names_the_column(tmp_path: Path) -> None:
    data = copy.deepcopy(SHIPPED)
    _receipts_column(data, "receipt_json").update(json_schema="missing.schema.json")
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(path)
    where = f"tables/receipts/columns/{_receipts_column_index('receipt_json')}/json_schema"
    assert str(raised.value).startswith(f"{path}: {where}")


# ------------------------------------------------------------------ lookups
def test_table_and_column_lookups() -> None:
    receipts = CONTRACT.tables["receipts"]
    assert receipts.column("status").values == ("passed", "failed", "partial", "cancelled")
    assert receipts.column("execution_id").required and receipts.column("execution_id").writable
    assert not receipts.column("files_generated").required  # it has a default
    assert not receipts.column("timestamp_utc").writable and not receipts.column("id").writable
    assert "timestamp_utc" not in {c.name for c in receipts.writable_columns}
    with pytest.raises(KeyError, match="receipts has no column 'nope' in the contract"):
        receipts.column("nope")


def test_index_and_foreign_key_lookups() -> None:
    assert CONTRACT.index("idx_receipts_time").columns == ("timestamp_utc", "id", "status")
    assert CONTRACT.index("idx_receipts_time").table == "receipts"
    with pytest.raises(KeyError, match="no index 'idx_nope' in the contract"):
        CONTRACT.index("idx_nope")
    children = {(table, fk.column, fk.table) for table, fk in CONTRACT.foreign_keys}
    assert children == {
        ("collision_detection", "session_id", "workflow_sessions"),
        ("pipeline_metrics", "execution_id", "receipts"),
        ("slo_violations", "execution_id", "receipts"),
    }


# --------------------------------------------------------------- timestamps
ACCEPTED_TIMESTAMPS = [
    "2026-01-29T12:00:00Z",  # REFERENCE section 4: Z
    "2026-01-29T12:00:00+00:00",  # an offset
    "2026-01-29T12:00:00.123456",  # Python's isoformat(): no zone, microseconds
    "2026-01-29 12:00:00",  # SQLite's datetime('now')
    "2026-01-29 12:00:00.5-05:30",
    "2026-01-29T23:59:59.999999999+14:59",
    "2024-02-29T00:00:00Z",
    "2000-02-29 00:00:00",
    "1000-01-01T00:00:00",
    "2999-12-31T23:59:59-14:00",
]
REJECTED_TIMESTAMPS = [
    "yesterday-ish",
    "2026-13-45T99:99:99Z",
    "",
    "now",
    "2026-01-29",
    "2026-02-30T00:00:00",
    "2100-02-29T00:00:00",
    "2026-01-29T24:00:00",
    "2026-01-29T12:60:00",
    "2026-01-29T12:00:60",
    "2026-01-29T12:00",
    "2026-01-29T12:00:00+15:00",
    "2026-01-29T12:00:00+14:60",
    "2026-01-29T12:00:00+0500",
    "2026-01-29T12:00:00z",
    "2026-01-29t12:00:00",
    "2026-01-29T12:00:00 ",
    " 2026-01-29T12:00:00",
    "2026-01-29T12:00:00.",
    "2026-01-29T12:00:00\x00",
    "２026-01-29T12:00:00",
    "0999-12-31T00:00:00",
    "3000-01-01T00:00:00",
    "2026-1-29T12:00:00",
    None,
    20260129,
]


@pytest.mark.parametrize("value", ACCEPTED_TIMESTAMPS)
def test_accepted_timestamps(value: str) -> None:
    assert contract.is_timestamp(value)


@pytest.mark.parametrize("value", REJECTED_TIMESTAMPS, ids=repr)
def test_rejected_timestamps(value: Any) -> None:
    assert not contract.is_timestamp(value)


def test_timestamp_rule_examples_in_contract_json() -> None:
    rule = SHIPPED["timestamp_rule"]
    assert all(contract.is_timestamp(v) for v in rule["accepted_examples"])
    assert not any(contract.is_timestamp(v) for v in rule["rejected_examples"])


@given(strategies.timestamps())
def test_generated_timestamps_are_accepted(value: str) -> None:
    assert contract.is_timestamp(value)


@given(strategies.near_miss_timestamps())
def test_near_miss_timestamps_are_rejected(value: str) -> None:
    assert not contract.is_timestamp(value)


@given(strategies.same_instant(3))
def test_one_instant_in_any_form_has_one_key(forms: list[str]) -> None:
    assert len({contract.utc_key(f) for f in forms}) == 1
    assert len({contract.utc_text(f) for f in forms}) == 1


def test_utc_key_orders_across_offsets() -> None:
    ordered = [
        "2026-01-29T12:00:00+14:00",  # 2026-01-28 22:00 UTC
        "2026-01-29T05:30:00+05:30",  # 00:00 UTC
        "2026-01-29 00:00:00.0004",  # rounds down to 00:00:00.000
        "2026-01-29T00:00:00.0005Z",  # rounds half up to .001
        "2026-01-29T09:00:00.002+09:00",
        "2026-01-29T11:59:59.999999",
        "2026-01-29T07:00:00-05:00",  # 12:00 UTC
        "2026-01-29T00:00:00-14:00",  # 14:00 UTC
    ]
    keys = [contract.utc_key(t) for t in ordered]
    assert keys == sorted(keys)
    assert keys[1] == keys[2] and keys[5] == keys[6]  # .0004 rounds away; .9999995 rounds up to 12:00
    assert len(set(keys)) == len(keys) - 2


UTC_TEXTS = [
    ("2026-01-29T12:00:00Z", "2026-01-29 12:00:00.000"),
    ("2026-01-29T12:00:00+01:00", "2026-01-29 11:00:00.000"),
    ("2026-01-29 12:00:00.0025", "2026-01-29 12:00:00.003"),  # half up, as SQLite
    ("2026-01-29T23:59:59.9996-00:00", "2026-01-30 00:00:00.000"),
    ("1000-01-01T00:00:00+14:00", "0999-12-31 10:00:00.000"),  # four-digit year below 1000
    ("2999-12-31T23:59:59-14:59", "3000-01-01 14:58:59.000"),
    ("2024-02-29T23:30:00-01:00", "2024-03-01 00:30:00.000"),
]


@pytest.mark.parametrize(("value", "expected"), UTC_TEXTS)
def test_utc_text(value: str, expected: str) -> None:
    assert contract.utc_text(value) == expected


def test_utc_key_refuses_what_is_not_a_timestamp() -> None:
    with pytest.raises(ValueError, match="not a timestamp: 'yesterday-ish'"):
        contract.utc_key("yesterday-ish")


@given(strategies.timestamps())
def test_utc_key_agrees_with_python_datetime(value: str) -> None:
    # datetime.fromisoformat keeps 6 fraction digits; compare where that is exact.
    head, _, fraction = value.partition(".")
    digits = "".join(ch for ch in fraction if ch.isdigit())
    if len(digits) > 6:
        value = value.replace("." + digits, "." + digits[:6])
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    micros = (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // _MICROSECOND
    key = contract.utc_key(value)
    if micros % 1000 == 500:  # exactly half a millisecond: binary64 may land either side
        assert key in (micros // 1000, micros // 1000 + 1)
    else:
        assert key == (micros + 500) // 1000


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1) - datetime(1970, 1, 1)


# ---------------------------------------------------------- ids and hashes
@pytest.mark.parametrize(
    ("value", "ok"),
    [("agent-01", True), ("o'brien", True), (" padded ", True), ("x" * 256, True), ("é" * 256, True),
     ("", False), (" \t\n\x0b\x0c\r", False), ("x" * 257, False), ("a\x00b", False), ("\x00", False),
     ("\u00a0", True), (12, False), (None, False)],
    ids=repr,
)  # fmt: skip
def test_is_id(value: Any, ok: bool) -> None:
    assert contract.is_id(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("a" * 64, True), ("AbCdEf0123456789" * 4, True), ("a" * 63, False), ("a" * 65, False),
     ("g" + "a" * 63, False), (" " + "a" * 63, False), ("\uff10" + "a" * 63, False), ("", False), (None, False)],
    ids=repr,
)  # fmt: skip
def test_is_sha256(value: Any, ok: bool) -> None:
    assert contract.is_sha256(value) is ok


# --------------------------------------------------------------------- JSON
@pytest.mark.parametrize(
    ("value", "ok"),
    [("{}", True), ("[]", True), ("12", True), ('"x"', True), (" null ", True), ('{"a": [1, 2.5e-3, true]}', True),
     ("1e999", True), ('"\\ud800"', True), ("[" * 1500 + "]" * 1500, True), ('{"a":' * 1999 + "1" + "}" * 1999, True),
     ("NaN", False), ("[Infinity]", False), ("{'a': 1}", False), ("[1,]", False), ('{"a":1,}', False), ("", False),
     ("[01]", False), ('"a\x01"', False), ("{}\x00", False), ("[" * 2001 + "]" * 2001, False),
     ("[" * 1500 + "1," + "]" * 1500, False), ("[" * 1500 + "}" * 1500, False), (12, False), (None, False)],
    ids=lambda v: repr(v)[:30],
)  # fmt: skip
def test_is_json_text(value: Any, ok: bool) -> None:
    assert contract.is_json_text(value) is ok


JSON_PIECES = st.sampled_from(
    ["{", "}", "[", "]", ",", ":", '"a"', '"b\\n"', "1", "-0.5e2", "true", "null", " ", "01", "'", "NaN"]
)


@given(st.lists(JSON_PIECES, max_size=12).map("".join) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
).map(json.dumps))  # fmt: skip
def test_deep_json_checker_agrees_with_the_json_module(text: str) -> None:
    # The explicit-stack grammar used past Python's recursion limit must agree with json.loads below it.
    assert contract._is_deep_json_text(text) is contract.is_json_text(text)


SHALLOW_JSON = ["[]", "{}", "[1]", '{"a":[1,{"b":null}]}', " [ ] ", "[1,]", '{"a":1,}', "[}", "{]", '{"a"}', '{"a":}',
                "{1:2}", "[1 2]", "1", '"x"', "", "  ", "[]]", "[[]", "{}{}", "[] 1", "[,1]", "{,}", "[1,,2]", ",", ":",
                '{"a"::1}', '["a":1]', '{"a":1 "b":2}', "tru", "-", "01", "1.", '"\\q"']  # fmt: skip


@pytest.mark.parametrize("text", SHALLOW_JSON, ids=repr)
def test_deep_json_checker_on_shallow_examples(text: str) -> None:
    try:
        json.loads(text)
        valid = True
    except ValueError:
        valid = False
    assert contract._is_deep_json_text(text) is valid


def test_document_problem_names_the_schema() -> None:
    assert contract.document_problem("memory.schema.json", '{"state": "idle"}') is None
    assert contract.document_problem("memory.schema.json", "[1]") == (
        "json_schema",
        "memory.schema.json: [1] is not of type 'object'",
    )
    rule, message = contract.document_problem("memory.schema.json", '{"counters": {"a": "x"}}') or ("", "")
    assert (rule, message) == (
        "json_schema",
        "memory.schema.json: at counters/a: 'x' is not of type 'integer'",
    )
    assert contract.document_problem("memory.schema.json", "{'a': 1}") == (
        "json_valid",
        "must be valid JSON text",
    )


# --------------------------------------------------------- stored values
STORED = [
    ("INTEGER", 12, 12), ("INTEGER", True, 1), ("INTEGER", "12", 12), ("INTEGER", " 12\n", 12), ("INTEGER", "+12", 12),
    ("INTEGER", "0012", 12), ("INTEGER", "12.0", 12), ("INTEGER", "1e3", 1000), ("INTEGER", "12.", 12),
    ("INTEGER", "-0", 0), ("INTEGER", 12.0, 12), ("INTEGER", -0.0, 0), ("INTEGER", "9223372036854775807", 2**63 - 1),
    ("INTEGER", "12.5", REFUSED), ("INTEGER", "0x10", REFUSED), ("INTEGER", "1_000", REFUSED), ("INTEGER", "", REFUSED),
    ("INTEGER", "\u0661\u0662", REFUSED), ("INTEGER", "12\x00", REFUSED), ("INTEGER", 12.5, REFUSED),
    ("INTEGER", 2.0**63, REFUSED), ("INTEGER", -(2.0**63), REFUSED), ("INTEGER", "-9223372036854775808.0", REFUSED),
    ("INTEGER", "-9223372036854775808", -(2**63)), ("INTEGER", "9223372036854775808", REFUSED), ("INTEGER", float("inf"), REFUSED),
    ("INTEGER", b"12", REFUSED), ("INTEGER", 2**63, REFUSED), ("INTEGER", float("nan"), None), ("INTEGER", None, None),
    ("REAL", 3, 3.0), ("REAL", "1.5", 1.5), ("REAL", " .5 ", 0.5), ("REAL", "abc", REFUSED), ("REAL", "NaN", REFUSED),
    ("REAL", b"1", REFUSED), ("REAL", float("nan"), None),
    ("TEXT", "x", "x"), ("TEXT", 12, "12"), ("TEXT", True, "1"), ("TEXT", 1.5, "1.5"), ("TEXT", 2.0, "2.0"),
    ("TEXT", 1e20, "1.0e+20"), ("TEXT", 1e-5, "1.0e-05"), ("TEXT", -0.0, "0.0"), ("TEXT", float("inf"), "Inf"),
    ("TEXT", float("-inf"), "-Inf"), ("TEXT", 1 / 3, "0.333333333333333"), ("TEXT", b"x", REFUSED),
]  # fmt: skip


@pytest.mark.parametrize(("column_type", "value", "stored"), STORED, ids=[f"{t}-{v!r}" for t, v, _ in STORED])
def test_stored_value(column_type: str, value: Any, stored: Any) -> None:
    assert contract.stored_value(column_type, value) == stored or stored is REFUSED
    if stored is REFUSED:
        assert contract.stored_value(column_type, value) is REFUSED


def test_stored_real_of_an_overflowing_literal_is_infinite() -> None:
    assert math.isinf(contract.stored_value("REAL", "1e999"))


# ----------------------------------------------------------- row verdicts
RECEIPT = {
    "execution_id": "exec-1",
    "agent_id": "agent-01",
    "operation": "generation",
    "status": "passed",
    "timestamp": "2026-01-29T12:00:00Z",
    "duration_ms": 5,
}


def _rules(table: str, row: dict[str, Any], *, documents: bool = False) -> list[tuple[str, str]]:
    return [
        (v.column, v.rule) for v in contract.row_violations(CONTRACT.tables[table], row, documents=documents)
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"duration_ms": "5"}, []),
        ({"duration_ms": -1}, [("duration_ms", "nonnegative")]),
        ({"duration_ms": "5ms"}, [("duration_ms", "type")]),
        ({"duration_ms": None}, [("duration_ms", "not_null")]),
        ({"status": "PASSED"}, [("status", "enum")]),
        ({"timestamp": "2026-02-30T00:00:00"}, [("timestamp", "timestamp")]),
        ({"agent_id": "   "}, [("agent_id", "nonempty")]),
        ({"manifest_hash": "abc"}, [("manifest_hash", "sha256")]),
        ({"receipt_json": "{'files': []}"}, [("receipt_json", "json_valid")]),
        ({"receipt_json": 12}, []),  # stored as the text '12', which is JSON
        ({"receipt_json": float("inf")}, [("receipt_json", "json_valid")]),  # stored as 'Inf'
        ({"environment": None}, []),
        ({"timestamp_utc": "2026-01-29 12:00:00.000"}, [("timestamp_utc", "column")]),
        ({"nope": 1}, [("nope", "column")]),
    ],
    ids=repr,
)
def test_receipt_row_violations(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _rules("receipts", {**RECEIPT, **changes}) == expected


def test_required_columns_must_be_present() -> None:
    row = {k: v for k, v in RECEIPT.items() if k != "agent_id"}
    assert _rules("receipts", row) == [("agent_id", "not_null")]
    assert _rules("receipts", {k: v for k, v in RECEIPT.items() if k != "files_generated"}) == []


def test_documents_are_judged_only_on_request() -> None:
    row = {**RECEIPT, "receipt_json": '{"files": "not a list"}'}
    assert _rules("receipts", row) == []
    assert _rules("receipts", row, documents=True) == [("receipt_json", "json_schema")]


def test_rules_between_columns() -> None:
    collision = {"session_id": "s-1", "agent_id_1": "a", "agent_id_2": "a", "collision_type": "file_conflict",
                 "description": "both wrote x", "severity": "info", "timestamp": "2026-01-29T12:00:00Z"}  # fmt: skip
    assert _rules("collision_detection", collision) == [("agent_id_1", "distinct")]  # under the rule's first column
    assert _rules("collision_detection", {**collision, "agent_id_2": "b"}) == []
    session = {
        "session_id": "s-1",
        "start_time": "2026-01-29T12:00:00Z",
        "status": "running",
        "agent_count": 2,
    }
    later_in_utc = {**session, "end_time": "2026-01-29T12:30:00+00:15"}  # 12:15 UTC
    earlier_in_utc = {**session, "end_time": "2026-01-29T12:30:00+00:45"}  # 11:45 UTC
    assert _rules("workflow_sessions", later_in_utc) == []
    assert _rules("workflow_sessions", earlier_in_utc) == [("end_time", "not_before")]


def test_a_problem_reads_as_one_line() -> None:
    assert str(Problem("receipts", "duration_ms", "nonnegative", "must be >= 0")) == (
        "receipts.duration_ms: nonnegative: must be >= 0"
    )
    assert str(Problem("", "(line)", "json", "not valid JSON")) == "(line): json: not valid JSON"


def test_violations_are_problems_of_their_table() -> None:
    problems = contract.row_violations(CONTRACT.tables["receipts"], {**RECEIPT, "duration_ms": -1})
    assert problems == [Problem("receipts", "duration_ms", "nonnegative", "must be >= 0")]


def test_the_readme_counts_the_schemas_tables_indexes_and_views() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(db.read_schema(None))
    kinds = [kind for (kind,) in conn.execute(
        "SELECT type FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
    derived = sum(1 for t in CONTRACT.tables.values() if t.derived)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    line = re.search(r"\| `schema.sql` \| the schema: (\d+) tables, (\d+) derived tables .*?, (\d+) indexes, (\d+) views", readme)
    assert line is not None
    assert tuple(int(n) for n in line.groups()) == (
        kinds.count("table") - derived, derived, kinds.count("index"), kinds.count("view"))
