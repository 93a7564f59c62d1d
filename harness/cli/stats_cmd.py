"""`ggen-db stats DB`: sizes, counts, schema version, agents, stages, the period's receipts and violations.

Print what DB holds (opened read-only), from the rollups, the indexes and the file header: rows per table
(receipts and stage metrics from the rollups, the small tables counted, the audit log as its id range unless
--exact), file and WAL sizes, pages and free pages, the schema version, agents by executions with their
success rate and stages by average duration (all time, from the rollups), and for the period ending at --until
(default: now) receipts per day and SLO violations per metric. json prints one object with a key per section,
jsonl one line per row with its section as 'kind', table one table per section.
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.cli._formats import add_format_option, chosen_format
from harness.operate.stats import PERIODS, stats
from harness.reports.rows import write_document

EXAMPLE = """\
example:
  ggen-db stats .ggen/ggen.db
  ggen-db stats .ggen/ggen.db --period 7d --until 2026-01-30 --format json
"""

SUMMARY = "row counts, file and WAL sizes, pages, schema version, agents, stages, violations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "read")
    parser.add_argument("--period", choices=PERIODS, default="24h", help="the period of the per-day and per-metric "
                        "sections (default: 24h)")
    parser.add_argument("--until", metavar="WHEN", help="the period ends here: a date or a timestamp (default: now)")
    parser.add_argument("--exact", action="store_true",
                        help="count the audit log row by row (seconds at 1M receipts; default: its id range)")
    add_format_option(parser, ("table", "json", "jsonl"))


def run(args: argparse.Namespace) -> int:
    result = stats(args.db, period=args.period, until=args.until, exact=args.exact)
    write_document(result.record.sections, result.record.columns, chosen_format(args), sys.stdout)
    return 0
