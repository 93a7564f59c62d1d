"""Value checks: each column kind of the contract accepts what it allows and refuses the rest.

Every probe writes one row (with the parents it needs) into a scratch
database and undoes it. Which values must be accepted is decided by the
contract's own Python predicates (harness.contract.model), not by the SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup, over_columns, over_normalized_columns
from harness.checks.scratch_rows import (
    EARLIEST,
    LATEST,
    insert_with_parents,
    probe_insert,
    sample_row,
    show,
    stored,
    undone,
)
from harness.checks.table_sql import columns_of, compact, string_literals_compared_with
from harness.contract.model import (
    Column,
    Contract,
    Table,
    is_id,
    is_json_text,
    is_timestamp,
    utc_key,
    utc_text,
)
from harness.engine.introspection import quote_identifier

ENUMERATIONS = CheckGroup("Enumerations")
IDS_AND_TEXT = CheckGroup("Ids and text")
JSON = CheckGroup("JSON")
NUMBERS = CheckGroup("Numbers")
TIMESTAMPS = CheckGroup("Timestamps")

# Timestamps beyond the contract's examples, judged by harness.contract.model.is_timestamp.
EDGE_TIMESTAMPS = (
    "2026-01-29T12:00:00+14:00", "2026-01-29T12:00:00+15:00", "2026-01-29T12:00:00-14:00",
    "2026-01-29T12:00:00.5Z", "2026-01-29T12:00:00.123+01:00", "2024-02-29T00:00:00", "2026-02-29T00:00:00",
    "2026-01-29T12:00:60", "2026-01-29T12:60:00", "2026-01-29t12:00:00", "2026-1-29T12:00:00",
    "2026-01-29T12:00:00+0200", "2026-01-29T12:00:00Z ", "2026-01-29T12:00:00ZZ", "2026-01-29T12:00:00.",
    "0999-12-31T23:59:59Z", "3000-01-01 00:00:00", "1000-01-01T00:00:00", "2999-12-31T23:59:59.999Z",
    "2026-01-29T12:00:00\x00Z", "2026-01-29T12:00:00Z\x00 and more",
)
# Mixed forms around a one-hour range [10:30, 11:30) UTC, for order and range probes.
RANGE_SINCE, RANGE_UNTIL = "2026-01-29 10:30:00", "2026-01-29 11:30:00"
ORDER_TIMESTAMPS = (
    "2026-01-29T12:00:00+02:00", "2026-01-29 11:00:00", "2026-01-29T11:29:59.999Z", "2026-01-29T13:30:00+02:00",
    "2026-01-29T10:30:00Z", "2026-01-29T05:30:00-05:00", "2026-01-29 10:29:59.999", "2026-01-29T11:00:00.5",
    "2026-01-28T23:59:59-12:00", "2026-01-29T00:00:00+14:00",
)
JSON_CANDIDATES = ('{"a.b": 1, "a": {"b": 2}, "files": ["x.py", "y.py"]}', "[]", '"text"', "3", "null",
                   "{bad", "{'a': 1}", "", "NaN", '{"a": 1} trailing', "[1,]",
                   "{}\x00junk")  # json_valid stops reading at a NUL
JSON_PATHS = (('$."a.b"', 1), ("$.a.b", 2), ("$.files[0]", "x.py"), ("$.files[1]", "y.py"))
WHITESPACE_IDS = ("", " ", "\t\n", " \r ")
QUOTED_ID = "o'brien\"; DROP TABLE audit_log; --"


def timestamp_candidates(contract: Contract) -> tuple[str, ...]:
    """contract.timestamp_rule's examples (accepted and rejected) followed by the edge cases."""
    rule = contract.timestamp_rule
    examples = tuple(rule.get("accepted_examples", ())) + tuple(rule.get("rejected_examples", ()))
    return examples + tuple(t for t in EDGE_TIMESTAMPS if t not in examples)


class Prober:
    """Probes of one column of one table in one scratch database; collects the problems."""

    def __init__(self, ctx: CheckContext, table: str, column: str, db: sqlite3.Connection | None = None) -> None:
        ctx.table(table)  # Broken when missing
        self.ctx, self.table, self.column = ctx, ctx.contract_table(table), ctx.contract_table(table).column(column)
        self.where = f"{table}.{column}"
        self.db = db or ctx.scratch()
        self.problems: list[str] = []

    def row(self, value: Any) -> dict[str, Any]:
        return _row_for(self.table, self.column, value)

    def verdict(self, value: Any) -> str | None:
        return probe_insert(self.db, self.ctx.contract, self.table, self.row(value))

    def accepts(self, value: Any, why: str = "") -> bool:
        reason = self.verdict(value)
        if reason is not None:
            self.problems.append(f"{self.where}: refuses {show(value)}{', ' + why if why else ''} ({reason})")
        return reason is None

    def refuses(self, value: Any, why: str) -> bool:
        reason = self.verdict(value)
        if reason is None:
            self.problems.append(f"{self.where}: accepts {show(value)} ({why})")
        return reason is not None

    def decides(self, values: Iterable[Any], allowed: Callable[[Any], bool], accepted: str, refused: str) -> None:
        """Each value is accepted when the contract's predicate allows it, else refused."""
        for value in values:
            if allowed(value):
                self.accepts(value, accepted)
            else:
                self.refuses(value, refused)

    def stores_as(self, value: Any, expected: Any, kind: str, why: str = "", expecting: str = "") -> None:
        """value is accepted and reads back as `expected` of SQLite type `kind`."""
        if self.accepts(value, why):
            got, got_kind = self.stored(value)
            if (got, got_kind) != (expected, kind):
                self.problems.append(f"{self.where}: stores {show(value)} as {show(got)} ({got_kind}){expecting}")

    def null_as_declared(self) -> None:
        if self.column.not_null:
            self.refuses(None, "NOT NULL")
        else:
            self.accepts(None, "the column is nullable")

    def stored(self, value: Any) -> tuple[Any, str]:
        """(stored value, typeof) of value written in this column; undone afterwards."""
        with undone(self.db):
            rowid = insert_with_parents(self.db, self.ctx.contract, self.table, self.row(value))
            return stored(self.db, self.table.name, self.column.name, rowid)


def _row_for(table: Table, column: Column, value: Any) -> dict[str, Any]:
    """A valid row with value in column, the table's other rules kept satisfied."""
    row = sample_row(table, **{column.name: value})
    for rule in table.rules:
        if rule.kind == "not_before" and column.name in rule.columns:
            later, earlier = rule.columns
            if column.name == later:
                row[earlier] = EARLIEST
            else:
                row[later] = LATEST if table.column(later).not_null else None
    return row


# --------------------------------------------------------------- enumerations
def enum_problems(ctx: CheckContext, table: str, column: str) -> list[str]:
    probe = Prober(ctx, table, column)
    allowed = probe.column.values
    for value in allowed:
        probe.accepts(value, "a value of the enumeration")
    listed = _listed_values(ctx, table, column)
    for value in _outsiders(ctx.contract, allowed):
        probe.refuses(value, f"outside the enumeration {', '.join(allowed)}")
    probe.null_as_declared()
    return _listing_problems(probe, listed) + probe.problems


def _listed_values(ctx: CheckContext, table: str, column: str) -> dict[str, list[str]]:
    """{value: [the CHECKs comparing the column with it]}, every string literal the catalogue holds."""
    from harness.checks.catalog import table_rules  # catalog imports this module

    listed: dict[str, list[str]] = {}
    for rule in table_rules(ctx, table):
        if rule.kind == "check" and column.lower() in columns_of(rule.text):
            for value in string_literals_compared_with(rule.text, column):
                listed.setdefault(value, []).append(f"{rule.label} `{compact(rule.text, 120)}`")
    return listed


def _listing_problems(probe: Prober, listed: dict[str, list[str]]) -> list[str]:
    """The catalogue's values must be the contract's exactly; each extra one is tried, to show it is let in."""
    allowed = probe.column.values
    if not listed:
        return [f"{probe.where}: no CHECK compares {probe.column.name} with any value "
                f"(the contract's values: {', '.join(allowed)})"]
    found = []
    for value in (v for v in listed if v not in allowed):
        reason = probe.verdict(value)
        outcome = "and the database accepts it" if reason is None else f"refused anyway ({reason})"
        found.append(f"{probe.where}: widened by {value!r}: {listed[value][0]} lists {value!r}, which is not one of "
                     f"the contract's values ({', '.join(allowed)}); {outcome}")
    missing = [v for v in allowed if v not in listed]
    if missing:
        read = next(iter(listed.values()))[0]
        found.append(f"{probe.where}: {read} does not list {', '.join(repr(v) for v in missing)} "
                     "(a value of the contract's enumeration)")
    return found


def _outsiders(contract: Contract, allowed: tuple[str, ...]) -> list[str]:
    """Plausible wrong values: other enumerations' values, case and space variants, empty, unknown."""
    others = [v for t in contract.tables.values() for c in t.columns if c.kind == "enum" for v in c.values]
    variants = [form for v in allowed for form in (v.upper(), v.capitalize(), f" {v}", f"{v} ")]
    candidates = ["", "unknown", *others, *variants]
    return [v for v in dict.fromkeys(candidates) if v not in allowed]


@ENUMERATIONS.check("enum_{table}_{column}", subjects=over_columns("enum"))
def enum_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} accepts exactly its enumeration

    The values the column's CHECKs compare it with (read from the catalogue) are exactly the contract's; each
    value the contract lists is accepted, each extra one found is tried and reported as a widening, and
    plausible wrong values (another enumeration's, case and whitespace variants, empty, 'unknown') are
    refused; NULL only where the column is nullable.

    Fix: Make the column's CHECK list exactly the contract's `values` (chains of `=` joined by OR).
    """
    return enum_problems(ctx, table, column)


# ------------------------------------------------------------- ids and text
@IDS_AND_TEXT.check("id_{table}_{column}", subjects=over_columns("id"))
def id_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} is a non-empty id

    An id of 1 to max_length characters is accepted and stored exactly (quotes included); an empty or
    whitespace-only id, a longer one, or one containing NUL is refused (harness.contract.model.is_id decides).

    Fix: Add `CHECK (length(col) <= N AND trim(col, char(32, 9, 10, 11, 12, 13)) <> '')` to the column.
    """
    probe = Prober(ctx, table, column)
    limit = probe.column.max_length or 256
    probe.decides((*WHITESPACE_IDS, "x" * (limit + 1), "x" * limit, "a\x00b", "ünï-₁"), lambda v: is_id(v, limit),
                  "a valid id", f"not an id: 1 to {limit} characters, not only whitespace, no NUL")
    probe.stores_as(QUOTED_ID, QUOTED_ID, "text")
    probe.null_as_declared()
    return probe.problems


@IDS_AND_TEXT.check("text_{table}_{column}_nonempty", subjects=over_columns("text", nonempty_only=True))
def nonempty_text_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} is non-empty text

    Empty or whitespace-only text is refused; any other text is accepted.

    Fix: Add `CHECK (trim(col, char(32, 9, 10, 11, 12, 13)) <> '')` to the column.
    """
    probe = Prober(ctx, table, column)
    for value in WHITESPACE_IDS:
        probe.refuses(value, "empty or whitespace-only text")
    probe.accepts("x")
    probe.accepts(QUOTED_ID)
    probe.null_as_declared()
    return probe.problems


# ------------------------------------------------------------------ numbers
def count_problems(ctx: CheckContext, table: str, column: str) -> list[str]:
    probe = Prober(ctx, table, column)
    minimum = probe.column.minimum if probe.column.minimum is not None else 0
    probe.refuses(minimum - 1, f"below the minimum {minimum}")
    probe.accepts(minimum, "the minimum")
    maximum = probe.column.maximum
    if maximum is None:
        probe.accepts(2**53, "a large count")
    else:
        probe.accepts(maximum, f"the maximum {maximum}")
        probe.refuses(maximum + 1, f"above the maximum {maximum}")
    probe.refuses("12abc", "text that is not an integer")
    probe.refuses(1.5, "not an integer")
    probe.refuses(b"\x01", "a blob")
    probe.stores_as("7", 7, "integer", "text holding an integer converts", ", expected the integer 7")
    probe.null_as_declared()
    return probe.problems


@NUMBERS.check("count_{table}_{column}", subjects=over_columns("count"))
def count_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} is a non-negative integer

    Integers from the contract's minimum to its maximum are accepted and stored as integers; a value outside
    them, a real, a blob or text that is not an integer is refused.

    Fix: Declare the column INTEGER in a STRICT table with `CHECK (col >= minimum)` and `CHECK (col <=
    maximum)`.
    """
    return count_problems(ctx, table, column)


@NUMBERS.check("real_{table}_{column}", subjects=over_columns("real"))
def real_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} is a real number

    Reals and integers are accepted and stored as reals; text, blobs and +-infinity are refused.

    Fix: Declare the column REAL in a STRICT table with `CHECK (col BETWEEN -1.7976931348623157e308 AND
    1.7976931348623157e308)`.
    """
    probe = Prober(ctx, table, column)
    for value in (1.5, 2):
        probe.stores_as(value, float(value), "real")
    probe.refuses("abc", "text is not a number")
    probe.refuses(b"\x01", "a blob")
    probe.refuses(float("inf"), "infinity is not a finite number")
    probe.refuses("-1e999", "text overflowing to -infinity")
    probe.null_as_declared()
    return probe.problems


@NUMBERS.check("hash_{table}_{column}", subjects=over_columns("hash"))
def hash_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} is a SHA-256 fingerprint

    64 hexadecimal characters (either case) are accepted; shorter, longer or non-hex text (a NUL included) is
    refused.

    Fix: Add `CHECK (col IS NULL OR (length(col) = 64 AND col NOT GLOB '*[^0-9a-fA-F]*' AND instr(col,
    char(0)) = 0))`.
    """
    probe = Prober(ctx, table, column)
    probe.accepts("ab" * 32)
    probe.accepts("AB" * 32, "upper-case hex")
    probe.refuses("ab" * 31, "62 characters")
    probe.refuses("ab" * 32 + "a", "65 characters")
    probe.refuses("g" * 64, "not hexadecimal")
    probe.refuses("", "empty")
    probe.refuses("ab" * 32 + "\x00zz", "a NUL and more after 64 hex characters")
    probe.null_as_declared()
    return probe.problems


# --------------------------------------------------------------------- JSON
def json_problems(ctx: CheckContext, table: str, column: str) -> list[str]:
    probe = Prober(ctx, table, column)
    probe.decides(JSON_CANDIDATES, is_json_text, "valid JSON", "not valid JSON")
    probe.null_as_declared()
    if not probe.problems:
        probe.problems.extend(_json_function_problems(probe))
    return probe.problems


def _json_function_problems(probe: Prober) -> list[str]:
    document = JSON_CANDIDATES[0]
    col = quote_identifier(probe.column.name)
    found = []
    with undone(probe.db):
        rowid = insert_with_parents(probe.db, probe.ctx.contract, probe.table, probe.row(document))
        for path, expected in JSON_PATHS:
            sql = f"SELECT json_extract({col}, ?) FROM {quote_identifier(probe.table.name)} WHERE rowid = ?"  # noqa: S608
            value = probe.db.execute(sql, (path, rowid)).fetchone()[0]
            if value != expected:
                found.append(f"{probe.where}: json_extract(..., '{path}') gives {show(value)}, expected {expected!r}")
        sql = f"SELECT json_type({col}), json_type({col}, '$.files') FROM {quote_identifier(probe.table.name)} WHERE rowid = ?"  # noqa: S608
        types = probe.db.execute(sql, (rowid,)).fetchone()
        if tuple(types) != ("object", "array"):
            found.append(f"{probe.where}: json_type gives {types}, expected ('object', 'array')")
    return found


@JSON.check("json_{table}_{column}", subjects=over_columns("json"))
def json_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} holds valid JSON only

    Valid JSON text is accepted and invalid text refused (one bad row would break every json_extract over the
    table); json_extract (array elements, nested keys, keys containing dots) and json_type work.

    Fix: Add `CHECK (col IS NULL OR (json_valid(col) AND instr(col, char(0)) = 0))` to the column.
    """
    return json_problems(ctx, table, column)


# --------------------------------------------------------------- timestamps
@TIMESTAMPS.check("timestamp_{table}_{column}", subjects=over_columns("timestamp"))
def timestamp_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """{table}.{column} accepts exactly the contract's timestamp forms

    Every form of contract.timestamp_rule is accepted (Z, offsets, no zone with fraction, SQLite's
    datetime()); its rejected examples and other near misses (impossible dates, hour 24, offsets beyond 14 h,
    bare dates) are refused; a default, when declared, fills a valid timestamp.

    Fix: Give the column a generated <column>_utc and `CHECK (<column>_utc IS NOT NULL)` (see schema.sql).
    """
    probe = Prober(ctx, table, column)
    probe.decides(timestamp_candidates(ctx.contract), is_timestamp, "an accepted timestamp form",
                  "not an accepted timestamp")
    probe.null_as_declared()
    if probe.column.default is not None:
        probe.problems.extend(_default_problems(probe))
    return probe.problems


def _default_problems(probe: Prober) -> list[str]:
    row = probe.row(None)
    del row[probe.column.name]
    with undone(probe.db):
        rowid = insert_with_parents(probe.db, probe.ctx.contract, probe.table, row)
        value, _ = stored(probe.db, probe.table.name, probe.column.name, rowid)
    return [] if is_timestamp(value) else [f"{probe.where}: default fills {show(value)}, not a timestamp"]


@TIMESTAMPS.check("timestamp_{table}_{utc}", subjects=over_normalized_columns)
def utc_check(ctx: CheckContext, table: str, column: str, utc: str) -> Iterable[str]:
    """{table}.{utc} normalizes {column} to UTC

    The generated column holds the timestamp in UTC as 'YYYY-MM-DD HH:MM:SS.SSS' for every accepted form, so
    ORDER BY and ranges on it are chronological across forms ('2026-01-29T12:00:00+02:00' sorts before
    '2026-01-29 11:00:00').

    Fix: Compute the column as strftime('%Y-%m-%d %H:%M:%f', <column>) after the shape test (see schema.sql).
    """
    probe = Prober(ctx, table, column)
    if ctx.table(table).column(utc) is None:
        raise Broken(f"{table}.{utc}: column is missing")
    found = []
    for value in (v for v in timestamp_candidates(ctx.contract) + ORDER_TIMESTAMPS if is_timestamp(v)):
        with undone(probe.db):
            rowid = insert_with_parents(probe.db, ctx.contract, probe.table, probe.row(value))
            normalized, _ = stored(probe.db, table, utc, rowid)
        if normalized != utc_text(value):
            found.append(f"{table}.{utc}: holds {show(normalized)} for {value!r}, expected {utc_text(value)!r}")
    return found or _order_problems(probe, utc)


def _order_problems(probe: Prober, utc: str) -> list[str]:
    """ORDER BY and a range on the _utc column agree with the instants, whatever the forms."""
    table = probe.table
    written = []
    for n, value in enumerate(ORDER_TIMESTAMPS, start=1):
        row = {**_row_for(table, probe.column, value), **_unique_ids(table, n)}
        written.append((insert_with_parents(probe.db, probe.ctx.contract, table, row), value))
    name, col = quote_identifier(table.name), quote_identifier(utc)
    order = [r[0] for r in probe.db.execute(f"SELECT rowid FROM {name} ORDER BY {col}, rowid")]  # noqa: S608
    expected = [rowid for rowid, _ in sorted(written, key=lambda w: (utc_key(w[1]), w[0]))]
    found = []
    if order != expected:
        found.append(f"{table.name}.{utc}: ORDER BY gives {_values(written, order)}, chronological is "
                     f"{_values(written, expected)}")
    sql = f"SELECT rowid FROM {name} WHERE {col} >= ? AND {col} < ? ORDER BY rowid"  # noqa: S608
    in_range = [r[0] for r in probe.db.execute(sql, (RANGE_SINCE, RANGE_UNTIL))]
    low, high = utc_key(RANGE_SINCE), utc_key(RANGE_UNTIL)
    expected_range = [rowid for rowid, value in written if low <= utc_key(value) < high]
    if in_range != expected_range:
        found.append(f"{table.name}.{utc}: range [{RANGE_SINCE}, {RANGE_UNTIL}) selects "
                     f"{_values(written, in_range)}, expected {_values(written, expected_range)}")
    return found


def _unique_ids(table: Table, n: int) -> dict[str, Any]:
    return {c.name: f"{c.name}-{n}" for c in table.columns if c.kind == "id"}


def _values(written: list[tuple[int, str]], rowids: list[int]) -> str:
    by_id = dict(written)
    return "[" + ", ".join(repr(by_id.get(r, r)) for r in rowids) + "]"
