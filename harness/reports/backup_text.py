"""A backup's summary: what was written, its size and integrity, the rows verified (what `ggen-db backup` prints)."""

from __future__ import annotations

from harness.store.backup import BackupResult


def render_text(result: BackupResult) -> str:
    verb = "replaced" if result.replaced else "wrote"
    tables = ", ".join(f"{name} {count}" for name, count in result.row_counts.items())
    return (
        f"{verb} {result.dest} from {result.source}: {result.pages} pages ({result.size_bytes} bytes), "
        f"integrity {result.integrity}, {result.total_rows} rows verified in {len(result.row_counts)} tables "
        f"({result.duration_s:.2f} s)\n  rows: {tables}"
    )
