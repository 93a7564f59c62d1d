"""Mutation self-test: every mutant of schema.sql must fail the conformance suite, by name.

A check that no mutant can fail is a defect, so the last tests also require
every registered check to be failed by at least one mutant (or to be listed,
with its reason, in mutants.NOT_MUTABLE).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlglot
from mutant_generator import _VIEW as VIEW_STATEMENT
from mutant_generator import SEED, GeneratedMutant, Generator
from mutant_generator import _body as without_comments
from mutants import MUTANTS, NOT_MUTABLE, Mutant

from harness.checks import check_schema, open_target, ordered_specs, plan
from harness.checks.registry import PlannedCheck
from harness.checks.runner import run_one
from harness.cli import main
from harness.contract.model import load_contract
from harness.engine.db import schema_path
from harness.errors import SchemaLoadError
from harness.results import ERROR, FAILED, CheckReport


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


# ------------------------------------------------------- generated mutants
# Checks that read the catalogue run first: most mutants are named by one of them, and a mutant stops
# at the first check that fails naming it (a survivor runs the whole suite).
FIRST_GROUPS = ("Rules as stored", "Tables", "Index use", "Enumerations", "Foreign key behaviour")
GENERATED_KINDS = {
    "enum widened", "enum narrowed", "foreign key dropped", "foreign key action changed", "index dropped",
    "index reordered", "index column dropped", "index duplicated", "NOT NULL dropped", "column type changed",
    "CHECK dropped", "STRICT dropped", "view order", "view limit", "view window edge", "view rounding",
    "view aggregate", "trigger dropped", "trigger statement dropped", "unknown column", "unknown table",
    "unknown index", "unknown view", "unknown trigger",
}


@dataclass(frozen=True)
class Outcome:
    mutant: GeneratedMutant
    verdict: str  # "caught", "survived" or "does not load"
    detail: str  # the catching check, or what failed without naming the promise, or the load error


def _prioritized() -> list[PlannedCheck]:
    planned = plan(load_contract())
    return sorted(planned, key=lambda p: (p.spec.group not in FIRST_GROUPS, planned.index(p)))


def evaluate(mutant: GeneratedMutant, path: Path, checks: list[PlannedCheck]) -> Outcome:
    path.write_text(mutant.schema, encoding="utf-8")
    try:
        ctx = open_target(load_contract(), schema=path)
    except SchemaLoadError as e:
        return Outcome(mutant, "does not load", e.reason)
    unnamed = []
    try:
        for planned in checks:
            finding = run_one(ctx, planned)
            if finding.status in (FAILED, ERROR):
                if mutant.caught_by(finding.message):
                    return Outcome(mutant, "caught", finding.code)
                unnamed.append(f"{finding.code}: {finding.message[:200]}")
    finally:
        ctx.close_scratches()
        ctx.target.close()
    return Outcome(mutant, "survived", "; ".join(unnamed) or "every check passed")


@pytest.fixture(scope="module")
def generated_outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    mutants = Generator(schema_path().read_text(encoding="utf-8"), load_contract()).generate()
    path = tmp_path_factory.mktemp("generated") / "mutant.sql"
    checks = _prioritized()
    return [evaluate(m, path, checks) for m in mutants]


def test_every_kind_of_the_issue_is_generated(generated_outcomes: list[Outcome]) -> None:
    assert {o.mutant.kind for o in generated_outcomes} == GENERATED_KINDS
    names = [o.mutant.name for o in generated_outcomes]
    assert len(names) == len(set(names))


def test_the_view_round_trip_itself_is_no_mutant(tmp_path: Path) -> None:
    """The view mutants are printed by sqlglot: printed unchanged, every view must still pass."""
    generator = Generator(schema_path().read_text(encoding="utf-8"), load_contract())
    text = generator.schema
    for statement in generator.statements:
        m = VIEW_STATEMENT.match(without_comments(statement).strip())
        if m is None:
            continue
        printed = sqlglot.parse_one(m.group(3), read="sqlite").sql(dialect="sqlite")
        text = text.replace(statement, f"{m.group(1)}\n{printed};", 1)
    assert text != generator.schema
    path = tmp_path / "round_trip.sql"
    path.write_text(text, encoding="utf-8")
    report = check_schema(schema=path)
    assert report.ok, [f"{f.code}: {f.message}" for f in report.failed]


def test_every_generated_mutant_is_caught_naming_the_promise(
    generated_outcomes: list[Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    by_kind: dict[str, Counter[str]] = {}
    for outcome in generated_outcomes:
        by_kind.setdefault(outcome.mutant.kind, Counter())[outcome.verdict] += 1
    lines = [f"generated mutants (seed {SEED}): {len(generated_outcomes)}",
             f"{'kind':<28}{'made':>6}{'loaded':>8}{'caught':>8}  score"]
    for kind, counts in sorted(by_kind.items()):
        loaded = counts["caught"] + counts["survived"]
        score = f"{100 * counts['caught'] / loaded:.0f}%" if loaded else "-"
        lines.append(f"{kind:<28}{sum(counts.values()):>6}{loaded:>8}{counts['caught']:>8}  {score}")
    caught = sum(c["caught"] for c in by_kind.values())
    loaded = sum(c["caught"] + c["survived"] for c in by_kind.values())
    lines.append(f"{'all':<28}{len(generated_outcomes):>6}{loaded:>8}{caught:>8}  {100 * caught / loaded:.1f}%")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    survivors = [f"{o.mutant.name} (needs {o.mutant.mentions}): {o.detail}" for o in generated_outcomes
                 if o.verdict == "survived"]
    assert survivors == [], "surviving mutants:\n" + "\n".join(survivors)
