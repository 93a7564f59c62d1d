"""Every difference between two catalogs, as plain records.

`compare(old, new)` lists one Change per object or attribute that differs:
what kind of object, which one, what happened (added, removed, changed,
renamed) and the two values. It judges nothing: harness.changes.rules turns
changes into classified findings, and drift reports print them as they are.

Renames are recognised when the two sides show them: a table removed and one
added with the same columns, CHECKs and keys; a column removed and one added
at the same position of the same table with the same definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from harness.engine.catalog import Catalog, Check, Column, ForeignKey, Table

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"


@dataclass(frozen=True)
class Change:
    """kind: table, column, check, foreign_key, unique_key, index, view, trigger, user_version.

    name: the object ('receipts', 'receipts.status', 'receipts.receipts_status_enum').
    attribute: for CHANGED, what changed ('type', 'sql', 'columns', ...); for RENAMED, 'name'.
    """

    kind: str
    name: str
    action: str
    attribute: str = ""
    old: Any = None
    new: Any = None
    table: str = ""

    def describe(self) -> str:
        if self.action == CHANGED:
            before, after = _difference(self.old, self.new)
            return f"{self.kind} {self.name}: {self.attribute} {before} -> {after}"
        if self.action == RENAMED:
            return f"{self.kind} {self.old} renamed to {self.new}"
        return f"{self.kind} {self.name} {self.action}"


def _difference(old: Any, new: Any) -> tuple[str, str]:
    """The two values, or for long texts only the words that differ (with one word of context)."""
    if not (isinstance(old, str) and isinstance(new, str)) or len(old) + len(new) <= 120:
        return _show(old), _show(new)
    a, b = old.split(" "), new.split(" ")
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start, keep = max(head - 1, 0), max(tail - 1, 0)

    def part(words: list[str]) -> str:
        text = " ".join(words[start : len(words) - keep])
        return _show(("... " if start else "") + text + (" ..." if keep else ""))

    return part(a), part(b)


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"`{value}`"
    return text if len(text) <= 100 else text[:97] + "..."


def compare(old: Catalog, new: Catalog, *, versions: bool = True) -> list[Change]:
    """The changes that turn old into new (user_version only when versions is True)."""
    changes: list[Change] = []
    renamed = _table_renames(old.tables, new.tables)
    for before, after in renamed.items():
        changes.append(Change("table", after, RENAMED, "name", before, after, table=after))
    old_tables = {renamed.get(n, n): t for n, t in old.tables.items()}
    changes += _keyed("table", old_tables, new.tables, _table_changes)
    old_indexes = {n: replace(i, table=renamed.get(i.table, i.table)) for n, i in old.indexes.items()}
    changes += _paired_renames(
        _keyed("index", old_indexes, new.indexes, _attribute_changes),
        lambda i: (i.table, i.unique, i.columns, i.where),
    )
    changes += _keyed("view", old.views, new.views, _attribute_changes)
    changes += _keyed("trigger", old.triggers, new.triggers, _attribute_changes)
    if versions and old.user_version != new.user_version:
        changes.append(Change("user_version", "user_version", CHANGED, "value", old.user_version, new.user_version))
    return changes


T = TypeVar("T")


def _keyed(kind: str, old: Mapping[str, T], new: Mapping[str, T], changed: Any) -> list[Change]:
    found: list[Change] = []
    for name in sorted(set(old) | set(new)):
        table = _table_of(old.get(name) or new.get(name), name)
        if name not in new:
            found.append(Change(kind, name, REMOVED, old=old[name], table=table))
        elif name not in old:
            found.append(Change(kind, name, ADDED, new=new[name], table=table))
        elif old[name] != new[name]:
            found += changed(kind, name, old[name], new[name])
    return found


def _table_of(obj: Any, name: str) -> str:
    return str(getattr(obj, "table", None) or name)


def _attribute_changes(kind: str, name: str, old: Any, new: Any) -> list[Change]:
    return [
        Change(kind, name, CHANGED, f.name, getattr(old, f.name), getattr(new, f.name), table=_table_of(new, name))
        for f in fields(old)
        if getattr(old, f.name) != getattr(new, f.name)
    ]


def _table_changes(kind: str, name: str, old: Table, new: Table) -> list[Change]:
    found = [
        Change("table", name, CHANGED, attr, getattr(old, attr), getattr(new, attr), table=name)
        for attr in ("strict", "without_rowid", "autoincrement")
        if getattr(old, attr) != getattr(new, attr)
    ]
    found += _column_changes(name, old, new)
    new_keys = {c.key for c in new.checks}
    old_checks = {f"{name}.{c.key}": c for c in (_follow_rename(c, old.name, name, new_keys) for c in old.checks)}
    found += _paired_renames(_keyed(
        "check", old_checks, {f"{name}.{c.key}": c for c in new.checks}, _attribute_changes,
    ), lambda c: (c.column, c.expression))
    found += _keyed(
        "foreign_key", {f"{name}.{f.key}": f for f in old.foreign_keys}, {f"{name}.{f.key}": f for f in new.foreign_keys},
        _attribute_changes,
    )
    for key in sorted(set(old.unique_keys) ^ set(new.unique_keys)):
        action = ADDED if key in new.unique_keys else REMOVED
        found.append(Change("unique_key", f"{name}({', '.join(key)})", action, old=key, new=key, table=name))
    return [replace(c, table=name) for c in found]


def _follow_rename(check: Check, old_table: str, new_table: str, new_keys: set[str]) -> Check:
    """A CHECK named after its table keeps its place when the table is renamed and the new side renamed it too."""
    if check.name is None:
        return check
    renamed = _renamed_prefix(check.name, old_table, new_table)
    return replace(check, name=renamed) if renamed in new_keys and check.key not in new_keys else check


def _renamed_prefix(key: str, old_table: str, new_table: str) -> str:
    """A constraint named after its table (<table>_<column>_<rule>) keeps its place when the table is renamed."""
    return new_table + key[len(old_table):] if old_table != new_table and key.startswith(old_table + "_") else key


def _paired_renames(changes: list[Change], shape: Any) -> list[Change]:
    """A removed and an added object of the same shape (apart from the name) become one RENAMED change."""
    removed = [c for c in changes if c.action == REMOVED]
    added = [c for c in changes if c.action == ADDED]
    paired: list[Change] = []
    for gone in removed:
        match = [c for c in added if shape(c.new) == shape(gone.old)]
        if len(match) == 1:
            added.remove(match[0])
            changes = [c for c in changes if c is not gone and c is not match[0]]
            paired.append(Change(gone.kind, match[0].name, RENAMED, "name", gone.name, match[0].name,
                                 table=match[0].table))
    return paired + changes


def _column_changes(table: str, old: Table, new: Table) -> list[Change]:
    renames = _column_renames(old, new)
    found = [
        Change("column", f"{table}.{a}", RENAMED, "name", f"{table}.{b}", f"{table}.{a}", table=table)
        for b, a in renames.items()
    ]
    old_columns = {renames.get(c.name, c.name): c for c in old.columns}
    new_columns = {c.name: c for c in new.columns}
    found += _keyed(
        "column", {f"{table}.{n}": replace(c, name=n) for n, c in old_columns.items()},
        {f"{table}.{n}": c for n, c in new_columns.items()}, _attribute_changes,
    )
    kept_old = [renames.get(n, n) for n in old.column_names if renames.get(n, n) in new_columns]
    kept_new = [n for n in new.column_names if n in old_columns]
    if kept_old != kept_new:
        found.append(Change("column", f"{table}.*", CHANGED, "order", tuple(kept_old), tuple(kept_new), table=table))
    return found


def _column_renames(old: Table, new: Table) -> dict[str, str]:
    """old name -> new name for a column removed and one added at the same position with the same definition."""
    gone = {i: c for i, c in enumerate(old.columns) if new.column(c.name) is None}
    came = {i: c for i, c in enumerate(new.columns) if old.column(c.name) is None}
    return {
        gone[i].name: came[i].name
        for i in sorted(set(gone) & set(came))
        if _same_definition(gone[i], came[i])
    }


def _same_definition(a: Column, b: Column) -> bool:
    return replace(a, name="", expression=None) == replace(b, name="", expression=None)


def _table_renames(old: Mapping[str, Table], new: Mapping[str, Table]) -> dict[str, str]:
    """old name -> new name for a table removed and one added with the same shape."""
    gone = [t for n, t in old.items() if n not in new]
    came = [t for n, t in new.items() if n not in old]
    found: dict[str, str] = {}
    for before in gone:
        match = [after for after in came if _shape(after) == _shape(before) and after.name not in found.values()]
        if len(match) == 1:
            found[before.name] = match[0].name
    return found


def _shape(t: Table) -> tuple[Any, ...]:
    """A table without its name (CHECK names carry the table's name by convention, so only expressions count)."""
    checks = tuple(sorted(c.expression for c in t.checks))
    return (t.strict, t.without_rowid, t.autoincrement, t.columns, checks, _fk_shapes(t.foreign_keys), t.unique_keys)


def _fk_shapes(fks: Iterable[ForeignKey]) -> tuple[Any, ...]:
    return tuple(sorted((f.columns, f.parent, f.parent_columns, f.on_update, f.on_delete) for f in fks))


def check_of(change: Change) -> Check | None:
    """The CHECK a check change is about (new side when it exists)."""
    value = change.new if change.new is not None else change.old
    return value if isinstance(value, Check) else None
