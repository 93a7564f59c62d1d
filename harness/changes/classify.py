"""From catalog changes to classified findings: which rules each change fires.

`classify(changes, old, new)` returns Findings (rule code, object, message)
and, for data-dependent ones, the Probe that counts the existing rows the
new rule would refuse. Each rule is decided from the two catalogs alone;
harness.changes.diff adds the query plans, the data and the waivers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from harness.engine.catalog import Catalog, Column, ForeignKey, Table
from harness.engine.compare import ADDED, CHANGED, REMOVED, RENAMED, Change
from harness.engine.introspection import quote_identifier


@dataclass(frozen=True)
class Probe:
    """How to count, on existing data, the rows a new rule refuses: SELECT ... FROM table WHERE where."""

    table: str
    where: str  # SQL over the table's columns (from the new schema's text)
    what: str  # what the counted rows do, for the message ("break the CHECK")


@dataclass(frozen=True)
class Finding:
    code: str
    object: str
    message: str
    probe: Probe | None = None


_ENUM_TERM = re.compile(r"^(\w+) = ('(?:[^']|'')*')$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def classify(changes: list[Change], old: Catalog, new: Catalog) -> list[Finding]:
    found: list[Finding] = []
    dropped = {c.name for c in changes if c.kind == "table" and c.action == REMOVED}
    for change in changes:
        if change.kind in ("index", "trigger") and change.action == REMOVED and change.table in dropped:
            continue  # dropped with its table: DS101 says it
        found += _added_or_dropped(change) or _BY_KIND[change.kind](change, old, new)
    return _one_rebuild_per_table(found)


#: Kinds whose addition and removal are each one finding whatever the object: (code when added,
#: code when dropped, what dropping it does).
_ADDED_OR_DROPPED = {
    "table": ("SF101", "DS101", "dropped with its rows, indexes and triggers"),
    "view": ("SF104", "DS103", "dropped: its readers break"),
}


def _added_or_dropped(change: Change) -> list[Finding]:
    """The finding of a table or view added or dropped; [] for any other change."""
    if change.kind not in _ADDED_OR_DROPPED or change.action not in (ADDED, REMOVED):
        return []
    added, dropped, consequence = _ADDED_OR_DROPPED[change.kind]
    if change.action == ADDED:
        return [Finding(added, change.name, f"{change.kind} {change.name} added")]
    return [Finding(dropped, change.name, f"{change.kind} {change.name} {consequence}")]


def _one_rebuild_per_table(findings: list[Finding]) -> list[Finding]:
    """The RB101 findings of one table merged into one (a single rebuild does all of it), in first place."""
    reasons: dict[str, list[str]] = {}
    for f in findings:
        if f.code == "RB101":
            reasons.setdefault(f.object, []).append(f.message.split(": ", 1)[1].split("; SQLite cannot")[0])
    merged, done = [], set()
    for f in findings:
        if f.code != "RB101":
            merged.append(f)
        elif f.object not in done:
            done.add(f.object)
            merged.append(_rebuild(f.object, ", ".join(dict.fromkeys(reasons[f.object]))))
    return merged


# ---------------------------------------------------------------- tables
def _table(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    name = change.name  # added or dropped: _added_or_dropped
    if change.action == RENAMED:
        return [Finding("BR105", name, f"table {change.old} renamed to {change.new}: every reader and writer "
                                      f"names {change.old}")]
    rebuild = _rebuild(name, f"{change.attribute} changed")
    if change.attribute == "strict" and change.new:
        table = new.tables[name]
        return [Finding("BW111", name, f"table {name} made STRICT: values of another type are refused"),
                Finding("DD101", name, f"{name}: existing values must have their column's type",
                        Probe(name, _wrong_type_where(table), "hold a value of another type")), rebuild]
    if change.attribute == "strict":
        return [Finding("BR110", name, f"table {name} is no longer STRICT: readers may get values of any type"), rebuild]
    if change.attribute == "without_rowid":
        return [Finding("BW113", name, f"table {name}: WITHOUT ROWID {change.old} -> {change.new}"), rebuild]
    return [Finding("SF108", name, f"table {name}: AUTOINCREMENT {change.old} -> {change.new}"), rebuild]


def _rebuild(table: str, why: str) -> Finding:
    return Finding("RB101", table, f"{table}: {why}; SQLite cannot ALTER it, the migration must rebuild the table "
                                   "(harness.changes.rebuild.rebuild_table)")


def _wrong_type_where(table: Table) -> str:
    allowed = {"INTEGER": "'integer'", "INT": "'integer'", "REAL": "'real', 'integer'", "TEXT": "'text'",
               "BLOB": "'blob'"}
    terms = [
        f"typeof({quote_identifier(c.name)}) NOT IN ({allowed[c.type]}, 'null')"
        for c in table.columns
        if c.type in allowed and c.generated is None
    ]
    return " OR ".join(terms) or "0"


# ---------------------------------------------------------------- columns
def _column(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    table, name = change.table, change.name
    if change.action == RENAMED:
        return [Finding("BR106", name, f"column {change.old} renamed to {change.new}")]
    if change.action == ADDED:
        return _column_added(table, name, change.new, _after_every_old_column(old.tables.get(table), new.tables[table],
                                                                               change.new.name))
    if change.action == REMOVED:
        return _column_dropped(table, name, change.old, old.tables[table])
    return _column_changed(change, new.tables[table])


def _column_added(table: str, name: str, column: Column, at_end: bool) -> list[Finding]:
    if column.not_null and column.default is None and column.generated is None:
        return [
            Finding("BW101", name, f"column {name} is NOT NULL without a default: every existing writer's INSERT "
                                   "is refused"),
            Finding("DD101", name, f"{name}: existing rows have no value for it",
                    Probe(table, "1", "have no value for it")),
            _rebuild(table, f"NOT NULL column {column.name} without a default added"),
        ]
    found = [Finding("SF102", name, f"column {name} added ({column.type or 'no type'}"
                                    f"{', default ' + column.default if column.default else ''})")]
    cannot_alter = (
        column.pk or column.generated == "stored"
        or (column.default is not None and (column.default.startswith("(") or "current_" in column.default))
    )
    if cannot_alter:
        found.append(_rebuild(table, f"ALTER TABLE ADD COLUMN refuses {column.name} (key, STORED or non-constant default)"))
    elif not at_end:
        found.append(_rebuild(table, f"{column.name} is placed before existing columns (ADD COLUMN appends)"))
    return found


def _after_every_old_column(before: Table | None, after: Table, column: str) -> bool:
    """The added column comes after every column the table had (where ALTER TABLE ADD COLUMN puts it)."""
    names = after.column_names
    kept = [n for n in names if before is not None and before.column(n) is not None]
    return not kept or names.index(column) > names.index(kept[-1])


def _column_dropped(table: str, name: str, column: Column, before: Table) -> list[Finding]:
    found = [Finding("DS102", name, f"column {name} dropped: its values are lost and readers lose it")]
    referenced = (
        column.pk
        or any(column.name in key for key in before.unique_keys)
        or any(column.name in fk.columns for fk in before.foreign_keys)
        or any(_mentions(c.expression, column.name) for c in before.checks)
        or any(c.expression and _mentions(c.expression, column.name) for c in before.columns)
    )
    if referenced:
        found.append(_rebuild(table, f"ALTER TABLE DROP COLUMN refuses {column.name} (a key, CHECK or generated "
                                     "column uses it)"))
    return found


def _mentions(expression: str, column: str) -> bool:
    return column.lower() in expression.split(" ")


def _column_changed(change: Change, table: Table) -> list[Finding]:
    name, attr = change.name, change.attribute
    rebuild = _rebuild(table.name, f"column {name}: {attr} changed")
    column = quote_identifier(name.split(".", 1)[1]) if "." in name else ""
    if attr == "order":
        return [Finding("BR111", name, f"{table.name}: columns reordered {change.old} -> {change.new}"), rebuild]
    if attr == "type" or attr == "collation":
        found = [Finding("BW105", name, f"column {name}: {attr} {change.old!r} -> {change.new!r}"), rebuild]
        if table.strict and attr == "type":
            found.insert(1, Finding("DD101", name, f"{name}: existing values must be {change.new}",
                                    Probe(table.name, _wrong_type_where(_only(table, name)), "hold a value of another type")))
        return found
    if attr == "not_null":
        if change.new:
            return [Finding("BW106", name, f"column {name} made NOT NULL"),
                    Finding("DD101", name, f"{name}: existing rows must not be NULL",
                            Probe(table.name, f"{column} IS NULL", "are NULL")), rebuild]
        return [Finding("SF108", name, f"column {name}: NOT NULL dropped"), rebuild]
    if attr == "default":
        if change.new is None and table.column(name.split(".", 1)[1]) and _is_not_null(table, name):
            return [Finding("BW109", name, f"column {name}: default {change.old} removed from a NOT NULL column: "
                                           "writers that omit it are refused"), rebuild]
        if change.old is None:
            return [Finding("SF108", name, f"column {name}: default {change.new} added"), rebuild]
        return [Finding("BW110", name, f"column {name}: default {change.old} -> {change.new}"), rebuild]
    if attr == "pk":
        return [Finding("BW113", name, f"column {name}: primary key position {change.old} -> {change.new}"), rebuild]
    return [Finding("BR109", name, f"generated column {name}: {attr} changed, its stored values change meaning"),
            rebuild]


def _only(table: Table, name: str) -> Table:
    from dataclasses import replace

    return replace(table, columns=tuple(c for c in table.columns if f"{table.name}.{c.name}" == name))


def _is_not_null(table: Table, name: str) -> bool:
    column = table.column(name.split(".", 1)[1])
    return bool(column and column.not_null)


# ---------------------------------------------------------------- CHECKs
def _check(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    table, name = change.table, change.name
    rebuild = _rebuild(table, f"CHECK {name.split('.', 1)[1]} {change.action}")
    if change.action == RENAMED or change.attribute == "name":
        return [Finding("SF107", name, f"CHECK renamed {change.old} -> {change.new}"), rebuild]
    if change.action == REMOVED:
        return [Finding("SF105", name, f"CHECK {name} dropped: more is accepted"), rebuild]
    after = change.new.expression if change.action == ADDED else _expression(new, table, name)
    probe = Probe(table, f"NOT ({after})", "break the CHECK")
    if change.action == ADDED:
        return [Finding("BW103", name, f"CHECK {name} added: {after}"),
                Finding("DD101", name, f"{name}: existing rows must pass the new CHECK", probe), rebuild]
    before = change.old if change.attribute == "expression" else after
    verdict, detail = _compare_rules(before, after)
    if verdict == "wider":
        return [Finding("SF105", name, f"CHECK {name} relaxed: {detail}"), rebuild]
    code = "BW102" if verdict == "narrower enum" else "BW103"
    return [Finding(code, name, f"CHECK {name} tightened or changed: {detail}"),
            Finding("DD101", name, f"{name}: existing rows must pass the changed CHECK", probe), rebuild]


def _expression(catalog: Catalog, table: str, name: str) -> str:
    return next(c.expression for c in catalog.tables[table].checks if f"{table}.{c.key}" == name)


def _compare_rules(old: str, new: str) -> tuple[str, str]:
    """('wider' | 'narrower enum' | 'other', what changed) for two CHECK expressions."""
    old_enum, new_enum = _enumeration(old), _enumeration(new)
    if old_enum is not None and new_enum is not None and old_enum[0] == new_enum[0]:
        lost, gained = old_enum[1] - new_enum[1], new_enum[1] - old_enum[1]
        text = "; ".join(p for p in (_values("no longer accepts", lost), _values("now accepts", gained)) if p)
        return ("narrower enum" if lost else "wider"), text
    looser = _only_numbers_looser(old, new)
    if looser is not None:
        pairs = [f"{x} -> {y}" for x, y in zip(old.split(" "), new.split(" "), strict=True) if x != y]
        return ("wider" if looser else "other"), f"limits {', '.join(pairs)}"
    old_terms, new_terms = set(_top_level(old, "and")), set(_top_level(new, "and"))
    if new_terms < old_terms:
        return "wider", f"no longer requires {' and '.join(sorted(old_terms - new_terms))}"
    old_any, new_any = set(_top_level(old, "or")), set(_top_level(new, "or"))
    if old_any < new_any:
        return "wider", f"also accepts {' or '.join(sorted(new_any - old_any))}"
    return "other", f"{old} -> {new}"


def _values(label: str, values: set[str]) -> str:
    return f"{label} {', '.join(sorted(values))}" if values else ""


def _enumeration(expression: str) -> tuple[str, set[str]] | None:
    """(column, values) for `col = 'a' or col = 'b' ...` (optionally `col is null or ...`)."""
    terms = _top_level(expression, "or")
    column, values = None, set()
    for term in terms:
        if term.endswith(" is null"):
            continue
        match = _ENUM_TERM.match(term)
        if not match or (column is not None and match.group(1) != column):
            return None
        column = match.group(1)
        values.add(match.group(2))
    return (column, values) if column else None


def _top_level(expression: str, word: str) -> list[str]:
    """expression split at `word` outside parentheses (tokens are space-separated)."""
    parts: list[list[str]] = [[]]
    depth = 0
    for word_ in expression.split(" "):
        depth += word_ == "("
        depth -= word_ == ")"
        if word_ == word and depth == 0:
            parts.append([])
        else:
            parts[-1].append(word_)
    return [" ".join(p) for p in parts]


def _only_numbers_looser(old: str, new: str) -> bool | None:
    """None unless the two differ only in numbers compared with <, <=, >, >=; then True if every limit widened."""
    a, b = old.split(" "), new.split(" ")
    if len(a) != len(b):
        return None
    looser, differs = True, False
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y:
            continue
        if not (_NUMBER.match(x) and _NUMBER.match(y)) or i == 0 or a[i - 1] not in ("<", "<=", ">", ">="):
            return None
        differs = True
        upper = a[i - 1] in ("<", "<=")
        looser &= float(y) > float(x) if upper else float(y) < float(x)
    return looser if differs else None


# ------------------------------------------------------- keys and indexes
def _foreign_key(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    table, name = change.table, change.name
    rebuild = _rebuild(table, f"foreign key {name.split('.', 1)[1]} {change.action}")
    if change.action == REMOVED:
        return [Finding("DS106", name, f"foreign key {name} dropped: orphans become possible"), rebuild]
    if change.action == CHANGED and change.attribute in ("on_delete", "on_update"):
        return [Finding("BW108", name, f"foreign key {name}: {change.attribute.replace('_', ' ').upper()} "
                                       f"{change.old} -> {change.new}"), rebuild]
    fk: ForeignKey = change.new
    where = " OR ".join(f"{quote_identifier(c)} IS NOT NULL" for c in fk.columns)
    parent_columns = ", ".join(quote_identifier(c or "rowid") for c in fk.parent_columns)
    columns = ", ".join(quote_identifier(c) for c in fk.columns)
    probe = Probe(table, f"({where}) AND ({columns}) NOT IN (SELECT {parent_columns} "  # noqa: S608 - quoted names
                         f"FROM {quote_identifier(fk.parent)})", "have no parent row")
    return [Finding("BW107", name, f"foreign key {name} added: writes need the parent row"),
            Finding("DD101", name, f"{name}: existing rows must have their parent", probe), rebuild]


def _unique_key(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    table, key = change.table, change.new
    rebuild = _rebuild(table, f"UNIQUE key {change.name} {change.action}")
    if change.action == REMOVED:
        return [Finding("SF108", change.name, f"UNIQUE key {change.name} dropped"), rebuild]
    return [Finding("BW104", change.name, f"UNIQUE key {change.name} added"),
            Finding("DD101", change.name, f"{change.name}: existing rows must be unique", _duplicates(table, key)),
            rebuild]


def _duplicates(table: str, columns: tuple[str, ...]) -> Probe:
    names = ", ".join(quote_identifier(c) for c in columns)
    return Probe(table, f"({names}) IN (SELECT {names} FROM {quote_identifier(table)} "  # noqa: S608 - quoted names
                        f"GROUP BY {names} HAVING count(*) > 1)", "share their key")


def _index(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    name = change.name
    if change.action in (REMOVED, RENAMED):
        return _dropped_or_renamed(change, "index", dropped="DS104")
    index = new.indexes[name]
    became_unique = index.unique and (change.action == ADDED or change.attribute == "unique")
    if became_unique:
        columns = tuple(c.split(" ")[0] for c in index.columns)
        return [Finding("BW104", name, f"unique index {name} on {index.table} ({', '.join(index.columns)})"),
                Finding("DD101", name, f"{name}: existing rows must be unique", _duplicates(index.table, columns))]
    if change.action == ADDED:
        return [Finding("SF103", name, f"index {name} added on {index.table} ({', '.join(index.columns)})")]
    return [Finding("SF103", name, f"index {name}: {change.attribute} {change.old} -> {change.new}")]


def _dropped_or_renamed(change: Change, kind: str, *, dropped: str) -> list[Finding]:
    """An index or trigger removed (code `dropped`) or renamed (SF107): said the same way for both."""
    if change.action == RENAMED:
        return [Finding("SF107", change.name, f"{kind} {change.old} renamed to {change.new}")]
    return [Finding(dropped, change.name, f"{kind} {change.name} on {change.old.table} dropped")]


# ------------------------------------------------------- views, triggers
def _view(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    name = change.name  # added or dropped: _added_or_dropped
    if change.attribute == "sql":
        if old.views[name].columns != new.views[name].columns:
            return []  # the column change says it
        return [Finding("BR104", name, f"view {name}: its SQL changed, so its rows, values or order may change ("
                                       f"{change.describe().split(': ', 1)[1]})")]
    before, after = change.old, change.new
    gone = [c for c in before if c not in after]
    if not gone and len(after) > len(before):
        return [Finding("SF104", name, f"view {name}: columns added {', '.join(c for c in after if c not in before)}")]
    if gone and len(before) == len(after):
        renamed = [f"{b} -> {a}" for b, a in zip(before, after, strict=True) if b != a]
        return [Finding("BR102", name, f"view {name}: columns renamed {', '.join(renamed)}")]
    if gone:
        return [Finding("BR101", name, f"view {name}: columns dropped {', '.join(gone)}")]
    return [Finding("BR103", name, f"view {name}: columns reordered {before} -> {after}")]


def _trigger(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    name = change.name
    if change.action in (REMOVED, RENAMED):
        return _dropped_or_renamed(change, "trigger", dropped="DS105")
    raises = " raise (" in new.triggers[name].sql
    if change.action == ADDED:
        if raises:
            return [Finding("BW112", name, f"trigger {name} added: it can refuse writes to {change.new.table}")]
        return [Finding("SF106", name, f"trigger {name} added on {change.new.table}")]
    if change.attribute != "sql":
        return [Finding("BR108", name, f"trigger {name}: {change.attribute} {change.old} -> {change.new}")]
    detail = change.describe().split(": ", 1)[1]
    if raises:
        return [Finding("BW112", name, f"trigger {name} changed, it can refuse writes ({detail})")]
    return [Finding("BR108", name, f"trigger {name} changed: what it maintains changes ({detail})")]


def _user_version(change: Change, old: Catalog, new: Catalog) -> list[Finding]:
    return [Finding("SF109", "user_version", f"schema version {change.old} -> {change.new}")]


_BY_KIND: dict[str, Callable[[Change, Catalog, Catalog], list[Finding]]] = {
    "table": _table, "column": _column, "check": _check, "foreign_key": _foreign_key,
    "unique_key": _unique_key, "index": _index, "view": _view, "trigger": _trigger,
    "user_version": _user_version,
}
