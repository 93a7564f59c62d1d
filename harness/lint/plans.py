"""Rules read from EXPLAIN QUERY PLAN: walks of a growing table, sorts of a growing set.

The same reading as the CI plan gate (tests/test_plans.py): a SCAN line of a
table that grows is a finding unless it walks an index in order and the
statement (its views included) stops at a LIMIT without sorting first.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp

from harness.lint.analysis import Catalog, tables_in_scope
from harness.lint.rules import Finding, finding

_SCAN = re.compile(r"^\s*SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?")
_SEARCH = re.compile(r"^\s*SEARCH (\w+) USING (?:(?:COVERING )?INDEX (\w+)|INTEGER PRIMARY KEY) \((.*)\)")
_TEMP_BTREE = re.compile(r"USE TEMP B-TREE FOR (.+)")


@dataclass(frozen=True)
class PlanLine:
    """One row of EXPLAIN QUERY PLAN: its parent says which query level it belongs to."""

    id: int
    parent: int
    detail: str


def read_plan(conn: sqlite3.Connection, sql: str, params: Mapping[str, object]) -> list[PlanLine]:
    return [PlanLine(i, parent, detail) for i, parent, _, detail in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def plan_findings(plan: list[PlanLine], statement_scope: Mapping[str, str], limited: bool,
                  conn: sqlite3.Connection, catalog: Catalog) -> list[Finding]:
    scope = {**view_scope(conn), **statement_scope}
    sorts = {line.parent: m.group(1) for line in plan if (m := _TEMP_BTREE.search(line.detail))}
    out: list[Finding] = []
    growing_reads: dict[int, list[str]] = {}  # query level -> growing tables read there
    for entry in plan:
        line = entry.detail
        if m := _SCAN.match(line):
            table = scope.get(m.group(1).lower(), m.group(1).lower())
            if not catalog.grows(table):
                continue
            growing_reads.setdefault(entry.parent, []).append(table)
            ordered_walk = m.group(2) is not None and limited and not any("ORDER BY" in s for s in sorts.values())
            if not ordered_walk:
                out.append(finding("scans_growing_table",
                                   f"walks all of {table}: {line.strip()}"))
        elif (m := _SEARCH.match(line)) and not _point_read(conn, m.group(2), m.group(3)):
            table = scope.get(m.group(1).lower(), m.group(1).lower())
            if catalog.grows(table):
                growing_reads.setdefault(entry.parent, []).append(table)
    for level, sort in sorts.items():
        if level in growing_reads:  # the sort takes the rows read at its own level
            out.append(finding("sorts_growing_set",
                               f"sorts rows of {', '.join(sorted(set(growing_reads[level])))} in a temporary "
                               f"b-tree (for {sort})"))
    return out


def _point_read(conn: sqlite3.Connection, index: str | None, constraint: str) -> bool:
    """A SEARCH by equality on every column of a unique key (or the rowid): at most one row."""
    if any(op in constraint for op in ("<", ">")):
        return False
    if index is None:
        return constraint.strip() == "rowid=?"
    row = conn.execute("SELECT \"unique\" FROM pragma_index_list((SELECT tbl_name FROM sqlite_master "
                       "WHERE name = ?)) WHERE name = ?", (index, index)).fetchone()
    if not row or not row[0]:
        return False
    keys = [r[0] for r in conn.execute("SELECT name FROM pragma_index_info(?)", (index,))]
    return all(f"{key}=?" in constraint for key in keys)


def view_scope(conn: sqlite3.Connection) -> dict[str, str]:
    """The aliases the views' own statements give their tables (a plan of a view names them)."""
    scope: dict[str, str] = {}
    for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view'"):
        try:
            tree = sqlglot.parse_one(sql, read="sqlite")
        except sqlglot.errors.SqlglotError:
            continue
        scope.update(tables_in_scope(cast(exp.Expression, tree)))  # sqlglot >= 30 types it as Expr
    return scope


def has_limit(conn: sqlite3.Connection, tree: exp.Expression | None, sql: str) -> bool:
    """The statement, or a view it reads, ends in a LIMIT."""
    if tree is not None and tree.find(exp.Limit) is not None:
        return True
    if tree is None and re.search(r"\bLIMIT\b", sql, re.IGNORECASE):
        return True
    names = set(tables_in_scope(tree).values()) if tree is not None else set()
    return any(
        re.search(r"\bLIMIT\b", view_sql, re.IGNORECASE)
        for name, view_sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
        if name.lower() in names
    )
