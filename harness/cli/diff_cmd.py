"""`ggen-db diff OLD NEW`: judge a schema change (destructive, breaking, data-dependent, rebuild, safe).

Compare two schemas' normalized catalogs (tables, columns, CHECKs, keys, indexes, views, triggers) and
classify every difference with a stable rule code: destructive, breaking for writers, breaking for readers,
data-dependent (decided on --data), needs a table rebuild, safe. OLD and NEW are each a schema file, a
database (read-only) or git:REV[:PATH] (PATH defaults to schema.sql). Exit 0 when nothing fails, 1 when a
finding fails (destructive or breaking, unless waived or configured to warn), 2 for bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.changes.diff import diff_schemas
from harness.cli._formats import write_report_files
from harness.cli._judging import add_judging_options, judging
from harness.reports import diff_report

EXAMPLE = """\
example:
  ggen-db diff git:main schema.sql --data .ggen/ggen.db --markdown diff.md
  ggen-db diff old.sql new.sql --format github --waivers .ggen-db/waivers.json
"""

SUMMARY = "judge a schema change against the deployed schema (rule codes, classes, exit 1 when breaking)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the deployed schema: FILE, DB or git:REV[:PATH]")
    parser.add_argument("new", metavar="NEW", help="the proposed schema: FILE, DB or git:REV[:PATH]")
    add_judging_options(parser)
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the findings as JSON")
    parser.add_argument("--markdown", metavar="FILE", type=Path, help="also write a Markdown summary")
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="stdout: text (default) or GitHub workflow annotations")


def run(args: argparse.Namespace) -> int:
    report = diff_schemas(args.old, args.new, **judging(args))  # type: ignore[arg-type]
    if args.format == "github":
        new_file = None if args.new.startswith("git:") else args.new
        script = Path(new_file).read_text(encoding="utf-8", errors="replace") if new_file else None
        print(diff_report.render_github(report, script, new_file))
    else:
        print(diff_report.render_text(report))
    write_report_files(args, report, {"json": diff_report.render_json, "markdown": diff_report.render_markdown})
    return report.exit_status

