"""`ggen-db export`: receipts (each with its stage metrics and SLO violations) or audit rows, streamed.

JSON Lines are in the format `ggen-db ingest` reads (harness/contract/formats/ingest.schema.json):
a `kind` and the columns that format takes, receipts oldest first, each followed by its stage
metrics and violations, so that a file exported from one database and ingested into an empty
one gives the same rows (tests/test_operate_export.py). CSV holds one table: the receipts
themselves, or the audit rows. Everything is read in one snapshot (one read transaction), in
keyset pages of PAGE_ROWS rows (each page starts after the (timestamp_utc, id) of the previous
one, so a page costs the same wherever it falls in the window), and written row by row: memory
holds one page, whatever the size of the window.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TextIO

from harness.contract.model import document_schema
from harness.errors import UsageError
from harness.operate.database import open_read_only
from harness.operate.reads import contract, sql
from harness.operate.window import window
from harness.reports.rows import json_text, write_rows

EXPORTS = ("receipts", "audit")
FORMATS = ("jsonl", "csv")
PROGRESS_EVERY = 1000  # rows between progress updates
PAGE_ROWS = 1000  # rows per keyset page: the contract example's :page, measured by bench
#: SQLite's smallest rowid: the first page starts after (since, this), so it holds every row at since.
FIRST_ID = -(2**63)
# The kinds of ingest lines an export writes, and the table each one is read from.
KIND_TABLES: Mapping[str, str] = {
    "receipt": "receipts", "stage_metric": "pipeline_metrics", "slo_violation": "slo_violations", "audit": "audit_log",
}
CHILDREN = (("stage_metric", "stage_metrics_of_execution"), ("slo_violation", "violations_of_execution"))
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: lines (or CSV rows) per kind, and how long it took."""

    what: str
    fmt: str
    since: str
    until: str
    written: Mapping[str, int] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.written.values())


@cache
def ingest_columns(kind: str) -> tuple[str, ...]:
    """The columns an ingest line of this kind takes, in the table's column order."""
    accepted = set(document_schema("ingest.schema.json")["$defs"][kind]["properties"]) - {"kind"}
    return tuple(c.name for c in contract().tables[KIND_TABLES[kind]].columns if c.name in accepted)


def export(db_path: str | os.PathLike[str], what: str, out: TextIO, *, fmt: str = "jsonl",
           since: str | None = None, until: str | None = None, now: datetime | None = None,
           progress: Progress | None = None) -> ExportResult:
    """Write the receipts or audit rows of [since, until) to out, oldest first."""
    if what not in EXPORTS:
        raise UsageError(f"WHAT {what!r}: not one of {', '.join(EXPORTS)}")
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: export writes one of {', '.join(FORMATS)}")
    bounds = window(since, until, now=now)
    params = {"since": bounds.since, "until": bounds.until}
    started = time.perf_counter()
    kind = "receipt" if what == "receipts" else "audit"
    with closing(open_read_only(db_path)) as conn:
        conn.execute("BEGIN")  # one snapshot for the count, the rows and their children
        total = _count(conn, what, params) if progress else 0
        rows = _tracked(_pages(conn, f"export_{what}_in_window", bounds.since, bounds.until), progress, total)
        if fmt == "csv":
            written = {kind: write_rows(rows, ingest_columns(kind), "csv", out)}
        else:
            written = _write_lines(conn, kind, rows, out)
    return ExportResult(what, fmt, bounds.since, bounds.until, written, time.perf_counter() - started)


def _count(conn: sqlite3.Connection, what: str, params: Mapping[str, Any]) -> int:
    name = "receipts_count_in_window" if what == "receipts" else "audit_count_in_window"
    return int(conn.execute(sql(name), params).fetchone()[0])


def _pages(conn: sqlite3.Connection, name: str, since: str, until: str) -> Iterator[dict[str, Any]]:
    """The window's rows in (timestamp_utc, id) order, read PAGE_ROWS at a time, each page after the last row
    of the one before. A page is fetched whole before its rows are handed on, so the children's reads
    never run beside an open cursor."""
    params: dict[str, Any] = {"after_ts": since, "after_id": FIRST_ID, "until": until, "page": PAGE_ROWS}
    statement = sql(name)
    while True:
        cursor = conn.execute(statement, params)
        names = [d[0] for d in cursor.description]
        page = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        yield from page
        if len(page) < PAGE_ROWS:
            return
        params["after_ts"], params["after_id"] = page[-1]["timestamp_utc"], page[-1]["id"]


def _rows(conn: sqlite3.Connection, name: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(sql(name), params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _tracked(rows: Iterator[dict[str, Any]], progress: Progress | None, total: int) -> Iterator[dict[str, Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress:
        progress(done, total)


def _write_lines(conn: sqlite3.Connection, kind: str, rows: Iterator[dict[str, Any]], out: TextIO) -> dict[str, int]:
    written = {kind: 0}
    for row in rows:
        _write_line(kind, row, out)
        written[kind] += 1
        if kind != "receipt":
            continue
        for child_kind, query in CHILDREN:
            for child in _rows(conn, query, {"execution_id": row["execution_id"]}):
                _write_line(child_kind, child, out)
                written[child_kind] = written.get(child_kind, 0) + 1
    return written


def _write_line(kind: str, row: Mapping[str, Any], out: TextIO) -> None:
    out.write(json_text({"kind": kind, **{c: row[c] for c in ingest_columns(kind)}}) + "\n")
