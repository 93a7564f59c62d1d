"""signoff.html: the sign-off as one self-contained page a person reads in a minute.

Verdict first, then the conformance matrix, the SLO table, charts, query
plans, the environment and a block for the approver's signature. One file:
inline CSS, inline SVG, no script, no font or image from the network, so it
can be attached to a release or opened from an air-gapped machine.

Rendered with jinja2 (autoescape on): every value from the results is
escaped; the only markup inserted as-is is the charts' SVG, which
harness.reports.charts builds with every label escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape

from harness.reports import charts
from harness.reports import signoff_view as view
from harness.results import SignoffResult, WorkloadResult

TEMPLATE = "signoff.html.j2"
REASONS_SHOWN = 12  # the rest fold into a <details>, so the verdict stays on the first screen


@dataclass(frozen=True)
class WorkloadCard:
    """One workload across data scales: what it does, its charts and its query plans."""

    name: str
    description: str
    percentile: str
    budget_ms: float
    distribution: Markup
    scaling: Markup | None  # None when only one data size was measured
    plans: tuple[tuple[str, tuple[str, ...]], ...]  # (scales the plan was seen at, plan lines)


def _svg(text: str) -> Markup:
    # charts.* escape every label they draw (tests/test_reports_signoff.py feeds them markup).
    return Markup(text)  # noqa: S704


def breakable(name: str) -> Markup:
    """An identifier that may wrap after its underscores (long workload names in narrow columns)."""
    return escape(name).replace("_", Markup("_<wbr>"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["breakable"] = breakable
    return env


def render_html(result: SignoffResult) -> str:
    template = _environment().get_template(TEMPLATE)
    return template.render(**context(result))


def context(result: SignoffResult) -> dict[str, Any]:
    reasons = result.verdict.reasons
    return {
        "r": result,
        "verdict": result.verdict.status,
        "failures": result.verdict.failures,
        "warnings": result.verdict.warnings,
        "reasons_shown": reasons[:REASONS_SHOWN],
        "reasons_folded": reasons[REASONS_SHOWN:],
        "facts": facts(result),
        "conformance_summary": view.conformance_summary(result),
        "slo_summary": view.slo_summary(result),
        "groups": view.check_groups(result.conformance.findings),
        "check_row": view.check_row,
        "slo_header": view.slo_header(result),
        "slo_rows": list(zip(result.bench.results, view.slo_rows(result), strict=True)),
        "cards": [workload_card(results) for results in view.workloads(result).values()],
        "headroom": headroom(result),
        "environment_rows": environment_rows(result.environment),
        "compile_options": compile_options(result.environment),
        "derived_header": view.DERIVED_HEADER,
        "derived_rows": [view.derived_row(d) for d in result.bench.derived],
        "format_ms": charts.format_ms,
    }


def facts(result: SignoffResult) -> list[tuple[str, str]]:
    items = [
        ("Date", result.generated_at),
        ("Schema", result.schema_path),
        ("Schema sha256", result.schema_sha256),
        ("Contract version", result.contract_version),
        ("Git commit", result.git_commit),
        ("ggen-db", result.ggen_db_version),
        ("Data scales", ", ".join(result.scales) + (" (quick: fewer rounds)" if result.quick else "")),
    ]
    if result.baseline:
        machine = "same machine" if result.baseline.same_machine else "another machine: deltas are indicative only"
        schema = "same schema" if result.baseline.schema_sha256 == result.schema_sha256 else (
            f"schema {result.baseline.schema_sha256[:12]}")
        items.append(("Baseline", f"{result.baseline.path} ({result.baseline.generated_at}; {schema}; {machine})"))
    return items


def workload_card(results: Sequence[WorkloadResult]) -> WorkloadCard:
    first = results[0]
    series = [charts.Series(r.scale, r.timings_ms, r.p50_ms, r.measured_ms) for r in results]
    points = [charts.ScalePoint(r.scale, r.receipts, r.p50_ms, r.measured_ms) for r in results]
    return WorkloadCard(
        name=first.workload,
        description=first.description,
        percentile=first.percentile,
        budget_ms=first.budget_ms,
        distribution=_svg(
            charts.distribution_chart(f"Latency distribution of {first.workload}", series, first.budget_ms, first.percentile)
        ),
        scaling=_svg(
            charts.scaling_chart(f"{first.workload} across data sizes", points, first.budget_ms, first.percentile)
        ) if len(points) > 1 else None,
        plans=distinct_plans(results),
    )


def headroom(result: SignoffResult) -> Markup | None:
    points = [
        charts.HeadroomPoint(r.workload, r.scale, r.measured_ms / r.budget_ms, r.verdict)
        for r in result.bench.results
        if r.budget_ms > 0
    ]
    if not points:
        return None
    scales = list(dict.fromkeys(r.scale for r in result.bench.results))
    return _svg(charts.headroom_chart("Every workload against its budget", points, scales))


def distinct_plans(results: Sequence[WorkloadResult]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each distinct query plan once, labelled with the scales where SQLite chose it."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for r in results:
        seen.setdefault(tuple(r.plan), []).append(r.scale)
    return tuple((", ".join(scales), plan) for plan, scales in seen.items())


def environment_rows(environment: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The machine fingerprint and the scratch database as (item, value) rows, pragmas one per row.

    SQLite's compile options are long: they are listed apart (compile_options()).
    """
    rows: list[tuple[str, str]] = []
    for section, prefix in (("machine", ""), ("scratch_database", "scratch database ")):
        for key, value in (environment.get(section) or {}).items():
            if key == "sqlite_compile_options":
                continue
            if key == "pragmas" and isinstance(value, Mapping):
                rows.extend((f"{prefix}PRAGMA {name}", view.flat(v)) for name, v in value.items())
            else:
                rows.append((f"{prefix}{key}".replace("_", " "), view.flat(value)))
    return rows


def compile_options(environment: Mapping[str, Any]) -> list[str]:
    machine = environment.get("machine") or {}
    return [str(option) for option in machine.get("sqlite_compile_options", ())]
