"""The options that judge a schema change's findings (--data, --config, --waivers), shared by `ggen-db diff`
and `ggen-db gate`."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.changes.diff import load_severities, load_waivers

DEFAULT_CONFIG = Path(".ggen-db") / "diff.json"
DEFAULT_WAIVERS = Path(".ggen-db") / "waivers.json"


def add_judging_options(parser: argparse.ArgumentParser) -> None:
    """--data, --config, --waivers."""
    parser.add_argument("--data", metavar="DB", help="decide data-dependent findings on this database (read-only)")
    parser.add_argument("--config", metavar="FILE", type=Path,
                        help=f'per-rule severities, JSON {{"severity": {{"BR104": "warn"}}}} (default: {DEFAULT_CONFIG} '
                             "when present)")
    parser.add_argument("--waivers", metavar="FILE", type=Path,
                        help="reviewed waivers, JSON {\"waivers\": [{code, object, reason, owner, expires}]} "
                             f"(default: {DEFAULT_WAIVERS} when present)")


def judging(args: argparse.Namespace) -> dict[str, object]:
    """The keyword arguments of diff_schemas that --data, --config and --waivers give."""
    config = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    waivers = args.waivers or (DEFAULT_WAIVERS if DEFAULT_WAIVERS.is_file() else None)
    return {
        "data": args.data,
        "severities": load_severities(config) if config else {},
        "waivers": load_waivers(waivers) if waivers else [],
    }
