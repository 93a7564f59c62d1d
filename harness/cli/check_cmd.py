"""`ggen-db check`: run the conformance suite against a schema file or a database.

Thin layer: parse options, call harness.checks.check_schema, render the
report (terminal text, and JUnit / JSON / Markdown files when asked).
Exit 0 when every promise holds, 1 when one is broken, 2 for usage or input
errors (raised as GgenDbError and printed by harness.cli.main).
"""

from __future__ import annotations

import argparse

from harness.cli._formats import output_file, write_report_files
from harness.results import CheckReport

EXAMPLE = """\
exit status: 0 every promise holds, 1 a promise is broken, 2 usage or input error

example:
  ggen-db check
  ggen-db check --schema my-schema.sql --junit check.xml --markdown "$GITHUB_STEP_SUMMARY"
  ggen-db check --db .ggen/ggen.db --json check.json
"""
SUMMARY = "prove a schema or a database keeps every promise of the contract"
DESCRIPTION = (
    "Run the conformance suite: the 36 checks of the original delivery checklist and every "
    "promise derived from the contract (columns, enumerations, ids, timestamps, JSON, foreign keys, "
    "table rules, indexes and the queries they serve, views, rollups, stored data). A schema file is "
    "loaded into an in-memory database; a database is opened read-only and never written. Prints one "
    "line per broken promise and a summary."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--schema", metavar="FILE", help="schema file to check (default: the shipped schema.sql)")
    target.add_argument("--db", metavar="FILE", help="existing database to check, opened read-only")
    parser.add_argument("--contract", metavar="FILE",
                        help="contract to check against (default: the shipped harness/contract/contract.json)")
    parser.add_argument("--junit", metavar="FILE", type=output_file,
                        help="also write JUnit XML (one testcase per check, classname = group)")
    parser.add_argument("--json", metavar="FILE", type=output_file,
                        help="also write the report as JSON (format_version 1)")
    parser.add_argument("--markdown", metavar="FILE", type=output_file,
                        help="also write Markdown, e.g. to $GITHUB_STEP_SUMMARY")


def run(args: argparse.Namespace) -> int:
    from harness.checks import check_schema
    from harness.reports import check_report as render

    report = check_schema(schema=args.schema, db=args.db, contract=args.contract)
    write_report_files(args, report, {"junit": render.render_junit, "json": render.render_json,
                                      "markdown": render.render_markdown})
    print(render.render_text(report), end="")
    return exit_status(report)


def exit_status(report: CheckReport) -> int:
    return 0 if report.ok else 1

