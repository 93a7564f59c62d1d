"""signoff.md: the verdict and the sign-off's tables in GitHub-flavoured Markdown.

Fit for a CI step summary or a PR comment. Every cell is escaped: a pipe,
a newline or HTML in a check message or an agent id must neither break the
table nor become markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.reports import signoff_view as view
from harness.results import SignoffResult

VERDICT_ICON = {"PASS": "✅", "WARN": "⚠️", "FAIL": "❌"}
WARNINGS_SHOWN = 5
_BACKSLASHED = "\\`*_[]|#"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: object) -> str:
    """Text made literal in Markdown: markup characters escaped, HTML as entities, one line."""
    out = []
    for ch in str(text):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def code(text: object) -> str:
    """Inline code for identifiers we produce ourselves (hashes, commits); backticks removed."""
    return "`" + str(text).replace("`", "'") + "`"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(escape(c) for c in row) + " |" for row in rows)
    return lines


def render_markdown(result: SignoffResult) -> str:
    lines = _heading(result)
    lines += _conformance(result)
    lines += _slo(result)
    lines += _environment(result)
    return "\n".join(lines) + "\n"


def _heading(result: SignoffResult) -> list[str]:
    status = result.verdict.status
    lines = [
        f"# ggen-db sign-off: {VERDICT_ICON.get(status, '')} {status}",
        "",
        f"Schema {code(result.schema_sha256[:12])} (sha256 {code(result.schema_sha256)}), "
        f"contract {escape(result.contract_version)}, commit {code(result.git_commit)}, "
        f"{escape(result.generated_at)}, scales {escape(', '.join(result.scales))}"
        f"{' (quick)' if result.quick else ''}.",
        "",
    ]
    failures, warnings = result.verdict.failures, result.verdict.warnings
    if failures:
        lines += [f"**{len(failures)} failure{'s' if len(failures) != 1 else ''}:**", ""]
        lines += [f"- {escape(reason)}" for reason in failures] + [""]
    if warnings:
        # Folded when they are many, so the failures and the tables stay near the top of a PR comment.
        folded = len(warnings) > WARNINGS_SHOWN
        title = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        lines += [f"<details><summary>{title}</summary>" if folded else f"**{title}:**", ""]
        lines += [f"- {escape(reason)}" for reason in warnings] + [""]
        lines += ["</details>", ""] if folded else []
    return lines


def _conformance(result: SignoffResult) -> list[str]:
    """Failures in full; the checklist's 36 checks row by row; the extra checks as one line per group.

    Every extra check row would triple the size (a PR comment holds 65,536 characters); the failed
    ones are all in the first table, and signoff.html and signoff.json have every row.
    """
    lines = ["## Conformance", "", escape(view.conformance_summary(result)), ""]
    groups = view.check_groups(result.conformance.findings)
    failed = [f for g in groups for f in g.findings if not f.ok]
    if failed:
        lines += ["### Failed checks", ""]
        lines += table(("Group",) + view.CHECK_HEADER, [(f.group,) + view.check_row(f) for f in failed])
        lines.append("")
    numbered = [(g.name,) + view.check_row(f) for g in groups if g.numbered for f in g.findings]
    lines += ["<details><summary>The delivery checklist's 36 checks</summary>", ""]
    lines += table(("Group",) + view.CHECK_HEADER, numbered)
    lines += ["", "</details>", ""]
    extras = [g for g in groups if not g.numbered]
    if extras:
        lines += ["Beyond the checklist:", ""]
        rows = [(g.name, str(len(g.findings)), str(len(g.findings) - g.failed), str(g.failed)) for g in extras]
        lines += table(("Group", "Checks", "Passed", "Failed"), rows)
        lines.append("")
    return lines


def _slo(result: SignoffResult) -> list[str]:
    lines = ["## SLO benchmarks", "", escape(view.slo_summary(result)), ""]
    if result.baseline:
        machine = "same machine" if result.baseline.same_machine else "ANOTHER machine: deltas are indicative only"
        lines += [
            f"Against baseline {escape(result.baseline.path)} ({escape(result.baseline.generated_at)}, "
            f"schema {code(result.baseline.schema_sha256[:12])}, commit {code(result.baseline.git_commit)}, {machine}).",
            "",
        ]
    lines += table(view.slo_header(result), view.slo_rows(result))
    lines.append("")
    return lines


def _environment(result: SignoffResult) -> list[str]:
    machine = result.environment.get("machine", {})
    rows = [(str(k), view.flat(v)) for k, v in machine.items()]
    rows += [(f"pragma {k}", view.flat(v)) for k, v in result.environment.get("pragmas", {}).items()]
    lines = ["<details><summary>Environment</summary>", ""]
    lines += table(("Item", "Value"), rows)
    lines += ["", "</details>", ""]
    return lines
