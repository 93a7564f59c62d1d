"""SQL text as SQLite reads it: tokens, a normalized form, and the parts of CREATE TABLE no PRAGMA reports.

Two statements that differ only in comments, whitespace, letter case outside
string literals, or quoting of a plain identifier normalize to the same text
(SQLite itself rewrites `"t"` for `t` when a table is renamed, and keeps
comments in sqlite_master). CHECK constraints and generated columns'
expressions are read from the table's CREATE statement, because no PRAGMA
reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^']|'')*')
    | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
    | (?P<blob>[xX]'[0-9a-fA-F]*')
    | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<word>[^\W\d]\w*|[$@:?]\w*)
    | (?P<op>->>|->|<=|>=|<>|!=|==|\|\||<<|>>|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_CONSTRAINT_START = {"constraint", "primary", "unique", "check", "foreign"}


def tokens(sql: str) -> list[str]:
    """The tokens of sql, comments and whitespace dropped, case and quoting normalized."""
    found = []
    for match in _TOKEN.finditer(sql):
        kind, text = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            inner = text[1:-1]
            text = inner.lower() if _PLAIN_NAME.match(inner) else text
        elif kind != "string":
            text = text.lower()
        found.append(text)
    return found


def normalize(sql: str) -> str:
    """One canonical text per statement: tokens joined by one space, `IF NOT EXISTS` and a final ';' dropped."""
    words = tokens(sql)
    if words[:1] == ["create"] and "exists" in words[:7]:
        at = words.index("exists")
        if words[at - 2 : at] == ["if", "not"]:
            del words[at - 2 : at + 1]
    while words and words[-1] == ";":
        words.pop()
    return " ".join(words)


def unquote(token: str) -> str:
    """An identifier token's name (quotes removed)."""
    if token[:1] in ('"', "`", "["):
        return token[1:-1].replace('""', '"').replace("``", "`")
    return token


@dataclass(frozen=True)
class CheckText:
    """One CHECK constraint: its name (None when unnamed), its column (None for a table CHECK), its expression."""

    name: str | None
    column: str | None
    expression: str


@dataclass(frozen=True)
class TableText:
    """What CREATE TABLE says that PRAGMAs do not: CHECKs, generated expressions, collations."""

    checks: tuple[CheckText, ...]
    generated: dict[str, str]  # column -> normalized expression
    collations: dict[str, str]  # column -> collation, when declared


def parse_create_table(sql: str) -> TableText:
    """The CHECKs and generated-column expressions of a CREATE TABLE statement."""
    words = tokens(sql)
    start = words.index("(")
    body = words[start + 1 : _closing(words, start)]
    checks: list[CheckText] = []
    generated: dict[str, str] = {}
    collations: dict[str, str] = {}
    for definition in _split_top_level(body):
        if not definition:
            continue
        is_column = definition[0] not in _TABLE_CONSTRAINT_START
        column = unquote(definition[0]) if is_column else None
        _read_definition(definition[1:] if is_column else definition, column, checks, generated, collations)
    return TableText(tuple(checks), generated, collations)


def _read_definition(
    words: list[str],
    column: str | None,
    checks: list[CheckText],
    generated: dict[str, str],
    collations: dict[str, str],
) -> None:
    name: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word == "constraint" and i + 1 < len(words):
            name, i = unquote(words[i + 1]), i + 2
            continue
        if word in ("check", "as") and i + 1 < len(words) and words[i + 1] == "(":
            end = _closing(words, i + 1)
            expression = " ".join(words[i + 2 : end])
            if word == "check":
                checks.append(CheckText(name, column, expression))
            elif column is not None:
                generated[column] = expression
            name, i = None, end + 1
            continue
        if word == "collate" and column is not None and i + 1 < len(words):
            collations[column] = unquote(words[i + 1]).lower()
        if word == "(":  # skip any other parenthesized part (DEFAULT (...), REFERENCES t (...))
            i = _closing(words, i) + 1
            continue
        i += 1


def _closing(words: list[str], open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(words)):
        if words[i] == "(":
            depth += 1
        elif words[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _split_top_level(words: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    depth = 0
    for word in words:
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        if word == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def object_name_after(words: list[str], keyword: str) -> int:
    """Index of the object name that follows `keyword` (skipping IF NOT EXISTS) in tokens()."""
    at = words.index(keyword) + 1
    if words[at : at + 3] == ["if", "not", "exists"]:
        at += 3
    return at
