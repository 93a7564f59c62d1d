"""Renderers of a CheckReport: escaping in Markdown and XML, and what each format shows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 (parses only XML these tests render)

from harness.reports.check_report import md_cell, render_json, render_junit, render_markdown, render_text
from harness.results import ERROR, FAILED, PASSED, SKIPPED, CheckReport, Finding

HOSTILE = "a|b\nc `code` <script>alert(1)</script> & *bold* _it_ [link](x) \\ \x00\x1b end"


def report(*findings: Finding) -> CheckReport:
    return CheckReport(findings=findings, target="schema.sql", target_kind="schema", schema_sha256="ab" * 32,
                       contract_version="1.0.0", contract_sha256="cd" * 32, sqlite_version="3.40.1", duration_s=0.25)


PASSING = Finding("check_01_table_receipts_exists", "Table 'receipts' exists", "Schema Structure", PASSED, 1,
                  "receipts")
BROKEN = Finding("enum_receipts_status", "receipts.status accepts exactly its enumeration", "Enumerations", FAILED,
                 None, "receipts.status", HOSTILE)
ERRORED = Finding("view_recent_executions_limit", "limit", "View behaviour", ERROR, None, "recent_executions",
                  "recent_executions: SQLite error: no such table: receipts")
SKIPPED_ = Finding("schema_idempotent", "idempotent", "Environment", SKIPPED, None, "", "applies to a schema file only")


def test_md_cell_escapes_everything_that_could_break_a_table_or_inject_html() -> None:
    cell = md_cell(HOSTILE)
    assert "|" not in cell.replace("&#124;", "")
    assert "\n" not in cell and "<br>" in cell
    for raw in ("`", "<script>", "*bold*", "_it_", "[link]", "\\"):
        assert raw not in cell
    assert "&lt;script&gt;" in cell and "&#96;code&#96;" in cell
    assert md_cell("") == " "


def test_text_has_one_line_per_broken_promise_and_a_summary() -> None:
    lines = render_text(report(PASSING, BROKEN, ERRORED, SKIPPED_)).splitlines()
    assert len(lines) == 1 + 2  # two findings broke, then the summary
    assert lines[0].startswith("FAIL enum_receipts_status: a|b\\nc `code`")
    assert lines[0].endswith("(x) \\ \\x00\\x1b end")
    assert lines[1] == "ERROR view_recent_executions_limit: recent_executions: SQLite error: no such table: receipts"
    assert lines[-1] == ("ggen-db check: FAIL: 4 checks, 1 passed, 1 failed, 1 errors, 1 skipped "
                         "(schema schema.sql, contract 1.0.0, SQLite 3.40.1, 0.25 s)")


def test_junit_parses_and_carries_hostile_messages() -> None:
    root = ET.fromstring(render_junit(report(PASSING, BROKEN, ERRORED, SKIPPED_)))  # noqa: S314
    suite = root.find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "4", "failures": "1", "errors": "1", "skipped": "1"}
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    failure = cases["enum_receipts_status"].find("failure")
    assert failure is not None and cases["enum_receipts_status"].get("classname") == "Enumerations"
    assert (failure.get("message") or "").startswith("a|b\nc `code` <script>")
    assert "\x00" not in (failure.text or "")
    assert cases["view_recent_executions_limit"].find("error") is not None
    assert cases["schema_idempotent"].find("skipped") is not None
    assert list(cases["check_01_table_receipts_exists"]) == []


def test_json_has_a_format_version_and_the_report() -> None:
    document = json.loads(render_json(report(PASSING, BROKEN)))
    assert document["format_version"] == 1
    assert document["ok"] is False and document["counts"]["failed"] == 1
    assert document["findings"][1]["message"] == HOSTILE


def test_markdown_of_a_passing_report_has_no_failure_table() -> None:
    text = render_markdown(report(PASSING))
    assert text.startswith("## ✅ ggen-db check: PASS")
    assert "Broken promises" not in text
    assert "| 1 | `check_01_table_receipts_exists` | Schema Structure | PASS |   |" in text


def test_markdown_of_a_failing_report_lists_failures_first() -> None:
    text = render_markdown(report(PASSING, BROKEN))
    assert text.index("### Broken promises") < text.index("<details>")
    lines = text.splitlines()
    row = next(line for line in lines[lines.index("### Broken promises"):] if "enum_receipts_status" in line)
    assert row.count("|") == 6  # the hostile message did not open a column


def test_junit_replaces_what_xml_cannot_carry_even_a_lone_surrogate() -> None:
    # A lone surrogate cannot even be encoded as UTF-8: before one JUnit writer served both reports,
    # check's filter let it through and the file could not be written.
    broken = Finding("enum_receipts_status", "t", "Enumerations", FAILED, None, "receipts.status", "a\ud800b\x0bc")
    text = render_junit(report(broken))
    failure = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase/failure")  # noqa: S314
    assert failure is not None and failure.get("message") == "a\ufffdb\ufffdc"
