"""`ggen-db query DB TABLE`: the newest rows of one table, filtered by parameters.

Print the newest rows of TABLE (newest first) that pass the filters, read through the documented queries of
the contract (each served by its index). DB is opened read-only. Timestamps come as stored and as their UTC
value (the *_utc columns). An agent pattern that matches nothing is an empty result, not an error. Filters are
parameters, never SQL. --status applies to receipts, audit and sessions; --severity to collisions and
violations; --agent to every table but sessions (collisions: either agent; violations: the receipt's).
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.cli._formats import add_format_option, chosen_format, positive_int
from harness.operate.reads import DEFAULT_LIMIT, SOURCES, Filters, query
from harness.reports.rows import write_rows

EXAMPLE = """\
example:
  ggen-db query .ggen/ggen.db receipts --agent 'agent-0*' --status failed --since 24h
  ggen-db query .ggen/ggen.db audit --since 2026-01-29 --until 2026-01-30 --limit 20 --format csv
"""

SUMMARY = "the newest rows of receipts, memory, audit, sessions, collisions or violations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "read")
    parser.add_argument("table", metavar="TABLE", choices=tuple(SOURCES), help=", ".join(SOURCES))
    parser.add_argument("--agent", metavar="GLOB", help="agent ids matching this GLOB pattern (agent-0*, agent-1?)")
    parser.add_argument("--status", metavar="S", help="one status (receipts, audit, sessions)")
    parser.add_argument("--severity", metavar="S", help="one severity (collisions, violations)")
    parser.add_argument("--since", metavar="WHEN", help="from this time on: 24h, 7d, 30m, a date or a timestamp")
    parser.add_argument("--until", metavar="WHEN", help="before this time (same forms; default: no end)")
    parser.add_argument("--limit", metavar="N", type=positive_int, default=DEFAULT_LIMIT,
                        help=f"at most N rows (default: {DEFAULT_LIMIT})")
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    filters = Filters(agent=args.agent, status=args.status, severity=args.severity, since=args.since,
                      until=args.until, limit=args.limit)
    result = query(args.db, args.table, filters)
    write_rows(result.rows, result.columns, chosen_format(args), sys.stdout, title=f"{args.table} ({len(result.rows)})")
    return 0
