"""Mutants generated from the contract and the schema's catalogue, not from a hand list.

For every enumeration: widen it by a random novel value, narrow it by each
value. For every foreign key: drop it, change each action. For every index:
drop it, reorder its columns, drop each column, duplicate it. For every
column: drop NOT NULL, change the type, drop each CHECK; for every table,
drop STRICT. For every view: flip each ORDER BY term, change its LIMIT, its
window edges (each comparison made strict or loose), its rounding, each
aggregate. For every trigger: drop it, drop each statement of its body. And
an unknown column, table, index, view and trigger.

Each mutant names the words the failing check's message must contain (the
broken promise: table.column, index, view or trigger); `alternatives` lists
other acceptable wordings (a rollup trigger's broken statement is named by
the rollup it keeps). Random parts draw from random.Random(SEED): set
GGEN_MUTANT_SEED to reproduce another run.
"""

from __future__ import annotations

import os
import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from harness.contract.model import Contract
from harness.contract.rollup_sql import ROLLUPS, window_triggers
from harness.engine.db import split_statements
from harness.engine.sqltext import declared_rules, definition_spans

SEED = int(os.environ.get("GGEN_MUTANT_SEED", "20261204"))
ACTIONS = ("CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT", "NO ACTION")
OTHER_TYPE = {"TEXT": "INTEGER", "INTEGER": "TEXT", "REAL": "TEXT", "ANY": "TEXT"}
_FK_CLAUSE = re.compile(
    r"\s*(?:CONSTRAINT\s+\w+\s+)?REFERENCES\s+\w+\s*\(\w+\)(?:\s+ON\s+(?:DELETE|UPDATE)\s+"
    r"(?:CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION))*", re.IGNORECASE)
_INDEX = re.compile(r"^CREATE INDEX IF NOT EXISTS (\w+) ON (\w+) \(([^)]*)\);$")
_VIEW = re.compile(r"^(CREATE VIEW IF NOT EXISTS (\w+) AS)\s*(.*?);?$", re.DOTALL)
_TRIGGER_NAME = re.compile(r"^CREATE TRIGGER IF NOT EXISTS (\w+)\s+(?:BEFORE|AFTER)\s+\w+(?: OF [\w, ]+)? ON (\w+)")


@dataclass(frozen=True)
class GeneratedMutant:
    kind: str
    name: str
    schema: str  # the whole mutated schema text
    mentions: tuple[str, ...]  # words a failing check's message must contain
    alternatives: tuple[tuple[str, ...], ...] = ()  # other acceptable sets of words

    def caught_by(self, message: str) -> bool:
        return any(all(word in message for word in words) for words in (self.mentions, *self.alternatives))


def _body(statement: str) -> str:
    """The statement without its leading comment lines."""
    lines = statement.splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "\n".join(lines)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Generator:
    """Every mutant of one schema text under one contract."""

    def __init__(self, schema: str, contract: Contract, seed: int = SEED) -> None:
        self.schema, self.contract, self.random = schema, contract, random.Random(seed)
        self.statements = [s for s in split_statements(schema)]
        self.mutants: list[GeneratedMutant] = []

    # -------------------------------------------------------------- helpers
    def _add(self, kind: str, name: str, old: str, new: str, mentions: tuple[str, ...],
             alternatives: tuple[tuple[str, ...], ...] = ()) -> None:
        if old == new or old not in self.schema:
            raise AssertionError(f"mutant {name}: its edit does not apply")
        name = self._unique(name)
        self.mutants.append(GeneratedMutant(kind, name, self.schema.replace(old, new, 1), mentions, alternatives))

    def _unique(self, name: str) -> str:
        taken = {m.name for m in self.mutants}
        n, unique = 1, name
        while unique in taken:
            n += 1
            unique = f"{name} #{n}"
        return unique

    def _append(self, kind: str, name: str, extra: str, mentions: tuple[str, ...]) -> None:
        self.mutants.append(GeneratedMutant(kind, name, self.schema + "\n" + extra + "\n", mentions))

    def _tables(self) -> Iterator[tuple[str, str]]:
        for statement in self.statements:
            m = re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", _body(statement))
            if m:
                yield m.group(1), statement

    def _novel(self, taken: tuple[str, ...]) -> str:
        alphabet = string.ascii_letters + string.digits + "_-. '"
        while True:
            value = "".join(self.random.choices(alphabet, k=self.random.randint(1, 12)))
            if value not in taken and value.strip():
                return value

    # ---------------------------------------------------------------- kinds
    def generate(self) -> list[GeneratedMutant]:
        for table, statement in self._tables():
            self.enumerations(table, statement)
            self.foreign_keys(table, statement)
            self.columns(table, statement)
        self.indexes()
        self.views()
        self.triggers()
        self.unknown_objects()
        return self.mutants

    def enumerations(self, table: str, statement: str) -> None:
        declared = self.contract.tables.get(table)
        if declared is None:
            return
        for column in (c for c in declared.columns if c.kind == "enum"):
            rule = next(r for r in declared_rules(statement) if r.kind == "check" and r.column == column.name)
            where = f"{table}.{column.name}"
            novel = self._novel(column.values)
            widened = statement.replace(rule.text, f"({rule.text}) OR {column.name} = {_sql_text(novel)}", 1)
            self._add("enum widened", f"{where} widened by {novel!r}", statement, widened, (where, repr(novel)))
            for value in column.values:
                rest = " OR ".join(f"{column.name} = {_sql_text(v)}" for v in column.values if v != value)
                body = rest if column.not_null else f"{column.name} IS NULL OR {rest}"
                narrowed = statement.replace(rule.text, body, 1)
                self._add("enum narrowed", f"{where} narrowed by {value!r}", statement, narrowed, (where, repr(value)))

    def foreign_keys(self, table: str, statement: str) -> None:
        for column, start, end in definition_spans(statement):
            item = statement[start:end]
            clause = _FK_CLAUSE.search(item)
            if column is None or clause is None:
                continue
            where = f"{table}.{column}"
            edit = statement[:start] + item.replace(clause.group(0), "", 1) + statement[end:]
            self._add("foreign key dropped", f"{where}: foreign key dropped", statement, edit, (where,))
            for event in ("DELETE", "UPDATE"):
                current = re.search(rf"ON {event} ({'|'.join(ACTIONS)})", clause.group(0))
                if current is None:
                    continue
                for action in (a for a in ACTIONS if a != current.group(1)):
                    changed = item.replace(current.group(0), f"ON {event} {action}", 1)
                    edit = statement[:start] + changed + statement[end:]
                    self._add("foreign key action changed", f"{where}: ON {event} {action}", statement, edit,
                              (where, f"ON {event}"))

    def columns(self, table: str, statement: str) -> None:
        for column, start, end in definition_spans(statement):
            if column is None:
                continue
            item, where = statement[start:end], f"{table}.{column}"
            head = re.match(r"(\w+\s+)(TEXT|INTEGER|REAL|ANY)\b", item)
            if head is not None:
                retyped = item.replace(head.group(0), head.group(1) + OTHER_TYPE[head.group(2)], 1)
                self._add("column type changed", f"{where}: type {OTHER_TYPE[head.group(2)]}", statement,
                          statement[:start] + retyped + statement[end:], (where,))
            not_null = re.match(r"(\w+\s+\w+\s+)NOT NULL\b", item)
            if not_null is not None:
                loosened = item.replace(not_null.group(0), not_null.group(1).rstrip(), 1)
                self._add("NOT NULL dropped", f"{where}: NOT NULL dropped", statement,
                          statement[:start] + loosened + statement[end:], (where, "NOT NULL"))
        for rule in (r for r in declared_rules(statement) if r.kind == "check"):
            where = f"{table}.{rule.column}" if rule.column else table
            words = (where, rule.name) if rule.name else (where,)
            pattern = re.compile(r"CHECK\s*\(\s*" + re.escape(rule.text) + r"\s*\)")
            found = pattern.search(statement)
            if found is None:
                raise AssertionError(f"{rule.label} of {table} not found in its statement")
            dropped = statement[:found.start()] + "CHECK (1)" + statement[found.end():]
            self._add("CHECK dropped", f"{table}: {rule.label} dropped", statement, dropped, words, ((where,),))
        if ") STRICT" in statement:
            self._add("STRICT dropped", f"{table}: STRICT dropped", statement,
                      statement.replace(") STRICT, WITHOUT ROWID", ") WITHOUT ROWID").replace(") STRICT;", ");"),
                      (table, "STRICT"))

    def indexes(self) -> None:
        for statement in self.statements:
            m = _INDEX.match(_body(statement))
            if m is None:
                continue
            name, table, columns = m.group(1), m.group(2), [c.strip() for c in m.group(3).split(",")]
            line = m.group(0)

            def rebuilt(cols: list[str], line: str = line, columns: str = m.group(3)) -> str:
                return line.replace(f"({columns})", "(" + ", ".join(cols) + ")")

            self._add("index dropped", f"{name} dropped", line, "", (name,))
            if len(columns) > 1:
                self._add("index reordered", f"{name} reordered", line, rebuilt(columns[::-1]), (name,))
                for column in columns:
                    rest = [c for c in columns if c != column]
                    self._add("index column dropped", f"{name} without {column}", line, rebuilt(rest), (name,))
            self._append("index duplicated", f"{name} duplicated",
                         f"CREATE INDEX IF NOT EXISTS {name}_copy ON {table} ({', '.join(columns)});",
                         (f"{name}_copy",))

    def views(self) -> None:
        for statement in self.statements:
            m = _VIEW.match(_body(statement).strip())
            if m is None:
                continue
            head, view, select = m.group(1), m.group(2), m.group(3)
            tree = sqlglot.parse_one(select, read="sqlite")
            for n, node in enumerate(tree.walk()):
                for label, change in _view_changes(node):
                    mutated = tree.copy()
                    target = list(mutated.walk())[n]
                    change(target)
                    text = f"{head}\n{mutated.sql(dialect='sqlite')};"
                    self._add(f"view {label.split(':')[0]}", f"{view}: {label}", statement, text, (view,))

    def triggers(self) -> None:
        rollup_of = {f"{r.base}_rollup_{e}": r.table for r in ROLLUPS.values() if r.bucket is None
                     for e in ("insert", "update", "delete")}
        rollup_of.update({name: r.table for r in ROLLUPS.values() if r.bucket is not None for name in window_triggers(r)})
        for statement in self.statements:
            m = _TRIGGER_NAME.match(_body(statement))
            if m is None:
                continue
            name = m.group(1)
            alternatives = ((rollup_of[name],),) if name in rollup_of else ()
            self._add("trigger dropped", f"{name} dropped", statement, "", (name,), alternatives)
            body = _trigger_body_statements(statement)
            if len(body) > 1:
                for n, part in enumerate(body, start=1):
                    self._add("trigger statement dropped", f"{name}: statement {n} of {len(body)} dropped",
                              statement, statement.replace(part, "", 1), (name,), alternatives)

    def unknown_objects(self) -> None:
        self._append("unknown column", "unknown column receipts.notes",
                     "ALTER TABLE receipts ADD COLUMN notes TEXT;", ("receipts.notes",))
        self._append("unknown table", "unknown table scratchpad",
                     "CREATE TABLE IF NOT EXISTS scratchpad (id INTEGER PRIMARY KEY, note TEXT) STRICT;", ("scratchpad",))
        self._append("unknown index", "unknown index idx_receipts_operation",
                     "CREATE INDEX IF NOT EXISTS idx_receipts_operation ON receipts (operation);",
                     ("idx_receipts_operation",))
        self._append("unknown view", "unknown view failures_only",
                     "CREATE VIEW IF NOT EXISTS failures_only AS SELECT execution_id FROM receipts "
                     "WHERE status = 'failed';", ("failures_only",))
        self._append("unknown trigger", "unknown trigger audit_log_touch",
                     "CREATE TRIGGER IF NOT EXISTS audit_log_touch AFTER INSERT ON receipts BEGIN "
                     "SELECT 1; END;", ("audit_log_touch",))


# -------------------------------------------------------------------- views
_FLIPPED = {exp.GTE: exp.GT, exp.GT: exp.GTE, exp.LTE: exp.LT, exp.LT: exp.LTE}
_OTHER_AGGREGATE = {exp.Max: exp.Min, exp.Min: exp.Max, exp.Sum: exp.Max, exp.Avg: exp.Max}


def _view_changes(node: exp.Expression) -> list[tuple[str, object]]:
    """(label, change in place) for each way this node of a view can be mutated."""
    changes: list[tuple[str, object]] = []
    if isinstance(node, exp.Ordered):
        changes.append((f"order: {node.this.sql()} flipped", lambda n: n.set("desc", not n.args.get("desc"))))
    elif isinstance(node, exp.Limit):
        value = int(node.expression.name)
        for other in (value - 1, value + 1):
            changes.append((f"limit: LIMIT {other}",
                            lambda n, o=other: n.set("expression", exp.Literal.number(o))))
    elif type(node) in _FLIPPED:
        flipped = _FLIPPED[type(node)]
        changes.append((f"window edge: {node.sql()} as {flipped.__name__}",
                        lambda n, f=flipped: n.replace(f(this=n.this, expression=n.expression))))
    elif isinstance(node, exp.Round):
        changes.append((f"rounding: {node.sql()} to 1 decimal",
                        lambda n: n.set("decimals", exp.Literal.number(1))))
    elif type(node) in _OTHER_AGGREGATE:
        other = _OTHER_AGGREGATE[type(node)]
        changes.append((f"aggregate: {node.sql()} as {other.__name__.lower()}",
                        lambda n, o=other: n.replace(o(this=n.this))))
    elif isinstance(node, exp.Count):
        changes.append((f"aggregate: {node.sql()} as max(1)",
                        lambda n: n.replace(exp.Max(this=exp.Literal.number(1)))))
    return changes


def _trigger_body_statements(statement: str) -> list[str]:
    """The statements between a trigger's BEGIN and END, each with its ';'."""
    begin = re.search(r"\bBEGIN\b", statement)
    end = statement.rstrip().rstrip(";").rstrip()
    if begin is None or not end.upper().endswith("END"):
        return []
    body = statement[begin.end(): len(end) - 3]
    return [part for part in split_statements(body) if part.rstrip(";").strip()]
