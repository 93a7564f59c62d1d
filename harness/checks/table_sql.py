"""A table's rules as expressions: the CHECKs and generated columns of its CREATE TABLE, parsed.

harness.engine.sqltext.declared_rules cuts each CHECK constraint and
generated-column expression out of the CREATE TABLE text (no PRAGMA reports
them); here each expression is parsed by sqlglot into a tree, so comparisons
ignore spacing, case and redundant parentheses but not meaning. (sqlglot
cannot parse a whole CREATE TABLE with several named constraints on one
column, hence the cutting.)
"""

from __future__ import annotations

from functools import cache
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError


@cache
def canonical(text: str) -> exp.Expression | None:
    """The expression as a tree without parentheses (grouping is kept by the tree), names lower-cased; None
    when sqlglot cannot parse it."""
    try:
        tree = sqlglot.parse_one(text, read="sqlite")
    except SqlglotError:
        return None

    def simplify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Paren):
            return cast(exp.Expression, node.this)
        if isinstance(node, exp.Identifier):
            return exp.Identifier(this=node.name.lower(), quoted=False)
        return node

    return _flat(tree.transform(simplify))


def _flat(node: exp.Expression) -> exp.Expression:
    """AND and OR chains rebuilt in one order: `a OR (b OR c)` and `c OR b OR a` give the same tree
    (both are associative and commutative in SQL's three-valued logic)."""
    for chain in (exp.And, exp.Or):
        if isinstance(node, chain):
            operands = sorted((_flat(cast(exp.Expression, o)) for o in node.flatten()), key=lambda o: o.sql(dialect="sqlite"))
            rebuilt = operands[0]
            for operand in operands[1:]:
                rebuilt = chain(this=rebuilt, expression=operand)
            return rebuilt
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _flat(value))
        elif isinstance(value, list):
            node.set(key, [_flat(v) if isinstance(v, exp.Expression) else v for v in value])
    return node


def same_expression(a: str, b: str) -> bool:
    tree_a, tree_b = canonical(a), canonical(b)
    if tree_a is None or tree_b is None:
        return " ".join(a.split()) == " ".join(b.split())
    return tree_a == tree_b


def compact(text: str, limit: int = 160) -> str:
    """An expression on one line, shortened, for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def columns_of(text: str) -> frozenset[str]:
    """The column names an expression mentions (lower-cased)."""
    tree = canonical(text)
    if tree is None:
        return frozenset()
    return frozenset(c.name.lower() for c in tree.find_all(exp.Column))


def string_literals_compared_with(text: str, column: str) -> list[str]:
    """Every string literal the expression compares the column with (=, ==, IS, IN), in order."""
    tree = canonical(text)
    if tree is None:
        return []
    found: list[str] = []
    name = column.lower()

    def is_column(node: exp.Expression | None) -> bool:
        return isinstance(node, exp.Column) and node.name.lower() == name

    for node in tree.walk():
        if isinstance(node, (exp.EQ, exp.Is, exp.NullSafeEQ)):
            for side, other in ((node.this, node.expression), (node.expression, node.this)):
                if is_column(side) and isinstance(other, exp.Literal) and other.is_string:
                    found.append(other.this)
        elif isinstance(node, exp.In) and is_column(node.this):
            found.extend(e.this for e in node.expressions if isinstance(e, exp.Literal) and e.is_string)
    return found


def literals(text: str) -> set[str]:
    """Every literal (string or number) of an expression, as written."""
    tree = canonical(text)
    return set() if tree is None else {lit.this for lit in tree.find_all(exp.Literal)}
