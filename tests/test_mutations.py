"""Mutation self-test: every mutant of schema.sql must fail the conformance suite, by name.

A check that no mutant can fail is a defect, so the last tests also require
every registered check to be failed by at least one mutant (or to be listed,
with its reason, in mutants.NOT_MUTABLE).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mutants import MUTANTS, NOT_MUTABLE, Mutant

from harness.checks import check_schema, ordered_specs, plan
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine.db import schema_path
from harness.results import CheckReport


class MutantReports:
    """check_schema of each mutant, computed once per module and shared by the tests."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schema = schema_path().read_text(encoding="utf-8")
        self._reports: dict[str, CheckReport] = {}

    def path(self, mutant: Mutant) -> Path:
        path = self.directory / (re.sub(r"\W+", "_", mutant.name) + ".sql")
        if not path.exists():
            path.write_text(mutant.apply(self.schema), encoding="utf-8")
        return path

    def __getitem__(self, mutant: Mutant) -> CheckReport:
        if mutant.name not in self._reports:
            self._reports[mutant.name] = check_schema(schema=self.path(mutant))
        return self._reports[mutant.name]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> MutantReports:
    return MutantReports(tmp_path_factory.mktemp("mutants"))


def _caught(report: CheckReport, mutant: Mutant) -> bool:
    finding = next((f for f in report.failed if f.code == mutant.code), None)
    return finding is not None and all(word in finding.message for word in mutant.mentions)


def test_the_shipped_schema_passes() -> None:
    report = check_schema()
    assert report.ok, [f"{f.code}: {f.message}" for f in report.failed]


def test_mutant_names_are_unique() -> None:
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_name(mutant: Mutant, reports: MutantReports) -> None:
    report = reports[mutant]
    failed = {f.code: f for f in report.failed}
    assert mutant.code in failed, f"{mutant.name}: {mutant.code} passed; failed were {sorted(failed)}"
    message = failed[mutant.code].message
    for word in mutant.mentions:
        assert word in message, f"{mutant.name}: {mutant.code} does not mention {word!r}: {message}"


def test_mutation_score_is_100_percent(reports: MutantReports, capsys: pytest.CaptureFixture[str]) -> None:
    caught = [m.name for m in MUTANTS if _caught(reports[m], m)]
    score = f"mutation score: {len(caught)}/{len(MUTANTS)} mutants caught ({100 * len(caught) / len(MUTANTS):.0f}%)"
    with capsys.disabled():
        print(f"\n{score}")
    assert len(caught) == len(MUTANTS), score + "; missed: " + ", ".join(
        m.name for m in MUTANTS if m.name not in caught)


def test_every_check_is_failed_by_some_mutant(reports: MutantReports) -> None:
    family_of = {p.code: p.spec.code for p in plan(load_contract())}
    failed_families = {family_of[f.code] for m in MUTANTS for f in reports[m].failed}
    families = {spec.code for spec in ordered_specs()}
    never_failed = sorted(families - failed_families - set(NOT_MUTABLE))
    assert never_failed == [], f"checks no mutant fails (add a mutant or justify in NOT_MUTABLE): {never_failed}"


def test_not_mutable_list_is_honest(reports: MutantReports) -> None:
    families = {spec.code for spec in ordered_specs()}
    assert set(NOT_MUTABLE) <= families, "NOT_MUTABLE names a check that is not registered"
    family_of = {p.code: p.spec.code for p in plan(load_contract())}
    failed_families = {family_of[f.code] for m in MUTANTS for f in reports[m].failed}
    assert not set(NOT_MUTABLE) & failed_families, "a check listed as not mutable is failed by a mutant"
    assert len(NOT_MUTABLE) <= 2


@pytest.mark.parametrize("name", ["index dropped", "view: avg without round", "insert_once trigger removed"])
def test_cli_exits_1_on_a_mutant(name: str, reports: MutantReports, capsys: pytest.CaptureFixture[str]) -> None:
    mutant = next(m for m in MUTANTS if m.name == name)
    status = main(["check", "--schema", str(reports.path(mutant))])
    out = capsys.readouterr().out
    assert status == 1
    assert mutant.code in out
