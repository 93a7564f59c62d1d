"""`ggen-db signoff`: prove the schema, benchmark it, write the sign-off reports.

Parses options, calls harness.signoff.signoff() with a progress display, and
prints the verdict and where the reports are. Exit 0 on PASS or WARN, 1 on
FAIL, 2 on bad input (handled by harness.cli.main).
"""

from __future__ import annotations

import argparse
import sys

from harness.bench.scales import flatten, scale_list
from harness.cli._progress import ProgressDisplay
from harness.reports.signoff_text import render_text
from harness.results import FAIL
from harness.signoff import DEFAULT_SCALES, signoff

EXIT_FAIL = 1

EXAMPLE = """\
exit status: 0 PASS or WARN, 1 FAIL, 2 bad input.

examples:
  ggen-db signoff                                   # 10k and 100k receipts, into reports/<date>-<schema sha>/
  ggen-db signoff --scale 1k --quick --out /tmp/so  # a fast smoke run
  ggen-db signoff --baseline reports/2026-01-29-0123456789ab/signoff.json
"""

SUMMARY = "prove the schema, benchmark it and write the sign-off report (HTML, Markdown, JSON, JUnit)"
DESCRIPTION = (
    "Load the schema into a scratch database, run the conformance suite and the SLO benchmarks, "
    "decide the verdict (PASS, WARN or FAIL) and write signoff.html, signoff.md, signoff.json and "
    "junit.xml into one directory."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", metavar="DIR", help="directory for the reports (default: reports/<YYYY-MM-DD>-<schema sha256[:12]>/)"
    )
    parser.add_argument(
        "--scale",
        metavar="SCALE",
        action="extend",
        nargs="+",
        type=scale_list,
        help=f"data scales to benchmark: 1k, 10k, 100k, 1m; repeat or separate with commas "
        f"(default: {' '.join(DEFAULT_SCALES)})",
    )
    parser.add_argument("--schema", metavar="FILE", help="schema file to sign off (default: the shipped schema.sql)")
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="an earlier signoff.json: adds delta columns and flags significant regressions (default: none)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer rounds per workload: seconds instead of minutes, but tail percentiles then WARN (default: off)",
    )


def run(args: argparse.Namespace) -> int:
    scales = flatten(args.scale, default=DEFAULT_SCALES)
    # Not --progress: a CI log gets one line per step instead of a bar.
    with ProgressDisplay(bar=sys.stderr.isatty(), log_steps=True) as progress:
        result = signoff(args.out, scales=scales, schema=args.schema, baseline=args.baseline, quick=args.quick,
                         progress=progress)
    print(render_text(result))
    return EXIT_FAIL if result.verdict.status == FAIL else 0
