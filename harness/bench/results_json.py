"""Saving and loading benchmark results in pytest-benchmark's --benchmark-json layout.

Tools that read pytest-benchmark JSON (machine_info, commit_info,
benchmarks[] with name, params, stats in seconds, extra_info) read these
files as they are. Each benchmark's extra_info carries the SLO judgement in
milliseconds (p50_ms, p95_ms, p99_ms, p999_ms, budget_ms, headroom,
verdict, ...); the whole BenchReport (raw rounds included) sits under the
"ggen_db" key so `load_results()` gives back exactly what was saved.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness import __version__
from harness.atomic import write_text
from harness.bench.stats import percentile
from harness.errors import InputError
from harness.jsonfile import read_json
from harness.results import BenchReport, Comparison, DerivedCheck, SkippedWorkload, WorkloadResult

FORMAT = 1
_REPO = Path(__file__).resolve().parents[2]


def save_results(report: BenchReport, path: str | os.PathLike[str]) -> Path:
    """Write report as pytest-benchmark-compatible JSON; returns the path written."""
    target = Path(path)
    data = {
        "machine_info": machine_info(report.fingerprint),
        "commit_info": commit_info(),
        "benchmarks": [_benchmark(r) for r in report.results],
        "datetime": report.started_at or datetime.now(timezone.utc).isoformat(),
        "version": f"ggen-db {__version__}",
        "ggen_db": {"format": FORMAT, "fingerprint_hash": report.fingerprint.get("hash"), "report": report.to_dict()},
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"--json {path}: cannot write ({e.strerror})") from e
    return write_text(target, json.dumps(data, indent=2, allow_nan=False) + "\n", option="--json")


def load_results(path: str | os.PathLike[str]) -> BenchReport:
    """Read a file written by save_results(); InputError when it is missing or not one."""
    data = read_json(path, str(path))
    section = data.get("ggen_db") if isinstance(data, dict) else None
    if not isinstance(section, dict) or section.get("format") != FORMAT or "report" not in section:
        raise InputError(f"{path}: not a ggen-db bench result (format {FORMAT}); write one with ggen-db bench --json")
    try:
        return _report(section["report"])
    except (KeyError, TypeError) as e:
        raise InputError(f"{path}: damaged ggen-db bench result ({e})") from e


# ---------------------------------------------------------------- layout
def machine_info(fp: dict[str, Any]) -> dict[str, Any]:
    """pytest-benchmark's machine_info keys, plus the full fingerprint."""
    uname = platform.uname()
    return {
        "node": uname.node,
        "processor": uname.processor,
        "machine": uname.machine,
        "python_compiler": platform.python_compiler(),
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "release": uname.release,
        "system": uname.system,
        "cpu": {"brand_raw": fp.get("cpu_model"), "count": fp.get("cpu_count")},
        "fingerprint": fp,
    }


def commit_info() -> dict[str, Any]:
    """The git commit of the ggen-db checkout, like pytest-benchmark's commit_info."""
    info: dict[str, Any] = {"id": "unversioned", "dirty": False, "project": "ggen-db", "branch": "(unknown)"}
    if not (_REPO / ".git").exists():
        return info
    head = _git("rev-parse", "HEAD")
    if head:
        info["id"] = head
        info["time"] = _git("show", "-s", "--pretty=format:%cI")
        info["branch"] = _git("rev-parse", "--abbrev-ref", "HEAD") or "(unknown)"
        info["dirty"] = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return info


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=_REPO, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _benchmark(r: WorkloadResult) -> dict[str, Any]:
    name = f"{r.workload}[{r.scale}]"
    extra = {
        "description": r.description,
        "scale": r.scale,
        "receipts": r.receipts,
        "durability": r.durability,
        "percentile": r.percentile,
        "p50_ms": r.p50_ms,
        "p95_ms": r.p95_ms,
        "p99_ms": r.p99_ms,
        "p999_ms": r.p999_ms,
        "measured_ms": r.measured_ms,
        "budget_ms": r.budget_ms,
        "headroom": r.headroom,
        "verdict": r.verdict,
        "reasons": list(r.reasons),
        "cv": r.cv,
        "plan": list(r.plan),
        "query_params": r.params,
        "comparison": r.comparison.to_dict() if r.comparison else None,
    }
    return {
        "group": r.scale,
        "name": name,
        "fullname": f"ggen-db bench::{name}",
        "params": {"scale": r.scale, "durability": r.durability},
        "param": r.scale,
        "extra_info": extra,
        "options": {"rounds": r.rounds, "iterations": 1, "timer": "time.perf_counter_ns", "disable_gc": True},
        "stats": pytest_benchmark_stats([t / 1000 for t in r.timings_ms]),
    }


def pytest_benchmark_stats(data: list[float]) -> dict[str, Any]:
    """pytest-benchmark's stats block (seconds) over raw rounds; quartiles by nearest rank."""
    if not data:
        return {"rounds": 0, "data": []}
    mean = statistics.fmean(data)
    stddev = statistics.stdev(data) if len(data) > 1 else 0.0
    q1, q3 = percentile(data, 25), percentile(data, 75)
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    inside = [d for d in data if low <= d <= high] or data
    iqr_outliers = sum(1 for d in data if d < low or d > high)
    stddev_outliers = sum(1 for d in data if abs(d - mean) > stddev)
    return {
        "min": min(data),
        "max": max(data),
        "mean": mean,
        "stddev": stddev,
        "rounds": len(data),
        "median": percentile(data, 50),
        "iqr": iqr,
        "q1": q1,
        "q3": q3,
        "iqr_outliers": iqr_outliers,
        "stddev_outliers": stddev_outliers,
        "outliers": f"{stddev_outliers};{iqr_outliers}",
        "ld15iqr": min(inside),
        "hd15iqr": max(inside),
        "ops": 1 / mean if mean > 0 else 0.0,
        "total": sum(data),
        "data": data,
        "iterations": 1,
    }


# --------------------------------------------------------------- loading
def _report(d: dict[str, Any]) -> BenchReport:
    return BenchReport(
        results=tuple(_result(r) for r in d["results"]),
        fingerprint=dict(d["fingerprint"]),
        schema_sha256=d["schema_sha256"],
        durability=d["durability"],
        started_at=d["started_at"],
        duration_s=d["duration_s"],
        baseline_schema_sha256=d.get("baseline_schema_sha256"),
        notes=tuple(d.get("notes", ())),
        derived=tuple(DerivedCheck(**c) for c in d.get("derived", ())),
        skipped=tuple(SkippedWorkload(**s) for s in d.get("skipped", ())),
    )


def _result(d: dict[str, Any]) -> WorkloadResult:
    fields = dict(d)
    fields["reasons"] = tuple(fields.get("reasons", ()))
    fields["plan"] = tuple(fields.get("plan", ()))
    fields["timings_ms"] = tuple(fields.get("timings_ms", ()))
    fields["rows_by_round"] = tuple(fields.get("rows_by_round", ()))
    fields["params"] = dict(fields.get("params") or {})
    if fields.get("headroom") is None:
        fields["headroom"] = math.inf
    comparison = fields.get("comparison")
    fields["comparison"] = Comparison(**comparison) if comparison else None
    return WorkloadResult(**fields)
