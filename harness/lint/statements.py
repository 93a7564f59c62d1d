"""A file of SQL read into statements: where each starts, its syntax tree, its parameters.

Every parameter form SQLite takes (`?`, `?NNN`, `:name`, `@name`, `$name`) is
rewritten to `:name` (`?` becomes `:p1`, `:p2`, ... in order) before sqlglot
reads the statement and before SQLite runs it, so both see the same names and
the values can be bound as one dict. Strings, quoted identifiers and comments
are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import sqlglot
from sqlglot import exp

from harness.engine.db import split_statements

# One token the rewrite must step over (a string, a quoted identifier, a comment) or a parameter.
_TOKEN = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|/\*.*?(?:\*/|\Z)"""
    r"""|(?P<numbered>\?(?P<number>\d*))|(?P<named>[:@$](?P<name>[A-Za-z_]\w*))""",
    re.DOTALL,
)


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based, in the file
    line: int  # where it starts in the file
    text: str  # as written
    sql: str  # parameters rewritten to :name
    parameters: tuple[str, ...]  # the names, in order of first use
    tree: exp.Expression | None  # None when sqlglot cannot read it
    unreadable: str | None  # sqlglot's reason

    @property
    def reads_only(self) -> bool:
        """A SELECT (or WITH ... SELECT, VALUES): safe to run on a read-only copy."""
        if self.tree is not None:
            return isinstance(self.tree, (exp.Query, exp.Values))
        return self.sql.lstrip().split(None, 1)[0].upper() in {"SELECT", "WITH", "VALUES"}


def read_statements(script: str) -> list[Statement]:
    """The statements of a script, numbered, each with the line it starts on."""
    out: list[Statement] = []
    position = 0
    for number, text in enumerate(split_statements(script), start=1):
        at = script.find(text, position)
        position = at + len(text) if at >= 0 else position
        leading = text[: len(text) - len(_without_leading_comments(text))]
        line = script.count("\n", 0, at) + leading.count("\n") + 1 if at >= 0 else 0
        sql, parameters = named_parameters(text)
        tree, unreadable = _parse(sql)
        out.append(Statement(number, line, _without_leading_comments(text), sql, parameters, tree, unreadable))
    return out


def _without_leading_comments(text: str) -> str:
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines) or text


def named_parameters(text: str) -> tuple[str, tuple[str, ...]]:
    """The statement with every parameter as :name, and the names in order of first use."""
    names: list[str] = []
    largest = 0  # as SQLite numbers them: a bare ? is one more than the largest number so far

    def rename(match: re.Match[str]) -> str:
        nonlocal largest
        if match.group("numbered") is not None:
            largest = int(match.group("number")) if match.group("number") else largest + 1
            name = f"p{largest}"
        elif match.group("named") is not None:
            name = match.group("name")
        else:
            return match.group(0)
        if name not in names:
            names.append(name)
        return f":{name}"

    return _TOKEN.sub(rename, text), tuple(names)


def _parse(sql: str) -> tuple[exp.Expression | None, str | None]:
    try:
        trees = sqlglot.parse(sql, read="sqlite")
    except sqlglot.errors.SqlglotError as e:
        return None, str(e).splitlines()[0]
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        return None, f"{len(trees)} statements where one was expected"
    # sqlglot >= 30 types parse() as Expr, Expression's base class; the nodes it returns are Expressions.
    return cast(exp.Expression, trees[0]), None
