"""`ggen-db diff OLD NEW`: judge a schema change (destructive, breaking, data-dependent, rebuild, safe)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.changes.diff import diff_schemas, load_severities, load_waivers
from harness.cli._formats import write_report_files
from harness.reports import diff_report

DEFAULT_CONFIG = Path(".ggen-db") / "diff.json"
DEFAULT_WAIVERS = Path(".ggen-db") / "waivers.json"

EXAMPLE = """\
example:
  ggen-db diff git:main schema.sql --data .ggen/ggen.db --markdown diff.md
  ggen-db diff old.sql new.sql --format github --waivers .ggen-db/waivers.json
"""

SUMMARY = "judge a schema change against the deployed schema (rule codes, classes, exit 1 when breaking)"
DESCRIPTION = (
    "Compare two schemas' normalized catalogs (tables, columns, CHECKs, keys, indexes, views, "
    "triggers) and classify every difference with a stable rule code: destructive, breaking for "
    "writers, breaking for readers, data-dependent (decided on --data), needs a table rebuild, safe. "
    "OLD and NEW are each a schema file, a database (read-only) or git:REV[:PATH] (PATH defaults to "
    "schema.sql). Exit 0 when nothing fails, 1 when a finding fails (destructive or breaking, unless "
    "waived or configured to warn), 2 for bad input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the deployed schema: FILE, DB or git:REV[:PATH]")
    parser.add_argument("new", metavar="NEW", help="the proposed schema: FILE, DB or git:REV[:PATH]")
    add_judging_options(parser)
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the findings as JSON")
    parser.add_argument("--markdown", metavar="FILE", type=Path, help="also write a Markdown summary")
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="stdout: text (default) or GitHub workflow annotations")


def add_judging_options(parser: argparse.ArgumentParser) -> None:
    """--data, --config, --waivers: shared with `ggen-db gate`."""
    parser.add_argument("--data", metavar="DB", help="decide data-dependent findings on this database (read-only)")
    parser.add_argument("--config", metavar="FILE", type=Path,
                        help=f'per-rule severities, JSON {{"severity": {{"BR104": "warn"}}}} (default: {DEFAULT_CONFIG} '
                             "when present)")
    parser.add_argument("--waivers", metavar="FILE", type=Path,
                        help="reviewed waivers, JSON {\"waivers\": [{code, object, reason, owner, expires}]} "
                             f"(default: {DEFAULT_WAIVERS} when present)")


def judging(args: argparse.Namespace) -> dict[str, object]:
    """The keyword arguments of diff_schemas that --data, --config and --waivers give."""
    config = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    waivers = args.waivers or (DEFAULT_WAIVERS if DEFAULT_WAIVERS.is_file() else None)
    return {
        "data": args.data,
        "severities": load_severities(config) if config else {},
        "waivers": load_waivers(waivers) if waivers else [],
    }


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

