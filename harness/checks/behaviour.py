"""Behaviour checks: the contract's table rules and foreign keys, exercised in scratch databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from harness.checks.context import CheckContext
from harness.checks.registry import Broken, CheckGroup, over_foreign_keys, over_rules
from harness.checks.rollups import rollup_problems
from harness.checks.scratch_rows import (
    insert,
    insert_with_parents,
    probe_insert,
    probe_sql,
    sample_row,
    sample_value,
    show,
    undone,
)
from harness.checks.structure import foreign_key_problems
from harness.contract.model import ForeignKey, Rule, Table
from harness.engine.introspection import quote_identifier

FOREIGN_KEY_BEHAVIOUR = CheckGroup("Foreign key behaviour")
TABLE_RULES = CheckGroup("Table rules")

# Two forms of instants for the not_before rule: text order and time order disagree.
LATER_TEXT_EARLIER_TIME = ("2026-01-29T12:00:00+02:00", "2026-01-29 11:00:00")  # 10:00Z vs 11:00Z
SAME_INSTANT = ("2026-01-29T12:00:00+02:00", "2026-01-29 10:00:00")


def _rule(ctx: CheckContext, table: str, name: str) -> Rule:
    return next(r for r in ctx.contract_table(table).rules if r.name == name)


@TABLE_RULES.check("rule_{rule}", subjects=over_rules)
def rule_check(ctx: CheckContext, table: str, rule: str) -> Iterable[str]:
    """{table}: rule {rule}

    The table rule holds: insert_once refuses a second insert of the key (plain, INSERT OR REPLACE, upsert)
    and keeps the first row and its children; append_only refuses UPDATE and allows DELETE; distinct refuses
    equal columns; not_before refuses a later column before the earlier one, compared in UTC.

    Fix: Restore the trigger or CHECK constraint named by the rule in schema.sql.
    """
    ctx.table(table)
    declared = _rule(ctx, table, rule)
    checker = RULE_CHECKERS.get(declared.kind)
    if checker is None:
        raise Broken(f"{table}: rule {rule} has kind {declared.kind!r}, which no check knows")
    return checker(ctx, ctx.scratch(), ctx.contract_table(table), declared)


def _insert_once(ctx: CheckContext, db: sqlite3.Connection, table: Table, rule: Rule) -> list[str]:
    column = rule.column or ""
    first = sample_row(table, 1)
    rowid = insert_with_parents(db, ctx.contract, table, first)
    children = _insert_children(ctx, db, table, first)
    again = sample_row(table, 2, **{column: first[column]})
    where = f"{table.name}.{column}"
    found = []
    if probe_insert(db, ctx.contract, table, again) is None:
        found.append(f"{where}: a second insert of {show(first[column])} is accepted ({rule.name})")
    names = ", ".join(quote_identifier(c) for c in again)
    marks = ", ".join("?" for _ in again)
    target = quote_identifier(table.name)
    attempts = {
        "INSERT OR REPLACE": f"INSERT OR REPLACE INTO {target} ({names}) VALUES ({marks})",  # noqa: S608
        "upsert": f"INSERT INTO {target} ({names}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT DO UPDATE SET {quote_identifier(column)} = excluded.{quote_identifier(column)}",
    }
    for label, sql in attempts.items():
        with undone(db):
            try:
                db.execute(sql, tuple(again.values()))
            except sqlite3.IntegrityError:
                continue
            found.append(f"{where}: {label} of {show(first[column])} is accepted ({rule.name})"
                         + _lost(db, table, rowid, first, children))
    return found


def _insert_children(ctx: CheckContext, db: sqlite3.Connection, table: Table, row: dict[str, Any]) -> dict[str, int]:
    """One row in every table whose foreign key references this table; {table: count}."""
    children = {}
    for child_name, fk in ctx.contract.foreign_keys:
        if fk.table == table.name and ctx.info.table(child_name) is not None:
            child = ctx.contract_table(child_name)
            insert_with_parents(db, ctx.contract, child, sample_row(child, **{fk.column: row[fk.references]}))
            children[child_name] = 1
    return children


def _lost(db: sqlite3.Connection, table: Table, rowid: int, first: dict[str, Any], children: dict[str, int]) -> str:
    sql = f"SELECT count(*) FROM {quote_identifier(table.name)} WHERE rowid = ?"  # noqa: S608
    kept = db.execute(sql, (rowid,)).fetchone()[0]
    return "" if kept else " and the first row was replaced" + (
        f" (its rows in {', '.join(children)} may be cascaded away)" if children else "")


def _append_only(ctx: CheckContext, db: sqlite3.Connection, table: Table, rule: Rule) -> list[str]:
    rowid = insert_with_parents(db, ctx.contract, table, sample_row(table))
    column = table.writable_columns[0]
    name = quote_identifier(table.name)
    found = []
    update = f"UPDATE {name} SET {quote_identifier(column.name)} = ? WHERE rowid = ?"  # noqa: S608
    if probe_sql(db, update, (sample_value(column, 2), rowid)) is None:
        found.append(f"{table.name}: UPDATE of {column.name} is accepted ({rule.name}: rows are append-only)")
    delete = f"DELETE FROM {name} WHERE rowid = ?"  # noqa: S608
    reason = probe_sql(db, delete, (rowid,))
    if reason is not None:
        found.append(f"{table.name}: DELETE is refused ({reason}); {rule.name} allows archiving rows")
    return found


def _distinct(ctx: CheckContext, db: sqlite3.Connection, table: Table, rule: Rule) -> list[str]:
    first, second = rule.columns
    same = sample_row(table, **{second: sample_row(table)[first]})
    return [
        *_refused(ctx, db, table, same, f"{first} = {second} is accepted ({rule.name})"),
        *_accepted(ctx, db, table, sample_row(table), f"different {first} and {second} are refused"),
    ]


def _not_before(ctx: CheckContext, db: sqlite3.Connection, table: Table, rule: Rule) -> list[str]:
    later, earlier = rule.columns
    before = sample_row(table, **dict(zip((later, earlier), LATER_TEXT_EARLIER_TIME, strict=True)))
    equal = sample_row(table, **dict(zip((later, earlier), SAME_INSTANT, strict=True)))
    found = [
        *_refused(ctx, db, table, before, f"{later} {before[later]!r} before {earlier} {before[earlier]!r} (in UTC) "
                  f"is accepted ({rule.name})"),
        *_accepted(ctx, db, table, equal, f"{later} at the same instant as {earlier} is refused"),
    ]
    if not table.column(later).not_null:
        found += _accepted(ctx, db, table, sample_row(table, **{later: None}), f"{later} NULL is refused")
    return found


def _refused(ctx: CheckContext, db: sqlite3.Connection, table: Table, row: dict[str, Any], accepted: str) -> list[str]:
    """[table: accepted] when the row the rule forbids goes in (the probe undoes it)."""
    return [f"{table.name}: {accepted}"] if probe_insert(db, ctx.contract, table, row) is None else []


def _accepted(ctx: CheckContext, db: sqlite3.Connection, table: Table, row: dict[str, Any], refused: str) -> list[str]:
    """[table: refused (SQLite's reason)] when the row the rule allows is refused."""
    reason = probe_insert(db, ctx.contract, table, row)
    return [] if reason is None else [f"{table.name}: {refused} ({reason})"]


RULE_CHECKERS = {
    "insert_once": _insert_once,
    "append_only": _append_only,
    "distinct": _distinct,
    "not_before": _not_before,
}


# ------------------------------------------------------------ foreign keys
@FOREIGN_KEY_BEHAVIOUR.check("fk_{table}_{column}", subjects=over_foreign_keys)
def foreign_key_check(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """foreign key {table}.{column} as declared

    The foreign key is declared with the contract's parent and actions; a child of an existing parent is
    accepted, an orphan refused; deleting and updating the parent do what ON DELETE / ON UPDATE say (CASCADE
    really removes or follows), and the rollups follow.

    Fix: Declare `REFERENCES parent (column) ON DELETE <rule> ON UPDATE <rule>` as the contract says; the
    parent column needs a UNIQUE constraint.
    """
    fk = next(f for f in ctx.contract_table(table).foreign_keys if f.column == column)
    ctx.require_tables(table, fk.table)
    found = foreign_key_problems(ctx, table, fk)
    if found:
        return found
    db = ctx.scratch()
    found = orphan_problems(ctx, db, table, fk)
    for action in ("delete", "update"):
        found.extend(action_problems(ctx, db, table, fk, action))
    return found


def orphan_problems(ctx: CheckContext, db: sqlite3.Connection, table: str, fk: ForeignKey, *,
                    named: bool = False) -> list[str]:
    """A child of an existing parent is accepted; one without, inserted or updated to it, is refused
    (named: with a message naming the table and column)."""
    child = ctx.contract_table(table)
    parent = ctx.contract_table(fk.table)
    where = f"{table}.{fk.column}"
    found = []
    with undone(db):
        insert_with_parents(db, ctx.contract, parent, sample_row(parent, **{fk.references: "parent-1"}))
        try:
            rowid = insert(db, table, sample_row(child, **{fk.column: "parent-1"}))
        except sqlite3.IntegrityError as e:
            return [f"{where}: a row referencing an existing {fk.table} row is refused ({e})"]
        update = f"UPDATE {quote_identifier(table)} SET {quote_identifier(fk.column)} = ? WHERE rowid = ?"  # noqa: S608
        for what, sql, params in (
            ("a row referencing", None, ()),
            ("an update to", update, ("no-such-parent", rowid)),
        ):
            try:
                if sql is None:
                    insert(db, table, sample_row(child, 2, **{fk.column: "no-such-parent"}))
                else:
                    db.execute(sql, params)
                found.append(f"{where}: {what} a missing {fk.table}.{fk.references} is accepted (orphan)")
            except sqlite3.IntegrityError as e:
                if named and where not in str(e):
                    found.append(f"{where}: {what} a missing parent is refused, but the message ({e}) does not "
                                 f"name {where}")
    return found


def action_problems(ctx: CheckContext, db: sqlite3.Connection, table: str, fk: ForeignKey, action: str) -> list[str]:
    rule = fk.on_delete if action == "delete" else fk.on_update
    parent, child = ctx.contract_table(fk.table), ctx.contract_table(table)
    where = f"{table}.{fk.column}"
    with undone(db):
        insert_with_parents(db, ctx.contract, parent, sample_row(parent, **{fk.references: "parent-1"}))
        insert(db, table, sample_row(child, **{fk.column: "parent-1"}))
        ref = quote_identifier(fk.references)
        sql = (f"DELETE FROM {quote_identifier(fk.table)} WHERE {ref} = 'parent-1'" if action == "delete"  # noqa: S608
               else f"UPDATE {quote_identifier(fk.table)} SET {ref} = 'parent-2' WHERE {ref} = 'parent-1'")  # noqa: S608
        try:
            db.execute(sql)
            refused = None
        except sqlite3.IntegrityError as e:
            refused = str(e)
        children = [r[0] for r in db.execute(
            f"SELECT {quote_identifier(fk.column)} FROM {quote_identifier(table)}")]  # noqa: S608
        problem = _expected_after(rule, action, refused, children)
        found = [f"{where}: ON {action.upper()} {rule}: {problem}"] if problem else []
        found.extend(f"after {action} of the parent: {p}" for p in rollup_problems(db, ctx.contract))
    return found


def _expected_after(rule: str, action: str, refused: str | None, children: list[Any]) -> str | None:
    """What is wrong with the outcome of a parent delete/update under rule, or None."""
    if rule in ("RESTRICT", "NO ACTION"):
        return None if refused else f"the {action} of a referenced parent is accepted"
    if refused:
        return f"the {action} of the parent is refused ({refused})"
    wanted: list[Any]
    if rule == "CASCADE":
        wanted = [] if action == "delete" else ["parent-2"]
    else:  # SET NULL / SET DEFAULT: the child stays, detached
        wanted = [None] if rule == "SET NULL" else children[:1]
    return None if children == wanted else f"children hold {children!r} afterwards, expected {wanted!r}"
