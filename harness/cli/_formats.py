"""The shared output options: --format table|json|jsonl|csv of the reading commands, the report files
(--json/--markdown/--junit FILE) of check, lint-queries, diff and gate, and argparse types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from harness.atomic import write_text
from harness.reports.rows import FORMATS, default_format

Report = TypeVar("Report")


def add_format_option(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    parser.add_argument(
        "--format", choices=formats, default=None,
        help=f"output format: {', '.join(formats)} (default: table on a terminal, json otherwise)",
    )


def chosen_format(args: argparse.Namespace) -> str:
    return str(args.format or default_format(sys.stdout))


def output_file(value: str) -> Path:
    """argparse type: an output path whose directory exists (checked before the command's work starts)."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory, not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"directory {parent} does not exist")
    return path


def write_report_files(args: argparse.Namespace, report: Report, renderers: Mapping[str, Callable[[Report], str]]) -> None:
    """Write the report to each file asked for by an --OPTION FILE (renderers: option name -> renderer), in
    that order, each atomically; a write error names its option."""
    for option, render in renderers.items():
        path = getattr(args, option)
        if path is not None:
            write_text(path, render(report), option=f"--{option}")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def non_negative_float(text: str) -> float:
    """argparse type: a number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a finite number >= 0")
    return value
