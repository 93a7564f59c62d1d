"""A CheckReport as terminal text, JUnit XML, JSON and Markdown: pure functions, report -> str.

- text: one line per broken promise, then a summary line (what `ggen-db check` prints).
- JUnit: one testcase per finding, classname = group; failures and errors carry the message.
- JSON: CheckReport.to_dict() plus a format version.
- Markdown: fits a GitHub step summary: verdict, counts, the failures, and every check folded away.
"""

from __future__ import annotations

import json
import re

from harness.reports import junit
from harness.results import ERROR, FAILED, PASSED, SKIPPED, CheckReport, Finding

JSON_FORMAT_VERSION = 1
_STATUS_WORD = {FAILED: "FAIL", ERROR: "ERROR", SKIPPED: "SKIP", PASSED: "PASS"}


def verdict(report: CheckReport) -> str:
    return "PASS" if report.ok else "FAIL"


def summary_line(report: CheckReport) -> str:
    c = report.counts()
    return (f"ggen-db check: {verdict(report)}: {len(report.findings)} checks, {c[PASSED]} passed, "
            f"{c[FAILED]} failed, {c[ERROR]} errors, {c[SKIPPED]} skipped "
            f"({report.target_kind} {one_line(report.target)}, contract {report.contract_version}, "
            f"SQLite {report.sqlite_version}, {report.duration_s:.2f} s)")


# --------------------------------------------------------------------- text
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """Text for one terminal line: control characters (newlines, escapes) shown as escapes, not obeyed."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def finding_line(finding: Finding) -> str:
    number = f"[{finding.number}] " if finding.number is not None else ""
    return f"{_STATUS_WORD[finding.status]} {number}{finding.code}: {one_line(finding.message)}"


def render_text(report: CheckReport) -> str:
    """One line per failed or errored check, then the summary line."""
    lines = [finding_line(f) for f in report.failed]
    return "\n".join([*lines, summary_line(report)]) + "\n"


# --------------------------------------------------------------------- JSON
def render_json(report: CheckReport) -> str:
    document = {"format_version": JSON_FORMAT_VERSION, **report.to_dict()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -------------------------------------------------------------------- JUnit
_OUTCOMES = {FAILED: (junit.FAILURE, "broken promise"), ERROR: (junit.ERROR, "sqlite error"),
             SKIPPED: (junit.SKIPPED, "")}


def render_junit(report: CheckReport, *, suite_name: str = "ggen-db conformance") -> str:
    """JUnit XML: a testsuite of one testcase per finding (classname = the check's group)."""
    c = report.counts()
    counts = {"tests": str(len(report.findings)), "failures": str(c[FAILED]), "errors": str(c[ERROR]),
              "skipped": str(c[SKIPPED]), "time": f"{report.duration_s:.3f}"}
    properties = (("target", report.target), ("target_kind", report.target_kind),
                  ("schema_sha256", report.schema_sha256 or ""), ("contract_version", report.contract_version),
                  ("contract_sha256", report.contract_sha256), ("sqlite_version", report.sqlite_version))
    suite = junit.Suite({"name": suite_name, **counts}, [_case(f) for f in report.findings], properties)
    return junit.render({"name": "ggen-db check", **counts}, [suite])


def _case(finding: Finding) -> junit.Case:
    where = {"classname": finding.group, "name": finding.code, "time": f"{finding.duration_s:.4f}"}
    if finding.status not in _OUTCOMES:
        return junit.Case(**where)
    outcome, kind = _OUTCOMES[finding.status]
    text = finding.message if outcome != junit.SKIPPED else None
    return junit.Case(**where, outcome=outcome, message=finding.message, kind=kind, text=text)


# ----------------------------------------------------------------- Markdown
_MD_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"), ("`", "&#96;"),
               ("\\", "&#92;"), ("*", "&#42;"), ("_", "&#95;"), ("[", "&#91;"), ("]", "&#93;"))


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no column break, no line break, no markup, no HTML."""
    for raw, entity in _MD_ESCAPES:
        text = text.replace(raw, entity)
    return "<br>".join(line.strip() for line in text.strip().splitlines()) or " "


def _md_code(code: str) -> str:
    return f"`{code}`" if re.fullmatch(r"[A-Za-z0-9_]+", code) else md_cell(code)


def render_markdown(report: CheckReport) -> str:
    """Markdown for a GitHub step summary: verdict, counts, failures, then all checks folded."""
    c = report.counts()
    icon = "✅" if report.ok else "❌"
    lines = [
        f"## {icon} ggen-db check: {verdict(report)}",
        "",
        f"**{len(report.findings)}** checks: **{c[PASSED]}** passed, **{c[FAILED]}** failed, "
        f"**{c[ERROR]}** errors, **{c[SKIPPED]}** skipped.",
        "",
        f"Target: {report.target_kind} {md_cell(report.target)} (sha256 {(report.schema_sha256 or '')[:12]}); "
        f"contract {md_cell(report.contract_version)}; SQLite {report.sqlite_version}; {report.duration_s:.2f} s.",
        "",
    ]
    if report.failed:
        lines += ["### Broken promises", "", "| # | check | group | status | message |", "|---|---|---|---|---|"]
        lines += [_md_row(f) for f in report.failed]
        lines.append("")
    lines += [f"<details><summary>All {len(report.findings)} checks</summary>", "",
              "| # | check | group | status | message |", "|---|---|---|---|---|"]
    lines += [_md_row(f) for f in report.findings]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _md_row(finding: Finding) -> str:
    number = str(finding.number) if finding.number is not None else ""
    return (f"| {number} | {_md_code(finding.code)} | {md_cell(finding.group)} | {_STATUS_WORD[finding.status]} "
            f"| {md_cell(finding.message)} |")
