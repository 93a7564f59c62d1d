"""The registry of conformance checks: stable codes, titles, groups, checklist numbers.

A check is a function `fn(ctx, **params) -> Iterable[str]` returning the
problems it found (each naming the table, column or index and the rule); no
problem means the promise holds. It is registered with `@GROUP.check(...)`
(GROUP = CheckGroup(name), name one of EXTRA_GROUPS) or `@checklist(number, ...)` under a code
template and a `subjects` function that expands it over the contract:
`enum_{table}_{column}` becomes one finding per enumeration the contract
declares, so a legitimate schema change is one edit to the contract. Its
docstring describes it: the title line, the promise, a "Fix: ..." paragraph
(reports and the README catalogue print them). `register(...)` underneath takes
them as arguments.

The 36 checks of the original delivery checklist keep their numbers and
groups; every other check belongs to one of EXTRA_GROUPS. `plan(contract)`
gives every check to run in the report's stable order.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contract.model import Contract

# The checklist's groups, each with the numbers of its checks.
CHECKLIST_SECTIONS = {
    "Schema Structure": range(1, 8),
    "Table Columns": range(8, 23),
    "Indexes": range(23, 25),
    "Constraints": range(25, 27),
    "Data Types": range(27, 29),
    "JSON Operations": range(29, 31),
    "Foreign Keys": range(31, 33),
    "Views": range(33, 36),
    "Integration Scenarios": range(36, 37),
}
CHECKLIST_GROUPS = tuple(CHECKLIST_SECTIONS)
EXTRA_GROUPS = (
    "Tables",
    "Enumerations",
    "Ids and text",
    "Numbers",
    "JSON",
    "Timestamps",
    "Rules as stored",
    "Table rules",
    "Foreign key behaviour",
    "Index use",
    "View behaviour",
    "Rollups",
    "Flows",
    "Stored data",
    "Environment",
)


class Broken(Exception):
    """Raised inside a check when a promise is broken and the check cannot go on."""


class Skip(Exception):
    """Raised inside a check that does not apply to this target (e.g. a schema-file check on --db)."""


@dataclass(frozen=True)
class Subject:
    """What one finding of a check is about: obj names it, params feed the code and the function."""

    obj: str
    params: Mapping[str, str] = field(default_factory=dict)


CheckFn = Callable[..., Iterable[str]]
SubjectsFn = Callable[[Contract], Iterable[Subject]]


@dataclass(frozen=True)
class CheckSpec:
    """One registered check. `code` and `title` are templates over the subjects' params."""

    code: str
    title: str
    group: str
    promise: str  # what the check promises (catalogue)
    fix: str  # how to fix a failure (catalogue)
    fn: CheckFn
    subjects: SubjectsFn
    number: int | None = None
    schema_only: bool = False  # true when only a schema file (not a --db) can be judged


@dataclass(frozen=True)
class PlannedCheck:
    """One finding to produce: a check applied to one subject."""

    spec: CheckSpec
    code: str
    title: str
    obj: str
    params: Mapping[str, str]

    def run(self, ctx: Any) -> list[str]:
        return list(self.spec.fn(ctx, **self.params))


REGISTRY: list[CheckSpec] = []


def _single(contract: Contract) -> Iterable[Subject]:
    return (Subject(""),)


def register(
    code: str,
    *,
    title: str,
    group: str,
    promise: str,
    fix: str,
    number: int | None = None,
    subjects: SubjectsFn | None = None,
    schema_only: bool = False,
) -> Callable[[CheckFn], CheckFn]:
    """Add a check to the registry (decorator); the function is returned unchanged."""
    if number is None and group not in EXTRA_GROUPS:
        raise ValueError(f"{code}: unknown group {group!r}")
    if number is not None and group not in CHECKLIST_GROUPS:
        raise ValueError(f"{code}: unknown checklist group {group!r}")

    def add(fn: CheckFn) -> CheckFn:
        REGISTRY.append(
            CheckSpec(code, title, group, promise, fix, fn, subjects or _single, number, schema_only)
        )
        return fn

    return add


def described(fn: CheckFn) -> tuple[str, str, str]:
    """A check's title, promise and fix from its docstring: the first line; the paragraphs after it; the last
    paragraph, which starts with "Fix:". Each is folded onto one line, as reports and the catalogue print it."""
    if fn.__doc__ is None:  # python -OO strips docstrings
        raise ValueError(f"{fn.__qualname__}: a check needs its docstring (do not run with python -OO)")
    paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(fn.__doc__).split("\n\n")]
    if len(paragraphs) < 3 or not paragraphs[-1].startswith("Fix: "):
        raise ValueError(f"{fn.__qualname__}: a check's docstring is its title, its promise and a 'Fix: ' paragraph")
    return paragraphs[0], " ".join(paragraphs[1:-1]), paragraphs[-1].removeprefix("Fix: ")


@dataclass(frozen=True)
class CheckGroup:
    """One of EXTRA_GROUPS: `@GROUP.check(code)` registers a check in it, described by its docstring."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in EXTRA_GROUPS:
            raise ValueError(f"unknown check group {self.name!r}")

    def check(
        self, code: str, *, subjects: SubjectsFn | None = None, schema_only: bool = False
    ) -> Callable[[CheckFn], CheckFn]:
        def add(fn: CheckFn) -> CheckFn:
            title, promise, fix = described(fn)
            return register(code, title=title, group=self.name, promise=promise, fix=fix, subjects=subjects,
                            schema_only=schema_only)(fn)

        return add


def checklist(number: int, name: str, about: str | None = None, **params: str) -> Callable[[CheckFn], CheckFn]:
    """Register checklist check `number`: code check_NN_name, in the group its number falls in, about one
    subject (`about`, whose params also fill the docstring's {placeholders}), described by its docstring."""
    group = next(g for g, numbers in CHECKLIST_SECTIONS.items() if number in numbers)
    subjects = one(about, **params) if about is not None else None

    def add(fn: CheckFn) -> CheckFn:
        title, promise, fix = (text.format(**params) for text in described(fn))
        return register(f"check_{number:02d}_{name}", title=title, group=group, promise=promise, fix=fix,
                        number=number, subjects=subjects)(fn)

    return add


def _order(spec: CheckSpec) -> tuple[int, int, int]:
    if spec.number is not None:
        return (0, spec.number, 0)
    return (1, EXTRA_GROUPS.index(spec.group), REGISTRY.index(spec))


def ordered_specs() -> list[CheckSpec]:
    """The registry in report order: checklist numbers first, then the extra groups."""
    return sorted(REGISTRY, key=_order)


def plan(contract: Contract) -> list[PlannedCheck]:
    """Every finding a run produces, in the report's stable order; codes are unique."""
    planned: list[PlannedCheck] = []
    for spec in ordered_specs():
        for subject in spec.subjects(contract):
            params = dict(subject.params)
            planned.append(
                PlannedCheck(spec, spec.code.format(**params), spec.title.format(**params), subject.obj, params)
            )
    codes = [p.code for p in planned]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"check codes are not unique: {', '.join(duplicates)}")
    return planned


# ------------------------------------------------------ subject expansions
def over_tables(contract: Contract) -> list[Subject]:
    return [Subject(t.name, {"table": t.name}) for t in contract.tables.values()]


def over_base_tables(contract: Contract) -> list[Subject]:
    return [Subject(t.name, {"table": t.name}) for t in contract.base_tables]


def over_columns(kind: str, *, nonempty_only: bool = False) -> SubjectsFn:
    """Subjects for every column of that kind in the tables writers write."""

    def subjects(contract: Contract) -> list[Subject]:
        return [
            Subject(f"{t.name}.{c.name}", {"table": t.name, "column": c.name})
            for t in contract.base_tables
            for c in t.columns
            if c.kind == kind and (c.nonempty or not nonempty_only)
        ]

    return subjects


def over_normalized_columns(contract: Contract) -> list[Subject]:
    """The generated <column>_utc columns and the timestamp each normalizes."""
    return [
        Subject(f"{t.name}.{c.name}", {"table": t.name, "column": c.normalizes, "utc": c.name})
        for t in contract.base_tables
        for c in t.columns
        if c.kind == "generated" and c.normalizes
    ]


def over_rules(contract: Contract) -> list[Subject]:
    return [
        Subject(f"{t.name}: {r.name}", {"table": t.name, "rule": r.name})
        for t in contract.tables.values()
        for r in t.rules
    ]


def over_foreign_keys(contract: Contract) -> list[Subject]:
    return [
        Subject(f"{table}.{fk.column}", {"table": table, "column": fk.column})
        for table, fk in contract.foreign_keys
    ]


def over_indexes(contract: Contract) -> list[Subject]:
    return [Subject(i.name, {"index": i.name}) for i in contract.indexes]


def over_queries(contract: Contract) -> list[Subject]:
    return [Subject(q.name, {"query": q.name}) for q in contract.queries.values()]


def over_views(contract: Contract) -> list[Subject]:
    return [Subject(v, {"view": v}) for v in contract.views]


def over_bounded_views(contract: Contract) -> list[Subject]:
    return [Subject(v.name, {"view": v.name}) for v in contract.views.values() if v.max_rows]


def over_derived_tables(contract: Contract) -> list[Subject]:
    return [Subject(t.name, {"table": t.name}) for t in contract.tables.values() if t.derived]


def one(obj: str, **params: str) -> SubjectsFn:
    """A single fixed subject (the numbered checks that port one checklist line)."""

    def subjects(contract: Contract) -> list[Subject]:
        return [Subject(obj, params)]

    return subjects
