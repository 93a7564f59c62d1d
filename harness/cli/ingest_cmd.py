"""`ggen-db ingest DB FILE|-`: load a JSON Lines file, all or nothing by default.

Load FILE (JSON Lines; '-' reads stdin) into DB, which must exist (ggen-db init). Each line is an object whose
'kind' (receipt, stage_metric, slo_violation, audit, memory, session, collision) names the table; the other
fields are its columns (format: harness/contract/formats/ingest.schema.json). stage_metric and slo_violation
lines follow their receipt line. The file is one transaction: if any line is rejected nothing is written,
every rejected line is listed as 'line N: table.column: rule: why', and the exit status is 1. With
--skip-invalid the valid lines are written and the rejected ones listed (exit status 1 still, 0 only when
every line was written). Exit status 2: DB or FILE unusable.
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.cli._progress import ProgressDisplay, add_progress_option, wanted
from harness.ingest.runner import ingest
from harness.reports.ingest_text import render_text

EXIT_REJECTED = 1

EXAMPLE = """\
example:
  ggen-db ingest .ggen/ggen.db receipts.jsonl
  producer | ggen-db ingest --skip-invalid .ggen/ggen.db -
  a line: {"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a1", "operation": "emit", "status": "completed"}
"""

SUMMARY = "load a JSON Lines file of receipts, metrics, audit rows, memory, sessions, collisions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "write")
    parser.add_argument("file", metavar="FILE", help="the JSON Lines file, or - for stdin")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the valid lines and report the rest (default: any rejected line means nothing is written)",
    )
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    source = sys.stdin.buffer if args.file == "-" else args.file
    with ProgressDisplay(bar=wanted(args.progress), keep=True) as display:
        result = ingest(args.db, source, skip_invalid=args.skip_invalid, progress=display.counter("ingest"))
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.unreported:
        print(f"... and {result.unreported} more rejected lines not listed", file=sys.stderr)
    print(render_text(result))
    return 0 if result.ok else EXIT_REJECTED

