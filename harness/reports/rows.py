"""Rows as text, the same way for every reading command: `--format table|json|jsonl|csv`.

- json: one array, one row object per line; an empty result is `[]`.
- jsonl: one object per line (JSON Lines); an empty result is nothing.
- csv: a header line, then one line per row; an empty result is the header only.
- table: a rich table (for people at a terminal; long values are cut with an ellipsis).

json, jsonl and csv stream: rows are written as they come, memory does not grow with them.
The default is a table on a terminal and JSON otherwise, as sqlite-utils does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "jsonl", "csv")
Row = Mapping[str, Any]
TABLE_CELL_WIDTH = 40
RECORD_VALUE_WIDTH = 100
PIPE_WIDTH = 1000  # wide enough that rich never squeezes a table written to a file
# Left out of tables, which are for reading at a terminal: documents, hashes and the writer's
# clock. json, jsonl and csv carry every column.
WIDE_COLUMNS = frozenset({"receipt_json", "memory_json", "context_json", "collision_history", "manifest_hash",
                          "ontology_hash", "created_at"})


def default_format(out: TextIO) -> str:
    """table on a terminal, json otherwise."""
    isatty = getattr(out, "isatty", None)
    return "table" if isatty is not None and isatty() else "json"


def json_text(value: Any) -> str:
    """One JSON value on one line, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_rows(rows: Iterable[Row], columns: Sequence[str], fmt: str, out: TextIO, *, title: str | None = None) -> int:
    """Write rows (dicts with these columns) in fmt; returns how many were written."""
    if fmt == "table":
        return _write_table(rows, columns, out, title=title)
    return {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv}[fmt](rows, columns, out)


def _write_json(rows: Iterable[Row], columns: Sequence[str], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(("[" if count == 0 else ",\n ") + json_text(dict(row)))
        count += 1
    out.write("[]\n" if count == 0 else "]\n")
    return count


def _write_jsonl(rows: Iterable[Row], columns: Sequence[str], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json_text(dict(row)) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterable[Row], columns: Sequence[str], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        count += 1
    return count


def table_columns(columns: Sequence[str]) -> list[str]:
    """The columns a table shows: no wide ones, and a stored timestamp only when it has no *_utc twin."""
    shown = set(columns)
    return [c for c in columns if c not in WIDE_COLUMNS and f"{c}_utc" not in shown]


def _write_table(rows: Iterable[Row], columns: Sequence[str], out: TextIO, *, title: str | None) -> int:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    shown = table_columns(columns)
    for column in shown:
        table.add_column(column, overflow="ellipsis", no_wrap=True, max_width=TABLE_CELL_WIDTH)
    count = 0
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in shown))
        count += 1
    _print(out, table)
    return count


def _write_record(row: Row, out: TextIO, *, title: str) -> None:
    """One record as a two-column table (column, value): a row would be too wide for a terminal."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("column", no_wrap=True)
    table.add_column("value", overflow="fold", max_width=RECORD_VALUE_WIDTH)
    for name, value in row.items():
        table.add_row(name, _cell(value))
    _print(out, table)


def _print(out: TextIO, renderable: Any) -> None:
    """A terminal gets its own width and colours; a file or pipe plain text as wide as the table
    needs, without the padding rich adds at line ends."""
    from rich.console import Console

    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        Console(file=out, highlight=False).print(renderable)
        return
    buffer = io.StringIO()
    Console(file=buffer, width=PIPE_WIDTH, highlight=False, color_system=None).print(renderable)
    out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def write_document(sections: Mapping[str, Row | Sequence[Row]], columns: Mapping[str, Sequence[str]],
                   fmt: str, out: TextIO) -> None:
    """A record and its related rows (ggen-db get): json is one object of sections, jsonl one line per
    row with its section as `kind`, table one table per section, csv only one section (a header, a row)."""
    if fmt == "csv" and len(sections) != 1:
        raise ValueError("CSV holds one table; this record has several sections")
    if fmt == "json":
        out.write(json.dumps({name: _plain(value) for name, value in sections.items()}, ensure_ascii=False,
                             allow_nan=False, indent=2) + "\n")
        return
    for name, value in sections.items():
        rows = [value] if isinstance(value, Mapping) else list(value)
        if fmt == "jsonl":
            for row in rows:
                out.write(json_text({"kind": name, **row}) + "\n")
        elif fmt == "table" and isinstance(value, Mapping):
            _write_record(value, out, title=name)
        elif fmt == "table":
            _write_table(rows, columns[name], out, title=f"{name} ({len(rows)})")
        else:
            write_rows(rows, columns[name], fmt, out)


def _plain(value: Row | Sequence[Row]) -> Any:
    return dict(value) if isinstance(value, Mapping) else [dict(row) for row in value]
