"""junit.xml: every conformance check and every SLO verdict as a JUnit test case.

Two suites, `conformance` and `slo`. A failed check or a missed budget is a
<failure>, a check that could not run an <error>; a WARN verdict passes (CI
should not go red on a noisy machine) but says why in <system-out>, as does
a comparison with the baseline.
"""

from __future__ import annotations

from harness.reports import junit
from harness.reports.charts import format_ms
from harness.reports.signoff_view import check_groups, comparison_text, derived_row, headroom_text
from harness.results import (
    ERROR,
    FAIL,
    FAILED,
    SKIPPED,
    WARN,
    DerivedCheck,
    Finding,
    SignoffResult,
    WorkloadResult,
)

_OUTCOMES = {FAILED: junit.FAILURE, ERROR: junit.ERROR, SKIPPED: junit.SKIPPED}


def render_junit(result: SignoffResult) -> str:
    suites = [_conformance_suite(result), _slo_suite(result)]
    totals = {key: str(sum(int(s.attributes[key]) for s in suites)) for key in ("tests", "failures", "errors")}
    return junit.render({"name": "ggen-db signoff " + result.verdict.status, **totals}, suites)


def _suite(name: str, cases: list[junit.Case], counts: tuple[int, int, int, int], time_s: float) -> junit.Suite:
    tests, failures, errors, skipped = counts
    attributes = {"name": name, "tests": str(tests), "failures": str(failures), "errors": str(errors),
                  "skipped": str(skipped), "time": f"{time_s:.3f}"}
    return junit.Suite(attributes, cases)


def _conformance_suite(result: SignoffResult) -> junit.Suite:
    findings = [f for group in check_groups(result.conformance.findings) for f in group.findings]
    counts = (
        len(findings),
        sum(f.status == FAILED for f in findings),
        sum(f.status == ERROR for f in findings),
        sum(f.status == SKIPPED for f in findings),
    )
    return _suite("conformance", [_finding_case(f) for f in findings], counts, result.conformance.duration_s)


def _finding_case(f: Finding) -> junit.Case:
    number = f"[{f.number}] " if f.number is not None else ""
    where = {"classname": "conformance." + f.group, "name": number + f.code + ": " + f.title,
             "time": f"{f.duration_s:.3f}"}
    outcome = _OUTCOMES.get(f.status)
    if outcome is None:
        return junit.Case(**where)
    if outcome == junit.SKIPPED:
        return junit.Case(**where, outcome=outcome, message=f.message)
    return junit.Case(**where, outcome=outcome, message=f.message, kind="check", text=f.obj + ": " + f.message)


def _slo_suite(result: SignoffResult) -> junit.Suite:
    """One case per workload and scale, then one per target across measurements (store overhead, ...)."""
    cases = [_workload_case(r, result) for r in result.bench.results]
    cases += [_derived_case(d) for d in result.bench.derived]
    verdicts = [r.verdict for r in result.bench.results] + [d.verdict for d in result.bench.derived]
    counts = (len(verdicts), verdicts.count(FAIL), 0, 0)
    return _suite("slo", cases, counts, result.bench.duration_s)


def _derived_case(d: DerivedCheck) -> junit.Case:
    name, what, value, limit, verdict = derived_row(d)
    figures = f"{what}: {value}, must be {limit}"
    failure = {"outcome": junit.FAILURE, "message": figures, "kind": "slo", "text": figures} if verdict == FAIL else {}
    return junit.Case("slo.targets", name, "0.000", output=verdict + ": " + figures, **failure)


def _workload_case(r: WorkloadResult, result: SignoffResult) -> junit.Case:
    figures = (
        f"{r.percentile} {format_ms(r.measured_ms)} against a budget of {format_ms(r.budget_ms)} "
        f"(headroom {headroom_text(r)}; p50 {format_ms(r.p50_ms)}, p95 {format_ms(r.p95_ms)}, "
        f"p99 {format_ms(r.p99_ms)}; {r.rounds} rounds)"
    )
    notes = [figures]
    if r.verdict == WARN:
        notes.append("WARN: " + ("; ".join(r.reasons) or "unreliable measurement"))
    delta = result.delta(r)
    if delta is not None:
        notes.append("baseline: " + (comparison_text(delta.comparison) if delta.comparison else "not in baseline"))
    why = "; ".join(r.reasons) or "budget missed"
    failure = {"outcome": junit.FAILURE, "message": why, "kind": "slo", "text": figures} if r.verdict == FAIL else {}
    return junit.Case("slo." + r.scale, r.workload + " @ " + r.scale, f"{sum(r.timings_ms) / 1000:.3f}",
                      output="\n".join(notes), **failure)
