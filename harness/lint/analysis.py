"""Rules read from a statement's syntax tree (sqlglot): raw timestamp text, aggregates already kept.

`Catalog` is what the target database holds (each table's columns, the views
and tables present); the rules name a column `raw` only when its table has the
`<column>_utc` sibling, and suggest a view or rollup only when the database has it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlglot import exp

from harness.lint.rules import Finding, finding

#: Tables that do not grow with the data: one row per agent, or per key of a rollup.
STEADY_TABLES = frozenset({"agent_memory", "agent_execution_stats", "stage_execution_stats"})


@dataclass(frozen=True)
class Catalog:
    columns: Mapping[str, frozenset[str]]  # table -> its columns (generated ones included)
    objects: frozenset[str]  # every table and view name

    def grows(self, table: str) -> bool:
        return table in self.columns and table not in STEADY_TABLES and not table.endswith("_stats")


def read_catalog(conn: sqlite3.Connection) -> Catalog:
    names = {name.lower(): kind for name, kind in conn.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")}
    columns = {
        table: frozenset(row[0].lower() for row in conn.execute("SELECT name FROM pragma_table_xinfo(?)", (table,)))
        for table, kind in names.items() if kind == "table"
    }
    return Catalog(columns, frozenset(names))


def tables_in_scope(tree: exp.Expression) -> dict[str, str]:
    """Every name a table is reachable by in the statement (alias or name) -> the table's name."""
    scope: dict[str, str] = {}
    for table in tree.find_all(exp.Table):
        name = table.name.lower()
        scope[name] = name
        if table.alias:
            scope[table.alias.lower()] = name
    return scope


# ------------------------------------------------------------ raw timestamps
_COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)
_USES = (
    (exp.Ordered, "orders by"),
    (_COMPARISONS, "compares"),
    ((exp.Min, exp.Max), "takes the min/max of"),
    ((exp.Substring, exp.Left), "cuts a day or hour out of"),
)


def raw_timestamp_findings(tree: exp.Expression, catalog: Catalog) -> list[Finding]:
    scope = tables_in_scope(tree)
    seen: set[tuple[str, str, str]] = set()
    out = []
    for column, use in _raw_uses(tree):
        table = _table_with_utc_sibling(column, scope, catalog)
        if table is None or (table, column.name, use) in seen:
            continue
        seen.add((table, column.name, use))
        out.append(finding(
            "raw_timestamp",
            f"{use} {table}.{column.name}, the writer's text: its forms do not sort chronologically; "
            f"use {column.name}_utc"))
    return out


def _raw_uses(tree: exp.Expression) -> Iterator[tuple[exp.Column, str]]:
    for column in tree.find_all(exp.Column):
        parent = column.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        for kinds, use in _USES:
            if isinstance(parent, kinds) and (not isinstance(parent, (exp.Substring, exp.Left)) or parent.this is column):
                yield column, use


def _table_with_utc_sibling(column: exp.Column, scope: Mapping[str, str], catalog: Catalog) -> str | None:
    name = column.name.lower()
    if name.endswith("_utc"):
        return None
    candidates = [scope.get(column.table.lower(), "")] if column.table else sorted(set(scope.values()))
    for table in candidates:
        columns = catalog.columns.get(table, frozenset())
        if name in columns and f"{name}_utc" in columns:
            return table
    return None


# ------------------------------------------------------- views and rollups
@dataclass(frozen=True)
class Answer:
    """A base-table aggregate that a view or rollup already holds."""

    table: str  # the base table aggregated
    keys: frozenset[str]  # GROUP BY keys it can answer ("time": a day or hour of a timestamp)
    filters: frozenset[str]  # columns a WHERE may constrain (empty: no WHERE)
    measures: frozenset[str]  # columns the aggregates may read ("*": count(*))
    answer: str  # the view or rollup that holds it (must exist in the database)
    says: str


_TIMES = frozenset({"timestamp", "timestamp_utc"})
ANSWERS: tuple[Answer, ...] = (
    Answer("receipts", frozenset({"agent_id"}), frozenset(),
           frozenset({"*", "status", "duration_ms", "files_generated", "execution_id", "id"}),
           "agent_performance_summary",
           "per-agent counts, passed/failed, total/avg/min/max duration, files generated (rollup agent_execution_stats)"),
    Answer("pipeline_metrics", frozenset({"stage"}), frozenset(),
           frozenset({"*", "status", "duration_ms", "execution_id", "id"}), "pipeline_stage_performance",
           "per-stage executions, passed/failed, avg/min/max duration (rollup stage_execution_stats)"),
    Answer("receipts", frozenset({"time", "status"}), _TIMES | {"status"}, frozenset({"*", "status", "id"}),
           "receipt_hourly_counts", "receipts per hour and status"),
    Answer("audit_log", frozenset({"time", "status"}), _TIMES | {"status"}, frozenset({"*", "status", "id"}),
           "audit_hourly_counts", "audit rows per hour and status"),
    Answer("workflow_sessions", frozenset({"time", "status"}), frozenset({"start_time", "start_time_utc", "status"}),
           frozenset({"*", "status", "id"}), "session_daily_counts", "sessions per day (of start_time) and status"),
    Answer("collision_detection", frozenset({"time", "collision_type", "severity"}),
           _TIMES | {"collision_type", "severity"}, frozenset({"*", "id"}), "collision_hourly_counts",
           "collisions per hour, type and severity"),
    Answer("slo_violations", frozenset({"time", "metric", "severity"}), _TIMES | {"metric", "severity"},
           frozenset({"*", "id"}), "violation_hourly_counts", "SLO violations per hour, metric and severity"),
)

_TIME_BUCKETS = (exp.Substring, exp.Left, exp.Date, exp.TimeToStr, exp.Anonymous, exp.DateTrunc, exp.StrToTime,
                 exp.TsOrDsToDate)


def rollup_findings(tree: exp.Expression, catalog: Catalog) -> list[Finding]:
    """An aggregate over one base table grouped by keys a view or rollup already holds."""
    if not isinstance(tree, exp.Select) or tree.args.get("joins") or not tree.args.get("group"):
        return []
    source = tree.args.get("from_") or tree.args.get("from")
    if source is None or not isinstance(source.this, exp.Table):
        return []
    table = source.this.name.lower()
    aliases = {e.alias.lower(): e.this for e in tree.expressions if isinstance(e, exp.Alias)}
    keys = {_key(aliases.get(e.name.lower(), e) if isinstance(e, exp.Column) and not e.table else e)
            for e in tree.args["group"].expressions}
    where = tree.args.get("where")
    filtered = {c.name.lower() for c in where.find_all(exp.Column)} if where is not None else set()
    measured = {c.name.lower() for agg in tree.find_all(exp.AggFunc) for c in agg.find_all(exp.Column)}
    if any(isinstance(agg.this, exp.Star) for agg in tree.find_all(exp.Count)):
        measured.add("*")
    return [
        finding("answered_by_rollup", f"{a.answer} already holds {a.says}: read it")
        for a in ANSWERS
        if a.table == table and keys <= a.keys and filtered <= a.filters and measured <= a.measures
        and a.answer in catalog.objects
    ]


def _key(expression: exp.Expression) -> str:
    if isinstance(expression, exp.Column):
        return expression.name.lower()
    if isinstance(expression, _TIME_BUCKETS) and any(
            c.name.lower().startswith(("timestamp", "start_time")) for c in expression.find_all(exp.Column)):
        return "time"
    return expression.sql()
