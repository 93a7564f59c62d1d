"""Catalog checks: each table's CHECK constraints and generated columns, read as SQLite stores them.

The behaviour checks prove a rule on the values they try; these prove it
on all values by reading the rule itself. Every CHECK and generated
expression of the table's CREATE TABLE (sqlite_master) must be one the
contract implies (harness.checks.implied_sql), compared as parsed trees,
and every implied one must be there. A difference names the constraint,
quotes what was read, and names the literals added or dropped; where a
literal was added, it is also written to a scratch database to show
whether the database now accepts a value the contract refuses.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.checks.context import CheckContext
from harness.checks.implied_sql import ImpliedExpression, table_expressions, undeclared_generated
from harness.checks.registry import CheckGroup, over_tables
from harness.checks.scratch_rows import show
from harness.checks.table_sql import compact, literals, same_expression
from harness.contract.model import row_violations
from harness.engine.sqltext import DeclaredExpression, declared_rules

RULES_AS_STORED = CheckGroup("Rules as stored")


def table_rules(ctx: CheckContext, table: str) -> tuple[DeclaredExpression, ...]:
    """The target table's CHECKs and generated expressions (parsed once per run)."""
    key = f"declared_rules:{table}"
    if key not in ctx.memo:
        ctx.memo[key] = declared_rules(ctx.table(table).sql)
    rules: tuple[DeclaredExpression, ...] = ctx.memo[key]
    return rules


def rule_text_problems(ctx: CheckContext, table: str) -> list[str]:
    declared = ctx.contract_table(table)
    skipped = set(undeclared_generated(declared))
    actual = [r for r in table_rules(ctx, table) if not (r.kind == "generated" and r.column in skipped)]
    implied = table_expressions(ctx.contract, declared)
    unmatched = list(implied)
    extra: list[DeclaredExpression] = []
    for rule in actual:
        match = next((e for e in unmatched if e.kind == rule.kind and same_expression(e.text, rule.text)), None)
        if match is None:
            extra.append(rule)
        else:
            unmatched.remove(match)
    found = []
    for rule in extra:
        counterpart = _counterpart(rule, unmatched)
        if counterpart is not None:
            unmatched.remove(counterpart)
        found.append(_difference(ctx, table, rule, counterpart))
    for expected in unmatched:
        where = f"{table}.{expected.column}" if expected.column else table
        found.append(f"{where}: no {expected.kind} expression `{compact(expected.text)}` ({expected.name}: "
                     f"{expected.promise}) in the CREATE TABLE")
    return found


def _counterpart(rule: DeclaredExpression, unmatched: list[ImpliedExpression]) -> ImpliedExpression | None:
    """The implied expression the declared one stands in for: same name, else same column and kind."""
    by_name = next((e for e in unmatched if rule.name and e.name == rule.name), None)
    if by_name is not None:
        return by_name
    if rule.kind == "generated":
        return next((e for e in unmatched if e.kind == "generated" and e.column == rule.column), None)
    same_column = [e for e in unmatched if e.kind == rule.kind and e.column and e.column == rule.column]
    return same_column[0] if len(same_column) == 1 else None


def _difference(ctx: CheckContext, table: str, rule: DeclaredExpression, expected: ImpliedExpression | None) -> str:
    column = rule.column or (expected.column if expected else None)
    where = f"{table}.{column}" if column else table
    read = f"{rule.label} reads `{compact(rule.text)}`"
    if expected is None:
        return f"{where}: {read}, which the contract does not imply"
    added = sorted(literals(rule.text) - literals(expected.text))
    dropped = sorted(literals(expected.text) - literals(rule.text))
    detail = "; ".join(filter(None, (
        f"adds {', '.join(repr(v) for v in added)}" if added else "",
        f"drops {', '.join(repr(v) for v in dropped)}" if dropped else "",
    )))
    accepted = _accepted_literals(ctx, table, column, added) if column else []
    return (f"{where}: {read}, the contract implies `{compact(expected.text)}` ({expected.promise})"
            + (f": {detail}" if detail else "")
            + (f"; the database accepts {', '.join(show(v) for v in accepted)}, which the contract refuses"
               if accepted else ""))


def _accepted_literals(ctx: CheckContext, table: str, column: str, added: list[str]) -> list[object]:
    """The added literals (as text and as numbers) the contract refuses but the database takes."""
    from harness.checks.values import Prober  # values imports this module

    declared = ctx.contract_table(table)
    if column not in {c.name for c in declared.writable_columns}:
        return []
    probe = Prober(ctx, table, column)
    accepted: list[object] = []
    for literal in added:
        for value in _as_values(literal):
            refused_by_contract = any(v.column == column for v in row_violations(declared, probe.row(value)))
            if refused_by_contract and probe.verdict(value) is None:
                accepted.append(value)
                break
    return accepted


def _as_values(literal: str) -> list[object]:
    """A literal as the values a writer could send: the number first when it reads as one, then the text."""
    for parse in (int, float):
        try:
            return [parse(literal), literal]
        except ValueError:
            continue
    return [literal]


@RULES_AS_STORED.check("catalog_{table}_rules", subjects=over_tables)
def catalog_rules(ctx: CheckContext, table: str) -> Iterable[str]:
    """{table}: CHECK constraints and generated columns read as the contract implies

    Every CHECK constraint and generated-column expression stored in the table's CREATE TABLE is exactly one
    the contract implies (enumeration lists, length limits, hash and JSON rules, numeric bounds, timestamp
    shapes and UTC normalization, table rules), compared as parsed SQL; none is missing and none is added. A
    difference quotes what was read and the literals added or dropped.

    Fix: Write the rule as harness/checks/implied_sql.py derives it from the contract, or change the contract
    (and, if the form itself changes, implied_sql.py) in the same commit.
    """
    ctx.table(table)
    return rule_text_problems(ctx, table)
