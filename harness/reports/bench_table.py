"""A bench run as text: the results table, the ratio targets, the reasons behind each non-PASS,
the notes, the machine and the verdict line (what `ggen-db bench` prints)."""

from __future__ import annotations

import io
from typing import Any

from harness.results import PASS, BenchReport, WorkloadResult


def render_text(report: BenchReport) -> str:
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
    for s in report.skipped:
        table.add_row(s.workload, s.scale, *[""] * 6, "SKIP", *[""] * (3 if compared else 0))
    console = Console(width=160, record=True, file=io.StringIO(), color_system=None)
    database = report.fingerprint.get("database")
    if database:
        console.print(_database_line(database), markup=False, soft_wrap=True)
    console.print(table)
    if report.derived:
        console.print("\nratio targets:")
        for d in report.derived:
            console.print(f"  {d.verdict:4} {d.name}: {d.value:g} (must be {d.op} {d.limit:g}) - {d.description}")
    for r in report.results:
        if r.verdict != PASS:
            console.print(f"{r.verdict} {r.workload}@{r.scale}: {'; '.join(r.reasons)}")
    for s in report.skipped:
        console.print(f"SKIP {s.workload}@{s.scale}: {s.reason}", markup=False)
    for note in report.notes:
        console.print(f"note: {note}")
    differs = report.fingerprint.get("hash")
    console.print(f"machine {differs}: {report.fingerprint.get('cpu_model')}, {report.fingerprint.get('cpus_usable')} "
                  f"cpus, SQLite {report.fingerprint.get('sqlite_version')}, {report.fingerprint.get('filesystem')}")
    console.print("OK: every budget met" if report.ok else "FAILED: a budget, a ratio target or a comparison failed")
    return console.export_text().rstrip("\n")


def _database_line(database: dict[str, Any]) -> str:
    """bench --db: the database measured, its size, page size, schema version and rows per table."""
    counts = ", ".join(f"{name} {n:,}" for name, n in database["row_counts"].items())
    return (f"database {database['path']}: {database['size_bytes']:,} bytes, page size {database['page_size']}, "
            f"schema version {database['user_version']}\nrows: {counts}")


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

