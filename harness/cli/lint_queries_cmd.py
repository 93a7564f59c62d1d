"""`ggen-db lint-queries FILE|-`: a reader's own SQL judged against the schema before it ships.

Read FILE ('-' for stdin), a file of SQL statements separated by ';', and judge each against the schema on a
database opened read-only: the data generated at --scale (default 10k receipts), or your own with --db. For
each statement: does it prepare, its query plan, whether it walks a table that grows or sorts a growing set in
a temporary b-tree, whether it orders or compares a writer's raw timestamp text where a _utc column gives the
right order, whether a view or rollup already answers it, and its measured time (statements that only read are
run; parameters are drawn from the data). Rule codes are listed in the README.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.bench.scales import scale_name
from harness.cli._formats import output_file, write_report_files
from harness.errors import InputError

EXIT_FINDINGS = 1

EXAMPLE = """\
exit status: 0 no statement fails a rule, 1 one does (a scan of a growing table, raw timestamp text,
a statement SQLite cannot prepare), 2 usage or input error

example:
  ggen-db lint-queries dashboard.sql
  ggen-db lint-queries --scale 100k --markdown "$GITHUB_STEP_SUMMARY" queries.sql
  echo "SELECT * FROM receipts WHERE agent_id = ? ORDER BY timestamp DESC LIMIT 50" | ggen-db lint-queries --db .ggen/ggen.db -
"""
SUMMARY = "judge a file of SQL statements against the schema: plans, scans, raw timestamps, time"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the SQL file, or - for stdin")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--db", metavar="DB", help="your database, opened read-only and never written")
    target.add_argument("--scale", metavar="S", type=scale_name, help="generated data of 1k, 10k, 100k or 1m receipts (10k)")
    parser.add_argument("--json", metavar="FILE", type=output_file, help="also write the report as JSON")
    parser.add_argument("--markdown", metavar="FILE", type=output_file,
                        help="also write Markdown, e.g. to $GITHUB_STEP_SUMMARY")


def run(args: argparse.Namespace) -> int:
    from harness.lint import lint_queries, render

    script, source = read_source(args.file)
    report = lint_queries(script, source=source, db=args.db, scale=args.scale)
    write_report_files(args, report, {"json": render.render_json, "markdown": render.render_markdown})
    print(render.render_text(report), end="")
    return 0 if report.ok else EXIT_FINDINGS


def read_source(value: str) -> tuple[str, str]:
    """The SQL text and the name the report gives it; InputError naming FILE when it cannot be read."""
    if value == "-":
        return sys.stdin.read(), "stdin"
    path = Path(value)
    try:
        return path.read_text(encoding="utf-8"), value
    except FileNotFoundError as e:
        raise InputError(f"FILE {value}: no such file") from e
    except IsADirectoryError as e:
        raise InputError(f"FILE {value}: is a directory, not a SQL file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"FILE {value}: cannot read ({e})") from e
