"""Result records shared by the checks, the benchmarks and the reports.

Plain frozen dataclasses: the checks, the benchmark runner and the sign-off produce them,
the reports render them, and nothing here knows about either side.
`to_dict()` gives the JSON form used in every machine-readable output.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import Field, asdict, dataclass, field
from typing import Any, ClassVar

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
SIGNOFF_FORMAT_NAME = "ggen-db-signoff"
SIGNOFF_FORMAT_VERSION = 1


class Record:
    """A record whose JSON form is its fields as they are (the subclasses are dataclasses)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finding(Record):
    """The result of one conformance check.

    code: stable identifier (e.g. "check_01_table_receipts_exists", "enum_receipts_status"),
    searchable in CI logs and catalogued in the README.
    number: the checklist number (1..36) for the ported checks, None for the extra ones.
    group: the checklist group ("Schema Structure", ...) or the extra group ("Enumerations", ...).
    obj: the object concerned, e.g. "receipts.status" or "idx_receipts_time".
    message: empty when passed; otherwise names the table, column or index and the rule.
    """

    code: str
    title: str
    group: str
    status: str
    number: int | None = None
    obj: str = ""
    message: str = ""
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in (PASSED, SKIPPED)


@dataclass(frozen=True)
class CheckReport:
    """Every finding of one conformance run, and what it ran against."""

    findings: tuple[Finding, ...]
    target: str
    target_kind: str  # "schema" (loaded into a scratch database) or "db" (opened read-only)
    schema_sha256: str | None
    contract_version: str
    contract_sha256: str
    sqlite_version: str
    duration_s: float

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.ok)

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        out = {PASSED: 0, FAILED: 0, ERROR: 0, SKIPPED: 0}
        for f in self.findings:
            out[f.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["counts"] = self.counts()
        return data


@dataclass(frozen=True)
class Comparison(Record):
    """A workload measured against a baseline schema in the same run (interleaved rounds)."""

    baseline_p50_ms: float
    baseline_p95_ms: float
    baseline_p99_ms: float
    ratio: float  # candidate p50 / baseline p50 (the ratio the regression gate uses); > 1 is slower
    p_value: float  # two-sided Mann-Whitney U over the raw rounds
    significant: bool
    regression: bool  # ratio above the threshold AND significant
    improvement: bool  # ratio below 1/threshold AND significant


@dataclass(frozen=True)
class WorkloadResult(Record):
    """One workload measured at one data scale."""

    workload: str
    description: str
    scale: str  # "10k", "100k", "1m"
    receipts: int
    percentile: str  # which percentile the budget applies to: "p95" or "p99"
    durability: str  # "normal" or "full"
    budget_ms: float
    rounds: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p999_ms: float
    mean_ms: float
    stddev_ms: float
    cv: float  # coefficient of variation of the rounds
    measured_ms: float  # the value at `percentile`
    headroom: float  # budget_ms / measured_ms; >= 1 meets the budget
    verdict: str  # PASS, WARN (unreliable measurement) or FAIL (budget missed)
    reasons: tuple[str, ...] = ()
    plan: tuple[str, ...] = ()
    timings_ms: tuple[float, ...] = ()
    comparison: Comparison | None = None
    rows_per_round: float | None = None  # mean rows read (reads) or receipts written (writes) per round
    params: dict[str, Any] = field(default_factory=dict)  # a read's parameters (ids drawn per round: one example)
    rows_by_round: tuple[int, ...] = ()  # rows each round read (reads) or wrote (writes), as timings_ms
    steps_per_row: float | None = None  # a read's SQLite VM steps per returned row (median of a few draws)

    @property
    def p50_per_row_ms(self) -> float:
        """The median over rounds of a round's time per row it returned (at least one): a read whose rounds
        draw different parameters (a busy agent, a quiet one) returns more rows in some rounds than in
        others, and the p50 round of one scale need not be like the p50 round of another."""
        return statistics.median(t / max(rows, 1) for t, rows in zip(self.timings_ms, self.rows_by_round, strict=True))


@dataclass(frozen=True)
class SkippedWorkload:
    """A workload not measured, and why (bench --db: the data cannot supply one of its parameters)."""

    workload: str
    scale: str
    reason: str


@dataclass(frozen=True)
class DerivedCheck(Record):
    """A target over several measurements of one run (a ratio), e.g. store overhead or scaling.

    value: the measured ratio; limit: the bound it must respect (`op` is "<=" or ">=").
    verdict: PASS, WARN (an input measurement was unreliable) or FAIL (bound missed).
    """

    name: str
    description: str
    value: float
    limit: float
    op: str
    verdict: str
    detail: str = ""


@dataclass(frozen=True)
class BenchReport:
    """A benchmark run: every workload result and the machine it ran on."""

    results: tuple[WorkloadResult, ...]
    fingerprint: dict[str, Any]
    schema_sha256: str
    durability: str
    started_at: str
    duration_s: float
    baseline_schema_sha256: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    derived: tuple[DerivedCheck, ...] = ()
    skipped: tuple[SkippedWorkload, ...] = ()

    @property
    def ok(self) -> bool:
        return all(r.verdict != FAIL for r in self.results) and all(d.verdict != FAIL for d in self.derived)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


# ------------------------------------------------------------------ sign-off
@dataclass(frozen=True)
class Verdict:
    """PASS, WARN or FAIL, and why: what fails the release, then what deserves a look."""

    status: str
    failures: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.failures + self.warnings


@dataclass(frozen=True)
class Baseline:
    """An earlier signoff.json read back for --baseline: its raw rounds and the machine it ran on."""

    path: str
    generated_at: str
    schema_sha256: str
    git_commit: str
    fingerprint: Mapping[str, Any]
    rounds: Mapping[tuple[str, str], tuple[float, ...]]  # (workload, scale) -> timings_ms
    same_machine: bool = True
    machine_differences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delta:
    """One workload at one scale against the baseline; comparison is None when the baseline lacks it."""

    workload: str
    scale: str
    comparison: Comparison | None


@dataclass(frozen=True)
class SignoffResult:
    """Everything the reports show. `files` maps each report name to where it was written."""

    verdict: Verdict
    conformance: CheckReport
    bench: BenchReport
    environment: Mapping[str, Any]
    schema_path: str
    schema_sha256: str
    contract_version: str
    git_commit: str
    generated_at: str
    scales: tuple[str, ...]
    quick: bool
    ggen_db_version: str
    baseline: Baseline | None = None
    deltas: tuple[Delta, ...] = ()
    out_dir: str = ""
    files: Mapping[str, str] = field(default_factory=dict)

    def delta(self, result: WorkloadResult) -> Delta | None:
        for d in self.deltas:
            if (d.workload, d.scale) == (result.workload, result.scale):
                return d
        return None

    def to_dict(self) -> dict[str, Any]:
        """The signoff.json document (harness/contract/formats/signoff.schema.json)."""
        return {
            "format": SIGNOFF_FORMAT_NAME,
            "format_version": SIGNOFF_FORMAT_VERSION,
            "ggen_db_version": self.ggen_db_version,
            "generated_at": self.generated_at,
            "verdict": {
                "status": self.verdict.status,
                "reasons": list(self.verdict.reasons),
                "failures": list(self.verdict.failures),
                "warnings": list(self.verdict.warnings),
            },
            "schema": {"path": self.schema_path, "sha256": self.schema_sha256},
            "contract_version": self.contract_version,
            "git_commit": self.git_commit,
            "options": {
                "scales": list(self.scales),
                "quick": self.quick,
                "baseline": self.baseline.path if self.baseline else None,
            },
            "environment": dict(self.environment),
            "conformance": self.conformance.to_dict(),
            "slo": self.bench.to_dict(),
            "baseline": _baseline_dict(self.baseline),
            "deltas": [
                {
                    "workload": d.workload,
                    "scale": d.scale,
                    "comparison": d.comparison.to_dict() if d.comparison else None,
                }
                for d in self.deltas
            ],
        }


def _baseline_dict(baseline: Baseline | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {
        "path": baseline.path,
        "generated_at": baseline.generated_at,
        "schema_sha256": baseline.schema_sha256,
        "git_commit": baseline.git_commit,
        "same_machine": baseline.same_machine,
        "machine_differences": list(baseline.machine_differences),
        "fingerprint": dict(baseline.fingerprint),
    }
