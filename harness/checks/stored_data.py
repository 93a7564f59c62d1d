"""Stored-data checks: run on the target itself (read-only for --db), never on a scratch copy.

On a schema file the target is the freshly loaded, empty database; these
checks matter for --db, where rows written by older writers or with
constraints switched off may break the promises the schema now makes.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks.context import CheckContext
from harness.checks.registry import CheckGroup, over_derived_tables
from harness.checks.rollups import rollup_problems
from harness.engine.introspection import quote_identifier

STORED_DATA = CheckGroup("Stored data")

MAX_LISTED = 5


@STORED_DATA.check("data_integrity_check")
def integrity(ctx: CheckContext) -> Iterable[str]:
    """PRAGMA integrity_check is ok

    The database file is not corrupt: every b-tree, index entry and page is consistent.

    Fix: Restore the latest backup (ggen-db backup), or rebuild with `sqlite3 db .recover`.
    """
    rows = [r[0] for r in ctx.target.execute("PRAGMA integrity_check(10)")]
    if rows != ["ok"]:
        yield "integrity_check: " + "; ".join(rows)


@STORED_DATA.check("data_foreign_key_check")
def foreign_key_check(ctx: CheckContext) -> Iterable[str]:
    """no stored row references a missing parent

    PRAGMA foreign_key_check finds no orphan (rows written while foreign keys were off).

    Fix: Delete or re-attach the orphans listed, then make every writer connect with foreign keys on.
    """
    rows = ctx.target.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _ in rows[:MAX_LISTED]:
        yield f"{table}: row {rowid} references a missing {parent} row"
    if len(rows) > MAX_LISTED:
        yield f"and {len(rows) - MAX_LISTED} more orphans"


@STORED_DATA.check("data_json_valid")
def json_valid(ctx: CheckContext) -> Iterable[str]:
    """every stored JSON document is valid

    Every non-NULL value of a JSON column is valid JSON, so json_extract over the table cannot fail.

    Fix: Repair or NULL the rows listed (they were written without the json_valid CHECK).
    """
    for table in ctx.contract.base_tables:
        actual = ctx.info.table(table.name)
        for column in table.columns:
            if column.kind != "json" or actual is None or actual.column(column.name) is None:
                continue
            col = quote_identifier(column.name)
            sql = f"SELECT count(*), min(rowid) FROM {quote_identifier(table.name)} WHERE {col} IS NOT NULL AND NOT json_valid({col})"  # noqa: S608
            count, first = ctx.target.execute(sql).fetchone()
            if count:
                yield f"{table.name}.{column.name}: {count} stored values are not valid JSON (first rowid {first})"


@STORED_DATA.check("data_rollup_{table}", subjects=over_derived_tables)
def stored_rollup(ctx: CheckContext, table: str) -> Iterable[str]:
    """stored rollup {table} equals its recomputation

    The rollup rows stored in the database equal a recomputation from the base table.

    Fix: Rebuild the rollup from its base table (DELETE it, then INSERT ... SELECT the recomputation) and find
    the writer that bypassed the triggers.
    """
    ctx.require_tables(table)
    return rollup_problems(ctx.target, ctx.contract, only=table)
