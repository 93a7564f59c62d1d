"""`ggen-db gate --base REV`: check, diff, migration and A/B bench of a schema change, one verdict.

Judge the schema change between two git revisions: the head schema keeps the contract (check), the change is
classified with the diff's rule codes, severities and waivers (diff), every schema change ships as a migration
that converges on a populated base database (migration), and the head schema is not slower than the base in a
quick A/B benchmark (bench). One Markdown summary, verdict first. Exit 0 every part passes, 1 a part fails, 2
bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.bench.scales import SCALES
from harness.cli._formats import write_report_files
from harness.cli._judging import add_judging_options, judging
from harness.gate import run_gate
from harness.reports import gate_report

EXAMPLE = """\
example:
  ggen-db gate --base origin/main --markdown "$GITHUB_STEP_SUMMARY" --junit gate.xml
  ggen-db gate --base HEAD~1 --head HEAD --no-bench
"""

SUMMARY = "the CI gate of a schema change: check, diff, migration convergence, A/B bench"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REV", help="the revision the change is judged against")
    parser.add_argument("--head", metavar="REV", help="the revision carrying the change (default: the working tree)")
    parser.add_argument("--repo", default=".", metavar="DIR", help="the git repository (default: .)")
    parser.add_argument("--schema-path", default="schema.sql", metavar="PATH", help="the schema file in the repository")
    parser.add_argument("--migrations-path", default="harness/migrations", metavar="PATH",
                        help="the migrations directory in the repository")
    parser.add_argument("--contract-path", default="harness/contract/contract.json", metavar="PATH",
                        help="the contract in the repository (used when present; else the installed one)")
    add_judging_options(parser)
    parser.add_argument("--scale", default="10k", choices=tuple(SCALES), help="data scale of the A/B bench (default 10k)")
    parser.add_argument("--no-bench", action="store_true", help="skip the A/B benchmark")
    parser.add_argument("--markdown", metavar="FILE", type=Path, help="write the Markdown summary")
    parser.add_argument("--junit", metavar="FILE", type=Path, help="write JUnit XML")


def run(args: argparse.Namespace) -> int:
    result = run_gate(
        args.base, args.head, repo=args.repo, schema_path=args.schema_path, migrations_path=args.migrations_path,
        contract_path=args.contract_path, scale=args.scale, bench=not args.no_bench, **judging(args),  # type: ignore[arg-type]
    )
    print(gate_report.render_text(result))
    write_report_files(args, result, {"markdown": gate_report.render_markdown, "junit": gate_report.render_junit})
    return 0 if result.ok else 1
