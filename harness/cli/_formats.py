"""The shared output options of the reading commands: --format table|json|jsonl|csv."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness.reports.rows import FORMATS, default_format


def add_format_option(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    parser.add_argument(
        "--format", choices=formats, default=None,
        help=f"output format: {', '.join(formats)} (default: table on a terminal, json otherwise)",
    )


def chosen_format(args: argparse.Namespace) -> str:
    return str(args.format or default_format(sys.stdout))


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
