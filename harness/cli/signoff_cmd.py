"""`ggen-db signoff`: prove the schema, benchmark it, write the sign-off reports.

Parses options, calls harness.signoff.signoff() with a progress display, and
prints the verdict and where the reports are. Exit 0 on PASS or WARN, 1 on
FAIL, 2 on bad input (handled by harness.cli.main).
"""

from __future__ import annotations

import argparse
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from harness.bench.scales import flatten, scale_list
from harness.results import FAIL, SignoffResult
from harness.signoff import DEFAULT_SCALES, signoff

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

EXIT_FAIL = 1
REASONS_PRINTED = 10

EXAMPLE = """\
exit status: 0 PASS or WARN, 1 FAIL, 2 bad input.

examples:
  ggen-db signoff                                   # 10k and 100k receipts, into reports/<date>-<schema sha>/
  ggen-db signoff --scale 1k --quick --out /tmp/so  # a fast smoke run
  ggen-db signoff --baseline reports/2026-01-29-0123456789ab/signoff.json
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "signoff",
        help="prove the schema, benchmark it and write the sign-off report (HTML, Markdown, JSON, JUnit)",
        description=(
            "Load the schema into a scratch database, run the conformance suite and the SLO benchmarks, "
            "decide the verdict (PASS, WARN or FAIL) and write signoff.html, signoff.md, signoff.json and "
            "junit.xml into one directory."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scales = flatten(args.scale, default=DEFAULT_SCALES)
    with ProgressDisplay(sys.stderr) as progress:
        result = signoff(args.out, scales=scales, schema=args.schema, baseline=args.baseline, quick=args.quick,
                         progress=progress)
    print(render(result))
    return EXIT_FAIL if result.verdict.status == FAIL else 0


def render(result: SignoffResult) -> str:
    """The closing lines: verdict, counts, the first reasons and where the reports are."""
    from harness.reports.signoff_view import conformance_summary, slo_summary

    verdict = result.verdict
    lines = [
        f"{verdict.status}: sign-off of {result.schema_path} (sha256 {result.schema_sha256[:12]}, "
        f"commit {short_commit(result.git_commit)})",
        f"  conformance: {conformance_summary(result)}",
        f"  SLO: {slo_summary(result)}",
    ]
    for label, reasons in (("FAIL", verdict.failures), ("WARN", verdict.warnings)):
        lines.extend(f"  {label} {reason}" for reason in reasons[:REASONS_PRINTED])
        if len(reasons) > REASONS_PRINTED:
            lines.append(f"  ... and {len(reasons) - REASONS_PRINTED} more {label} reasons: see the report")
    lines.append(f"reports in {result.out_dir}/:")
    lines.extend(f"  {path}" for path in result.files.values())
    return "\n".join(lines)


def short_commit(commit: str) -> str:
    """'0123456789ab+dirty' from a full commit id, keeping the dirty mark; 'unknown' stays."""
    head, dirty, _ = commit.partition("+dirty")
    return head[:12] + dirty


class ProgressDisplay:
    """A rich progress bar on a terminal; one line per new step otherwise, so CI logs stay readable."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console

        self.console = Console(file=stream)
        self.started = time.monotonic()
        self.last_step = ""
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("starting", total=None)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, message: str, done: int, total: int) -> None:
        new_step, self.last_step = message != self.last_step, message
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=message, completed=done, total=total or None)
        elif new_step:  # a log line with the time since the start, so a slow step shows in CI logs
            elapsed = time.monotonic() - self.started
            self.console.print(f"[{elapsed:6.1f}s] {message}", markup=False, highlight=False)
