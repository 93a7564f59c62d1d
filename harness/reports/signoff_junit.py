"""junit.xml: every conformance check and every SLO verdict as a JUnit test case.

Two suites, `conformance` and `slo`. A failed check or a missed budget is a
<failure>, a check that could not run an <error>; a WARN verdict passes (CI
should not go red on a noisy machine) but says why in <system-out>, as does
a comparison with the baseline.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr  # noqa: S406 - used to write XML, never to parse it

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

# Characters XML 1.0 cannot carry at all (even escaped): a message holding one would make the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _attr(text: object) -> str:
    return quoteattr(_clean(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _body(text: object) -> str:
    return escape(_clean(text))


def render_junit(result: SignoffResult) -> str:
    suites = [_conformance_suite(result), _slo_suite(result)]
    total = sum(s[1] for s in suites)
    failures = sum(s[2] for s in suites)
    errors = sum(s[3] for s in suites)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name={_attr("ggen-db signoff " + result.verdict.status)} tests="{total}" '
        f'failures="{failures}" errors="{errors}">\n'
    )
    return head + "".join(s[0] for s in suites) + "</testsuites>\n"


def _suite(name: str, cases: list[str], counts: tuple[int, int, int, int], time_s: float) -> tuple[str, int, int, int]:
    tests, failures, errors, skipped = counts
    text = (
        f'  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="{errors}" '
        f'skipped="{skipped}" time="{time_s:.3f}">\n' + "".join(cases) + "  </testsuite>\n"
    )
    return text, tests, failures, errors


def _conformance_suite(result: SignoffResult) -> tuple[str, int, int, int]:
    findings = [f for group in check_groups(result.conformance.findings) for f in group.findings]
    cases = [_finding_case(f) for f in findings]
    counts = (
        len(findings),
        sum(f.status == FAILED for f in findings),
        sum(f.status == ERROR for f in findings),
        sum(f.status == SKIPPED for f in findings),
    )
    return _suite("conformance", cases, counts, result.conformance.duration_s)


def _finding_case(f: Finding) -> str:
    number = f"[{f.number}] " if f.number is not None else ""
    head = (
        f"    <testcase classname={_attr('conformance.' + f.group)} name={_attr(number + f.code + ': ' + f.title)} "
        f'time="{f.duration_s:.3f}"'
    )
    if f.status == FAILED:
        inner = f"<failure message={_attr(f.message)} type=\"check\">{_body(f.obj + ': ' + f.message)}</failure>"
    elif f.status == ERROR:
        inner = f"<error message={_attr(f.message)} type=\"check\">{_body(f.obj + ': ' + f.message)}</error>"
    elif f.status == SKIPPED:
        inner = f"<skipped message={_attr(f.message)}/>"
    else:
        return head + "/>\n"
    return f"{head}>\n      {inner}\n    </testcase>\n"


def _slo_suite(result: SignoffResult) -> tuple[str, int, int, int]:
    """One case per workload and scale, then one per target across measurements (store overhead, ...)."""
    cases = [_workload_case(r, result) for r in result.bench.results]
    cases += [_derived_case(d) for d in result.bench.derived]
    verdicts = [r.verdict for r in result.bench.results] + [d.verdict for d in result.bench.derived]
    counts = (len(verdicts), verdicts.count(FAIL), 0, 0)
    return _suite("slo", cases, counts, result.bench.duration_s)


def _derived_case(d: DerivedCheck) -> str:
    name, what, value, limit, verdict = derived_row(d)
    figures = f"{what}: {value}, must be {limit}"
    parts = [f"    <testcase classname=\"slo.targets\" name={_attr(name)} time=\"0.000\">\n"]
    if verdict == FAIL:
        parts.append(f"      <failure message={_attr(figures)} type=\"slo\">{_body(figures)}</failure>\n")
    parts.append(f"      <system-out>{_body(verdict + ': ' + figures)}</system-out>\n")
    parts.append("    </testcase>\n")
    return "".join(parts)


def _workload_case(r: WorkloadResult, result: SignoffResult) -> str:
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
    time_s = sum(r.timings_ms) / 1000
    head = f"    <testcase classname={_attr('slo.' + r.scale)} name={_attr(r.workload + ' @ ' + r.scale)} time=\"{time_s:.3f}\">\n"
    parts = [head]
    if r.verdict == FAIL:
        why = "; ".join(r.reasons) or "budget missed"
        parts.append(f"      <failure message={_attr(why)} type=\"slo\">{_body(figures)}</failure>\n")
    parts.append(f"      <system-out>{_body(chr(10).join(notes))}</system-out>\n")
    parts.append("    </testcase>\n")
    return "".join(parts)
