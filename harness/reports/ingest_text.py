"""An ingest's summary: lines written or why nothing was, and where the time went (what `ggen-db ingest` prints)."""

from __future__ import annotations

from harness.ingest.runner import IngestResult


def render_text(result: IngestResult) -> str:
    timing = (
        f"  checked in {result.judge_s:.2f} s; waited {result.lock_wait_s:.2f} s for the write lock, "
        f"held it {result.lock_held_s:.2f} s"
    )
    if not result.committed:
        return (
            f"nothing written to the database: {result.rejected} of {result.lines} lines rejected "
            f"in {result.source} (use --skip-invalid to write the valid ones)\n{timing}"
        )
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result.written.items())) or "nothing"
    rejected = f", {result.rejected} rejected" if result.rejected else ""
    return f"ingested {result.accepted} of {result.lines} lines from {result.source}{rejected}: {kinds}\n{timing}"
