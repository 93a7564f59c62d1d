"""The 36 checks of the original delivery checklist, ported one to one with real assertions.

Numbers, groups and subjects are the checklist's; what each expects comes
from the contract. Where the original only asked "is it queryable", the port
asks for the right answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks import flows, structure, values, views
from harness.checks.behaviour import orphan_problems
from harness.checks.context import CheckContext
from harness.checks.registry import Broken, one, register
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
    if table not in ctx.contract.tables:
        raise Broken(f"{table}: the contract does not declare this checklist table")
    ctx.table(table)
    return ()


for _number, _table in enumerate(CHECKLIST_TABLES, start=1):
    register(
        f"check_{_number:02d}_table_{_table}_exists",
        title=f"Table '{_table}' exists",
        group="Schema Structure",
        number=_number,
        subjects=one(_table, table=_table),
        promise=f"The table {_table} exists.",
        fix=f"Create {_table} as the contract declares it.",
    )(_table_exists)


# ---------------------------------------------------- 8-22: receipts columns
def _receipt_column(ctx: CheckContext, column: str) -> Iterable[str]:
    declared = ctx.contract_table("receipts")
    try:
        contract_column = declared.column(column)
    except KeyError as e:
        raise Broken(f"receipts.{column}: the contract does not declare this checklist column") from e
    return structure.column_problems(ctx, "receipts", contract_column)


for _number, _column in enumerate(CHECKLIST_RECEIPT_COLUMNS, start=8):
    register(
        f"check_{_number:02d}_column_receipts_{_column}",
        title=f"Column receipts.{_column} as declared",
        group="Table Columns",
        number=_number,
        subjects=one(f"receipts.{_column}", column=_column),
        promise=f"receipts.{_column} exists with the contract's type, NOT NULL, default and key.",
        fix=f"Declare receipts.{_column} as the contract does.",
    )(_receipt_column)


# ------------------------------------------------------------- 23-24: indexes
@register(
    "check_23_receipts_indexes",
    title="Indexes of receipts as in the contract",
    group="Indexes",
    number=23,
    subjects=one("receipts"),
    promise="receipts has exactly the contract's indexes (UNIQUE autoindex included), each with its columns.",
    fix="Create the missing receipts indexes and drop the ones the contract does not declare.",
)
def receipts_indexes(ctx: CheckContext) -> Iterable[str]:
    table = ctx.table("receipts")
    found = [p for i in ctx.contract_table("receipts").indexes for p in structure.index_problems(ctx, i)]
    # Extra and duplicate indexes first: a report shows the first few problems only.
    return structure.extra_index_problems(ctx, [table]) + found


@register(
    "check_24_all_indexes",
    title="Every contract index present, no extra or duplicate index",
    group="Indexes",
    number=24,
    promise="Every index of the contract exists with the right columns, and no table has an index the contract "
    "does not declare or two indexes on the same key (UNIQUE autoindexes count).",
    fix="Create the missing indexes; drop extra ones and any index that repeats a UNIQUE constraint's.",
)
def all_indexes(ctx: CheckContext) -> Iterable[str]:
    found = [p for i in ctx.contract.indexes for p in structure.index_problems(ctx, i)]
    return found + structure.extra_index_problems(ctx, ctx.info.tables.values())


# --------------------------------------------------------- 25-26: constraints
@register(
    "check_25_unique_execution_id",
    title="UNIQUE constraint on execution_id",
    group="Constraints",
    number=25,
    subjects=one("receipts.execution_id"),
    promise="receipts.execution_id has a UNIQUE constraint and a second receipt with the same execution_id is "
    "refused, leaving the first unchanged.",
    fix="Declare `execution_id TEXT NOT NULL UNIQUE`.",
)
def unique_execution_id(ctx: CheckContext) -> Iterable[str]:
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


@register(
    "check_26_check_status",
    title="CHECK constraint on status",
    group="Constraints",
    number=26,
    subjects=one("receipts.status"),
    promise="receipts.status accepts each value of its enumeration and refuses any other.",
    fix="Make the CHECK on receipts.status list exactly the contract's values.",
)
def check_status(ctx: CheckContext) -> Iterable[str]:
    return values.enum_problems(ctx, "receipts", "status")


# ---------------------------------------------------------- 27-28: data types
@register(
    "check_27_integer_handling",
    title="INTEGER data type handling",
    group="Data Types",
    number=27,
    subjects=one("receipts"),
    promise="Every INTEGER count of receipts stores integers as integers and refuses text, reals, blobs and "
    "negative values.",
    fix="Declare the counts INTEGER in a STRICT table with CHECK (col >= 0).",
)
def integer_handling(ctx: CheckContext) -> Iterable[str]:
    counts = [c.name for c in ctx.contract_table("receipts").columns if c.type == "INTEGER" and c.kind == "count"]
    return [p for column in counts for p in values.count_problems(ctx, "receipts", column)]


@register(
    "check_28_text_handling",
    title="TEXT data type handling",
    group="Data Types",
    number=28,
    subjects=one("receipts"),
    promise="Free-text columns of receipts store any text exactly (quotes, Unicode, newlines), store a number "
    "as its text, and refuse blobs.",
    fix="Declare the columns TEXT in a STRICT table.",
)
def text_handling(ctx: CheckContext) -> Iterable[str]:
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
@register(
    "check_29_json_stored_and_validated",
    title="Store JSON in receipt_json",
    group="JSON Operations",
    number=29,
    subjects=one("receipts.receipt_json"),
    promise="receipt_json stores a JSON document exactly, and invalid JSON is refused.",
    fix="Add `CHECK (receipt_json IS NULL OR json_valid(receipt_json))`.",
)
def json_stored(ctx: CheckContext) -> Iterable[str]:
    probe = values.Prober(ctx, "receipts", "receipt_json")
    document = values.JSON_CANDIDATES[0]
    if probe.accepts(document) and probe.stored(document) != (document, "text"):
        probe.problems.append("receipts.receipt_json: does not store the document exactly")
    probe.refuses("{bad", "not valid JSON")
    probe.refuses("{'files': []}", "not valid JSON")
    return probe.problems


@register(
    "check_30_json_extract_array_element",
    title="Extract JSON array element",
    group="JSON Operations",
    number=30,
    subjects=one("receipts.receipt_json"),
    promise="json_extract(receipt_json, '$.files[0]') returns the first file, through the contract's "
    "receipt_by_execution_id query.",
    fix="Keep receipt_json a TEXT JSON column and the query as the contract documents it.",
)
def json_array_element(ctx: CheckContext) -> Iterable[str]:
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
@register(
    "check_31_fk_collision_detection_session_id",
    title="Foreign key on collision_detection.session_id",
    group="Foreign Keys",
    number=31,
    subjects=one("collision_detection.session_id"),
    promise="collision_detection.session_id references workflow_sessions(session_id) with the contract's "
    "ON DELETE and ON UPDATE actions.",
    fix="Declare the REFERENCES clause as the contract says.",
)
def fk_declared(ctx: CheckContext) -> Iterable[str]:
    fk = structure.contract_foreign_key(ctx, "collision_detection", "session_id")
    return structure.foreign_key_problems(ctx, "collision_detection", fk)


@register(
    "check_32_fk_refuses_orphan",
    title="Foreign key rejects invalid reference",
    group="Foreign Keys",
    number=32,
    subjects=one("collision_detection.session_id"),
    promise="A collision of an existing session is accepted; one of a missing session is refused (foreign "
    "keys are on in harness connections).",
    fix="Declare the foreign key and connect through harness.engine.db (foreign_keys = ON).",
)
def fk_orphan(ctx: CheckContext) -> Iterable[str]:
    fk = structure.contract_foreign_key(ctx, "collision_detection", "session_id")
    ctx.require_tables("collision_detection", fk.table)
    return orphan_problems(ctx, ctx.scratch(), "collision_detection", fk)


# -------------------------------------------------------------- 33-35: views
for _number, _view in enumerate(("recent_executions", "agent_performance_summary", "pipeline_stage_performance"),
                                start=33):
    register(
        f"check_{_number}_view_{_view}",
        title=f"View '{_view}' returns the right values",
        group="Views",
        number=_number,
        subjects=one(_view, view=_view),
        promise=f"On a known data set (mixed timestamp forms, ties, window edges), {_view} returns exactly the "
        "rows the contract describes, in its order, whichever order the rows were written in.",
        fix="Compare the view's SQL with its doc in harness/contract/contract.json; the message names the row and column.",
    )(views.view_values_check)


# ---------------------------------------------------------- 36: integration
@register(
    "check_36_complete_execution_flow",
    title="Complete execution flow (receipt + stage metrics + audit + SLO violation)",
    group="Integration Scenarios",
    number=36,
    promise="A run's receipt, stage metrics, audit rows and SLO violation are all reflected in the three views "
    "(audit rows of other agents and outside the window ignored) and in receipt_by_execution_id.",
    fix="Follow the view or query named in the message.",
)
def complete_flow(ctx: CheckContext) -> Iterable[str]:
    return flows.execution_flow_problems(ctx)
