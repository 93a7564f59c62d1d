"""The normalized catalog of a database: what two schemas are compared on.

`read_catalog(conn)` turns harness.engine.introspection's records, plus the
CHECKs and generated expressions parsed from each CREATE TABLE, into frozen,
comparable values. Everything a reader or writer depends on is in it:
tables (STRICT, WITHOUT ROWID, AUTOINCREMENT), columns in order with type,
NOT NULL, default, key position, generated kind and expression, collation;
CHECKs (by name, unnamed ones by column and expression); foreign keys with
their actions; UNIQUE keys; explicit indexes (columns, order, uniqueness,
partial WHERE); views (columns and normalized SQL); triggers (table, timing,
event, normalized SQL); user_version. Text that does not change meaning
(comments, whitespace, case, `IF NOT EXISTS`, quoting) is normalized away,
so a migrated database and a fresh install of the same schema compare equal.

`catalog_of_script(text)` loads a schema script into a scratch in-memory
database and reads its catalog.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from harness.engine import db, sqltext
from harness.engine.introspection import IndexInfo, TableInfo, inspect_schema


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None
    pk: int
    generated: str | None  # 'virtual', 'stored' or None
    expression: str | None  # a generated column's normalized expression
    collation: str | None


@dataclass(frozen=True)
class Check:
    name: str | None
    column: str | None
    expression: str

    @property
    def key(self) -> str:
        """How a CHECK is matched across two schemas: its name, else its column and expression."""
        return self.name or f"{self.column or '(table)'}: {self.expression}"


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str | None, ...]
    on_update: str
    on_delete: str

    @property
    def key(self) -> str:
        return f"({', '.join(self.columns)}) -> {self.parent}"


@dataclass(frozen=True)
class Table:
    name: str
    strict: bool
    without_rowid: bool
    autoincrement: bool
    columns: tuple[Column, ...]
    checks: tuple[Check, ...]
    foreign_keys: tuple[ForeignKey, ...]
    unique_keys: tuple[tuple[str, ...], ...]  # UNIQUE constraints (their autoindexes), sorted

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    unique: bool
    columns: tuple[str, ...]  # 'name', 'name DESC', 'name COLLATE x' or the expression's SQL
    where: str | None  # a partial index's normalized WHERE clause


@dataclass(frozen=True)
class View:
    name: str
    columns: tuple[str, ...]
    sql: str  # normalized


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    timing: str
    event: str
    sql: str  # normalized


@dataclass(frozen=True)
class Catalog:
    tables: Mapping[str, Table]
    indexes: Mapping[str, Index]
    views: Mapping[str, View]
    triggers: Mapping[str, Trigger]
    user_version: int


def read_catalog(conn: sqlite3.Connection) -> Catalog:
    """The normalized catalog of conn's main database."""
    info = inspect_schema(conn)
    indexes = {i.name: _index(i) for i in info.indexes if i.origin == "c"}
    return Catalog(
        tables={name: _table(t) for name, t in info.tables.items()},
        indexes=dict(sorted(indexes.items())),
        views={n: View(n, v.columns, sqltext.normalize(v.sql)) for n, v in info.views.items()},
        triggers={
            n: Trigger(n, t.table, t.timing or "BEFORE", t.event, sqltext.normalize(t.sql))
            for n, t in info.triggers.items()
        },
        user_version=int(conn.execute("PRAGMA user_version").fetchone()[0]),
    )


def catalog_of_script(script: str, *, source: str = "schema.sql") -> Catalog:
    """The catalog a schema script creates (loaded into a scratch in-memory database)."""
    conn = db.connect_memory()
    try:
        db.apply_schema(conn, script, source=source)
        return read_catalog(conn)
    finally:
        conn.close()


def _table(t: TableInfo) -> Table:
    text = sqltext.parse_create_table(t.sql)
    return Table(
        name=t.name,
        strict=t.strict,
        without_rowid=t.without_rowid,
        autoincrement=t.autoincrement,
        columns=tuple(
            Column(
                name=c.name,
                type=c.type.upper(),
                not_null=c.not_null,
                default=sqltext.normalize(c.default) if c.default is not None else None,
                pk=c.pk,
                generated=c.generated,
                expression=text.generated.get(c.name),
                collation=text.collations.get(c.name),
            )
            for c in t.columns
        ),
        checks=tuple(Check(c.name, c.column, c.expression) for c in text.checks),
        foreign_keys=tuple(
            ForeignKey(fk.columns, fk.parent, fk.parent_columns, fk.on_update, fk.on_delete) for fk in t.foreign_keys
        ),
        unique_keys=tuple(sorted(
            tuple(str(n) for n in i.column_names) for i in t.indexes if i.origin == "u"
        )),
    )


def _index(i: IndexInfo) -> Index:
    words = sqltext.tokens(i.sql or "")
    where = " ".join(words[words.index("where") + 1 :]) if "where" in words else None
    return Index(i.name, i.table, i.unique, _index_columns(i, words), where)


def _index_columns(i: IndexInfo, words: list[str]) -> tuple[str, ...]:
    if any(c.name is None for c in i.columns):  # an expression: its SQL says it best
        start = words.index("(")
        return (" ".join(words[start + 1 : _last_paren(words)]),)
    return tuple(
        str(c.name) + (" DESC" if c.desc else "") + ("" if c.collation == "BINARY" else f" COLLATE {c.collation}")
        for c in i.columns
    )


def _last_paren(words: list[str]) -> int:
    return max(at for at, w in enumerate(words) if w == ")")
