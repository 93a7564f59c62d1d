"""`ggen-db migrate DB [--to N] [--dry-run] [--backup PATH]`: upgrade a database to a newer schema version."""

from __future__ import annotations

import argparse
import sys

from harness.changes.migrate import MigrateResult, SchemaDriftError, migrate

EXAMPLE = """\
example:
  ggen-db migrate --dry-run .ggen/ggen.db
  ggen-db migrate .ggen/ggen.db --backup backups/before-upgrade.db
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "migrate",
        help="upgrade a database to a newer schema version (verified backup first)",
        description=(
            "Apply the pending migrations (harness/migrations/) to a database: refuse a database whose "
            "schema drifted from its recorded version, take a verified backup, run each migration in its "
            "own transaction with foreign keys off, then verify integrity, foreign keys, rollups and the "
            "catalog. Exit 0 migrated (or nothing to do), 1 drift or a failed verification, 2 bad input."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("db", metavar="DB", help="database file (created by `ggen-db init`)")
    parser.add_argument("--to", type=int, metavar="N", help="target schema version (default: the newest)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--backup", metavar="PATH", help="where the verified backup goes (default: DB.v<version>-<time>.bak)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        result = migrate(args.db, to=args.to, dry_run=args.dry_run, backup_path=args.backup)
    except SchemaDriftError as drift:
        print("drift (expected -> database):")
        print("\n".join(f"  {line}" for line in drift.details()))
        print(f"Error: {drift}", file=sys.stderr)
        return 1
    print(render(result))
    return 0 if result.verification is None or result.verification.ok else 1


def render(result: MigrateResult) -> str:
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
            lines += [f"      {' '.join(s.split())[:150]}" for s in step.statements]
    if result.verification is not None:
        lines += [f"  check {name}: {outcome}" for name, outcome in result.verification.results]
        lines.append(f"  checks took {result.verification.seconds:.2f} s")
    lines.append(f"  total {result.seconds:.2f} s")
    return "\n".join(lines)
