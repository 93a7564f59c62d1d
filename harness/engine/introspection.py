"""What a database actually contains, read from sqlite_master and PRAGMAs.

`inspect_schema(conn)` reads every table (STRICT, WITHOUT ROWID, columns
including hidden and generated ones), index (origin, partial, DESC keys),
foreign key (with its actions), view (with its columns) and trigger into
frozen dataclasses. Nothing here judges the schema: the checks compare these
records with the contract.

Every PRAGMA is read through its table-valued function with the object name
bound as a parameter, so no SQL is ever built from a name.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

# table_xinfo.hidden: 0 normal, 1 hidden column of a virtual table, 2/3 generated.
_GENERATED = {2: "virtual", 3: "stored"}
_TRIGGER_HEAD = re.compile(
    r"\bTRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+(BEFORE|AFTER|INSTEAD\s+OF)?\s*(INSERT|UPDATE|DELETE)\b",
    re.IGNORECASE,
)
_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)


def quote_identifier(name: str) -> str:
    """A name as a SQL identifier: double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnInfo:
    """One row of PRAGMA table_xinfo."""

    cid: int
    name: str
    type: str  # as declared, upper-cased by SQLite for STRICT tables
    not_null: bool
    default: str | None  # the default's SQL text, e.g. "0" or "CURRENT_TIMESTAMP"
    pk: int  # 1-based position in the primary key, 0 when not part of it
    hidden: int  # 0 normal, 2 virtual generated, 3 stored generated

    @property
    def generated(self) -> str | None:
        """'virtual' or 'stored' for a generated column, else None."""
        return _GENERATED.get(self.hidden)


@dataclass(frozen=True)
class IndexColumn:
    """One key column of an index (PRAGMA index_xinfo with key = 1)."""

    name: str | None  # None for an expression
    cid: int  # -1 rowid, -2 expression
    desc: bool
    collation: str


@dataclass(frozen=True)
class IndexInfo:
    """One index: explicit ('c'), a UNIQUE constraint's ('u') or the primary key's ('pk')."""

    name: str
    table: str
    unique: bool
    origin: str
    partial: bool
    columns: tuple[IndexColumn, ...]
    sql: str | None  # None for autoindexes

    @property
    def column_names(self) -> tuple[str | None, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class ForeignKeyInfo:
    """One foreign key of a table (PRAGMA foreign_key_list, grouped by id)."""

    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str | None, ...]  # None: the parent's primary key
    on_update: str
    on_delete: str
    match: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    strict: bool
    without_rowid: bool
    autoincrement: bool  # parsed from the CREATE statement (no PRAGMA reports it)
    columns: tuple[ColumnInfo, ...]
    indexes: tuple[IndexInfo, ...]
    foreign_keys: tuple[ForeignKeyInfo, ...]
    sql: str

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)

    def index(self, name: str) -> IndexInfo | None:
        return next((i for i in self.indexes if i.name == name), None)


@dataclass(frozen=True)
class ViewInfo:
    name: str
    columns: tuple[str, ...]
    sql: str
    problem: str | None = None  # why its columns cannot be read (e.g. a missing table)


@dataclass(frozen=True)
class TriggerInfo:
    name: str
    table: str
    timing: str  # BEFORE, AFTER, INSTEAD OF ('' when not stated: BEFORE)
    event: str  # INSERT, UPDATE, DELETE
    sql: str


@dataclass(frozen=True)
class SchemaInfo:
    """Everything user-defined in the main database (sqlite_* internals excluded)."""

    tables: Mapping[str, TableInfo]
    views: Mapping[str, ViewInfo]
    triggers: Mapping[str, TriggerInfo]
    sqlite_version: str

    def table(self, name: str) -> TableInfo | None:
        return self.tables.get(name)

    @property
    def indexes(self) -> tuple[IndexInfo, ...]:
        return tuple(i for t in self.tables.values() for i in t.indexes)

    def index(self, name: str) -> IndexInfo | None:
        return next((i for i in self.indexes if i.name == name), None)


# ------------------------------------------------------------------ reading
def inspect_schema(conn: sqlite3.Connection) -> SchemaInfo:
    """Read the schema of conn's main database."""
    sql_of = dict(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall())
    tables: dict[str, TableInfo] = {}
    views: dict[str, ViewInfo] = {}
    for name, kind, strict, without_rowid in _table_list(conn):
        if name not in sql_of:
            continue
        if kind == "view":
            views[name] = _view(conn, name, sql_of[name])
        elif kind == "table":
            tables[name] = _table(conn, name, bool(strict), bool(without_rowid), sql_of[name])
    return SchemaInfo(
        tables=dict(sorted(tables.items())),
        views=dict(sorted(views.items())),
        triggers=_triggers(conn),
        sqlite_version=sqlite3.sqlite_version,
    )


def _table_list(conn: sqlite3.Connection) -> list[tuple[str, str, int, int]]:
    return conn.execute(
        "SELECT name, type, strict, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name"
    ).fetchall()


def _table(conn: sqlite3.Connection, name: str, strict: bool, without_rowid: bool, sql: str) -> TableInfo:
    return TableInfo(
        name=name,
        strict=strict,
        without_rowid=without_rowid,
        autoincrement=bool(_AUTOINCREMENT.search(sql)),
        columns=_columns(conn, name),
        indexes=_indexes(conn, name),
        foreign_keys=_foreign_keys(conn, name),
        sql=sql,
    )


def _columns(conn: sqlite3.Connection, table: str) -> tuple[ColumnInfo, ...]:
    rows = conn.execute(
        'SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid',
        (table,),
    ).fetchall()
    return tuple(
        ColumnInfo(cid, name, type_, bool(not_null), default, pk, hidden)
        for cid, name, type_, not_null, default, pk, hidden in rows
    )


def _indexes(conn: sqlite3.Connection, table: str) -> tuple[IndexInfo, ...]:
    rows = conn.execute(
        'SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name', (table,)
    ).fetchall()
    sql_of = dict(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
    ).fetchall())
    return tuple(
        IndexInfo(name, table, bool(unique), origin, bool(partial), _index_columns(conn, name), sql_of.get(name))
        for name, unique, origin, partial in rows
    )


def _index_columns(conn: sqlite3.Connection, index: str) -> tuple[IndexColumn, ...]:
    rows = conn.execute(
        'SELECT name, cid, "desc", coll FROM pragma_index_xinfo(?) WHERE "key" = 1 ORDER BY seqno', (index,)
    ).fetchall()
    return tuple(IndexColumn(name, cid, bool(desc), coll) for name, cid, desc, coll in rows)


def _foreign_keys(conn: sqlite3.Connection, table: str) -> tuple[ForeignKeyInfo, ...]:
    rows = conn.execute(
        'SELECT id, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?) '
        "ORDER BY id, seq",
        (table,),
    ).fetchall()
    grouped: dict[int, list[tuple[str, str, str | None, str, str, str]]] = {}
    for fk_id, parent, column, parent_column, on_update, on_delete, match in rows:
        grouped.setdefault(fk_id, []).append((parent, column, parent_column, on_update, on_delete, match))
    return tuple(
        ForeignKeyInfo(
            table=table,
            columns=tuple(r[1] for r in parts),
            parent=parts[0][0],
            parent_columns=tuple(r[2] for r in parts),
            on_update=parts[0][3],
            on_delete=parts[0][4],
            match=parts[0][5],
        )
        for _, parts in sorted(grouped.items())
    )


def _view(conn: sqlite3.Connection, name: str, sql: str) -> ViewInfo:
    try:
        rows = conn.execute("SELECT name FROM pragma_table_info(?) ORDER BY cid", (name,)).fetchall()
    except sqlite3.Error as e:  # a view over a missing table or column
        return ViewInfo(name, (), sql, problem=str(e))
    return ViewInfo(name, tuple(r[0] for r in rows), sql)


def _triggers(conn: sqlite3.Connection) -> dict[str, TriggerInfo]:
    rows = conn.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    found = {}
    for name, table, sql in rows:
        head = _TRIGGER_HEAD.search(sql or "")
        timing = " ".join(head.group(1).upper().split()) if head and head.group(1) else ""
        event = head.group(2).upper() if head else ""
        found[name] = TriggerInfo(name, table, timing, event, sql or "")
    return found


def ddl_statements(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The CREATE statements of conn's schema, in an order that recreates it.

    Tables first (foreign keys may point forward), then indexes, views and
    triggers; SQLite's own objects (sqlite_sequence, autoindexes, statistics)
    come back by themselves.
    """
    rows = conn.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid"
    ).fetchall()
    return tuple(r[0] for r in rows)


def schema_snapshot(conn: sqlite3.Connection) -> tuple[tuple[str, str, str, str | None], ...]:
    """sqlite_master as (type, name, tbl_name, sql) rows in a stable order, for comparisons."""
    return tuple(conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall())
