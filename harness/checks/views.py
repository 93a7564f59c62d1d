"""View checks: the right values on a known data set, the row limit, the audit window, no full scans."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from harness.checks import known_rows
from harness.checks.context import CheckContext
from harness.checks.plans import describe, full_scans
from harness.checks.registry import Broken, CheckGroup, over_bounded_views, over_views
from harness.checks.scratch_rows import insert_with_parents, sample_row
from harness.checks.table_sql import compact
from harness.contract.model import utc_text
from harness.engine.introspection import quote_identifier

RULES_AS_STORED = CheckGroup("Rules as stored")
VIEW_BEHAVIOUR = CheckGroup("View behaviour")

MAX_ROW_DIFFS = 3


def read_back(conn: sqlite3.Connection) -> known_rows.Dataset:
    """The data set as it now stands in the database (after updates and deletes)."""

    def rows(sql: str) -> tuple[dict[str, Any], ...]:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return tuple(dict(zip(names, r, strict=True)) for r in cursor.fetchall())

    return known_rows.Dataset(
        receipts=rows("SELECT id, execution_id, agent_id, operation, status, timestamp, files_generated, "
                      "files_modified, duration_ms FROM receipts"),
        audit=rows("SELECT id, agent_id, timestamp FROM audit_log"),
        stages=rows("SELECT id, execution_id, stage, duration_ms, status FROM pipeline_metrics"),
        violations=rows("SELECT id, execution_id FROM slo_violations"),
    )


def view_rows(conn: sqlite3.Connection, ctx: CheckContext, view: str) -> list[tuple[Any, ...]]:
    """The contract's columns of the view, in the view's own order."""
    columns = ", ".join(quote_identifier(c) for c in ctx.contract.views[view].columns)
    return [tuple(r) for r in conn.execute(f"SELECT {columns} FROM {quote_identifier(view)}")]  # noqa: S608


def view_value_problems(ctx: CheckContext, conn: sqlite3.Connection, view: str, data: known_rows.Dataset) -> list[str]:
    """Differences between the view and its oracle, naming the row and the column."""
    if view not in ctx.info.views:
        raise Broken(f"{view}: view is missing")
    oracle = known_rows.ORACLES.get(view)
    if oracle is None:
        raise Broken(f"{view}: no oracle for this view in harness/checks/known_rows.py ORACLES")
    expected = oracle(data, ctx.contract.views[view])
    actual = view_rows(conn, ctx, view)
    columns = ctx.contract.views[view].columns
    found = []
    if len(actual) != len(expected):
        found.append(f"{view}: returns {len(actual)} rows, expected {len(expected)}")
    for number, (got, want) in enumerate(zip(actual, expected, strict=False), start=1):  # counts compared above
        if got != want:
            diffs = ", ".join(f"{c} is {g!r}, expected {w!r}" for c, g, w in zip(columns, got, want, strict=True) if g != w)
            found.append(f"{view}: row {number} ({want[0]}): {diffs}")
        if len(found) > MAX_ROW_DIFFS:
            break
    return found


def all_view_problems(ctx: CheckContext, conn: sqlite3.Connection, data: known_rows.Dataset) -> list[str]:
    return [p for view in ctx.contract.views for p in view_value_problems(ctx, conn, view, data)]


@VIEW_BEHAVIOUR.check("view_{view}_no_full_scan", subjects=over_views)
def view_no_full_scan(ctx: CheckContext, view: str) -> Iterable[str]:
    """view {view} does not scan a whole base table

    Reading the view walks no base table from end to end (rollups and index seeks only), so its cost does not
    grow with the tables; a bounded view (max_rows) may walk an index from its newest end.

    Fix: Read counts and extremes from the rollups (anything else per row through an index seek); drive a
    LIMIT with an index on the ORDER BY column.
    """
    if view not in ctx.info.views:
        raise Broken(f"{view}: view is missing")
    derived = {t.name for t in ctx.contract.tables.values() if t.derived}
    bounded = ctx.contract.views[view].max_rows is not None
    for scan in full_scans(ctx.target, f"SELECT * FROM {quote_identifier(view)}"):  # noqa: S608
        if scan.table in derived or (scan.is_index and bounded):
            continue
        yield f"{view}: {describe(scan)}"


@VIEW_BEHAVIOUR.check("view_{view}_limit", subjects=over_bounded_views)
def view_limit(ctx: CheckContext, view: str) -> Iterable[str]:
    """view {view} returns at most its max_rows, the newest

    With more rows than max_rows, the view returns exactly max_rows rows: the newest ones.

    Fix: End the view with ORDER BY <time>_utc DESC, id DESC LIMIT <max_rows>.
    """
    if view != "recent_executions":
        raise Broken(f"{view}: no row-limit probe for this view in harness/checks/views.py")
    ctx.require_tables("receipts")
    limit = ctx.contract.views[view].max_rows or 0
    db = ctx.scratch()
    receipts = ctx.contract_table("receipts")
    written = []
    for n in range(1, limit + 6):
        # Minutes apart; every other row with an offset, so text order is not time order.
        minute = f"{n // 60:02d}:{n % 60:02d}"
        timestamp = f"2026-01-29T{minute}:00Z" if n % 2 else f"2026-01-29T{(n // 60) + 1:02d}:{n % 60:02d}:00+01:00"
        row = sample_row(receipts, n, execution_id=f"exec-{n:04d}", timestamp=timestamp)
        written.append((utc_text(timestamp), n, row["execution_id"]))
        insert_with_parents(db, ctx.contract, receipts, row)
    expected = [e for _, _, e in sorted(written, reverse=True)][:limit]
    actual = [r[0] for r in db.execute(f"SELECT execution_id FROM {quote_identifier(view)}")]  # noqa: S608
    if len(actual) != limit:
        yield f"{view}: returns {len(actual)} of {len(written)} rows, the contract's max_rows is {limit}"
    elif actual != expected:
        yield f"{view}: does not return the {limit} newest executions, newest first (first row {actual[0]!r}, " \
              f"expected {expected[0]!r})"


@VIEW_BEHAVIOUR.check("view_recent_executions_audit_window")
def audit_window(ctx: CheckContext) -> Iterable[str]:
    """recent_executions.audit_entries counts the agent's audit rows in the execution's window

    audit_entries counts the audit rows of the same agent whose time lies in [timestamp, timestamp +
    duration_ms], edges included, whatever the timestamp forms; other agents' rows are ignored.

    Fix: Correlate on a.agent_id = r.agent_id and compare timestamp_utc with the receipt's timestamp_utc and
    finished_utc (both UTC, millisecond precision).
    """
    view = "recent_executions"
    if view not in ctx.contract.views or "audit_entries" not in ctx.contract.views[view].columns:
        raise Broken(f"{view}.audit_entries: not declared in the contract")
    if view not in ctx.info.views:
        raise Broken(f"{view}: view is missing")
    ctx.require_tables(*known_rows.TABLES)
    db = ctx.scratch()
    data = known_rows.load(db, ctx.contract)
    expected = {r[0]: r[8] for r in known_rows.recent_executions(data, ctx.contract.views[view].max_rows or 100)}
    sql = f"SELECT execution_id, audit_entries FROM {quote_identifier(view)}"  # noqa: S608
    for execution_id, count in db.execute(sql):
        if execution_id in expected and count != expected[execution_id]:
            yield f"{view}.audit_entries: {execution_id} counts {count}, expected {expected[execution_id]} " \
                  "(the same agent's audit rows within [timestamp, timestamp + duration_ms])"


@RULES_AS_STORED.check("view_{view}_sql", subjects=over_views)
def view_sql(ctx: CheckContext, view: str) -> Iterable[str]:
    """view {view} reads as the contract declares (LIMIT, ORDER BY, tables)

    The view's SQL as stored (parsed by sqlglot) has an outer LIMIT equal to the contract's max_rows (none
    when the contract sets none), an ORDER BY (every view promises an order), and reads only tables the
    contract declares. A failure quotes what was read.

    Fix: Write the view as schema.sql does: ORDER BY as documented, LIMIT max_rows, contract tables only.
    """
    actual = ctx.info.views.get(view)
    if actual is None:
        raise Broken(f"{view}: view is missing")
    try:
        select = sqlglot.parse_one(actual.sql, read="sqlite").expression
    except SqlglotError as e:
        raise Broken(f"{view}: its SQL cannot be parsed ({e})") from e
    if not isinstance(select, exp.Select):
        raise Broken(f"{view}: reads `{compact(actual.sql)}`, not a single SELECT")
    limit = select.args.get("limit")
    read_limit = limit.sql(dialect="sqlite") if limit is not None else "no LIMIT"
    max_rows = ctx.contract.views[view].max_rows
    if max_rows is None and limit is not None:
        yield f"{view}: reads `{read_limit}`; the contract sets no max_rows"
    elif max_rows is not None and (limit is None or limit.expression.sql() != str(max_rows)):
        yield f"{view}: reads `{read_limit}`, the contract's max_rows is {max_rows}"
    if select.args.get("order") is None:
        yield f"{view}: reads no ORDER BY (`{compact(actual.sql)}`); the contract documents its order"
    unknown = sorted({t.name for t in select.find_all(exp.Table)} - set(ctx.contract.tables))
    if unknown:
        yield f"{view}: reads {', '.join(unknown)}, which the contract does not declare"
