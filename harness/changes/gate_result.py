"""What `ggen-db gate` (harness.gate) found: one record per part and the result, for its renderers."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.changes.diff import DiffReport
from harness.results import BenchReport, CheckReport

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(frozen=True)
class MigrationPart:
    verdict: str
    summary: str
    migrations: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchPart:
    verdict: str
    summary: str
    report: BenchReport | None = None


@dataclass(frozen=True)
class GateResult:
    base: str
    head: str
    check: CheckReport
    diff: DiffReport
    migration: MigrationPart
    bench: BenchPart
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verdicts(self) -> dict[str, str]:
        return {
            "check": PASS if self.check.ok else FAIL,
            "diff": FAIL if self.diff.failed else PASS,
            "migration": self.migration.verdict,
            "bench": self.bench.verdict,
        }

    @property
    def ok(self) -> bool:
        return FAIL not in self.verdicts.values()
