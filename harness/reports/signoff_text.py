"""A sign-off's closing lines: the verdict, the counts, the first reasons and where the reports are
(what `ggen-db signoff` prints after writing them)."""

from __future__ import annotations

from harness.reports.signoff_view import conformance_summary, slo_summary
from harness.results import SignoffResult

REASONS_PRINTED = 10


def render_text(result: SignoffResult) -> str:
    """The closing lines: verdict, counts, the first reasons and where the reports are."""
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
