"""Trigger checks: the triggers as the catalogue stores them, and integrity for connections without foreign keys.

The contract implies every trigger the schema should have (harness.checks.
implied_sql.implied_triggers): its table rules', its rollups' and the
foreign keys' own. These checks read sqlite_master: no trigger missing,
none unknown, each on its table and event; a foreign-key trigger, whose
every word the contract fixes, must read as implied. Then, by behaviour, a
connection that never turns PRAGMA foreign_keys on (the sqlite3 shell, a
plain Python connection) must still see orphans refused and the declared
ON DELETE / ON UPDATE actions carried out, rollups included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.checks.behaviour import action_problems, orphan_problems
from harness.checks.context import CheckContext
from harness.checks.implied_sql import ImpliedTrigger, implied_triggers
from harness.checks.registry import CheckGroup, Subject, over_foreign_keys
from harness.checks.table_sql import compact
from harness.contract.model import Contract

FOREIGN_KEY_BEHAVIOUR = CheckGroup("Foreign key behaviour")
RULES_AS_STORED = CheckGroup("Rules as stored")

_IF_NOT_EXISTS = re.compile(r"\bIF\s+NOT\s+EXISTS\s+", re.IGNORECASE)


def _normalized(sql: str) -> str:
    return " ".join(_IF_NOT_EXISTS.sub("", sql).split()).rstrip(";").strip()


def over_implied_triggers(contract: Contract) -> list[Subject]:
    return [Subject(t.name, {"trigger": t.name}) for t in implied_triggers(contract)]


def trigger_problems(ctx: CheckContext, implied: ImpliedTrigger) -> list[str]:
    actual = ctx.info.triggers.get(implied.name)
    if actual is None:
        return [f"{implied.name}: trigger is missing ({implied.promise})"]
    found = []
    where = (actual.table, actual.timing or "BEFORE", actual.event)
    if where != (implied.table, implied.timing, implied.event):
        found.append(f"{implied.name}: fires {where[1]} {where[2]} ON {where[0]}, the contract implies "
                     f"{implied.timing} {implied.event} ON {implied.table}")
    for statement in implied.contains:
        if _normalized(statement) not in _normalized(actual.sql):
            found.append(f"{implied.name}: lacks `{compact(statement, 300)}` ({implied.promise}); it reads "
                         f"`{compact(actual.sql, 300)}`")
    if implied.sql is not None and _normalized(actual.sql) != _normalized(implied.sql):
        found.append(f"{implied.name}: reads `{compact(actual.sql, 400)}`, the contract implies "
                     f"`{compact(implied.sql, 400)}` ({implied.promise})")
    return found


@RULES_AS_STORED.check("trigger_{trigger}", subjects=over_implied_triggers)
def trigger_check(ctx: CheckContext, trigger: str) -> Iterable[str]:
    """trigger {trigger} as the contract implies

    The trigger exists on its table, fires at the time and on the event the contract implies (a table rule's,
    a rollup's or a foreign key's); a foreign key's trigger, whose text the contract fixes, reads exactly as
    implied, and a rollup's insert trigger holds its table's orphan guard (quoted when not).

    Fix: Restore the trigger from schema.sql (the foreign keys' section is printed by `python -m
    harness.checks.implied_sql`).
    """
    implied = next(t for t in implied_triggers(ctx.contract) if t.name == trigger)
    return trigger_problems(ctx, implied)


@RULES_AS_STORED.check("triggers_declared")
def triggers_declared(ctx: CheckContext) -> Iterable[str]:
    """no trigger outside the contract

    Every trigger in the schema is one the contract implies: a trigger nobody declared can refuse, rewrite or
    add rows behind every writer's back.

    Fix: Remove the trigger, or declare what it keeps in the contract (a rule, a rollup or a foreign key).
    """
    implied = {t.name for t in implied_triggers(ctx.contract)}
    for name, trigger in ctx.info.triggers.items():
        if name not in implied:
            yield f"{name}: trigger on {trigger.table} is not in the contract (`{compact(trigger.sql, 160)}`)"


@FOREIGN_KEY_BEHAVIOUR.check("integrity_{table}_{column}", subjects=over_foreign_keys)
def integrity_without_pragma(ctx: CheckContext, table: str, column: str) -> Iterable[str]:
    """foreign key {table}.{column} holds without PRAGMA foreign_keys

    On a connection that never turns foreign keys on (the sqlite3 shell, a plain Python connection), an orphan
    insert or update is refused with a message naming the table, the column and the rule; deleting and
    updating the parent carry out ON DELETE / ON UPDATE; the rollups stay exact.

    Fix: Restore the foreign key's triggers in schema.sql (`python -m harness.checks.implied_sql` prints
    them).
    """
    fk = next(f for f in ctx.contract_table(table).foreign_keys if f.column == column)
    ctx.require_tables(table, fk.table)
    db = ctx.scratch()
    db.execute("PRAGMA foreign_keys = OFF")
    found = [f"{p} (foreign_keys off)" for p in orphan_problems(ctx, db, table, fk, named=True)]
    for action in ("delete", "update"):
        found.extend(f"{p} (foreign_keys off)" for p in action_problems(ctx, db, table, fk, action))
    return found
