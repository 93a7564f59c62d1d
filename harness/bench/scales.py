"""The data scales: their names, their sizes, and the one parser every command uses.

A scale names a generated database by its receipt count ("10k" = 10,000
receipts). `ggen-db bench`, `ggen-db signoff`, the pytest benchmarks and the
data generator all accept the same names, validated here with one rule and
one message: the API raises UsageError("--scale 5k: must be one of ..."),
argparse prints "argument --scale: 5k: must be one of ...".
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from harness.errors import UsageError

#: Every scale, smallest first, and its number of receipts.
SCALES: dict[str, int] = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
OPTION = "--scale"


def rule(name: str) -> str:
    """Why name is not a scale (the one wording of the rule)."""
    return f"{name}: must be one of {', '.join(SCALES)}"


def receipts(name: str) -> int:
    """The receipt count of a scale; UsageError naming --scale and the allowed values."""
    if name not in SCALES:
        raise UsageError(f"{OPTION} {rule(name)}")
    return SCALES[name]


def parse_scales(values: str | Iterable[str]) -> tuple[str, ...]:
    """Scales from names or comma-separated lists: each once, smallest first.

    UsageError (naming --scale) for an unknown name or when none is given.
    """
    names = split([values] if isinstance(values, str) else values)
    if not names:
        raise UsageError(f"{OPTION}: give at least one scale")
    for name in names:
        receipts(name)
    return tuple(sorted(dict.fromkeys(names), key=SCALES.__getitem__))


def split(values: Iterable[str]) -> list[str]:
    """The names in values, each of which may be a comma-separated list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def scale_list(text: str) -> list[str]:
    """argparse type: a comma-separated list of scales (checked; order and repeats kept)."""
    names = split([text])
    if not names:
        raise argparse.ArgumentTypeError("give at least one scale")
    return [scale_name(name) for name in names]


def scale_name(text: str) -> str:
    """argparse type: one scale."""
    if text not in SCALES:
        raise argparse.ArgumentTypeError(rule(text))
    return text


def flatten(groups: Iterable[Iterable[str]] | None, default: Iterable[str]) -> tuple[str, ...]:
    """What repeated --scale options gave (lists of scale_list results), or default when none was given."""
    given = [name for group in groups or () for name in group]
    return parse_scales(given or list(default))

