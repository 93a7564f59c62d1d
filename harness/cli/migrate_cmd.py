"""`ggen-db migrate DB [--to N] [--dry-run] [--backup PATH]`: upgrade a database to a newer schema version.

Apply the pending migrations (harness/migrations/) to a database: refuse a database whose schema drifted from
its recorded version, take a verified backup, run each migration in its own transaction with foreign keys off,
then verify integrity, foreign keys, rollups and the catalog. Exit 0 migrated (or nothing to do), 1 drift or a
failed verification, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from harness.changes.migrate import SchemaDriftError, migrate
from harness.reports.changes_text import render_drift, render_migrate

EXAMPLE = """\
example:
  ggen-db migrate --dry-run .ggen/ggen.db
  ggen-db migrate .ggen/ggen.db --backup backups/before-upgrade.db
"""

SUMMARY = "upgrade a database to a newer schema version (verified backup first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("db", metavar="DB", help="database file (created by `ggen-db init`)")
    parser.add_argument("--to", type=int, metavar="N", help="target schema version (default: the newest)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--backup", metavar="PATH", help="where the verified backup goes (default: DB.v<version>-<time>.bak)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        result = migrate(args.db, to=args.to, dry_run=args.dry_run, backup_path=args.backup)
    except SchemaDriftError as drift:
        print(render_drift(drift, "drift (expected -> database):"))
        print(f"Error: {drift}", file=sys.stderr)
        return 1
    print(render_migrate(result))
    return 0 if result.verification is None or result.verification.ok else 1
