"""SQL text as SQLite reads it: tokens, a normalized form, and the parts of CREATE TABLE no PRAGMA reports.

Two statements that differ only in comments, whitespace, letter case outside
string literals, or quoting of a plain identifier normalize to the same text
(SQLite itself rewrites `"t"` for `t` when a table is renamed, and keeps
comments in sqlite_master). CHECK constraints, generated columns' expressions
and declared collations are cut from the table's CREATE statement, because no
PRAGMA reports them: `declared_rules(sql)` gives each CHECK and generated
expression both as written and normalized, `definition_spans(sql)` where each
column or table constraint is written. The normalized catalog
(harness.engine.catalog), the checks and the migrations all read them here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
# Words that start another column constraint: a CONSTRAINT name before them is theirs, not a later CHECK's.
_OTHER_CONSTRAINT_START = {"not", "null", "unique", "primary", "default", "references", "collate"}


@dataclass(frozen=True)
class Token:
    """One token: its normalized text, its kind (a _TOKEN group) and where it is written [start, end)."""

    text: str
    kind: str
    start: int
    end: int


def scan(sql: str) -> list[Token]:
    """The tokens of sql with their places, comments and whitespace dropped, case and quoting normalized."""
    found = []
    for match in _TOKEN.finditer(sql):
        kind, text = str(match.lastgroup), match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            inner = text[1:-1]
            text = inner.lower() if _PLAIN_NAME.match(inner) else text
        elif kind != "string":
            text = text.lower()
        found.append(Token(text, kind, match.start(), match.end()))
    return found


def tokens(sql: str) -> list[str]:
    """The tokens of sql, comments and whitespace dropped, case and quoting normalized."""
    return [t.text for t in scan(sql)]


def statement_words(sql: str) -> tuple[str, ...]:
    """The tokens of one statement, `IF NOT EXISTS` and a final ';' dropped: what normalize() joins."""
    words = tokens(sql)
    if words[:1] == ["create"] and "exists" in words[:7]:
        at = words.index("exists")
        if words[at - 2 : at] == ["if", "not"]:
            del words[at - 2 : at + 1]
    while words and words[-1] == ";":
        words.pop()
    return tuple(words)


def normalize(sql: str) -> str:
    """One canonical text per statement: its statement_words joined by one space."""
    return " ".join(statement_words(sql))


def unquote(token: str) -> str:
    """An identifier token's name (quotes removed)."""
    if token[:1] in ('"', "`", "["):
        return token[1:-1].replace('""', '"').replace("``", "`")
    return token


@dataclass(frozen=True)
class DeclaredExpression:
    """One CHECK constraint or generated-column expression of a CREATE TABLE."""

    kind: str  # "check" or "generated"
    column: str | None  # the column it is declared on, as written (None: a table constraint)
    name: str | None  # the CONSTRAINT name, if any
    text: str  # the expression as written, without the outer parentheses
    expression: str  # the same, normalized (tokens joined by one space)

    @property
    def label(self) -> str:
        what = "CHECK" if self.kind == "check" else "generated column"
        return f"{what} {self.name}" if self.name else what


@dataclass(frozen=True)
class Definition:
    """One item of a CREATE TABLE's body: a column (its name) or a table constraint (column None)."""

    column: str | None
    tokens: tuple[Token, ...]

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end


@dataclass(frozen=True)
class TableText:
    """What CREATE TABLE says that PRAGMAs do not: CHECKs, generated expressions, collations."""

    checks: tuple[DeclaredExpression, ...]
    generated: dict[str, str]  # column -> normalized expression
    collations: dict[str, str]  # column -> collation, when declared


def definitions(sql: str) -> list[Definition]:
    """The comma-separated items between a CREATE TABLE's outer parentheses."""
    found = scan(sql)
    start = next(i for i, t in enumerate(found) if t.text == "(")
    body = found[start + 1 : _closing(found, start)]
    items = []
    for part in _split_top_level(body):
        if part:
            first = part[0]
            is_constraint = first.kind == "word" and first.text in _TABLE_CONSTRAINT_START
            items.append(Definition(None if is_constraint else unquote(sql[first.start : first.end]), tuple(part)))
    return items


def definition_spans(sql: str) -> list[tuple[str | None, int, int]]:
    """(column or None for a table constraint, start, end) of each item of a CREATE TABLE's body, as
    offsets into the text: where a column's definition is written."""
    return [(d.column, d.start, d.end) for d in definitions(sql)]


def declared_rules(sql: str) -> tuple[DeclaredExpression, ...]:
    """The CHECK constraints and generated-column expressions of one CREATE TABLE statement, in order."""
    return tuple(rule for d in definitions(sql) for rule in _read(sql, d)[0])


def parse_create_table(sql: str) -> TableText:
    """The CHECKs, generated-column expressions and collations of a CREATE TABLE statement."""
    checks: list[DeclaredExpression] = []
    generated: dict[str, str] = {}
    collations: dict[str, str] = {}
    for d in definitions(sql):
        rules, collation = _read(sql, d)
        checks += (r for r in rules if r.kind == "check")
        generated.update((r.column, r.expression) for r in rules if r.kind == "generated" and r.column)
        if d.column is not None and collation is not None:
            collations[d.column] = collation
    return TableText(tuple(checks), generated, collations)


def _read(sql: str, definition: Definition) -> tuple[list[DeclaredExpression], str | None]:
    """A definition's CHECKs and generated expression, and its COLLATE (outside any parentheses)."""
    words = definition.tokens[1:] if definition.column is not None else definition.tokens
    found = []
    name: str | None = None
    collation: str | None = None
    i = 0
    while i < len(words):
        word = words[i].text if words[i].kind == "word" else ""
        if word == "constraint" and i + 1 < len(words):
            name, i = unquote(sql[words[i + 1].start : words[i + 1].end]), i + 2
            continue
        if word in ("check", "as") and i + 1 < len(words) and words[i + 1].text == "(":
            end = _closing(words, i + 1)
            text = sql[words[i + 1].end : words[end].start].strip()
            expression = " ".join(t.text for t in words[i + 2 : end])
            kind = "check" if word == "check" else "generated"
            if kind == "check" or definition.column is not None:
                found.append(DeclaredExpression(kind, definition.column, name, text, expression))
            name, i = None, end + 1
            continue
        if word in _OTHER_CONSTRAINT_START:
            name = None
        if word == "collate" and i + 1 < len(words):
            collation = unquote(words[i + 1].text).lower()
        if words[i].text == "(":  # skip any other parenthesized part (DEFAULT (...), REFERENCES t (...))
            i = _closing(words, i) + 1
            continue
        i += 1
    return found, collation


def _closing(words: Sequence[Token], open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(words)):
        if words[i].text == "(":
            depth += 1
        elif words[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _split_top_level(words: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for word in words:
        if word.text == "(":
            depth += 1
        elif word.text == ")":
            depth -= 1
        if word.text == "," and depth == 0:
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
