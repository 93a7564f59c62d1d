"""`ggen-db gate` in a throwaway git repository: a base commit, and head commits carrying each kind of change."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - parses only XML this test's code wrote
from datetime import date
from pathlib import Path

import pytest

from harness.changes.diff import Waiver
from harness.changes.gate_result import FAIL, PASS, SKIP
from harness.cli import main
from harness.contract.model import DEFAULT_CONTRACT
from harness.gate import run_gate
from harness.reports.gate_report import render_junit, render_markdown

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_TEXT = (ROOT / "harness" / "contract" / DEFAULT_CONTRACT).read_text("utf-8")
# The base is the shipped schema with its migrations (the checks of today judge it); a change is the next version.
BASE_TEXT = (ROOT / "schema.sql").read_text("utf-8")
BASE_MIGRATIONS = {f"harness/migrations/{p.name}": p.read_text("utf-8")
                   for p in sorted((ROOT / "harness" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.*"))}
BASE_VERSION = json.loads(CONTRACT_TEXT)["schema_version"]
NEXT = f"{BASE_VERSION + 1:04d}"
NEW_INDEX = "CREATE INDEX IF NOT EXISTS idx_workflow_sessions_agent_count ON workflow_sessions (agent_count);"
NEW_QUERY = {
    "doc": "Sessions with a given number of agents.",
    "sql": "SELECT * FROM workflow_sessions WHERE agent_count = :agent_count LIMIT :limit",
    "index": "idx_workflow_sessions_agent_count",
    "params": {"agent_count": 3, "limit": 100},
    "max_rows": 100,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True)
    return done.stdout


def commit(repo: Path, files: dict[str, str], message: str, branch: str | None = None) -> None:
    if branch:
        git(repo, "checkout", "-q", "-b", branch, "base")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def contract_with_index(version: int) -> str:
    data = json.loads(CONTRACT_TEXT)
    data["schema_version"] = version
    data["tables"]["workflow_sessions"]["indexes"].append(
        {"name": "idx_workflow_sessions_agent_count", "columns": ["agent_count"], "unique": False,
         "serves": ["sessions_by_agent_count"]})
    data["queries"]["sessions_by_agent_count"] = NEW_QUERY
    return json.dumps(data, indent=2, ensure_ascii=False)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base: the shipped schema, its contract and migrations; safe, breaking, unmigrated, diverging: one change each."""
    path = tmp_path_factory.mktemp("gate-repo")
    git(path, "init", "-q", "-b", "base")
    commit(path, {"schema.sql": BASE_TEXT, "harness/contract/contract.json": CONTRACT_TEXT, **BASE_MIGRATIONS},
           f"version {BASE_VERSION}")
    with_index = BASE_TEXT + NEW_INDEX + "\n"
    commit(path, {"schema.sql": with_index, "harness/contract/contract.json": contract_with_index(BASE_VERSION + 1),
                  f"harness/migrations/{NEXT}_sessions_agent_count_index.sql": NEW_INDEX + "\n"},
           "an index for a new documented query, with its migration", branch="safe")
    commit(path, {"schema.sql": with_index, "harness/contract/contract.json": contract_with_index(BASE_VERSION + 1)},
           "the same index, no migration", branch="unmigrated")
    commit(path, {"schema.sql": with_index, "harness/contract/contract.json": contract_with_index(BASE_VERSION + 1),
                  f"harness/migrations/{NEXT}_wrong_index.sql":
                      "CREATE INDEX idx_workflow_sessions_agent_count ON workflow_sessions (agent_count, status);\n"},
           "the index, and a migration that builds another one", branch="diverging")
    commit(path, {"schema.sql": BASE_TEXT.replace("LIMIT 100;", "LIMIT 50;"),
                  f"harness/migrations/{NEXT}_recent_50.sql":
                      "DROP VIEW recent_executions;\n" + _view(BASE_TEXT.replace("LIMIT 100;", "LIMIT 50;"))},
           "recent_executions shows 50 rows", branch="breaking")
    git(path, "checkout", "-q", "base")
    return path


def _view(script: str) -> str:
    start = script.index("CREATE VIEW IF NOT EXISTS recent_executions AS")
    return script[start : script.index(";", start) + 1] + "\n"


def test_a_safe_change_with_its_migration_passes(repo: Path) -> None:
    result = run_gate("base", "safe", repo=repo, bench=False)
    assert result.verdicts == {"check": PASS, "diff": PASS, "migration": PASS, "bench": SKIP}
    assert result.ok
    assert result.migration.migrations == (f"{NEXT}_sessions_agent_count_index.sql",)
    assert [f.code for f in result.diff.findings] == ["SF103"]


def test_a_breaking_change_fails_and_the_summary_says_why_first(repo: Path) -> None:
    result = run_gate("base", "breaking", repo=repo, bench=False)
    assert not result.ok
    assert result.verdicts["diff"] == FAIL and result.verdicts["migration"] == PASS
    assert [f.code for f in result.diff.failed] == ["BR104"]
    text = render_markdown(result)
    assert text.startswith("# ggen-db gate: ❌ FAIL\n")
    assert text.index("| diff | ❌ FAIL |") < text.index("## Check") < text.index("## Schema change: FAIL")
    assert text.index("## Schema change") < text.index("## Migration: PASS") < text.index("## Benchmark")


def test_a_waiver_in_review_lets_the_breaking_change_pass(repo: Path) -> None:
    waiver = Waiver("BR104", "recent_executions", "the dashboard shows 50", "ops", date(2999, 1, 1))
    result = run_gate("base", "breaking", repo=repo, bench=False, waivers=[waiver])
    assert result.verdicts["diff"] == PASS


def test_a_change_without_a_migration_fails(repo: Path) -> None:
    result = run_gate("base", "unmigrated", repo=repo, bench=False)
    assert result.verdicts["migration"] == FAIL and not result.ok
    assert f"1 change(s) need a migration and harness/migrations/ has none after version {BASE_VERSION}" in result.migration.summary
    assert result.migration.problems == ("index idx_workflow_sessions_agent_count added",)


def test_a_migration_that_does_not_converge_fails(repo: Path) -> None:
    result = run_gate("base", "diverging", repo=repo, bench=False)
    assert result.verdicts["migration"] == FAIL
    assert any("idx_workflow_sessions_agent_count: columns" in p for p in result.migration.problems), \
        result.migration.problems


def test_the_working_tree_is_the_default_head(repo: Path) -> None:
    (repo / "schema.sql").write_text(BASE_TEXT.replace("LIMIT 100;", "LIMIT 50;"), encoding="utf-8")
    try:
        result = run_gate("base", repo=repo, bench=False)
    finally:
        git(repo, "checkout", "-q", "--", "schema.sql")
    assert result.head == "schema.sql" and [f.code for f in result.diff.failed] == ["BR104"]
    assert result.verdicts["migration"] == FAIL


def test_junit_has_a_case_per_part_and_per_failing_finding(repo: Path) -> None:
    result = run_gate("base", "breaking", repo=repo, bench=False)
    suite = ET.fromstring(render_junit(result)).find("testsuite")  # noqa: S314 - our own output
    assert suite is not None
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names == ["check", "migration", "bench", "diff BR104 recent_executions"]
    failed = [c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None]
    assert failed == ["check", "diff BR104 recent_executions"]  # the view returns 50 rows: a check fails too


@pytest.mark.slow
def test_cli_gate_with_the_ab_bench(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary, junit = tmp_path / "gate.md", tmp_path / "gate.xml"
    status = main(["gate", "--base", "base", "--head", "safe", "--repo", str(repo), "--scale", "1k",
                   "--markdown", str(summary), "--junit", str(junit)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.startswith("gate git:base:schema.sql -> git:safe:schema.sql: PASS\n")
    assert "## Benchmark (head vs base schema): PASS" in summary.read_text()
    assert ET.parse(junit).getroot().get("failures") == "0"  # noqa: S314 - our own output


def test_cli_gate_exits_1_on_a_breaking_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", "--base", "base", "--head", "breaking", "--repo", str(repo), "--no-bench"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "gate git:base:schema.sql -> git:breaking:schema.sql: FAIL"
    assert "  FAIL diff: FAIL (breaking-readers): 1 failing" in out


def test_cli_gate_unknown_revision_is_one_line_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", "--base", "nope", "--repo", str(repo), "--no-bench"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --base git:nope:schema.sql: fatal: invalid object name 'nope'") and err.count("\n") == 1


def test_the_workflow_runs_the_gate_with_options_the_cli_has() -> None:
    import re
    import shlex

    from harness.cli import build_parser

    workflow = (Path(__file__).resolve().parents[1] / ".github" / "workflows" / "schema-gate.yml").read_text("utf-8")
    commands = [" ".join(line.split()) for line in re.findall(r"run: >\n((?:\s{10}.*\n)+)", workflow)]
    commands += re.findall(r"run: (ggen-db .*?)(?: \|\| true)?\n", workflow)
    ggen = [c for c in commands if c.startswith("ggen-db ")]
    assert {c.split()[1] for c in ggen} == {"gate", "diff"}
    for command in ggen:
        args = shlex.split(command.replace("${{ github.base_ref }}", "main").replace("$GITHUB_STEP_SUMMARY", "s.md"))
        parsed = build_parser().parse_args(args[1:])
        assert parsed.func is not None
