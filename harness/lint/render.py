"""The lint report as terminal text, JSON (format_version 1) and Markdown."""

from __future__ import annotations

import json

from harness.lint.runner import LintReport, StatementResult

FORMAT_VERSION = 1


def _first_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _time(result: StatementResult) -> str:
    if result.time_ms is None:
        return "not run"
    if result.interrupted:
        return f"> {result.time_ms / 1000:.0f} s (interrupted)"
    return f"{result.time_ms:.3f} ms ({result.rows} rows, median of {result.runs})"


def summary(report: LintReport) -> str:
    return (f"{len(report.statements)} statements: {report.count('PASS')} pass, {report.count('WARN')} warn, "
            f"{report.count('FAIL')} fail")


def render_text(report: LintReport) -> str:
    lines = [f"lint-queries {report.source} on {report.target}", ""]
    for s in report.statements:
        lines.append(f"{s.verdict:4}  #{s.number} (line {s.line}): {_first_line(s.text)}")
        lines += [f"      {f.severity} {f.code}: {f.message}" for f in s.findings]
        if s.plan:
            lines.append(f"      plan: {' / '.join(s.plan)}")
        lines.append(f"      time: {_time(s)}")
        lines += [f"      note: {note}" for note in s.notes]
    lines += ["", ("OK: " if report.ok else "FAILED: ") + summary(report)]
    return "\n".join(lines) + "\n"


def render_json(report: LintReport) -> str:
    document = {
        "format_version": FORMAT_VERSION,
        "source": report.source,
        "target": report.target,
        "ok": report.ok,
        "statements": [
            {
                "number": s.number, "line": s.line, "sql": s.text, "verdict": s.verdict,
                "findings": [{"code": f.code, "severity": f.severity, "message": f.message} for f in s.findings],
                "plan": list(s.plan), "time_ms": s.time_ms, "runs": s.runs, "rows": s.rows,
                "interrupted": s.interrupted, "notes": list(s.notes),
            }
            for s in report.statements
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(report: LintReport) -> str:
    lines = [f"## lint-queries: {_cell(report.source)}", "", f"On {_cell(report.target)}. **{summary(report)}**.", "",
             "| # | line | statement | verdict | findings | time |", "|---|---|---|---|---|---|"]
    for s in report.statements:
        findings = "<br>".join(f"`{f.code}` {_cell(f.message)}" for f in s.findings) or "none"
        lines.append(f"| {s.number} | {s.line} | `{_cell(_first_line(s.text, 80))}` | {s.verdict} | {findings} "
                     f"| {_cell(_time(s))} |")
    return "\n".join(lines) + "\n"
