"""Structural checks: tables, columns, storage, indexes and view columns as the contract declares.

These read only the target's catalogue (harness.engine.introspection), never rows.
The problem helpers are shared with the numbered checklist checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup, over_indexes, over_tables, over_views
from harness.contract.model import Column, ForeignKey, Index
from harness.engine.introspection import IndexInfo, TableInfo

INDEX_USE = CheckGroup("Index use")
TABLES = CheckGroup("Tables")
VIEW_BEHAVIOUR = CheckGroup("View behaviour")

# SQLite's own tables, present in any database that uses AUTOINCREMENT or ANALYZE.
INTERNAL_PREFIX = "sqlite_"


def _columns_text(columns: Iterable[str | None]) -> str:
    return "(" + ", ".join(c if c is not None else "<expression>" for c in columns) + ")"


def _norm_default(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text.strip("'").upper()


# ------------------------------------------------------------------ columns
def column_problems(ctx: CheckContext, table_name: str, column: Column) -> list[str]:
    """How the target's column differs from the contract's (type, NOT NULL, default, key, generated)."""
    table = ctx.table(table_name)
    actual = table.column(column.name)
    where = f"{table_name}.{column.name}"
    if actual is None:
        return [f"{where}: column is missing"]
    found = []
    if actual.type.upper() != column.type:
        found.append(f"{where}: type is {actual.type or 'none'}, the contract says {column.type}")
    # A WITHOUT ROWID primary key is NOT NULL whatever the declaration says.
    not_null = column.not_null or (column.primary_key and table.without_rowid)
    if actual.not_null != not_null:
        found.append(f"{where}: NOT NULL is {'set' if actual.not_null else 'missing'}, the contract says "
                     f"{'NOT NULL' if not_null else 'nullable'}")
    if _norm_default(actual.default) != _norm_default(column.default):
        found.append(f"{where}: default is {actual.default or 'none'}, the contract says {column.default or 'none'}")
    if bool(actual.pk) != column.primary_key:
        found.append(f"{where}: primary key is {'set' if actual.pk else 'missing'}, the contract says "
                     f"{'primary key' if column.primary_key else 'not a key'}")
    if column.autoincrement and not table.autoincrement:
        found.append(f"{where}: AUTOINCREMENT is missing (ids of deleted rows would be reused)")
    if actual.generated != column.generated:
        found.append(f"{where}: generated is {actual.generated or 'no'}, the contract says {column.generated or 'no'}")
    return found


@TABLES.check("table_{table}_columns", subjects=over_tables)
def table_columns(ctx: CheckContext, table: str) -> Iterable[str]:
    """{table} has exactly the contract's columns

    Every column of the table exists with the contract's type, NOT NULL, default, primary key, AUTOINCREMENT
    and generated kind, and the table has no column the contract does not list.

    Fix: Make the CREATE TABLE match the table's `columns` in harness/contract/contract.json, or, for a
    deliberate change, edit the contract in the same commit.
    """
    declared = ctx.contract_table(table)
    for column in declared.columns:
        yield from column_problems(ctx, table, column)
    names = {c.name for c in declared.columns}
    for actual in ctx.table(table).columns:
        if actual.name not in names:
            yield f"{table}.{actual.name}: column is not in the contract"


@TABLES.check("table_{table}_storage", subjects=over_tables)
def table_storage(ctx: CheckContext, table: str) -> Iterable[str]:
    """{table} is STRICT (and WITHOUT ROWID as declared)

    The table is STRICT, so a value of the wrong type is refused rather than stored (the contract's type
    rule), and it is WITHOUT ROWID exactly when the contract says so.

    Fix: End the CREATE TABLE with `) STRICT;` (and `, WITHOUT ROWID` for the rollups the contract marks).
    """
    actual = ctx.table(table)
    if not actual.strict:
        yield f"{table}: table is not STRICT (a text duration or a blob id would be stored)"
    declared = ctx.contract_table(table).without_rowid
    if actual.without_rowid != declared:
        yield f"{table}: WITHOUT ROWID is {'set' if actual.without_rowid else 'missing'}, the contract says " \
              f"{'WITHOUT ROWID' if declared else 'a rowid table'}"


@TABLES.check("tables_declared")
def tables_declared(ctx: CheckContext) -> Iterable[str]:
    """no table or view outside the contract

    Every table and view in the schema is declared in the contract (SQLite's own sqlite_* tables aside).

    Fix: Declare the new table or view in harness/contract/contract.json, or remove it from the schema.
    """
    for name in ctx.info.tables:
        if name not in ctx.contract.tables and not name.startswith(INTERNAL_PREFIX):
            yield f"{name}: table is not in the contract"
    for name in ctx.info.views:
        if name not in ctx.contract.views:
            yield f"{name}: view is not in the contract"


# ------------------------------------------------------------------ indexes
def index_problems(ctx: CheckContext, index: Index) -> list[str]:
    """How the target's index differs from the contract's (missing, columns, unique, partial, DESC)."""
    actual = ctx.info.index(index.name)
    wanted = f"{index.name} on {index.table} {_columns_text(index.columns)}"
    if actual is None:
        return [f"{wanted}: index is missing"]
    found = []
    if actual.table != index.table:
        found.append(f"{index.name}: is on {actual.table}, the contract says {index.table}")
    if actual.column_names != index.columns:
        found.append(f"{index.name}: columns are {_columns_text(actual.column_names)}, "
                     f"the contract says {_columns_text(index.columns)}")
    if actual.unique != index.unique:
        found.append(f"{index.name}: UNIQUE is {'set' if actual.unique else 'missing'}, the contract says "
                     f"{'unique' if index.unique else 'not unique'}")
    if actual.partial:
        found.append(f"{index.name}: is partial (has a WHERE clause); the contract declares a full index")
    for column in actual.columns:
        if column.desc:
            found.append(f"{index.name}: {column.name} is DESC; the contract declares ascending keys")
    return found


def extra_index_problems(ctx: CheckContext, tables: Iterable[TableInfo]) -> list[str]:
    """Indexes the contract does not declare, and indexes that duplicate another one."""
    declared = {i.name for i in ctx.contract.indexes}
    found = []
    for table in tables:
        # The primary key's own index is declared by the contract's primary_key columns.
        indexes = [i for i in table.indexes if i.origin != "pk"]
        for index in indexes:
            if index.name not in declared:
                found.append(f"{index.name}: index on {table.name} {_columns_text(index.column_names)} "
                             "is not in the contract")
        found.extend(_duplicates(table.name, indexes))
    return found


def _duplicates(table: str, indexes: list[IndexInfo]) -> list[str]:
    seen: dict[tuple[tuple[str | None, bool], ...], str] = {}
    found = []
    for index in sorted(indexes, key=lambda i: (i.origin == "c", i.name)):  # autoindexes first
        key = tuple((c.name, c.desc) for c in index.columns)
        if key in seen:
            found.append(f"{index.name}: duplicates {seen[key]} on {table} {_columns_text(index.column_names)}")
        else:
            seen[key] = index.name
    return found


@INDEX_USE.check("index_{index}", subjects=over_indexes)
def index_declared(ctx: CheckContext, index: str) -> Iterable[str]:
    """index {index} as declared

    The index exists on the contract's table with exactly the contract's key columns, in order, ascending,
    UNIQUE as declared, and is not partial.

    Fix: Create or correct the index in schema.sql (CREATE INDEX IF NOT EXISTS ...), or change the contract.
    """
    declared = ctx.contract.index(index)
    unknown = [q for q in declared.serves if q not in ctx.contract.queries]
    if unknown:
        yield f"{index}: the contract says it serves {', '.join(unknown)}, which the contract does not declare"
    yield from index_problems(ctx, declared)


# ------------------------------------------------------------ foreign keys
def foreign_key_problems(ctx: CheckContext, table: str, fk: ForeignKey) -> list[str]:
    """The target declares the contract's foreign key, with its ON DELETE and ON UPDATE actions."""
    where = f"{table}.{fk.column}"
    candidates = [f for f in ctx.table(table).foreign_keys if f.columns == (fk.column,)]
    if not candidates:
        return [f"{where}: foreign key to {fk.table}({fk.references}) is missing"]
    actual = candidates[0]
    found = []
    parent_columns = tuple(c or "<primary key>" for c in actual.parent_columns)
    if actual.parent != fk.table or parent_columns != (fk.references,):
        found.append(f"{where}: references {actual.parent}{_columns_text(parent_columns)}, "
                     f"the contract says {fk.table}({fk.references})")
    if actual.on_delete.upper() != fk.on_delete:
        found.append(f"{where}: ON DELETE is {actual.on_delete}, the contract says {fk.on_delete}")
    if actual.on_update.upper() != fk.on_update:
        found.append(f"{where}: ON UPDATE is {actual.on_update}, the contract says {fk.on_update}")
    return found


def contract_foreign_key(ctx: CheckContext, table: str, column: str) -> ForeignKey:
    for fk in ctx.contract_table(table).foreign_keys:
        if fk.column == column:
            return fk
    raise Broken(f"{table}.{column}: the contract declares no foreign key on this column")


# ------------------------------------------------------------------- views
@VIEW_BEHAVIOUR.check("view_{view}_columns", subjects=over_views)
def view_columns(ctx: CheckContext, view: str) -> Iterable[str]:
    """view {view} has exactly the contract's columns

    The view exists, can be read, and returns exactly the contract's columns in the contract's order.

    Fix: Make the view's SELECT list match the view's `columns` in harness/contract/contract.json.
    """
    actual = ctx.info.views.get(view)
    if actual is None:
        raise Broken(f"{view}: view is missing")
    if actual.problem:
        raise Broken(f"{view}: view cannot be read ({actual.problem})")
    declared = ctx.contract.views[view].columns
    if actual.columns != declared:
        missing = [c for c in declared if c not in actual.columns]
        extra = [c for c in actual.columns if c not in declared]
        detail = "; ".join(filter(None, (
            f"missing {', '.join(missing)}" if missing else "",
            f"not in the contract: {', '.join(extra)}" if extra else "",
            "order differs" if not missing and not extra else "",
        )))
        yield f"{view}: columns are {_columns_text(actual.columns)} ({detail})"
