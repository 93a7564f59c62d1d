"""`ggen-db signoff`: the one command that produces a release's evidence.

signoff() loads the schema into a scratch database through the same code
path as `ggen-db init`, runs the conformance suite and the SLO benchmarks,
compares them with an earlier sign-off when one is given, decides the
verdict and writes four reports (HTML, Markdown, JSON, JUnit) into one
directory. All input is checked before the minutes of measuring start, and
the reports appear together or not at all.

Verdict rules (the README repeats them):
- FAIL: a conformance check failed or errored, a workload missed its budget,
  or nothing was measured at all.
- WARN: no failure, but a measurement is unreliable (the benchmark runner's
  WARN: high coefficient of variation, p99 far above p50, too few rounds),
  the baseline came from another machine, or a workload is significantly
  slower than in the baseline (the same rule as `ggen-db bench`).
- PASS: otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.bench.scales import parse_scales
from harness.engine import db
from harness.errors import InputError, UsageError
from harness.results import (
    FAIL,
    PASS,
    WARN,
    Baseline,
    BenchReport,
    CheckReport,
    Delta,
    Finding,
    SignoffResult,
    Verdict,
    WorkloadResult,
)

if TYPE_CHECKING:
    from harness.bench.runner import BenchProgress

#: progress(message, done, total): what signoff is doing; done/total count rounds or rows when known (else 0, 0).
Progress = Callable[[str, int, int], None]

DEFAULT_SCALES = ("10k", "100k")
REPORT_FILES = ("signoff.html", "signoff.md", "signoff.json", "junit.xml")


# ------------------------------------------------------------------ the API
def signoff(
    out_dir: str | os.PathLike[str] | None = None,
    *,
    scales: Sequence[str] = DEFAULT_SCALES,
    schema: str | os.PathLike[str] | None = None,
    baseline: str | os.PathLike[str] | None = None,
    quick: bool = False,
    progress: Progress | None = None,
) -> SignoffResult:
    """Prove the schema, benchmark it, decide the verdict and write the four reports into out_dir.

    out_dir defaults to reports/<YYYY-MM-DD>-<first 12 hex of the schema's sha256>/.
    Raises UsageError/InputError (naming the option) before any work when an input is unusable.
    """
    say = _stepper(progress)
    now = datetime.now().astimezone()
    scales = parse_scales(scales)
    schema_file = Path(schema) if schema is not None else db.schema_path()
    schema_sha = _sha256_of(schema_file)
    target = Path(out_dir) if out_dir is not None else default_out_dir(now, schema_sha)
    _check_out_dir(target)
    earlier = load_baseline(baseline) if baseline is not None else None
    db.scratch_database(schema_file).close()  # a schema that does not load is an input error, before any output

    say("initializing a scratch database from the schema")
    scratch = initialize_scratch(schema_file)
    say("running the conformance suite")
    conformance = run_conformance(schema_file)
    say(f"running the SLO benchmarks at {', '.join(scales)}{' (quick)' if quick else ''}")
    bench = run_benchmarks(scales, quick=quick, schema_file=schema_file, progress=progress)

    if earlier is not None:
        earlier = _with_machine_check(earlier, bench.fingerprint)
    deltas = compare_with_baseline(bench, earlier) if earlier else ()
    result = SignoffResult(
        verdict=decide(conformance, bench, earlier, deltas, schema_sha256=schema_sha),
        conformance=conformance,
        bench=bench,
        environment=_environment(bench, scratch),
        schema_path=os.fspath(schema_file),
        schema_sha256=schema_sha,
        contract_version=conformance.contract_version,
        git_commit=git_commit(schema_file.resolve().parent),
        generated_at=now.isoformat(timespec="seconds"),
        scales=scales,
        quick=quick,
        ggen_db_version=_version(),
        baseline=earlier,
        deltas=deltas,
        out_dir=os.fspath(target),
    )
    say("writing the reports")
    return replace(result, files=write_reports(result, target))


# ------------------------------------------------------------ input checks
def _sha256_of(schema_file: Path) -> str:
    try:
        return hashlib.sha256(schema_file.read_bytes()).hexdigest()
    except FileNotFoundError as e:
        raise InputError(f"--schema {schema_file}: no such file") from e
    except OSError as e:
        raise InputError(f"--schema {schema_file}: cannot read ({e.strerror})") from e


def _check_out_dir(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {target}: is a file; give a directory")
    existing = next((p for p in (target, *target.parents) if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {target}: {existing} is not writable")


def default_out_dir(now: datetime, schema_sha256: str) -> Path:
    """reports/<YYYY-MM-DD>-<first 12 hex of the schema's sha256>, under the current directory."""
    return Path("reports") / f"{now.date().isoformat()}-{schema_sha256[:12]}"


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read an earlier signoff.json (validated against its JSON Schema) for --baseline."""
    from harness.reports.signoff_json import load_signoff_json

    data = load_signoff_json(path)
    rounds = {
        (r["workload"], r["scale"]): tuple(float(t) for t in r["timings_ms"]) for r in data["slo"]["results"]
    }
    return Baseline(
        path=os.fspath(path),
        generated_at=data["generated_at"],
        schema_sha256=data["schema"]["sha256"],
        git_commit=data["git_commit"],
        fingerprint=data["slo"]["fingerprint"],
        rounds=rounds,
    )


# ---------------------------------------------------------------- the work
def initialize_scratch(schema_file: Path) -> dict[str, Any]:
    """Create a throw-away database with `ggen-db init`'s code; return what it holds and its pragmas."""
    from harness.bench.fingerprint import pragmas
    from harness.changes.install import init_database

    with tempfile.TemporaryDirectory(prefix="ggen-db-signoff-") as tmp:
        path = Path(tmp) / "scratch.db"
        init = init_database(path, schema_file=schema_file)
        conn = db.connect(path)
        try:
            return {
                "schema_version": init.schema_version,
                "tables": len(init.tables),
                "indexes": len(init.indexes),
                "views": len(init.views),
                "triggers": len(init.triggers),
                "pragmas": pragmas(conn),
            }
        finally:
            conn.close()


def run_conformance(schema_file: Path) -> CheckReport:
    from harness.checks import check_schema

    return check_schema(schema=schema_file)


def run_benchmarks(
    scales: Sequence[str], *, quick: bool, schema_file: Path, progress: Progress | None
) -> BenchReport:
    from harness.bench.runner import run_bench

    events = _bench_progress(progress) if progress is not None else None
    return run_bench(tuple(scales), quick=quick, schema=schema_file, progress=events)


def _bench_progress(progress: Progress) -> Callable[[BenchProgress], None]:
    """The benchmark runner's events as signoff progress."""
    return lambda event: progress(event.message, event.done, event.total)


def _stepper(progress: Progress | None) -> Callable[[str], None]:
    """A one-argument 'now doing X' announcer over the progress callback."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message, 0, 0)

    return say


def _with_machine_check(baseline: Baseline, fingerprint: Mapping[str, Any]) -> Baseline:
    from harness.bench.fingerprint import differs

    differences = tuple(differs(dict(baseline.fingerprint), dict(fingerprint)))
    return replace(baseline, same_machine=not differences, machine_differences=differences)


def compare_with_baseline(bench: BenchReport, baseline: Baseline) -> tuple[Delta, ...]:
    """Each workload's raw rounds against the baseline's: `ggen-db bench --compare`'s comparison."""
    from harness.bench.comparison import against_earlier

    found = against_earlier(bench.results, baseline.rounds)
    return tuple(Delta(r.workload, r.scale, found.get((r.workload, r.scale))) for r in bench.results)


# ----------------------------------------------------------------- verdict
def decide(
    conformance: CheckReport,
    bench: BenchReport,
    baseline: Baseline | None = None,
    deltas: Sequence[Delta] = (),
    *,
    schema_sha256: str | None = None,
) -> Verdict:
    """Apply the verdict rules (module docstring) to the results.

    schema_sha256: the schema as signoff read it first; evidence about another version of the file
    (it was edited during the run) fails the sign-off.
    """
    failures = [_finding_reason(f) for f in conformance.failed]
    warnings: list[str] = []
    if schema_sha256 is not None:
        failures.extend(_schema_changed(schema_sha256, conformance, bench))
    if not conformance.findings:
        failures.append("conformance: no check ran")
    if not bench.results:
        failures.append("SLO: no workload was measured")
    for r in bench.results:
        if r.verdict == FAIL:
            failures.append(_slo_reason(r, "missed its budget"))
        elif r.verdict == WARN:
            warnings.append(_slo_reason(r, "unreliable measurement"))
    for d in bench.derived:
        if d.verdict in (FAIL, WARN):
            target = f"{d.name}: {d.value:.2f} (must be {d.op} {d.limit:g}){'; ' + d.detail if d.detail else ''}"
            (failures if d.verdict == FAIL else warnings).append(f"SLO target {d.verdict}: {target}")
    if baseline is not None and not baseline.same_machine:
        warnings.append(
            f"baseline {baseline.path} was measured on another machine "
            f"({', '.join(baseline.machine_differences)} differ): its deltas are indicative only"
        )
    warnings.extend(_regression_reason(d) for d in deltas if d.comparison and d.comparison.regression)
    status = FAIL if failures else (WARN if warnings else PASS)
    return Verdict(status, tuple(failures), tuple(warnings))


def _schema_changed(expected: str, conformance: CheckReport, bench: BenchReport) -> list[str]:
    seen = {"the conformance suite": conformance.schema_sha256, "the benchmarks": bench.schema_sha256}
    return [
        f"schema changed during the sign-off: {who} ran on sha256 {sha[:12]}, not {expected[:12]}; run it again"
        for who, sha in seen.items()
        if sha is not None and sha != expected
    ]


def _finding_reason(f: Finding) -> str:
    number = f"[{f.number}] " if f.number is not None else ""
    detail = f": {f.message}" if f.message else ""
    return f"conformance {f.status}: {number}{f.code} ({f.title}){detail}"


def _slo_reason(r: WorkloadResult, what: str) -> str:
    from harness.reports.charts import format_ms

    why = "; ".join(r.reasons) or (
        f"{r.percentile} {format_ms(r.measured_ms)} against a budget of {format_ms(r.budget_ms)}"
    )
    return f"SLO {what}: {r.workload} at {r.scale}: {why}"


def _regression_reason(d: Delta) -> str:
    assert d.comparison is not None
    return (
        f"regression against the baseline: {d.workload} at {d.scale} is {d.comparison.ratio:.2f}x slower "
        f"(p = {d.comparison.p_value:.3g})"
    )


# ------------------------------------------------------------- environment
def _environment(bench: BenchReport, scratch: Mapping[str, Any]) -> dict[str, Any]:
    """The benchmark's machine fingerprint (CPU, OS, Python, SQLite build, filesystem, pragmas) and the scratch database."""
    return {"machine": dict(bench.fingerprint), "scratch_database": dict(scratch)}


def git_commit(directory: Path) -> str:
    """The commit checked out at directory, '+dirty' when files differ; 'unknown' outside git (never fails)."""
    try:
        head = _git(directory, "rev-parse", "HEAD")
        dirty = _git(directory, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head


def _git(directory: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", os.fspath(directory), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def _version() -> str:
    from harness import __version__

    return __version__


# ------------------------------------------------------------------ output
def write_reports(result: SignoffResult, target: Path) -> dict[str, str]:
    """Render every report, then write them into target together (harness.atomic.write_directory)."""
    from harness.atomic import write_directory

    return write_directory(target, render_reports(result))


def render_reports(result: SignoffResult) -> dict[str, str]:
    """Every report as text, keyed by file name; the JSON is validated before anything is written."""
    from harness.reports import signoff_html, signoff_json, signoff_junit, signoff_markdown

    document = signoff_json.render_json(result)
    why = signoff_json.problem(json.loads(document))
    if why is not None:  # a bug in ggen-db, not the user's input: keep the traceback
        raise RuntimeError(f"signoff.json does not match its own schema: {why}")
    return {
        "signoff.html": signoff_html.render_html(result),
        "signoff.md": signoff_markdown.render_markdown(result),
        "signoff.json": document,
        "junit.xml": signoff_junit.render_junit(result),
    }
