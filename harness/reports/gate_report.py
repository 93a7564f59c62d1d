"""`ggen-db gate` as one Markdown summary (verdict first, then each part) and as JUnit XML."""

from __future__ import annotations

from harness.changes.gate_result import FAIL, GateResult
from harness.reports import junit
from harness.reports.charts import format_ms
from harness.reports.diff_report import render_markdown as render_diff_markdown
from harness.reports.diff_report import summary as diff_summary

_ICON = {"PASS": "✅", "FAIL": "❌", "SKIP": "⏭️"}


def render_text(result: GateResult) -> str:
    lines = [f"gate {result.base} -> {result.head}: {'PASS' if result.ok else 'FAIL'}"]
    for part, verdict in result.verdicts.items():
        lines.append(f"  {verdict:4} {part}: {_part_summary(result, part)}")
    return "\n".join(lines)


def _part_summary(result: GateResult, part: str) -> str:
    if part == "check":
        counts = result.check.counts()
        return ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n) or "no checks"
    if part == "diff":
        return diff_summary(result.diff)
    return result.migration.summary if part == "migration" else result.bench.summary


def render_markdown(result: GateResult) -> str:
    verdict = "PASS" if result.ok else "FAIL"
    lines = [
        f"# ggen-db gate: {_ICON[verdict]} {verdict}",
        "",
        f"Schema change `{result.base}` → `{result.head}`.",
        "",
        "| part | verdict | summary |",
        "|---|---|---|",
    ]
    for part, part_verdict in result.verdicts.items():
        lines.append(f"| {part} | {_ICON[part_verdict]} {part_verdict} | {_cell(_part_summary(result, part))} |")
    lines += ["", *_check_section(result), "", render_diff_markdown(result.diff, heading="##").rstrip(), "",
              *_migration_section(result), "", *_bench_section(result)]
    return "\n".join(lines) + "\n"


def _check_section(result: GateResult) -> list[str]:
    lines = [f"## Check: {'PASS' if result.check.ok else 'FAIL'}", ""]
    failed = result.check.failed
    if not failed:
        return [*lines, f"All {len(result.check.findings)} conformance checks pass on the head schema."]
    lines += ["| check | problem |", "|---|---|"]
    return lines + [f"| `{f.code}` | {_cell(f.message)} |" for f in failed]


def _migration_section(result: GateResult) -> list[str]:
    part = result.migration
    lines = [f"## Migration: {part.verdict}", "", part.summary + "."]
    if part.problems:
        lines += ["", *(f"- {_cell(p)}" for p in part.problems)]
    return lines


def _bench_section(result: GateResult) -> list[str]:
    part = result.bench
    lines = [f"## Benchmark (head vs base schema): {part.verdict}", "", part.summary + "."]
    if part.report is None:
        return lines
    lines += ["", "| workload | head p50 | base p50 | head/base | SLO budget (the sign-off judges it) |", "|---|---|---|---|---|"]
    for r in part.report.results:
        c = r.comparison
        base = format_ms(c.baseline_p50_ms) if c else "-"
        ratio = f"{c.ratio:.2f}x{' (slower)' if c.regression else ''}" if c else "-"
        lines.append(f"| {r.workload} | {format_ms(r.p50_ms)} | {base} | {ratio} | {r.verdict} |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_junit(result: GateResult) -> str:
    """One suite, one test case per part; each diff finding is a case of its own (failing ones fail)."""
    cases = [
        _case(part, verdict, _part_summary(result, part), _details(result, part))
        for part, verdict in result.verdicts.items() if part != "diff"
    ]
    cases += [
        _case(f"diff {f.code} {f.object}", FAIL if f.fails else "PASS", f"{f.cls}: {f.message}", "")
        for f in result.diff.findings
    ]
    failures = sum(c.outcome == junit.FAILURE for c in cases)
    skipped = sum(c.outcome == junit.SKIPPED for c in cases)
    verdict = "PASS" if result.ok else "FAIL"
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    suite = junit.Suite({"name": "gate", **counts, "skipped": str(skipped)}, cases)
    return junit.render({"name": f"ggen-db gate {verdict}", **counts}, [suite])


def _details(result: GateResult, part: str) -> str:
    if part == "check":
        return "\n".join(f"{f.code}: {f.message}" for f in result.check.failed)
    if part == "migration":
        return "\n".join(result.migration.problems)
    return ""


def _case(name: str, verdict: str, message: str, details: str) -> junit.Case:
    if verdict == FAIL:
        return junit.Case("ggen-db.gate", name, "0", junit.FAILURE, message, text=details or message)
    if verdict == "SKIP":
        return junit.Case("ggen-db.gate", name, "0", junit.SKIPPED, message)
    return junit.Case("ggen-db.gate", name, "0", output=message)
