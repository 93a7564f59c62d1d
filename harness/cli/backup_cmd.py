"""`ggen-db backup DB DEST`: an online, verified copy of a database.

Copy DB to DEST with SQLite's backup API while writers keep running. The copy is one consistent snapshot; it
is verified (integrity_check, foreign_key_check, row counts of every table equal to the source's at the
snapshot) before it is renamed onto DEST, readable by its owner only. An existing DEST is refused unless
--force. Restoring is a backup in the other direction, with the database's writers stopped.
"""

from __future__ import annotations

import argparse

from harness.cli._command import add_database_argument
from harness.cli._progress import ProgressDisplay, add_progress_option, wanted
from harness.reports.backup_text import render_text
from harness.store.backup import backup

EXAMPLE = """\
example:
  ggen-db backup .ggen/ggen.db backups/ggen-2026-01-29.db
  ggen-db backup --force backups/ggen-2026-01-29.db .ggen/ggen.db   # restore (writers stopped)
"""

SUMMARY = "copy a database online, verify the copy, then publish it (0600)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "copy")
    parser.add_argument("dest", metavar="DEST", help="the backup file to write")
    parser.add_argument(
        "--force", action="store_true", help="replace DEST if it exists (refused while DEST is in use); default: refuse"
    )
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    with ProgressDisplay(bar=wanted(args.progress), keep=True) as display:
        result = backup(args.db, args.dest, force=args.force, progress=display.counter("backup"))
    print(render_text(result))
    return 0

