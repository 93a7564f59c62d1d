"""`ggen-db ingest DB FILE|-`: load a JSON Lines file, all or nothing by default."""

from __future__ import annotations

import argparse
import sys

from harness.cli._progress import ProgressDisplay, wanted
from harness.ingest.runner import IngestResult, ingest

EXIT_REJECTED = 1

EXAMPLE = """\
example:
  ggen-db ingest .ggen/ggen.db receipts.jsonl
  producer | ggen-db ingest --skip-invalid .ggen/ggen.db -
  a line: {"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a1", "operation": "emit", "status": "completed"}
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ingest",
        help="load a JSON Lines file of receipts, metrics, audit rows, memory, sessions, collisions",
        description=(
            "Load FILE (JSON Lines; '-' reads stdin) into DB, which must exist (ggen-db init). Each line is "
            "an object whose 'kind' (receipt, stage_metric, slo_violation, audit, memory, session, "
            "collision) names the table; the other fields are its columns (format: "
            "harness/contract/formats/ingest.schema.json). stage_metric and slo_violation lines follow their receipt "
            "line. The file is one transaction: if any line is rejected nothing is written, every rejected "
            "line is listed as 'line N: table.column: rule: why', and the exit status is 1. With "
            "--skip-invalid the valid lines are written and the rejected ones listed (exit status 1 still, "
            "0 only when every line was written). Exit status 2: DB or FILE unusable."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("db", metavar="DB", help="the database to write (must exist)")
    parser.add_argument("file", metavar="FILE", help="the JSON Lines file, or - for stdin")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the valid lines and report the rest (default: any rejected line means nothing is written)",
    )
    parser.add_argument(
        "--progress", action="store_true", help="show a progress bar on stderr (default: only on a terminal)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = sys.stdin.buffer if args.file == "-" else args.file
    with ProgressDisplay(bar=wanted(args.progress), keep=True) as display:
        result = ingest(args.db, source, skip_invalid=args.skip_invalid, progress=display.counter("ingest"))
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.unreported:
        print(f"... and {result.unreported} more rejected lines not listed", file=sys.stderr)
    print(render(result))
    return 0 if result.ok else EXIT_REJECTED


def render(result: IngestResult) -> str:
    timing = (
        f"  checked in {result.judge_s:.2f} s; waited {result.lock_wait_s:.2f} s for the write lock, "
        f"held it {result.lock_held_s:.2f} s"
    )
    if not result.committed:
        return (
            f"nothing written to the database: {result.rejected} of {result.lines} lines rejected "
            f"in {result.source} (use --skip-invalid to write the valid ones)\n{timing}"
        )
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result.written.items())) or "nothing"
    rejected = f", {result.rejected} rejected" if result.rejected else ""
    return f"ingested {result.accepted} of {result.lines} lines from {result.source}{rejected}: {kinds}\n{timing}"
