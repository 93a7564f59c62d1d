"""The SQL that keeps the contract's foreign keys for every connection, PRAGMA foreign_keys on or off.

SQLite enforces a foreign key only on connections that turn foreign keys on;
the sqlite3 shell and plain connections do not. Schema version 2 keeps each
foreign key with triggers instead:

- an orphan guard refuses a child row whose parent is missing. On a table
  that feeds a rollup it is the first statement of the rollup's AFTER INSERT
  trigger (harness.contract.rollup_sql): a trigger of its own costs a trigger
  program per row (2.0 us per stage metric, measured in CPU time on 100k
  inserts, against 0.3 us inside the existing trigger). Elsewhere it is a
  BEFORE INSERT trigger of its own;
- a BEFORE UPDATE OF <column> trigger refuses moving a child to a missing parent;
- AFTER DELETE / AFTER UPDATE OF triggers on the parent carry out ON DELETE /
  ON UPDATE (CASCADE, SET NULL) or refuse it (RESTRICT, NO ACTION).

With foreign keys on, SQLite has already done the same when they run, so each
finds nothing to do in one index seek. Statements are built only from the
contract's names, which its JSON Schema restricts to identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.contract.model import Contract, ForeignKey


@dataclass(frozen=True)
class ForeignKeyTrigger:
    name: str
    table: str
    timing: str  # BEFORE or AFTER
    event: str  # INSERT, UPDATE or DELETE
    promise: str
    sql: str


_DELETE_ACTIONS = {
    "CASCADE": "DELETE FROM {child} WHERE {col} = OLD.{ref};",
    "SET NULL": "UPDATE {child} SET {col} = NULL WHERE {col} = OLD.{ref};",
}
_UPDATE_ACTIONS = {
    "CASCADE": "UPDATE {child} SET {col} = NEW.{ref} WHERE {col} = OLD.{ref};",
    "SET NULL": "UPDATE {child} SET {col} = NULL WHERE {col} = OLD.{ref};",
}
_REFUSED_ACTIONS = ("RESTRICT", "NO ACTION")


def constraint_name(child: str, fk: ForeignKey) -> str:
    return f"{child}_{fk.column}_fk"


def _refusal(child: str, fk: ForeignKey) -> str:
    return (f"RAISE(ABORT, '{child}.{fk.column}: references a missing {fk.table}.{fk.references} "
            f"(foreign key {constraint_name(child, fk)})')")


def _parent_missing(fk: ForeignKey) -> str:
    parent_row = f"SELECT 1 FROM {fk.table} WHERE {fk.references} = NEW.{fk.column}"  # noqa: S608 (contract names)
    return f"NEW.{fk.column} IS NOT NULL AND NOT EXISTS ({parent_row})"


def orphan_guard(child: str, fk: ForeignKey) -> str:
    """The statement that refuses NEW when its parent is missing (inside an AFTER INSERT trigger)."""
    return f"SELECT {_refusal(child, fk)} WHERE {_parent_missing(fk)}"


def guarded_in_rollup(child: str, rollup_bases: set[str]) -> bool:
    """Whether the child's orphan guard lives in its rollup's insert trigger rather than a trigger of its own."""
    return child in rollup_bases


def foreign_key_triggers(child: str, fk: ForeignKey, *, own_insert_trigger: bool = True) -> list[ForeignKeyTrigger]:
    """The triggers of one foreign key (without the insert guard when a rollup trigger carries it)."""
    names = {"child": child, "col": fk.column, "parent": fk.table, "ref": fk.references}
    constraint = constraint_name(child, fk)
    found = []
    if own_insert_trigger:
        found.append(_trigger(f"{constraint}_insert", child, "BEFORE", "INSERT", "", f"WHEN {_parent_missing(fk)}",
                              f"SELECT {_refusal(child, fk)};", f"{child}.{fk.column}: an orphan insert is refused"))
    found.append(_trigger(f"{constraint}_update", child, "BEFORE", "UPDATE", f" OF {fk.column}",
                          f"WHEN {_parent_missing(fk)}", f"SELECT {_refusal(child, fk)};",
                          f"{child}.{fk.column}: an update to a missing parent is refused"))
    for event, rule, actions in (("DELETE", fk.on_delete, _DELETE_ACTIONS), ("UPDATE", fk.on_update, _UPDATE_ACTIONS)):
        of = f" OF {fk.references}" if event == "UPDATE" else ""
        promise = f"{child}.{fk.column}: ON {event} {rule}"
        name = f"{constraint}_on_{event.lower()}"
        if rule in actions:
            when = f"WHEN OLD.{fk.references} IS NOT NEW.{fk.references}" if event == "UPDATE" else ""
            found.append(_trigger(name, fk.table, "AFTER", event, of, when, actions[rule].format(**names), promise))
        elif rule in _REFUSED_ACTIONS:
            children = f"SELECT 1 FROM {child} WHERE {fk.column} = OLD.{fk.references}"  # noqa: S608 (contract names)
            refused = (f"SELECT RAISE(ABORT, '{fk.table}.{fk.references}: rows of {child} reference it "
                       f"(foreign key {constraint}, ON {event} {rule})');")
            found.append(_trigger(name, fk.table, "BEFORE", event, of, f"WHEN EXISTS ({children})", refused, promise))
    return found


def _trigger(name: str, table: str, timing: str, event: str, of: str, when: str, body: str,
             promise: str) -> ForeignKeyTrigger:
    sql = (f"CREATE TRIGGER IF NOT EXISTS {name}\n{timing} {event}{of} ON {table}\n"
           + (f"{when}\n" if when else "") + f"BEGIN\n    {body}\nEND")
    return ForeignKeyTrigger(name, table, timing, event, promise, sql)


def all_foreign_key_triggers(contract: Contract, rollup_bases: set[str]) -> list[ForeignKeyTrigger]:
    return [t for child, fk in contract.foreign_keys
            for t in foreign_key_triggers(child, fk, own_insert_trigger=not guarded_in_rollup(child, rollup_bases))]


def schema_section(contract: Contract, rollup_bases: set[str]) -> str:
    """The foreign keys' own triggers as schema.sql writes them."""
    return "\n\n".join(f"{t.sql};" for t in all_foreign_key_triggers(contract, rollup_bases)) + "\n"
