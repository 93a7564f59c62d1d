"""The SQL each promise of the contract is written as: CHECK constraints and generated columns, per table.

The behaviour checks (harness.checks.values) write sample values and see
what is refused; they can only try the values they think of. These
expressions are what the catalogue must hold instead, derived from each
column's kind, bounds and values and from the table's rules, so the catalog
checks (harness.checks.catalog) can prove a rule by reading it: a CHECK
that lists one value more than the contract, or a bound one higher, is
found whatever the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.contract.foreign_key_sql import all_foreign_key_triggers, orphan_guard, schema_section
from harness.contract.model import Column, Contract, Rule, Table
from harness.contract.rollup_sql import GUARDED_BASES, ROLLUPS, window_triggers

WHITESPACE_CHARS = "char(32, 9, 10, 11, 12, 13)"
DOUBLE_MAX = "1.7976931348623157e308"
# The shape a timestamp must have before the date functions read it (see schema.sql's header).
_SHAPE = (
    "{c} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'"
    " AND substr({c}, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr({c}, char(0)) = 0"
    " AND substr({c}, 12, 2) < '24'"
    " AND date(substr({c}, 1, 10), '+0 days') = substr({c}, 1, 10)"
)


@dataclass(frozen=True)
class ImpliedExpression:
    """An expression the contract implies: a CHECK (kind 'check') or a generated column's ('generated')."""

    kind: str
    column: str | None  # the column the promise is about (None: a table rule over several)
    name: str  # the constraint name the schema's convention gives it (or the generated column)
    text: str
    promise: str  # the contract's words for it, for messages


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _nullable(column: Column, body: str) -> str:
    return body if column.not_null else f"{column.name} IS NULL OR ({body})"


def _utc_column(table: Table, column: str) -> Column | None:
    return next((c for c in table.columns if c.kind == "generated" and c.normalizes == column), None)


def column_expressions(contract: Contract, table: Table, column: Column) -> list[ImpliedExpression]:
    """What the contract implies for one column (nothing for keys, plain text and derived values)."""
    c, prefix = column.name, f"{table.name}_{column.name}"

    def check(rule: str, body: str, promise: str) -> ImpliedExpression:
        return ImpliedExpression("check", c, f"{prefix}_{rule}", body, promise)

    if column.kind == "enum":
        listed = " OR ".join(f"{c} = {_sql_text(v)}" for v in column.values)
        body = listed if column.not_null else f"{c} IS NULL OR {listed}"
        return [check("enum", body, "one of " + ", ".join(column.values))]
    if column.kind == "id" and any(fk.column == c for fk in table.foreign_keys):
        return []  # a child's id is one of its parent's, which the parent's CHECK and the foreign key hold
    if column.kind == "id":
        limit = column.max_length or int(contract.id_rule.get("max_length", 256))
        body = f"length({c}) <= {limit} AND trim({c}, {WHITESPACE_CHARS}) <> '' AND instr({c}, char(0)) = 0"
        return [check("nonempty", _nullable(column, body), f"an id of 1 to {limit} characters")]
    if column.kind == "text" and column.nonempty:
        return [check("nonempty", _nullable(column, f"trim({c}, {WHITESPACE_CHARS}) <> ''"), "non-empty text")]
    if column.kind == "count":
        minimum = column.minimum if column.minimum is not None else 0
        found = [check("nonnegative", _nullable(column, f"{c} >= {minimum}"), f"at least {minimum}")]
        if column.maximum is not None:
            found.append(check("maximum", f"{c} <= {column.maximum}", f"at most {column.maximum}"))
        return found
    if column.kind == "real":
        return [check("finite", f"{c} BETWEEN -{DOUBLE_MAX} AND {DOUBLE_MAX}", "a finite real")]
    if column.kind == "hash":
        body = f"length({c}) = 64 AND {c} NOT GLOB '*[^0-9a-fA-F]*' AND instr({c}, char(0)) = 0"
        return [check("sha256", _nullable(column, body), "64 hexadecimal characters")]
    if column.kind == "json":
        return [check("valid", _nullable(column, f"json_valid({c}) AND instr({c}, char(0)) = 0"), "valid JSON")]
    if column.kind == "timestamp":
        return [_timestamp_format(table, column)]
    if column.kind == "generated" and column.normalizes:
        source = column.normalizes
        text = (f"CASE WHEN {_SHAPE.format(c=source)} "
                f"THEN strftime('%Y-%m-%d %H:%M:%f', {source}, '+0 seconds') END")
        return [ImpliedExpression("generated", c, c, text, f"{source} normalized to UTC")]
    return []


def _timestamp_format(table: Table, column: Column) -> ImpliedExpression:
    c = column.name
    utc = _utc_column(table, c)
    if utc is None:  # no normalized copy: the CHECK tests the text itself
        body = f"{_SHAPE.format(c=c)} AND strftime('%s', {c}) IS NOT NULL"
        body = _nullable(column, body)
    else:
        body = f"{utc.name} IS NOT NULL" if column.not_null else f"{c} IS NULL OR {utc.name} IS NOT NULL"
    return ImpliedExpression("check", c, f"{table.name}_{c}_format", body, "a timestamp of the contract's forms")


def rule_expression(table: Table, rule: Rule) -> ImpliedExpression | None:
    """The CHECK a table rule is written as (None for rules kept by triggers)."""
    if rule.kind == "distinct":
        first, second = rule.columns
        return ImpliedExpression("check", None, rule.name, f"{first} <> {second}", rule.doc or rule.kind)
    if rule.kind == "not_before":
        later, earlier = rule.columns
        later_utc, earlier_utc = _utc_column(table, later), _utc_column(table, earlier)
        left = later_utc.name if later_utc else later
        right = earlier_utc.name if earlier_utc else earlier
        body = f"{left} >= {right}"
        if not table.column(later).not_null:
            body = f"{later} IS NULL OR {body}"
        return ImpliedExpression("check", None, rule.name, body, rule.doc or rule.kind)
    return None


def table_expressions(contract: Contract, table: Table) -> list[ImpliedExpression]:
    """Every CHECK and generated expression the contract implies for the table (none for a rollup: its
    values are the triggers' sums, proven equal to a recomputation instead)."""
    if table.derived:
        return []
    found = [e for c in table.columns for e in column_expressions(contract, table, c)]
    found.extend(e for e in (rule_expression(table, r) for r in table.rules) if e is not None)
    return found


def undeclared_generated(table: Table) -> list[str]:
    """Generated columns whose expression the contract does not imply (judged by behaviour only)."""
    return [c.name for c in table.columns if c.kind == "generated" and not c.normalizes]


# ------------------------------------------------------------------ triggers
@dataclass(frozen=True)
class ImpliedTrigger:
    """A trigger the contract implies: its name, where and when it fires, and what of its text the contract
    fixes: all of it for a foreign key's own triggers (sql), statements it must hold for the others (contains)."""

    name: str
    table: str
    timing: str  # BEFORE or AFTER
    event: str  # INSERT, UPDATE or DELETE
    promise: str
    sql: str | None = None
    contains: tuple[str, ...] = ()


def implied_triggers(contract: Contract) -> list[ImpliedTrigger]:
    """Every trigger the schema should have: the table rules', the rollups' and the foreign keys'."""
    found = []
    for table in contract.tables.values():
        for rule in table.rules:
            if rule.kind == "insert_once":
                found.append(ImpliedTrigger(rule.name, table.name, "BEFORE", "INSERT", rule.doc))
            elif rule.kind == "append_only":
                found.append(ImpliedTrigger(rule.name, table.name, "BEFORE", "UPDATE", rule.doc))
        if table.derived and table.name in ROLLUPS and ROLLUPS[table.name].bucket is not None:
            # A count per time bucket: its triggers are generated whole (rollup_sql.window_triggers).
            base = ROLLUPS[table.name].base
            found.extend(ImpliedTrigger(name, base, "AFTER", name.rsplit("_", 1)[1].upper(),
                                        f"{table.name} counts every {name.rsplit('_', 1)[1]} on {base}", sql)
                         for name, sql in window_triggers(ROLLUPS[table.name]).items())
        elif table.derived and table.name in ROLLUPS:
            base = ROLLUPS[table.name].base
            guards = tuple(orphan_guard(base, fk) for fk in contract.tables[base].foreign_keys) \
                if base in GUARDED_BASES and base in contract.tables else ()
            for event in ("INSERT", "UPDATE", "DELETE"):
                found.append(ImpliedTrigger(f"{base}_rollup_{event.lower()}", base, "AFTER", event,
                                            f"{table.name} follows every {event} on {base}"
                                            + (" (and orphans are refused)" if event == "INSERT" and guards else ""),
                                            contains=guards if event == "INSERT" else ()))
    found.extend(ImpliedTrigger(t.name, t.table, t.timing, t.event, t.promise, t.sql)
                 for t in all_foreign_key_triggers(contract, set(GUARDED_BASES)))
    return found


def schema_text_of_triggers(contract: Contract) -> str:
    """The foreign keys' own triggers as schema.sql writes them (python -m harness.checks.implied_sql)."""
    return schema_section(contract, set(GUARDED_BASES))


if __name__ == "__main__":
    from harness.contract.model import load_contract

    print(schema_text_of_triggers(load_contract()), end="")
