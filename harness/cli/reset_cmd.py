"""`ggen-db reset DB --yes`: a verified backup, then every row deleted; the schema and its version stay.

Empty DB: take a verified backup (ggen-db backup: online, checked, 0600; default file DB.before-reset-<UTC
time>.db beside DB), then delete every row of every table in one transaction, rollups and AUTOINCREMENT
counters included. The schema and its version stay. Refused without --yes, unless you confirm by typing the
database's file name on a terminal. --no-backup skips the backup (the rows are then gone for good).
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.errors import UsageError
from harness.operate.reset import ResetResult, reset

EXAMPLE = """\
example:
  ggen-db reset .ggen/ggen.db --yes
  ggen-db reset .ggen/ggen.db --yes --backup backups/before-reset.db
"""

SUMMARY = "delete every row (after a verified backup), keeping the schema and its version"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "empty")
    parser.add_argument("--yes", action="store_true", help="do it without asking")
    parser.add_argument("--backup", metavar="FILE", help="where the backup goes (must not exist)")
    parser.add_argument("--no-backup", action="store_true", help="take no backup first")


def run(args: argparse.Namespace) -> int:
    if args.no_backup and args.backup:
        raise UsageError("--backup and --no-backup: give one")
    if not args.yes and not _confirmed(args.db):
        raise UsageError(f"reset {args.db}: refused without --yes (deletes every row)")
    result = reset(args.db, backup_to=args.backup, take_backup=not args.no_backup)
    print(render(result))
    return 0


def _confirmed(db: str) -> bool:
    """On a terminal, ask for the database's file name; anywhere else, no."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    from pathlib import Path

    name = Path(db).name
    print(f"This deletes every row of {db}. Type its file name ({name}) to go on: ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip() == name


def render(result: ResetResult) -> str:
    tables = ", ".join(f"{table} {count}" for table, count in result.deleted.items())
    backup = f"backup {result.backup} (verified)" if result.backup else "no backup"
    return (f"reset {result.path}: {result.total} rows deleted, schema version {result.schema_version} kept; "
            f"{backup}; {result.duration_s:.2f} s\n  deleted: {tables}")
