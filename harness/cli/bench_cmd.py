"""`ggen-db bench`: measure the SLO workloads and judge them against their budgets."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from harness.bench.scales import flatten, scale_list
from harness.cli._formats import positive_int
from harness.cli._progress import ProgressDisplay, add_progress_option, wanted
from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.bench.runner import ProgressCallback
    from harness.results import BenchReport

EXAMPLE = """\
example:
  ggen-db bench --scale 100k --json reports/bench-100k.json
  ggen-db bench --scale 10k,100k --quick --baseline-schema original
  ggen-db bench --db ggen.db --json reports/bench-mine.json
"""

SUMMARY = "measure the SLO workloads (p50/p95/p99 against budgets), optionally A/B against a baseline schema"
DESCRIPTION = (
    "Measure every SLO workload (harness/bench/workloads.py) on generated data: one call per round, "
    "percentiles from the raw rounds, budget and headroom per workload. With --baseline-schema the "
    "same workloads run on a database built with that schema, rounds interleaved, and each result "
    "gets the ratio and a Mann-Whitney p-value. With --db the read workloads run on a verified copy of "
    "that database instead (never the file itself), with parameters drawn from its rows; a workload the "
    "data cannot serve is skipped with the reason. Exit 1 when a budget is missed, a ratio target fails "
    "or a regression is significant; 2 on bad input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", action="append", metavar="SCALE", type=scale_list,
        help="data scale(s): 10k, 100k or 1m (1k for smoke runs); repeat or comma-separate (default: 100k)",
    )
    parser.add_argument("--db", metavar="FILE",
                        help="measure the reads on a copy of this ggen-db database, with parameters from its rows, "
                        "instead of generated data; excludes --scale, --schema and --baseline-schema (default: none)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds per workload (percentiles then WARN as too few rounds)")
    parser.add_argument("--schema", metavar="FILE", help="schema to measure (default: the shipped schema.sql)")
    parser.add_argument("--baseline-schema", metavar="FILE",
                        help="schema to compare against; 'original' = the original ggen design (default: none)")
    parser.add_argument("--compare", metavar="FILE",
                        help="compare with an earlier run's --json results instead of a baseline schema "
                        "(warns when they come from another machine; default: none)")
    parser.add_argument("--durability", choices=("normal", "full"), default="normal",
                        help="synchronous=NORMAL or FULL, both in WAL mode (default: normal)")
    parser.add_argument("--workload", action="append", metavar="NAME",
                        help="measure only this workload; repeatable (default: all)")
    parser.add_argument("--rounds", type=positive_int, metavar="N",
                        help="rounds for every workload (default: each workload's own)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the results as pytest-benchmark-compatible JSON (default: none)")
    add_progress_option(parser)


def run(args: argparse.Namespace) -> int:
    from harness.bench.results_json import save_results
    from harness.reports.bench_table import render_text

    if args.json is not None and not args.json.strip():
        raise UsageError("--json: give a file name")
    with ProgressDisplay(bar=wanted(args.progress)) as display:
        report = _measure(args, lambda event: display(event.message, event.done, event.total))
    print(render_text(report))
    if args.json:
        print(f"results written to {save_results(report, args.json)}")
    return 0 if report.ok else 1


def _measure(args: argparse.Namespace, progress: ProgressCallback) -> BenchReport:
    """The run the options ask for: on the database given (--db) or on generated data."""
    from harness.bench.runner import run_bench

    return run_bench(
        flatten(args.scale, default=()) if args.scale else None, db_path=args.db, quick=args.quick, schema=args.schema,
        baseline_schema=args.baseline_schema, durability=args.durability, workloads=args.workload,
        rounds=args.rounds, progress=progress, previous=args.compare,
    )
