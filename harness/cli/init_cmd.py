"""`ggen-db init [DB]`: create or upgrade a database.

Create or upgrade a ggen database: parent directories, schema, WAL, schema version (PRAGMA user_version).
Existing data is never dropped, deleted or rewritten; a database from a newer schema version is refused. On an
existing database only missing objects are added: any other difference from the schema (a changed view,
trigger, index, CHECK or column) is reported as drift, exit 1, and an older version is pointed to `ggen-db
migrate`.
"""

from __future__ import annotations

import argparse
import sys

from harness.changes.install import DEFAULT_DB_ENV, DEFAULT_DB_PATH, init_database
from harness.changes.migrate import SchemaDriftError
from harness.reports.changes_text import render_drift, render_init

EXAMPLE = """\
example:
  ggen-db init .ggen/ggen.db
  ggen-db init --schema my-schema.sql /tmp/scratch.db
"""

SUMMARY = "create or upgrade a database (never drops or rewrites data)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "db",
        nargs="?",
        metavar="DB",
        help=f"database file (default: ${DEFAULT_DB_ENV}, else {DEFAULT_DB_PATH})",
    )
    parser.add_argument(
        "--schema", metavar="FILE", help="schema file to apply (default: the shipped schema.sql)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        result = init_database(args.db, schema_file=args.schema)
    except SchemaDriftError as drift:
        print(render_drift(drift))
        print(f"Error: {drift}", file=sys.stderr)
        return 1
    print(render_init(result))
    return 0
