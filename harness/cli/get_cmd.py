"""`ggen-db get DB receipt EXECUTION_ID` / `ggen-db get DB memory AGENT_ID`: one record in full.

Print one record. 'receipt EXECUTION_ID': the receipt, its stage metrics, its SLO violations and the agent's
audit rows inside the execution's window [timestamp_utc, finished_utc]. 'memory AGENT_ID': the agent's memory
row. DB is opened read-only. json prints one object with a key per section, jsonl one line per row with its
section as 'kind', table one table per section; csv only for memory (one table). Exit status 1 when there is
no such record.
"""

from __future__ import annotations

import argparse
import sys

from harness.cli._command import add_database_argument
from harness.cli._formats import add_format_option, chosen_format
from harness.errors import UsageError
from harness.operate.reads import get_memory, get_receipt
from harness.reports.rows import write_document

EXIT_NOT_FOUND = 1
EXAMPLE = """\
example:
  ggen-db get .ggen/ggen.db receipt exec-000001
  ggen-db get .ggen/ggen.db memory agent-01 --format table
"""

SUMMARY = "one receipt (with its stage metrics, violations and audit rows) or one agent's memory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "read")
    parser.add_argument("kind", metavar="KIND", choices=("receipt", "memory"), help="receipt or memory")
    parser.add_argument("key", metavar="ID", help="the receipt's execution_id, or the agent_id")
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    fmt = chosen_format(args)
    if args.kind == "receipt" and fmt == "csv":
        raise UsageError("--format csv: a receipt has several sections; use json, jsonl or table")
    record = get_receipt(args.db, args.key) if args.kind == "receipt" else get_memory(args.db, args.key)
    if record is None:
        key = "execution_id" if args.kind == "receipt" else "agent_id"
        print(f"no {args.kind} with {key} {args.key!r} in {args.db}", file=sys.stderr)
        return EXIT_NOT_FOUND
    write_document(record.sections, record.columns, fmt, sys.stdout)
    return 0
