"""A table's rules as SQLite stores them: the CHECK constraints and generated columns of its CREATE TABLE.

SQLite reports columns, defaults, keys and foreign keys through PRAGMAs, but
not CHECK constraints or generated-column expressions: those exist only in
the CREATE TABLE text of sqlite_master. `declared_rules(sql)` cuts that
text into its column and table constraints with sqlglot's tokenizer (string
literals, quoted names and comments handled), and each expression is parsed
by sqlglot into a tree, so comparisons ignore spacing, case and redundant
parentheses but not meaning. (sqlglot cannot parse a whole CREATE TABLE
with several named constraints on one column, hence the cutting.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import cast

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

_SQLITE = Dialect.get_or_raise("sqlite")
# Words that open a table constraint rather than a column definition.
_TABLE_CONSTRAINT_HEADS = {"CONSTRAINT", "CHECK", "PRIMARY", "UNIQUE", "FOREIGN"}


@dataclass(frozen=True)
class DeclaredExpression:
    """One CHECK constraint or generated-column expression of a CREATE TABLE."""

    kind: str  # "check" or "generated"
    column: str | None  # the column it is declared on (None: a table constraint)
    name: str | None  # the CONSTRAINT name, if any
    text: str  # the expression as written, without the outer parentheses

    @property
    def label(self) -> str:
        what = "CHECK" if self.kind == "check" else "generated column"
        return f"{what} {self.name}" if self.name else what

    @property
    def tree(self) -> exp.Expression | None:
        return canonical(self.text)


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


# ----------------------------------------------------------------- cutting
def declared_rules(create_table_sql: str) -> tuple[DeclaredExpression, ...]:
    """The CHECK constraints and generated-column expressions of one CREATE TABLE statement."""
    tokens = _SQLITE.tokenize(create_table_sql)
    found: list[DeclaredExpression] = []
    for item in _body_items(tokens):
        found.extend(_item_rules(create_table_sql, item))
    return tuple(found)


def _body_items(tokens: list[Token]) -> Iterator[list[Token]]:
    """The comma-separated items between the table's outer parentheses."""
    depth = 0
    item: list[Token] = []
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if depth == 1:
                continue
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                if item:
                    yield item
                return
        if depth == 0:
            continue
        if depth == 1 and token.token_type == TokenType.COMMA:
            yield item
            item = []
        else:
            item.append(token)


def _item_rules(sql: str, item: list[Token]) -> Iterator[DeclaredExpression]:
    if not item:
        return
    column = None if item[0].text.upper() in _TABLE_CONSTRAINT_HEADS else item[0].text
    name: str | None = None
    i = 0
    while i < len(item):
        word = item[i].text.upper() if item[i].token_type not in (TokenType.STRING, TokenType.IDENTIFIER) else ""
        if word == "CONSTRAINT" and i + 1 < len(item):
            name = item[i + 1].text
            i += 2
            continue
        if word in ("CHECK", "AS") and i + 1 < len(item) and item[i + 1].token_type == TokenType.L_PAREN:
            end = _closing(item, i + 1)
            text = sql[item[i + 1].end + 1: item[end].start]
            yield DeclaredExpression("check" if word == "CHECK" else "generated", column, name, text.strip())
            name = None
            i = end + 1
            continue
        if word in ("NOT", "UNIQUE", "PRIMARY", "DEFAULT", "REFERENCES", "COLLATE", "GENERATED"):
            name = None if word != "GENERATED" else name
        i += 1


def _closing(item: list[Token], open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(item)):
        if item[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif item[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(item) - 1


def definition_spans(create_table_sql: str) -> list[tuple[str | None, int, int]]:
    """(column or None for a table constraint, start, end) of each item of a CREATE TABLE's body, as
    offsets into the text: where a column's definition is written."""
    spans = []
    for item in _body_items(_SQLITE.tokenize(create_table_sql)):
        if item:
            column = None if item[0].text.upper() in _TABLE_CONSTRAINT_HEADS else item[0].text
            spans.append((column, item[0].start, item[-1].end + 1))
    return spans
