"""How a check is declared: its docstring gives its title, promise and fix; its group or checklist number the rest."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from harness.checks import registry
from harness.checks.registry import CHECKLIST_SECTIONS, CheckGroup, checklist, described


def _probe(ctx: object, table: str) -> Iterable[str]:
    """Table '{table}' is probed

    The probe reads {table}
    over two lines.

    Second paragraph of the promise.

    Fix: Repair {table}.
    """
    return ()


def test_a_docstring_gives_title_promise_and_fix_each_on_one_line() -> None:
    assert described(_probe) == (
        "Table '{table}' is probed",
        "The probe reads {table} over two lines. Second paragraph of the promise.",
        "Repair {table}.",
    )


def _no_fix(ctx: object) -> Iterable[str]:
    """A title

    A promise with no fix.
    """
    return ()


def _no_docstring(ctx: object) -> Iterable[str]:
    return ()


@pytest.mark.parametrize(("fn", "why"), [(_no_fix, "'Fix: ' paragraph"), (_no_docstring, "python -OO")])
def test_a_check_without_its_description_is_refused_when_declared(fn: registry.CheckFn, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        described(fn)


def test_a_group_check_registers_the_docstrings_text_under_the_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "REGISTRY", [])
    CheckGroup("Stored data").check("data_probe_{table}", subjects=registry.over_tables)(_probe)
    (spec,) = registry.REGISTRY
    assert (spec.code, spec.group, spec.number, spec.subjects) == (
        "data_probe_{table}", "Stored data", None, registry.over_tables)
    assert (spec.title, spec.fix) == ("Table '{table}' is probed", "Repair {table}.")


def test_a_group_outside_extra_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown check group 'Stored Data'"):
        CheckGroup("Stored Data")


def test_a_checklist_check_takes_code_and_group_from_its_number_and_fills_the_docstring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "REGISTRY", [])
    checklist(5, "table_x_probed", "x", table="x")(_probe)
    (spec,) = registry.REGISTRY
    assert (spec.code, spec.group, spec.number) == ("check_05_table_x_probed", "Schema Structure", 5)
    assert (spec.title, spec.promise, spec.fix) == (
        "Table 'x' is probed", "The probe reads x over two lines. Second paragraph of the promise.", "Repair x.")
    assert [(s.obj, dict(s.params)) for s in spec.subjects(None)] == [("x", {"table": "x"})]  # type: ignore[arg-type]


def test_the_checklist_sections_number_its_36_checks_once_each() -> None:
    numbers = [n for section in CHECKLIST_SECTIONS.values() for n in section]
    assert numbers == list(range(1, 37))
