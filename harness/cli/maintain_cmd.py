"""`ggen-db maintain DB`: integrity check, optimize, checkpoint; ANALYZE and VACUUM when asked.

Maintain DB: PRAGMA integrity_check and foreign_key_check first (a damaged database is reported, exit status
1, and nothing else runs), then PRAGMA optimize, then the asked steps: ANALYZE (kept only if every documented
query still uses its index with the new statistics, else rolled back), wal_checkpoint(TRUNCATE), VACUUM (only
with twice the database's size free on its disk). Without --analyze, --checkpoint or --vacuum the checkpoint
runs. Each step reports what it changed. Writers wait while a step holds the write lock; VACUUM holds it for
the whole copy.
"""

from __future__ import annotations

import argparse

from harness.cli._command import add_database_argument
from harness.operate.maintain import MaintainResult, maintain

EXIT_DAMAGED = 1
EXAMPLE = """\
example:
  ggen-db maintain .ggen/ggen.db
  ggen-db maintain .ggen/ggen.db --vacuum --analyze
"""

SUMMARY = "integrity check, then optimize and checkpoint (ANALYZE, VACUUM when asked)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "maintain")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE (kept only if no documented query "
                        "leaves its index)")
    parser.add_argument("--checkpoint", action="store_true", help="copy the WAL into the database and truncate it")
    parser.add_argument("--vacuum", action="store_true", help="rewrite the file without its free pages (needs "
                        "twice its size free)")


def run(args: argparse.Namespace) -> int:
    checkpoint = args.checkpoint or not (args.analyze or args.vacuum)
    result = maintain(args.db, analyze=args.analyze, checkpoint=checkpoint, vacuum=args.vacuum)
    print(render(result))
    return 0 if result.ok else EXIT_DAMAGED


def render(result: MaintainResult) -> str:
    lines = [f"{step.name}: {step.result} ({step.seconds:.2f} s)" for step in result.steps]
    if not result.ok:
        lines.append(f"{result.path} is damaged: no other step ran (restore a backup: ggen-db backup --force)")
    return "\n".join(lines)
