"""`ggen-db export DB receipts|audit`: JSON Lines for `ggen-db ingest`, or CSV, streamed.

Write the receipts or the audit rows of DB (opened read-only), oldest first, to stdout or --out FILE. JSON
Lines are the format ggen-db ingest reads: each receipt line is followed by its stage_metric and slo_violation
lines, so that ingesting the file into an empty database gives the same rows. CSV holds one table (receipts
alone, or audit rows). The export is one snapshot and is streamed (memory does not grow with the data); --out
is written to a temporary file and renamed into place when complete. Progress goes to stderr on a terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from harness.atomic import Replacing
from harness.cli._command import add_database_argument
from harness.cli._progress import ProgressDisplay, add_progress_option, wanted
from harness.errors import InputError
from harness.operate.export import EXPORTS, FORMATS, ExportResult, export

EXAMPLE = """\
example:
  ggen-db export .ggen/ggen.db receipts --since 7d --out receipts.jsonl
  ggen-db export .ggen/ggen.db audit --since 2026-01-01 --until 2026-02-01 --format csv > audit-january.csv
  ggen-db export old.db receipts | ggen-db ingest new.db -
"""

SUMMARY = "write receipts (with their stage metrics and violations) or audit rows as JSON Lines or CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser, "read")
    parser.add_argument("what", metavar="WHAT", choices=EXPORTS, help=" or ".join(EXPORTS))
    parser.add_argument("--since", metavar="WHEN", help="from this time on: 24h, 7d, 30m, a date or a timestamp")
    parser.add_argument("--until", metavar="WHEN", help="before this time (same forms; default: no end)")
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl (default) or csv")
    parser.add_argument("--out", metavar="FILE", help="write to FILE, replacing it when complete (default: stdout)")
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    shown = wanted(args.progress)
    with _output(args.out) as out, ProgressDisplay(bar=shown, keep=True) as display:
        result = export(args.db, args.what, out, fmt=args.format, since=args.since, until=args.until,
                        progress=display.counter(f"export {args.what}") if shown else None)
    print(summary(result, args.out), file=sys.stderr)
    return 0


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a private temporary file beside path renamed onto it once everything is written."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise InputError(f"--out {target}: is a directory")
    try:
        writing = Replacing(target, suffix=".export-tmp", mode=0o600, durable=True)
    except OSError as e:
        raise InputError(f"--out {target}: cannot write in {target.parent} ({e.strerror})") from e
    with writing as temporary, temporary.open("w", encoding="utf-8", newline="") as out:
        yield out


def summary(result: ExportResult, path: str | None) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in result.written.items())
    return f"exported {result.total} {_unit(result.fmt)} to {path or 'stdout'} ({kinds}) in {result.duration_s:.2f} s"


def _unit(fmt: str) -> str:
    return "lines" if fmt == "jsonl" else "CSV rows"
