"""The sign-off's tables as rows of plain text, shared by the HTML and Markdown reports.

Both reports must show the same tables; building the rows once here keeps
them from drifting apart. Cells are unescaped text: each renderer escapes
for its own format.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from harness.reports.charts import format_ms
from harness.results import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    Comparison,
    Delta,
    DerivedCheck,
    Finding,
    SignoffResult,
    WorkloadResult,
)

STATUS_LABEL = {PASSED: "PASS", FAILED: "FAIL", ERROR: "ERROR", SKIPPED: "SKIP"}
CHECK_HEADER = ("#", "Check", "Object", "Result", "Message")
SLO_HEADER = ("Workload", "Scale", "Percentile", "p50", "p95", "p99", "Budget", "Headroom", "Verdict")
DELTA_HEADER = ("Δ p50", "Δ p95", "Δ p99", "vs baseline")
DERIVED_HEADER = ("Target", "What", "Value", "Limit", "Verdict")


@dataclass(frozen=True)
class CheckGroup:
    """One group of the conformance matrix; numbered is True for the checklist's own groups."""

    name: str
    numbered: bool
    findings: tuple[Finding, ...]

    @property
    def failed(self) -> int:
        return sum(1 for f in self.findings if not f.ok)


def check_groups(findings: Iterable[Finding]) -> list[CheckGroup]:
    """The 36 numbered checks grouped as in the checklist (in number order), then the extra groups."""
    ordered = sorted(findings, key=lambda f: (f.number is None, f.number or 0))
    groups: dict[tuple[bool, str], list[Finding]] = {}
    for f in ordered:
        groups.setdefault((f.number is not None, f.group), []).append(f)
    return [CheckGroup(name, numbered, tuple(fs)) for (numbered, name), fs in groups.items()]


def check_row(f: Finding) -> tuple[str, ...]:
    number = str(f.number) if f.number is not None else ""
    return (number, f"{f.title} ({f.code})", f.obj, STATUS_LABEL.get(f.status, f.status.upper()), f.message)


def headroom_text(r: WorkloadResult) -> str:
    if r.headroom is None or not math.isfinite(r.headroom):
        return "n/a"
    return f"{r.headroom:.1f}x"


def slo_row(r: WorkloadResult) -> tuple[str, ...]:
    return (
        r.workload,
        r.scale,
        r.percentile,
        format_ms(r.p50_ms),
        format_ms(r.p95_ms),
        format_ms(r.p99_ms),
        format_ms(r.budget_ms),
        headroom_text(r),
        r.verdict,
    )


def _change(now: float, before: float | None) -> str:
    if before is None or not math.isfinite(before) or before <= 0:
        return "n/a"
    return f"{(now - before) / before * 100:+.0f}%"


def comparison_text(c: Comparison) -> str:
    """E.g. 'REGRESSION 1.40x, p=0.001': the ratio of the medians and the U test's p."""
    if c.regression:
        kind = "REGRESSION"
    elif c.improvement:
        kind = "faster"
    elif c.significant:
        kind = "within threshold"  # a real difference, too small to count
    else:
        kind = "not significant"
    ratio = f"{c.ratio:.2f}x" if c.ratio is not None and math.isfinite(c.ratio) else "n/a"
    return f"{kind} {ratio}, p={c.p_value:.2g}"


def delta_cells(r: WorkloadResult, delta: Delta | None) -> tuple[str, ...]:
    if delta is None or delta.comparison is None:
        return ("n/a", "n/a", "n/a", "not in baseline")
    c = delta.comparison
    return (
        _change(r.p50_ms, c.baseline_p50_ms),
        _change(r.p95_ms, c.baseline_p95_ms),
        _change(r.p99_ms, c.baseline_p99_ms),
        comparison_text(c),
    )


def slo_header(result: SignoffResult) -> tuple[str, ...]:
    return SLO_HEADER + (DELTA_HEADER if result.baseline else ())


def slo_rows(result: SignoffResult) -> list[tuple[str, ...]]:
    rows = []
    for r in result.bench.results:
        cells = slo_row(r)
        if result.baseline:
            cells += delta_cells(r, result.delta(r))
        rows.append(cells)
    return rows


def derived_row(d: DerivedCheck) -> tuple[str, ...]:
    what = f"{d.description} ({d.detail})" if d.detail else d.description
    value = f"{d.value:.2f}" if math.isfinite(d.value) else "n/a"
    return (d.name, what, value, f"{d.op} {d.limit:g}", d.verdict)


def conformance_summary(result: SignoffResult) -> str:
    counts = result.conformance.counts()
    total = len(result.conformance.findings)
    numbered = [f for f in result.conformance.findings if f.number is not None]
    numbered_ok = sum(1 for f in numbered if f.ok)
    return (
        f"{counts[PASSED]} of {total} checks passed ({numbered_ok} of {len(numbered)} checklist checks), "
        f"{counts[FAILED]} failed, {counts[ERROR]} errors, {counts[SKIPPED]} skipped"
    )


def slo_summary(result: SignoffResult) -> str:
    verdicts = [r.verdict for r in result.bench.results]
    workloads = len({r.workload for r in result.bench.results})
    return (
        f"{len(verdicts)} measurements ({workloads} workloads at {', '.join(result.scales)}): "
        f"{verdicts.count('PASS')} PASS, {verdicts.count('WARN')} WARN, {verdicts.count('FAIL')} FAIL"
    )


def workloads(result: SignoffResult) -> dict[str, list[WorkloadResult]]:
    """Each workload's results across data scales, in the order the benchmark ran them."""
    found: dict[str, list[WorkloadResult]] = {}
    for r in result.bench.results:
        found.setdefault(r.workload, []).append(r)
    return found


def flat(value: object) -> str:
    """A value of the environment (nested mappings and lists) as one line: "k=v, k=v", "a, b"."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={flat(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(flat(v) for v in value)
    return str(value)
