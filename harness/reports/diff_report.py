"""A DiffReport as text, GitHub annotations, Markdown and JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from harness.changes.diff import DiffReport, JudgedFinding
from harness.changes.rules import FAIL, INFO, WARN

_MARK = {FAIL: "FAIL", WARN: "warn", INFO: "info"}
_GITHUB_LEVEL = {FAIL: "error", WARN: "warning", INFO: "notice"}
_EMOJI = {FAIL: "❌ fail", WARN: "⚠️ warn", INFO: "ℹ️ info"}


def verdict(report: DiffReport) -> str:
    return "FAIL" if report.failed else "PASS"


def summary(report: DiffReport) -> str:
    counts = report.counts()
    failing = sorted({f.cls for f in report.failed})
    why = f" ({', '.join(failing)})" if failing else ""
    return (f"{verdict(report)}{why}: {counts[FAIL]} failing, {counts[WARN]} warning, {counts[INFO]} info, "
            f"{counts['waived']} waived finding(s) from {report.changes} change(s)")


def _status(f: JudgedFinding) -> str:
    return "waived" if f.waiver else _MARK[f.severity]


def _data_note(report: DiffReport) -> str:
    return f" (data: {report.data})" if report.data else ""


def render_text(report: DiffReport) -> str:
    lines = [f"diff {report.old} -> {report.new}{_data_note(report)}: {summary(report)}"]
    width = max((len(f.cls) for f in report.findings), default=0)
    for f in report.findings:
        lines.append(f"  {_status(f):6} {f.code} {f.cls:{width}}  {f.object}: {f.message}")
        if f.waiver:
            lines.append(f"         waived until {f.waiver.expires} by {f.waiver.owner}: {f.waiver.reason}")
    return "\n".join(lines)


def render_github(report: DiffReport, new_script: str | None = None, new_file: str | None = None) -> str:
    """GitHub workflow commands: one annotation per finding, on NEW's line that names the object when known."""
    lines = []
    for f in report.findings:
        level = "notice" if f.waiver else _GITHUB_LEVEL[f.severity]
        where = ""
        if new_file:
            line = line_of(new_script or "", f.object)
            where = f"file={new_file}" + (f",line={line}" if line else "") + ","
        title = f"ggen-db {f.code} ({f.cls}{', waived' if f.waiver else ''})"
        lines.append(f"::{level} {where}title={_escape_property(title)}::{_escape_data(f'{f.object}: {f.message}')}")
    lines.append(f"ggen-db diff {report.old} -> {report.new}: {summary(report)}")
    return "\n".join(lines)


def line_of(script: str, obj: str) -> int | None:
    """The first line of script naming the object (its last dotted part) as a word."""
    name = obj.split(".")[-1].split("(")[0].strip()
    if not name:
        return None
    pattern = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])", re.IGNORECASE)
    for number, text in enumerate(script.splitlines(), start=1):
        if pattern.search(text.split("--")[0]):
            return number
    return None


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_markdown(report: DiffReport, heading: str = "##") -> str:
    lines = [
        f"{heading} Schema change: {verdict(report)}",
        "",
        f"`{report.old}` → `{report.new}`{_data_note(report)}: {summary(report)}.",
        "",
    ]
    if not report.findings:
        return "\n".join([*lines, "No differences."]) + "\n"
    lines += ["| | code | class | object | finding |", "|---|---|---|---|---|"]
    for f in sorted(report.findings, key=lambda f: (not f.fails, f.severity != WARN, bool(f.waiver))):
        status = f"waived ({f.waiver.owner}, until {f.waiver.expires})" if f.waiver else _EMOJI[f.severity]
        lines.append(f"| {status} | {f.code} | {f.cls} | `{_cell(f.object)}` | {_cell(f.message)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def to_json(report: DiffReport) -> dict[str, Any]:
    return {
        "old": report.old,
        "new": report.new,
        "data": report.data,
        "verdict": verdict(report),
        "exit_status": report.exit_status,
        "counts": report.counts(),
        "classes": list(report.classes()),
        "findings": [
            {
                "code": f.code, "class": f.cls, "severity": f.severity, "object": f.object, "message": f.message,
                "rule": f.title, "data": f.data,
                "waiver": None if f.waiver is None else {
                    "reason": f.waiver.reason, "owner": f.waiver.owner, "expires": f.waiver.expires.isoformat()},
            }
            for f in report.findings
        ],
    }


def render_json(report: DiffReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
