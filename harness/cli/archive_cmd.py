"""`ggen-db archive DB --before WHEN --to ARCHIVE.db`: move old rows into an archive database.

Move the receipts older than --before with their stage metrics and SLO violations, the audit rows older than
--before, and the sessions that finished before it with their collisions, from DB into ARCHIVE (created with
DB's own schema when missing; an existing one must have exactly that schema). Batches, each one transaction
over both files: DB's writers wait for a batch, never fail. The rollups of both files stay exact. A kill at
any moment loses nothing; the batch in flight may be left in both files (identical), and the next run finishes
the move. --dry-run only counts.
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.cli._formats import non_negative_float, positive_int
from harness.operate.archive import BATCH_RECEIPTS, BATCH_ROWS, PAUSE_S, ArchiveResult, archive

EXAMPLE = """\
example:
  ggen-db archive .ggen/ggen.db --before 90d --to archive/ggen-2025.db --dry-run
  ggen-db archive .ggen/ggen.db --before 2026-01-01 --to archive/ggen-2025.db
"""

SUMMARY = "move receipts, audit rows and finished sessions older than a time into an archive database"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "move rows out of")
    parser.add_argument("--before", metavar="WHEN", required=True,
                        help="move what is older than this: a date, a timestamp, or a duration back from now (90d)")
    parser.add_argument("--to", metavar="ARCHIVE", required=True, help="the archive database (created if missing)")
    parser.add_argument("--dry-run", action="store_true", help="count what would move; write nothing")
    parser.add_argument("--batch", metavar="N", type=positive_int, default=BATCH_RECEIPTS,
                        help=f"receipts per batch (default: {BATCH_RECEIPTS}; audit rows and sessions: {BATCH_ROWS})")
    parser.add_argument("--pause", metavar="SECONDS", type=non_negative_float, default=PAUSE_S,
                        help=f"leave the write lock free this long after each batch, for waiting writers "
                        f"(default: {PAUSE_S})")


def run(args: argparse.Namespace) -> int:
    def progress(table: str, moved: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{table}: {moved} moved", end="", file=sys.stderr, flush=True)

    result = archive(args.db, args.before, args.to, dry_run=args.dry_run, batch_receipts=args.batch,
                     pause_s=args.pause, progress=progress)
    if sys.stderr.isatty() and not args.dry_run:
        print(file=sys.stderr)
    print(render(result))
    return 0


def render(result: ArchiveResult) -> str:
    rows = ", ".join(f"{table} {count}" for table, count in result.moved.items())
    if result.dry_run:
        return f"would move {result.total} rows older than {result.before} from {result.source} to {result.archive}: {rows}"
    created = " (created)" if result.created_archive else ""
    return (f"moved {result.total} rows older than {result.before} from {result.source} to {result.archive}{created} "
            f"in {result.batches} batches, {result.duration_s:.2f} s (longest batch {result.longest_batch_s:.2f} s): "
            f"{rows}")
