"""`ggen-db bench`: measure the SLO workloads and judge them against their budgets."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from harness.bench.scales import flatten, scale_list
from harness.errors import UsageError
from harness.results import PASS, BenchReport, WorkloadResult

EXAMPLE = """\
example:
  ggen-db bench --scale 100k --json reports/bench-100k.json
  ggen-db bench --scale 10k,100k --quick --baseline-schema original
"""

if TYPE_CHECKING:
    from harness.bench.runner import BenchProgress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "bench",
        help="measure the SLO workloads (p50/p95/p99 against budgets), optionally A/B against a baseline schema",
        description=(
            "Measure every SLO workload (harness/bench/workloads.py) on generated data: one call per round, "
            "percentiles from the raw rounds, budget and headroom per workload. With --baseline-schema the "
            "same workloads run on a database built with that schema, rounds interleaved, and each result "
            "gets the ratio and a Mann-Whitney p-value. Exit 1 when a budget is missed, a ratio target fails "
            "or a regression is significant; 2 on bad input."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale", action="append", metavar="SCALE", type=scale_list,
        help="data scale(s): 10k, 100k or 1m (1k for smoke runs); repeat or comma-separate (default: 100k)",
    )
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
    parser.add_argument("--rounds", type=_positive, metavar="N",
                        help="rounds for every workload (default: each workload's own)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the results as pytest-benchmark-compatible JSON (default: none)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress even when stderr is not a terminal (default: only on a terminal)")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    from harness.bench.results_json import save_results
    from harness.bench.runner import run_bench

    scales = flatten(args.scale, default=("100k",))
    if args.json is not None and not args.json.strip():
        raise UsageError("--json: give a file name")
    with _progress(enabled=args.progress or sys.stderr.isatty()) as progress:
        report = run_bench(
            scales, quick=args.quick, schema=args.schema, baseline_schema=args.baseline_schema,
            durability=args.durability, workloads=args.workload, rounds=args.rounds, progress=progress,
            previous=args.compare,
        )
    print(render(report))
    if args.json:
        print(f"results written to {save_results(report, args.json)}")
    return 0 if report.ok else 1


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[BenchProgress], None] | None]:
    """A rich progress display on stderr fed by the runner's events; None when not wanted."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(event: BenchProgress) -> None:
            verb = "loading" if event.phase == "load" else "measuring"
            bar.update(task, description=f"{verb} {event.scale}: {event.subject}",
                       completed=event.done, total=event.total or None)

        yield update


# ------------------------------------------------------------- rendering
def render(report: BenchReport) -> str:
    """The results as a text table, then derived targets, notes and the reasons behind each non-PASS."""
    from rich.console import Console
    from rich.table import Table

    compared = any(r.comparison is not None for r in report.results)
    table = Table(title=f"ggen-db bench ({report.durability} durability, {report.duration_s:.0f} s)")
    for header in ("workload", "scale", "pct", "p50 ms", "p95 ms", "p99 ms", "budget ms", "headroom", "verdict"):
        table.add_column(header, justify="left" if header in ("workload", "scale", "pct") else "right")
    if compared:
        for header in ("vs base", "p", "regr."):
            table.add_column(header, justify="right")
    for r in report.results:
        table.add_row(*_row(r, compared))
    console = Console(width=160, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    if report.derived:
        console.print("\nratio targets:")
        for d in report.derived:
            console.print(f"  {d.verdict:4} {d.name}: {d.value:g} (must be {d.op} {d.limit:g}) - {d.description}")
    for r in report.results:
        if r.verdict != PASS:
            console.print(f"{r.verdict} {r.workload}@{r.scale}: {'; '.join(r.reasons)}")
    for note in report.notes:
        console.print(f"note: {note}")
    differs = report.fingerprint.get("hash")
    console.print(f"machine {differs}: {report.fingerprint.get('cpu_model')}, {report.fingerprint.get('cpus_usable')} "
                  f"cpus, SQLite {report.fingerprint.get('sqlite_version')}, {report.fingerprint.get('filesystem')}")
    console.print("OK: every budget met" if report.ok else "FAILED: a budget, a ratio target or a comparison failed")
    return console.export_text().rstrip("\n")


def _row(r: WorkloadResult, compared: bool) -> list[str]:
    cells = [
        r.workload, r.scale, r.percentile, _ms(r.p50_ms), _ms(r.p95_ms), _ms(r.p99_ms),
        f"{r.budget_ms:g}", f"{r.headroom:.1f}x", r.verdict,
    ]
    if compared:
        c = r.comparison
        cells += [f"{c.ratio:.3g}x", f"{c.p_value:.2g}", "YES" if c.regression else ""] if c else ["", "", ""]
    return cells


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"

