"""The 36 checks of the original delivery checklist, ported one to one with real assertions.

Numbers, groups and subjects are the checklist's; what each expects comes
from the contract. Where the original only asked "is it queryable", the port
asks for the right answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks import flows, known_rows, structure, values, views
from harness.checks.behaviour import orphan_problems
from harness.checks.context import CheckContext
from harness.checks.registry import Broken, checklist
from harness.checks.scratch_rows import (
    insert,
    insert_with_parents,
    probe_insert,
    sample_row,
    show,
    stored,
    undone,
)

CHECKLIST_TABLES = ("receipts", "agent_memory", "audit_log", "workflow_sessions", "collision_detection",
                    "pipeline_metrics", "slo_violations")
CHECKLIST_RECEIPT_COLUMNS = ("id", "execution_id", "agent_id", "operation", "status", "timestamp", "created_at",
                             "manifest_hash", "ontology_hash", "files_generated", "files_modified", "duration_ms",
                             "receipt_json", "error_message", "environment")
TEXT_SAMPLE = "o'brien — ünïcödé\nline two; DROP TABLE receipts; --"


# ------------------------------------------------------ 1-7: tables exist
def _table_exists(ctx: CheckContext, table: str) -> Iterable[str]:
    """Table '{table}' exists

    The table {table} exists.

    Fix: Create {table} as the contract declares it.
    """
    if table not in ctx.contract.tables:
        raise Broken(f"{table}: the contract does not declare this checklist table")
    ctx.table(table)
    return ()


for _number, _table in enumerate(CHECKLIST_TABLES, start=1):
    checklist(_number, f"table_{_table}_exists", _table, table=_table)(_table_exists)


# ---------------------------------------------------- 8-22: receipts columns
def _receipt_column(ctx: CheckContext, column: str) -> Iterable[str]:
    """Column receipts.{column} as declared

    receipts.{column} exists with the contract's type, NOT NULL, default and key.

    Fix: Declare receipts.{column} as the contract does.
    """
    declared = ctx.contract_table("receipts")
    try:
        contract_column = declared.column(column)
    except KeyError as e:
        raise Broken(f"receipts.{column}: the contract does not declare this checklist column") from e
    return structure.column_problems(ctx, "receipts", contract_column)


for _number, _column in enumerate(CHECKLIST_RECEIPT_COLUMNS, start=8):
    checklist(_number, f"column_receipts_{_column}", f"receipts.{_column}", column=_column)(_receipt_column)


# ------------------------------------------------------------- 23-24: indexes
@checklist(23, "receipts_indexes", "receipts")
def receipts_indexes(ctx: CheckContext) -> Iterable[str]:
    """Indexes of receipts as in the contract

    receipts has exactly the contract's indexes (UNIQUE autoindex included), each with its columns.

    Fix: Create the missing receipts indexes and drop the ones the contract does not declare.
    """
    table = ctx.table("receipts")
    found = [p for i in ctx.contract_table("receipts").indexes for p in structure.index_problems(ctx, i)]
    # Extra and duplicate indexes first: a report shows the first few problems only.
    return structure.extra_index_problems(ctx, [table]) + found


@checklist(24, "all_indexes")
def all_indexes(ctx: CheckContext) -> Iterable[str]:
    """Every contract index present, no extra or duplicate index

    Every index of the contract exists with the right columns, and no table has an index the contract does not
    declare or two indexes on the same key (UNIQUE autoindexes count).

    Fix: Create the missing indexes; drop extra ones and any index that repeats a UNIQUE constraint's.
    """
    found = [p for i in ctx.contract.indexes for p in structure.index_problems(ctx, i)]
    return found + structure.extra_index_problems(ctx, ctx.info.tables.values())


# --------------------------------------------------------- 25-26: constraints
@checklist(25, "unique_execution_id", "receipts.execution_id")
def unique_execution_id(ctx: CheckContext) -> Iterable[str]:
    """UNIQUE constraint on execution_id

    receipts.execution_id has a UNIQUE constraint and a second receipt with the same execution_id is refused,
    leaving the first unchanged.

    Fix: Declare `execution_id TEXT NOT NULL UNIQUE`.
    """
    if ("execution_id",) not in ctx.contract_table("receipts").unique:
        raise Broken("receipts.execution_id: the contract does not declare it unique")
    table = ctx.table("receipts")
    if not any(i.unique and i.column_names == ("execution_id",) for i in table.indexes):
        # Without it the foreign keys that reference execution_id cannot even be checked.
        return ["receipts.execution_id: no UNIQUE constraint or unique index"]
    found = []
    db = ctx.scratch()
    receipts = ctx.contract_table("receipts")
    insert(db, "receipts", sample_row(receipts, 1, execution_id="exec-unique", agent_id="first"))
    if probe_insert(db, ctx.contract, receipts, sample_row(receipts, 2, execution_id="exec-unique")) is None:
        found.append("receipts.execution_id: a second receipt with the same execution_id is accepted")
    agents = [r[0] for r in db.execute("SELECT agent_id FROM receipts WHERE execution_id = 'exec-unique'")]
    if agents != ["first"]:
        found.append(f"receipts.execution_id: the first receipt changed (agent_id now {agents})")
    return found


@checklist(26, "check_status", "receipts.status")
def check_status(ctx: CheckContext) -> Iterable[str]:
    """CHECK constraint on status

    receipts.status accepts each value of its enumeration and refuses any other.

    Fix: Make the CHECK on receipts.status list exactly the contract's values.
    """
    return values.enum_problems(ctx, "receipts", "status")


# ---------------------------------------------------------- 27-28: data types
@checklist(27, "integer_handling", "receipts")
def integer_handling(ctx: CheckContext) -> Iterable[str]:
    """INTEGER data type handling

    Every INTEGER count of receipts stores integers as integers and refuses text, reals, blobs and negative
    values.

    Fix: Declare the counts INTEGER in a STRICT table with CHECK (col >= 0).
    """
    counts = [c.name for c in ctx.contract_table("receipts").columns if c.type == "INTEGER" and c.kind == "count"]
    return [p for column in counts for p in values.count_problems(ctx, "receipts", column)]


@checklist(28, "text_handling", "receipts")
def text_handling(ctx: CheckContext) -> Iterable[str]:
    """TEXT data type handling

    Free-text columns of receipts store any text exactly (quotes, Unicode, newlines), store a number as its
    text, and refuse blobs.

    Fix: Declare the columns TEXT in a STRICT table.
    """
    receipts = ctx.contract_table("receipts")
    found = []
    for column in (c for c in receipts.columns if c.kind == "text"):
        probe = values.Prober(ctx, "receipts", column.name)
        for value, wanted in ((TEXT_SAMPLE, TEXT_SAMPLE), (42, "42")):
            if probe.accepts(value):
                got = probe.stored(value)
                if got != (wanted, "text"):
                    probe.problems.append(f"receipts.{column.name}: stores {show(value)} as {show(got[0])} ({got[1]})")
        probe.refuses(b"\x00\x01", "a blob in a TEXT column")
        found.extend(probe.problems)
    return found


# ---------------------------------------------------------- 29-30: JSON
@checklist(29, "json_stored_and_validated", "receipts.receipt_json")
def json_stored(ctx: CheckContext) -> Iterable[str]:
    """Store JSON in receipt_json

    receipt_json stores a JSON document exactly, and invalid JSON is refused.

    Fix: Add `CHECK (receipt_json IS NULL OR json_valid(receipt_json))`.
    """
    probe = values.Prober(ctx, "receipts", "receipt_json")
    document = values.JSON_CANDIDATES[0]
    if probe.accepts(document) and probe.stored(document) != (document, "text"):
        probe.problems.append("receipts.receipt_json: does not store the document exactly")
    probe.refuses("{bad", "not valid JSON")
    probe.refuses("{'files': []}", "not valid JSON")
    return probe.problems


@checklist(30, "json_extract_array_element", "receipts.receipt_json")
def json_array_element(ctx: CheckContext) -> Iterable[str]:
    """Extract JSON array element

    json_extract(receipt_json, '$.files[0]') returns the first file, through the contract's
    receipt_by_execution_id query.

    Fix: Keep receipt_json a TEXT JSON column and the query as the contract documents it.
    """
    ctx.table("receipts")
    db = ctx.scratch()
    receipts = ctx.contract_table("receipts")
    with undone(db):
        row = sample_row(receipts, execution_id="exec-json", receipt_json='{"files": ["first.rs", "second.rs"]}')
        rowid = insert_with_parents(db, ctx.contract, receipts, row)
        found = flows.run_query(db, ctx, "receipt_by_execution_id", execution_id="exec-json")
        first = found[0][-1] if found else None
        stored_json = stored(db, "receipts", "receipt_json", rowid)[0]
    if first != "first.rs":
        return [f"receipts.receipt_json: json_extract '$.files[0]' gives {show(first)} for {stored_json!r}, "
                "expected 'first.rs'"]
    return []


# ------------------------------------------------------ 31-32: foreign keys
@checklist(31, "fk_collision_detection_session_id", "collision_detection.session_id")
def fk_declared(ctx: CheckContext) -> Iterable[str]:
    """Foreign key on collision_detection.session_id

    collision_detection.session_id references workflow_sessions(session_id) with the contract's ON DELETE and
    ON UPDATE actions.

    Fix: Declare the REFERENCES clause as the contract says.
    """
    fk = structure.contract_foreign_key(ctx, "collision_detection", "session_id")
    return structure.foreign_key_problems(ctx, "collision_detection", fk)


@checklist(32, "fk_refuses_orphan", "collision_detection.session_id")
def fk_orphan(ctx: CheckContext) -> Iterable[str]:
    """Foreign key rejects invalid reference

    A collision of an existing session is accepted; one of a missing session is refused (foreign keys are on
    in harness connections).

    Fix: Declare the foreign key and connect through harness.engine.db (foreign_keys = ON).
    """
    fk = structure.contract_foreign_key(ctx, "collision_detection", "session_id")
    ctx.require_tables("collision_detection", fk.table)
    return orphan_problems(ctx, ctx.scratch(), "collision_detection", fk)


# -------------------------------------------------------------- 33-35: views
def _view_values(ctx: CheckContext, view: str) -> Iterable[str]:
    """View '{view}' returns the right values

    On a known data set (mixed timestamp forms, ties, window edges), {view} returns exactly the rows the
    contract describes, in its order, whichever order the rows were written in.

    Fix: Compare the view's SQL with its doc in harness/contract/contract.json; the message names the row and
    column.
    """
    ctx.require_tables(*known_rows.TABLES)
    found: list[str] = []
    for reverse in (False, True):
        db = ctx.scratch()
        data = known_rows.load(db, ctx.contract, reverse=reverse)
        for problem in views.view_value_problems(ctx, db, view, data):
            if problem not in found:
                found.append(problem + (" (rows written in reverse order)" if reverse else ""))
        if found:
            break
    return found


for _number, _view in enumerate(("recent_executions", "agent_performance_summary", "pipeline_stage_performance"),
                                start=33):
    checklist(_number, f"view_{_view}", _view, view=_view)(_view_values)


# ---------------------------------------------------------- 36: integration
@checklist(36, "complete_execution_flow")
def complete_flow(ctx: CheckContext) -> Iterable[str]:
    """Complete execution flow (receipt + stage metrics + audit + SLO violation)

    A run's receipt, stage metrics, audit rows and SLO violation are all reflected in the three views (audit
    rows of other agents and outside the window ignored) and in receipt_by_execution_id.

    Fix: Follow the view or query named in the message.
    """
    return flows.execution_flow_problems(ctx)
