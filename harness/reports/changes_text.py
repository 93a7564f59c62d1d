"""init and migrate as text: what was created, the drift found, the migrations applied and checked."""

from __future__ import annotations

from harness.changes.install import InitResult
from harness.changes.migrate import MigrateResult, SchemaDriftError


def render_drift(drift: SchemaDriftError, heading: str = "drift (database -> schema):") -> str:
    """The differences, one per line, under a heading naming the direction."""
    return "\n".join([heading, *(f"  {line}" for line in drift.details())])


def render_init(result: InitResult) -> str:
    verb = "created" if result.created_file else "opened"
    lines = [
        f"{verb} {result.path} (schema version {result.previous_version} -> {result.schema_version}, "
        f"journal_mode={result.journal_mode})",
    ]
    for label, created, total in (
        ("tables", result.created_tables, result.tables),
        ("indexes", result.created_indexes, result.indexes),
        ("views", result.created_views, result.views),
        ("triggers", result.created_triggers, result.triggers),
    ):
        added = ", ".join(created) if created else "none"
        lines.append(f"  {label}: {len(total)} ({len(created)} added: {added})")
    return "\n".join(lines)


def render_migrate(result: MigrateResult) -> str:
    head = f"{result.path}: schema version {result.from_version} -> {result.to_version}"
    if not result.plan:
        return f"{head}: up to date, nothing to do"
    lines = [f"{head}{' (dry run: nothing changed)' if result.dry_run else ''}"]
    if result.backup is not None:
        lines.append(f"  backup: {result.backup.dest} ({result.backup.total_rows} rows verified, "
                     f"{result.backup.duration_s:.2f} s)")
    timings = {a.version: a.seconds for a in result.applied}
    for step in result.plan:
        took = f" ({timings[step.version]:.2f} s)" if step.version in timings else ""
        lines.append(f"  {step.version:04d} {step.name}{took}")
        if result.dry_run:
            lines += [f"      {_one_line(s)[:150]}" for s in step.statements]
    if result.verification is not None:
        lines += [f"  check {name}: {outcome}" for name, outcome in result.verification.results]
        lines.append(f"  checks took {result.verification.seconds:.2f} s")
    lines.append(f"  total {result.seconds:.2f} s")
    return "\n".join(lines)


def _one_line(statement: str) -> str:
    """A statement on one line, its comment lines left out."""
    return " ".join(" ".join(line for line in statement.splitlines() if not line.lstrip().startswith("--")).split())
