"""`ggen-db gate`: the one command a CI job runs on a pull request that touches the schema.

run_gate(base, head) takes the schema at two git revisions (head: a revision,
or the working tree) and runs four parts, each with its own verdict:

1. check: the head schema keeps every promise of the contract (`ggen-db check`);
2. diff: base -> head judged with the rule codes, severities and waivers (`ggen-db diff`);
3. migration: every schema change ships as a migration (deployed databases
   follow by `ggen-db migrate`, and a database's user_version names its
   catalog), so when the catalogs differ the head revision carries migrations
   numbered after the base's newest, and a database populated at the base
   schema (datagen), migrated with them, converges with a fresh head install
   (harness.changes.converge);
4. bench: the A/B benchmark of the head schema against the base schema
   (`bench --baseline-schema`, quick rounds, read and write workloads); it fails
   on a workload significantly slower on head (the runner's regression rule);
   SLO budgets are the sign-off's verdict, reported here but not judged.

The head revision's contract (harness/contract/contract.json in the repository,
when it has one) is the one the check and the diff's documented queries use.

The gate fails when any part fails. Nothing in the repository is written.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.bench.datagen import DataSpec, bulk_load
from harness.changes.converge import check_convergence
from harness.changes.diff import Waiver, diff_schemas, git_schema
from harness.changes.gate_result import FAIL, PASS, SKIP, BenchPart, GateResult, MigrationPart
from harness.changes.versions import Versions, find_migrations
from harness.checks.runner import check_schema
from harness.contract.model import load_contract
from harness.engine import db
from harness.engine.catalog import catalog_of_script
from harness.engine.compare import compare
from harness.errors import GgenDbError, InputError

GATE_WORKLOADS = ("lookup", "by_agent", "range_24h", "aggregation", "view_recent_executions", "insert_single",
                  "batch_100")
CONVERGENCE_RECEIPTS = 300


def run_gate(
    base: str,
    head: str | None = None,
    *,
    repo: str | os.PathLike[str] = ".",
    schema_path: str = "schema.sql",
    migrations_path: str = "harness/migrations",
    contract_path: str = "harness/contract/contract.json",
    data: str | os.PathLike[str] | None = None,
    severities: Mapping[str, str] | None = None,
    waivers: Sequence[Waiver] = (),
    scale: str = "10k",
    workloads: Sequence[str] = GATE_WORKLOADS,
    bench: bool = True,
) -> GateResult:
    """Judge the schema change from revision base to head (None: the working tree) in repository repo."""
    head_spec = f"git:{head}:{schema_path}" if head else schema_path
    base_spec = f"git:{base}:{schema_path}"
    with tempfile.TemporaryDirectory(prefix="ggen-db-gate-") as tmp:
        work = Path(tmp)
        base_file = _write(work / "base.sql", git_schema(base_spec, "--base", repo))
        head_file = _write(work / "head.sql", _head_text(head_spec, repo))
        contract_file = _head_contract(repo, head, contract_path, work)
        checked = check_schema(schema=head_file, contract=contract_file)
        judged = diff_schemas(base_spec, head_spec, data=data, severities=severities, waivers=waivers, cwd=repo,
                              contract=load_contract(contract_file))
        migration = _migration_part(base, head, repo, migrations_path, base_file, head_file, work)
        measured = _bench_part(base_file, head_file, scale, workloads, work) if bench else BenchPart(SKIP, "not run (--no-bench)")
    return GateResult(base_spec, head_spec, checked, judged, migration, measured)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _head_contract(repo: str | os.PathLike[str], head: str | None, path: str, work: Path) -> Path | None:
    """The head revision's contract when the repository carries one (a change to the schema changes it
    too), else None: the contract installed with ggen-db."""
    if head is None:
        found = Path(repo) / path
        return found if found.is_file() else None
    return _write(work / "contract.json", _git(repo, "show", f"{head}:{path}")) if _has_path(repo, head, path) else None


def _head_text(head_spec: str, repo: str | os.PathLike[str]) -> str:
    if head_spec.startswith("git:"):
        return git_schema(head_spec, "--head", repo)
    return db.read_schema(Path(repo) / head_spec)


# ------------------------------------------------------------------ migration
def _migration_part(
    base: str, head: str | None, repo: str | os.PathLike[str], migrations_path: str,
    base_file: Path, head_file: Path, work: Path,
) -> MigrationPart:
    base_text, head_text = base_file.read_text(encoding="utf-8"), head_file.read_text(encoding="utf-8")
    needs = [c.describe() for c in compare(catalog_of_script(base_text), catalog_of_script(head_text), versions=False)]
    base_version = _newest_version(_migration_names(repo, base, migrations_path))
    directory = work / "migrations"
    _export_migrations(repo, head, migrations_path, directory)
    try:
        pending = find_migrations(directory, after=base_version)
    except GgenDbError as e:
        return MigrationPart(FAIL, str(e))
    names = tuple(m.name for m in pending)
    if not pending:
        if needs:
            return MigrationPart(FAIL, f"{len(needs)} change(s) need a migration and {migrations_path}/ has none "
                                       f"after version {base_version}: add {migrations_path}/"
                                       f"{base_version + 1:04d}_<slug>.sql or .py", problems=tuple(needs))
        return MigrationPart(PASS, "no schema change, no migration needed")
    versions = Versions(base_text, pending, head_text, base_version=base_version)
    problems = _converges(versions, work)
    if problems:
        return MigrationPart(FAIL, f"{', '.join(names)} do(es) not converge", names, tuple(problems))
    return MigrationPart(PASS, f"{', '.join(names)}: a populated version-{base_version} database migrated to "
                               f"version {versions.head} equals a fresh install with the same rows", names)


def _converges(versions: Versions, work: Path) -> list[str]:
    """Problems of migrating a base-version database populated by datagen (empty: it converges)."""
    populated = work / "populated.db"
    try:
        conn = db.connect(populated)
        db.apply_schema(conn, versions.base_script, source="base schema")
        conn.execute(f"PRAGMA user_version = {int(versions.base_version)}")
        bulk_load(conn, DataSpec(receipts=CONVERGENCE_RECEIPTS, agents=6), parallel=False)
        conn.close()
        convergence = work / "convergence"
        convergence.mkdir()
        return check_convergence(versions, populated, convergence)
    except GgenDbError as e:
        return [str(e)]


def _git(repo: str | os.PathLike[str], *args: str) -> str:
    shown = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        reason = (shown.stderr.strip().splitlines() or ["git failed"])[-1]
        raise InputError(f"git {' '.join(args[:2])}: {reason}")
    return shown.stdout


def _migration_names(repo: str | os.PathLike[str], rev: str | None, path: str) -> list[str]:
    if rev is None:
        directory = Path(repo) / path
        return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []
    listed = _git(repo, "ls-tree", "--name-only", f"{rev}:{path}") if _has_path(repo, rev, path) else ""
    return sorted(listed.split())


def _has_path(repo: str | os.PathLike[str], rev: str, path: str) -> bool:
    found = subprocess.run(["git", "cat-file", "-e", f"{rev}:{path}"], cwd=repo, capture_output=True, check=False)
    return found.returncode == 0


def _newest_version(names: list[str]) -> int:
    numbers = [int(n[:4]) for n in names if n[:4].isdigit() and n[4:5] == "_"]
    return max(numbers, default=1)


def _export_migrations(repo: str | os.PathLike[str], rev: str | None, path: str, directory: Path) -> None:
    """The migration files of revision rev (None: the working tree) copied into directory."""
    directory.mkdir()
    for name in _migration_names(repo, rev, path):
        if not name.endswith((".sql", ".py")) or name == "__init__.py":
            continue
        text = (Path(repo) / path / name).read_text(encoding="utf-8") if rev is None else _git(
            repo, "show", f"{rev}:{path}/{name}")
        (directory / name).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ bench
def _bench_part(base_file: Path, head_file: Path, scale: str, workloads: Sequence[str], work: Path) -> BenchPart:
    from harness.bench.runner import run_bench

    report = run_bench((scale,), quick=True, schema=head_file, baseline_schema=base_file, workloads=list(workloads),
                       work_dir=work)
    slower = [r.workload for r in report.results if r.comparison is not None and r.comparison.regression]
    over_budget = [r.workload for r in report.results if r.verdict == FAIL and r.workload not in slower]
    summary = (f"{len(report.results)} workload(s) at {scale}, quick rounds: "
               f"{len(slower)} significantly slower than the base schema{': ' + ', '.join(slower) if slower else ''}")
    if over_budget:  # budgets are the sign-off's verdict; a quick run on a CI machine only reports them
        summary += f" (over budget on both sides, not judged here: {', '.join(over_budget)})"
    return BenchPart(FAIL if slower else PASS, summary, report)
