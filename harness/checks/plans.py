"""Query plans as deterministic proxies for speed: which index a query uses, what it scans.

`indexes_used` reads EXPLAIN QUERY PLAN. `full_scans` reads the bytecode of
EXPLAIN: a cursor opened on a b-tree and started with Rewind or Last walks
it from one end, i.e. a scan; a cursor positioned by a Seek reads a range.
Bytecode names b-trees by root page, so aliases in views do not hide which
table is scanned.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_INDEX_IN_PLAN = re.compile(r"\bINDEX (\S+)")
_SCAN_OPCODES = ("Rewind", "Last")


@dataclass(frozen=True)
class Scan:
    """A b-tree walked from one end: a table itself, or one of its indexes."""

    table: str  # the table the b-tree belongs to
    btree: str  # the table's or the index's name
    is_index: bool


def query_plan(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any] | tuple[Any, ...] = ()) -> list[str]:
    """The EXPLAIN QUERY PLAN lines of a statement."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [row[3] for row in rows]


def indexes_used(plan: list[str]) -> set[str]:
    return {m.group(1) for line in plan for m in _INDEX_IN_PLAN.finditer(line)}


def full_scans(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any] | tuple[Any, ...] = ()) -> list[Scan]:
    """Every b-tree of the main database that the statement walks from one end."""
    btrees = {
        root: (name, table, kind == "index")
        for root, name, table, kind in conn.execute(
            "SELECT rootpage, name, tbl_name, type FROM sqlite_master WHERE rootpage > 0"
        )
    }
    opened: dict[int, int] = {}  # cursor -> root page
    scans: list[Scan] = []
    for _addr, opcode, p1, p2, p3, *_rest in conn.execute("EXPLAIN " + sql, params):
        if opcode == "OpenRead" and p3 == 0:
            opened[p1] = p2
        elif opcode in _SCAN_OPCODES and p1 in opened and opened[p1] in btrees:
            name, table, is_index = btrees[opened[p1]]
            scans.append(Scan(table, name, is_index))
    return scans


def describe(scan: Scan) -> str:
    return f"full scan of index {scan.btree} on {scan.table}" if scan.is_index else f"full scan of table {scan.table}"
