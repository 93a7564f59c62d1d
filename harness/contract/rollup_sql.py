"""The rollup tables in SQL: what each holds, recomputed from its base table, and its triggers.

One definition serves the conformance checks (a rollup must equal its
recomputation after every kind of write), the bulk loader (which drops the
triggers during a load and rebuilds the rollups at the end) and schema.sql,
whose hand-written triggers tests/test_schema_templates.py proves equal to
`triggers()`. Statements are put together only from this module's constant
names and SQL, never from data.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache

from harness.contract.foreign_key_sql import orphan_guard
from harness.contract.model import Contract, load_contract


@dataclass(frozen=True)
class RollupSql:
    table: str
    base: str
    columns: tuple[str, ...]  # the key, then the stored columns, in the order `recompute` returns them
    recompute: str  # one row per key present in the base table
    # What one base row adds to each counter (columns[1:] up to the extremes), {row} being NEW or OLD;
    # a rollup with counts keeps its extremes too, and `triggers()` writes its triggers.
    counts: tuple[str, ...] = ()
    key_columns: int = 1  # how many of `columns` form the key
    # A count per time bucket: the _utc column and how many of its characters make the bucket
    # (13: 'YYYY-MM-DD HH', 10: the day); `window_triggers()` writes its triggers.
    bucket: tuple[str, int] | None = None
    append_only: bool = False  # the base table refuses UPDATE: no update trigger
    # Dense counts: every hour of a day that holds a row, up to the day's last hour that holds one, holds
    # every key of the key columns' domains (an enumeration's values; None: the values present in the
    # base table), zeros included, so a window reads (hours x keys) entries however sparse the rows
    # are. Empty: only the keys that occur.
    domains: tuple[tuple[str, ...] | None, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        return self.columns[: self.key_columns]

    @property
    def stored(self) -> str:
        """The rollup's rows in the recomputation's shape."""
        return f"SELECT {', '.join(self.columns)} FROM {self.table} ORDER BY {', '.join(self.key)}"  # noqa: S608 - constants

    @property
    def rebuild(self) -> tuple[str, str]:
        """Statements that replace the rollup's rows with the recomputation."""
        insert = f"INSERT INTO {self.table} ({', '.join(self.columns)}) {self.recompute}"  # noqa: S608 - constants
        return f"DELETE FROM {self.table}", insert  # noqa: S608 - a constant table name


EXTREME = "duration_ms"  # the base column whose minimum and maximum each rollup keeps, with the rows at each
_EXTREMES = ("min_duration_ms", "rows_at_min_duration", "max_duration_ms", "rows_at_max_duration")

# The extremes per key first, then the rows at each. NOT INDEXED: reading the whole
# table in rowid order beats an index walk that fetches every row.
ROLLUPS: dict[str, RollupSql] = {
    "agent_execution_stats": RollupSql(
        table="agent_execution_stats",
        base="receipts",
        columns=("agent_id", "total_executions", "successful_executions", "failed_executions", "total_duration_ms",
                 "total_files_generated", *_EXTREMES),
        recompute="""
            SELECT b.agent_id, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   sum(b.files_generated), e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM receipts AS b NOT INDEXED
            JOIN (SELECT agent_id, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM receipts NOT INDEXED GROUP BY agent_id) AS e ON e.agent_id = b.agent_id
            GROUP BY b.agent_id ORDER BY b.agent_id""",
        counts=("1", "{row}.status = 'passed'", "{row}.status = 'failed'", "{row}.duration_ms",
                "{row}.files_generated"),
    ),
    "stage_execution_stats": RollupSql(
        table="stage_execution_stats",
        base="pipeline_metrics",
        columns=("stage", "executions", "passed", "failed", "total_duration_ms", *_EXTREMES),
        recompute="""
            SELECT b.stage, count(*), sum(b.status = 'passed'), sum(b.status = 'failed'), sum(b.duration_ms),
                   e.lo, sum(b.duration_ms = e.lo), e.hi, sum(b.duration_ms = e.hi)
            FROM pipeline_metrics AS b NOT INDEXED
            JOIN (SELECT stage, min(duration_ms) AS lo, max(duration_ms) AS hi
                  FROM pipeline_metrics NOT INDEXED GROUP BY stage) AS e ON e.stage = b.stage
            GROUP BY b.stage ORDER BY b.stage""",
        counts=("1", "{row}.status = 'passed'", "{row}.status = 'failed'", "{row}.duration_ms"),
    ),
}



def _window_counts(table: str, base: str, bucket: tuple[str, str, int], keys: tuple[str, ...], count: str, *,
                   append_only: bool = False, dense: bool = False) -> RollupSql:
    """Rows of base per time bucket (its name, the _utc column, how many characters of it) and keys;
    dense (hourly counts only): zeros for every key of the domains in every hour of a day that holds a row,
    up to its last hour that holds one."""
    name, column, length = bucket
    if dense and length != len("YYYY-MM-DD HH"):
        raise ValueError(f"{table}: dense counts are hourly (the hours of a day that holds a row)")
    grouping = ", ".join((name, *keys))
    counted = f"""
            SELECT substr({column}, 1, {length}) AS {name}, {", ".join(keys)}, count(*) AS n
            FROM {base} NOT INDEXED GROUP BY {grouping} ORDER BY {grouping}"""  # noqa: S608 - constants
    domains = tuple(_domain(base, key) for key in keys) if dense else ()
    recompute = _dense_recompute(base, (name, column), keys, domains, counted) if dense else counted
    return RollupSql(
        table=table, base=base, columns=(name, *keys, count), key_columns=1 + len(keys), recompute=recompute,
        bucket=(column, length), append_only=append_only, domains=domains,
    )


@cache
def _shipped_contract() -> Contract:
    """The shipped contract, read and validated once (the window counts' domains and the orphan guards come
    from it while ROLLUPS is built, at import)."""
    return load_contract()


def _domain(base: str, key: str) -> tuple[str, ...] | None:
    """An enumeration's values, or None: the values the base table holds."""
    return _shipped_contract().tables[base].column(key).values or None


def _values(values: tuple[str, ...]) -> str:
    return "(VALUES " + ", ".join(f"('{v}')" for v in values) + ")"  # contract enumerations: no quotes in them


_HOURS = _values(tuple(f"{h:02d}" for h in range(24)))  # the hours of a day ('HH'), for the dense tables


def _domain_rows(base: str, key: str, domain: tuple[str, ...] | None, *, counts: str | None = None) -> str:
    """A subquery of the domain's values as column1: the enumeration, or the distinct values of the key
    in `counts` (a dense table holds every present value in every bucket) or else in the base table."""
    if domain is not None:
        return _values(domain)
    return f"(SELECT DISTINCT {key} AS column1 FROM {counts or base})"  # noqa: S608 - constants


def _dense_recompute(base: str, bucket: tuple[str, str], keys: tuple[str, ...],
                     domains: tuple[tuple[str, ...] | None, ...], counted: str) -> str:
    """Every hour of each day up to its last that holds a row, x every key of the domains, with its count
    from `counted` (the rows per hour and key) or 0."""
    name, column = bucket
    joins = "".join(f", {_domain_rows(base, k, d)} AS d{n}" for n, (k, d) in enumerate(zip(keys, domains, strict=True)))
    matched = " AND ".join(f"c.{k} = d{n}.column1" for n, k in enumerate(keys))
    return f"""
            SELECT b.day || ' ' || h.column1, {", ".join(f"d{n}.column1" for n in range(len(keys)))}, coalesce(c.n, 0)
            FROM (SELECT substr({column}, 1, 10) AS day, max(substr({column}, 12, 2)) AS last
                  FROM {base} NOT INDEXED GROUP BY day) AS b
            JOIN {_HOURS} AS h ON h.column1 <= b.last{joins}
            LEFT JOIN ({counted}) AS c
                ON c.{name} = b.day || ' ' || h.column1 AND {matched}
            ORDER BY 1, {", ".join(str(n + 2) for n in range(len(keys)))}"""  # noqa: S608 - constants


_HOUR = ("hour", "timestamp_utc", 13)

# Counts per hour (per day for sessions) and key, for the window queries (schema.sql, after the rollups).
ROLLUPS.update({
    rollup.table: rollup
    for rollup in (
        _window_counts("receipt_hourly_counts", "receipts", _HOUR, ("status",), "receipts"),
        _window_counts("audit_hourly_counts", "audit_log", _HOUR, ("status",), "entries", append_only=True),
        _window_counts("session_daily_counts", "workflow_sessions", ("day", "start_time_utc", 10), ("status",),
                       "sessions"),
        # Dense: collisions and violations are sparse (a few an hour at 100k receipts, some hours none), so
        # the hours and keys a window finds, and the entries it reads, would grow with the data until every
        # key occurs in every hour (version 4 filled the keys of an hour that holds a row, version 6 the
        # hours of a day up to its last that holds one).
        _window_counts("collision_hourly_counts", "collision_detection", _HOUR, ("collision_type", "severity"),
                       "collisions", dense=True),
        _window_counts("violation_hourly_counts", "slo_violations", _HOUR, ("metric", "severity"), "violations",
                       dense=True),
    )
})


def rebuild_statements(conn: sqlite3.Connection) -> list[str]:
    """The rebuild of each rollup table the database has (a schema without rollups gets none)."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [statement for rollup in ROLLUPS.values() if rollup.table in present for statement in rollup.rebuild]


# ----------------------------------------------------------------- triggers
# Each rollup keeps its counters and extremes up to date with three triggers on its base table.
# A delete takes the row out (and looks an extreme up again when its last row went); an update
# takes OLD out, puts NEW in, then looks up any extreme whose last row was OLD.


def triggers(rollup: RollupSql) -> dict[str, str]:
    """The CREATE TRIGGER statements that keep the rollup current, by trigger name."""
    if not rollup.counts:
        raise ValueError(f"{rollup.table}: no counts, so no triggers of this kind")
    base, lookups = rollup.base, _look_up_extremes(rollup)
    read = dict.fromkeys([_key(rollup), *re.findall(r"\{row\}\.(\w+)", " ".join(rollup.counts)), EXTREME])
    return {
        f"{base}_rollup_insert": _trigger(f"{base}_rollup_insert", f"AFTER INSERT ON {base}",
                                          [*_orphan_guards(base), _put_in(rollup)]),
        f"{base}_rollup_delete": _trigger(f"{base}_rollup_delete", f"AFTER DELETE ON {base}",
                                          [_take_out(rollup), *lookups]),
        f"{base}_rollup_update": _trigger(f"{base}_rollup_update", f"AFTER UPDATE OF {', '.join(read)} ON {base}",
                                          [_take_out(rollup), _put_in(rollup), *lookups]),
    }


def _orphan_guards(base: str) -> list[str]:
    """The base table's foreign keys, kept for every connection: refused first thing in its insert trigger
    (harness.contract.foreign_key_sql says why there)."""
    table = _shipped_contract().tables.get(base)
    return [orphan_guard(base, fk) for fk in table.foreign_keys] if table is not None else []


# Tables whose orphan guard is the first statement of their rollup insert trigger.
GUARDED_BASES = frozenset(r.base for r in ROLLUPS.values() if r.counts)


def _key(rollup: RollupSql) -> str:
    return rollup.columns[0]


def _trigger(name: str, event: str, statements: list[str]) -> str:
    body = "".join(f"    {statement};\n" for statement in statements)
    return f"CREATE TRIGGER IF NOT EXISTS {name}\n{event}\nBEGIN\n{body}END"


def _counters(rollup: RollupSql) -> list[tuple[str, str]]:
    return list(zip(rollup.columns[1:1 + len(rollup.counts)], rollup.counts, strict=True))


def _put_in(rollup: RollupSql) -> str:
    """NEW counted in: a first row of its key starts the rollup row, a later one adds to it."""
    counters = _counters(rollup)
    columns = ", ".join(column for column, _ in counters)
    values = ", ".join(count.format(row="NEW") for _, count in counters)
    added = "".join(
        f"        {c} = {c} + 1,\n" if count == "1" else f"        {c} = {c} + excluded.{c},\n" for c, count in counters)
    extremes = ",\n".join(_extreme_in(side, op) for side, op in (("min", "<"), ("max", ">")))
    return (f"INSERT INTO {rollup.table} ({_key(rollup)}, {columns},\n"  # noqa: S608 - constants
            f"        {', '.join(_EXTREMES)})\n"
            f"    VALUES (NEW.{_key(rollup)}, {values},\n"
            f"        NEW.{EXTREME}, 1, NEW.{EXTREME}, 1)\n"
            f"    ON CONFLICT ({_key(rollup)}) DO UPDATE SET\n{added}{extremes}")


def _at(side: str) -> str:
    return f"{side}_{EXTREME}"  # min_duration_ms, max_duration_ms


def _rows_at(side: str) -> str:
    return f"rows_at_{side}_duration"


def _extreme_in(side: str, beyond: str) -> str:
    """A new extreme restarts its row count at 1; a tie adds one."""
    at, rows = _at(side), _rows_at(side)
    return (f"        {rows} = CASE\n"
            f"            WHEN {at} IS NULL OR excluded.{at} {beyond} {at} THEN 1\n"
            f"            WHEN excluded.{at} = {at} THEN {rows} + 1\n"
            f"            ELSE {rows} END,\n"
            f"        {at} = {side}(coalesce({at}, excluded.{at}), excluded.{at})")


def _take_out(rollup: RollupSql) -> str:
    """OLD counted out, and out of the rows at each extreme it sat at."""
    lines = []
    for column, count in _counters(rollup):
        old = count.format(row="OLD")
        lines.append(f"        {column} = {column} - {f'({old})' if ' ' in old else old}")
    lines += [f"        {_rows_at(side)} = {_rows_at(side)} - (OLD.{EXTREME} IS {_at(side)})" for side in ("min", "max")]
    return f"UPDATE {rollup.table} SET\n" + ",\n".join(lines) + f"\n    WHERE {_key(rollup)} = OLD.{_key(rollup)}"


def _look_up_extremes(rollup: RollupSql) -> list[str]:
    """The extreme whose last row went is looked up again, with the rows at the new one."""
    key, base = _key(rollup), rollup.base
    return [f"UPDATE {rollup.table} SET ({_at(side)}, {_rows_at(side)}) = (\n"  # noqa: S608 - constants
            f"        SELECT x, (SELECT count(*) FROM {base} WHERE {key} = OLD.{key} AND {EXTREME} = x)\n"
            f"        FROM (SELECT {side}({EXTREME}) AS x FROM {base} WHERE {key} = OLD.{key}))\n"
            f"    WHERE {key} = OLD.{key} AND {_rows_at(side)} = 0 AND {_at(side)} IS NOT NULL"
            for side in ("min", "max")]


# ------------------------------------------------------------ window counts
# A count per bucket and key: +1 for a new row, -1 for a row gone (a key at 0 is removed, or kept in a
# dense table), both for an update of the time or a key column. The _utc column is never NULL (its CHECK refuses the row);
# the WHEN keeps the counts from refusing such a row first, so the CHECK stays the one rule that
# does, under its own name.


def window_triggers(rollup: RollupSql) -> dict[str, str]:
    """The CREATE TRIGGER statements that keep a count per time bucket current, by trigger name."""
    if rollup.bucket is None:
        raise ValueError(f"{rollup.table}: not a count per time bucket")
    column = rollup.bucket[0]
    base, period = rollup.base, "daily" if rollup.bucket[1] == 10 else "hourly"
    out = {
        f"{base}_{period}_insert": _trigger(f"{base}_{period}_insert",
                                            f"AFTER INSERT ON {base}\nWHEN NEW.{column} IS NOT NULL",
                                            _count_in_all(rollup)),
        f"{base}_{period}_delete": _trigger(f"{base}_{period}_delete",
                                            f"AFTER DELETE ON {base}\nWHEN OLD.{column} IS NOT NULL",
                                            list(_count_out(rollup))),
    }
    if not rollup.append_only:
        written = ", ".join((column.removesuffix("_utc"), *rollup.key[1:]))
        out[f"{base}_{period}_update"] = _trigger(
            f"{base}_{period}_update",
            f"AFTER UPDATE OF {written} ON {base}\nWHEN OLD.{column} IS NOT NULL AND NEW.{column} IS NOT NULL",
            [*_count_out(rollup), *_count_in_all(rollup)])
    return out


def _bucket_of(rollup: RollupSql, row: str) -> list[str]:
    """The key of a base row (NEW or OLD) in the counts: its bucket, then its key columns."""
    assert rollup.bucket is not None
    column, length = rollup.bucket
    return [f"substr({row}.{column}, 1, {length})", *(f"{row}.{k}" for k in rollup.key[1:])]


def _count_in(rollup: RollupSql) -> str:
    keys, count = ", ".join(rollup.key), rollup.columns[-1]
    return (f"INSERT INTO {rollup.table} ({keys}, {count}) VALUES ({', '.join(_bucket_of(rollup, 'NEW'))}, 1)\n"  # noqa: S608
            f"    ON CONFLICT ({keys}) DO UPDATE SET {count} = {count} + 1")


def _count_out(rollup: RollupSql) -> tuple[str, ...]:
    where = " AND ".join(f"{k} = {v}" for k, v in zip(rollup.key, _bucket_of(rollup, "OLD"), strict=True))
    count = rollup.columns[-1]
    taken = f"UPDATE {rollup.table} SET {count} = {count} - 1\n    WHERE {where}"  # noqa: S608 - constants
    if not rollup.domains:
        return taken, f"DELETE FROM {rollup.table}\n    WHERE {where} AND {count} = 0"  # noqa: S608 - constants
    return (taken, *_dense_out(rollup))


# ------------------------------------------------------------ dense counts
# A dense table keeps every key of its domains in every hour of a day that holds a row, from midnight
# to the day's last hour that holds one: a row in an hour the table lacks brings the zeros of its
# day's hours up to its own; a value new to a key without an enumeration brings its zeros to every
# hour; a day's trailing hours go when their last row goes (the whole day with its last row), such a
# value when its last base row goes. A window of 24 hours then reads the same entries whether rows
# arrive every hour (1m receipts) or leave hours empty (100k), and no more than the hours it spans.


def _count_in_all(rollup: RollupSql) -> list[str]:
    return [*_dense_in(rollup), _count_in(rollup)]


def _day_hours(rollup: RollupSql, row: str) -> tuple[str, str, str]:
    """The row's day, its hour of the day ('HH'), and the condition on `hour` for the hours of its day."""
    assert rollup.bucket is not None
    column, bucket = rollup.bucket[0], rollup.key[0]
    day = f"substr({row}.{column}, 1, 10)"
    return day, f"substr({row}.{column}, 12, 2)", f"{bucket} BETWEEN {day} || ' 00' AND {day} || ' 23'"


def _dense_in(rollup: RollupSql) -> list[str]:
    if not rollup.domains:
        return []
    table, bucket, keys = rollup.table, rollup.key[0], rollup.key[1:]
    new_bucket = _bucket_of(rollup, "NEW")[0]
    day, hour, of_day = _day_hours(rollup, "NEW")
    columns = ", ".join((*rollup.key, rollup.columns[-1]))
    # The zeros: the values of each key as the newest hour holds them (every hour holds all).
    newest = f"{table} WHERE {bucket} = (SELECT max({bucket}) FROM {table})"  # noqa: S608 - constants
    sources = [_domain_rows(rollup.base, k, d, counts=newest) for k, d in zip(keys, rollup.domains, strict=True)]
    picked = ", ".join(f"d{n}.column1" for n in range(len(keys)))
    # Only when the row's hour is absent: the hours after its day's last one (all of them for a new day) up
    # to its own. The test is a one-row subquery joined first (CROSS JOIN keeps the order): the usual row,
    # whose hour is present, stops there (about 40 VM steps; a WHERE term would be tested once per hour).
    absent = f"(SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {bucket} = {new_bucket}))"  # noqa: S608
    last = f"coalesce((SELECT max({bucket}) FROM {table} WHERE {of_day}), '')"  # noqa: S608 - constants
    statements = [
        f"INSERT INTO {table} ({columns})\n"  # noqa: S608 - constants
        f"    SELECT {day} || ' ' || h.column1, {picked}, 0 FROM {absent} AS g CROSS JOIN {_HOURS} AS h"
        + "".join(f" CROSS JOIN {src} AS d{n}" for n, src in enumerate(sources))
        + f"\n    WHERE h.column1 <= {hour} AND {day} || ' ' || h.column1 > {last}"]
    for n, (key, domain) in enumerate(zip(keys, rollup.domains, strict=True)):
        if domain is not None:
            continue
        # A value the counts do not hold yet (its hours have just got every present value): zeros in every hour.
        others = [f"{_domain_rows(rollup.base, k, d, counts=table)} AS d{m}"
                  for m, (k, d) in enumerate(zip(keys, rollup.domains, strict=True)) if m != n]
        values = ", ".join(f"NEW.{k}" if m == n else f"d{m}.column1" for m, k in enumerate(keys))
        # The new row's hours are named too: the first row of an empty table has no hours to copy values from.
        known = f"EXISTS (SELECT 1 FROM {table} WHERE {bucket} = {new_bucket} AND {key} = NEW.{key})"  # noqa: S608
        buckets = (f"SELECT DISTINCT {bucket} FROM {table} WHERE {_all_or_none(bucket, known)} "  # noqa: S608
                   f"UNION SELECT {day} || ' ' || h.column1 FROM (SELECT 1 WHERE NOT {known}) AS g "
                   f"CROSS JOIN {_HOURS} AS h WHERE h.column1 <= {hour}")
        statements.append(
            f"INSERT INTO {table} ({columns})\n"  # noqa: S608 - constants
            f"    SELECT b.{bucket}, {values}, 0 FROM ({buckets}) AS b" + "".join(f", {o}" for o in others))
    return statements


def _all_or_none(bucket: str, skip: str) -> str:
    """A primary-key range of every bucket, or of none when `skip` holds: one seek in the usual case,
    where a condition on the rows would read every bucket to find it false (buckets are digits, below '~')."""
    return f"{bucket} >= (SELECT CASE WHEN {skip} THEN '~' ELSE '' END)"


def _dense_out(rollup: RollupSql) -> list[str]:
    table, bucket, count = rollup.table, rollup.key[0], rollup.columns[-1]
    old_bucket = _bucket_of(rollup, "OLD")[0]
    day, _, of_day = _day_hours(rollup, "OLD")
    # Hours go only when the row's hour was its day's last and holds no row now: every hour after the day's
    # last that holds one (after the day itself, 'YYYY-MM-DD', when none is left). Else after '~': none.
    # One lower bound, so the delete is one primary-key range (a seek in the usual case).
    emptied = (f"(SELECT max({bucket}) FROM {table} WHERE {of_day}) = {old_bucket} "  # noqa: S608 - constants
               f"AND (SELECT max({count}) FROM {table} WHERE {bucket} = {old_bucket}) = 0")
    kept = f"coalesce((SELECT max({bucket}) FROM {table} WHERE {of_day} AND {count} > 0), {day})"  # noqa: S608
    statements = [f"DELETE FROM {table}\n"  # noqa: S608 - constants
                  f"    WHERE {bucket} > (SELECT CASE WHEN {emptied} THEN {kept} ELSE '~' END) "
                  f"AND {bucket} <= {day} || ' 23'"]
    for key, domain in zip(rollup.key[1:], rollup.domains, strict=True):
        if domain is None:  # the base table's index on the key answers whether a row of the value is left
            left = f"EXISTS (SELECT 1 FROM {rollup.base} WHERE {key} = OLD.{key})"  # noqa: S608 - constants
            statements.append(f"DELETE FROM {table}\n"  # noqa: S608 - constants
                              f"    WHERE {_all_or_none(bucket, left)} AND {key} = OLD.{key}")
    return statements
