"""`ggen-db diff`: sources, severities, waivers, renames, output formats, bad input, the README catalogue."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from _versions import V1, V1_TEXT

from harness.changes.diff import Waiver, diff_schemas, load_severities, load_waivers
from harness.changes.install import init_database
from harness.changes.rules import RULES, render_catalogue
from harness.cli import main
from harness.errors import InputError
from harness.reports.diff_report import line_of, render_github, render_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
LIMIT_50 = V1_TEXT.replace("LIMIT 100;", "LIMIT 50;")
TODAY = date(2026, 12, 4)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_no_change_passes_with_no_findings(tmp_path: Path) -> None:
    report = diff_schemas(str(V1), write(tmp_path / "same.sql", V1_TEXT + "\n-- a comment\n"))
    assert report.findings == () and report.exit_status == 0


def test_a_database_and_a_schema_file_compare_by_catalog(tmp_path: Path) -> None:
    target = tmp_path / "g.db"
    init_database(target, schema_file=V1)
    assert diff_schemas(str(target), str(V1)).findings == ()
    report = diff_schemas(str(target), write(tmp_path / "n.sql", LIMIT_50))
    assert [f.code for f in report.findings] == ["BR104"]


def test_git_revisions_are_read_with_git_show(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    write(tmp_path / "schema.sql", V1_TEXT)
    git("add", "schema.sql")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1")
    write(tmp_path / "schema.sql", LIMIT_50)
    report = diff_schemas("git:HEAD", "schema.sql", cwd=tmp_path)
    assert report.old == "git:HEAD" and [f.code for f in report.findings] == ["BR104"]
    with pytest.raises(InputError, match="OLD git:HEAD:nope.sql: .*nope.sql"):
        diff_schemas("git:HEAD:nope.sql", "schema.sql", cwd=tmp_path)


def test_a_renamed_column_is_a_rename_not_a_drop_and_an_add(tmp_path: Path) -> None:
    renamed = V1_TEXT.replace("    error_message TEXT,\n    environment TEXT", "    error_text TEXT,\n    environment TEXT")
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", renamed))
    assert [(f.code, f.message) for f in report.findings] == [
        ("BR106", "column receipts.error_message renamed to receipts.error_text")]


def test_data_dependent_findings_count_rows_and_name_examples(tmp_path: Path) -> None:
    from harness.engine import db

    target = tmp_path / "g.db"
    init_database(target, schema_file=V1)
    conn = db.connect(target)
    for n in range(3):
        conn.execute(
            "INSERT INTO receipts (execution_id, agent_id, operation, status, timestamp, duration_ms) "
            "VALUES (?, 'a', 'watch', 'passed', '2026-01-29T12:00:00Z', 5)", (f"e{n}",))
    conn.close()
    narrowed = V1_TEXT.replace(" OR operation = 'dry_run' OR operation = 'watch'),", " OR operation = 'dry_run'),")
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", narrowed), data=target)
    decided = next(f for f in report.findings if f.code == "DD102")
    assert decided.data == "3 of 3 rows of receipts in --data break the CHECK (rowid 1, 2, 3)"
    assert decided.severity == "fail" and report.exit_status == 1


def test_severity_is_configurable_per_rule(tmp_path: Path) -> None:
    config = write(tmp_path / "diff.json", json.dumps({"severity": {"BR104": "warn"}}))
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", LIMIT_50), severities=load_severities(config))
    assert [(f.code, f.severity) for f in report.findings] == [("BR104", "warn")]
    assert report.exit_status == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"severity": {"XX999": "warn"}}, "unknown rule code 'XX999'"),
        ({"severity": {"BR104": "loud"}}, "BR104: severity must be fail, warn or info, not 'loud'"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_severity_config_is_input_error(tmp_path: Path, content: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_severities(write(tmp_path / "c.json", json.dumps(content)))


def _waiver(code: str = "BR104", obj: str = "recent_*", expires: date = date(2027, 1, 1)) -> Waiver:
    return Waiver(code, obj, "the dashboard shows 50 rows now", "ops@example.com", expires)


def test_a_live_waiver_lets_a_finding_pass_and_says_who_and_why(tmp_path: Path) -> None:
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", LIMIT_50), waivers=[_waiver()], today=TODAY)
    [finding] = report.findings
    assert finding.waiver is not None and finding.severity == "fail" and not finding.fails
    assert report.exit_status == 0 and report.counts()["waived"] == 1


@pytest.mark.parametrize(
    ("waiver", "code"),
    [
        (_waiver(expires=date(2026, 12, 3)), "WV101"),
        (_waiver(code="BR999"), "WV102"),
    ],
)
def test_expired_or_unknown_waivers_fail(tmp_path: Path, waiver: Waiver, code: str) -> None:
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", LIMIT_50), waivers=[waiver], today=TODAY)
    assert sorted(f.code for f in report.findings) == sorted(["BR104", code])
    assert report.exit_status == 1 and all(f.waiver is None for f in report.findings)


def test_a_waiver_that_matches_nothing_warns(tmp_path: Path) -> None:
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", LIMIT_50), waivers=[_waiver("DS101", "receipts")],
                          today=TODAY)
    assert [(f.code, f.severity) for f in report.findings] == [("BR104", "fail"), ("WV103", "warn")]


def test_waivers_file_is_validated(tmp_path: Path) -> None:
    good = {"code": "BR104", "object": "recent_executions", "reason": "r", "owner": "o", "expires": "2027-01-01"}
    assert load_waivers(write(tmp_path / "w.json", json.dumps({"waivers": [good]})))[0].expires == date(2027, 1, 1)
    with pytest.raises(InputError, match="waiver 1 needs owner"):
        load_waivers(write(tmp_path / "w.json", json.dumps({"waivers": [{**good, "owner": ""}]})))
    with pytest.raises(InputError, match="expires '2027-13-01' is not YYYY-MM-DD"):
        load_waivers(write(tmp_path / "w.json", json.dumps({"waivers": [{**good, "expires": "2027-13-01"}]})))
    with pytest.raises(InputError, match="needs a \"waivers\" list"):
        load_waivers(write(tmp_path / "w.json", json.dumps({"waiver": []})))


def test_markdown_puts_the_verdict_first_and_escapes_cells(tmp_path: Path) -> None:
    report = diff_schemas(str(V1), write(tmp_path / "n.sql", LIMIT_50))
    text = render_markdown(report)
    assert text.startswith("## Schema change: FAIL\n")
    assert "| ❌ fail | BR104 | breaking-readers | `recent_executions` |" in text
    assert "'... limit 100' -> '... limit 50'" in text


def test_github_annotations_point_at_the_line_of_the_object(tmp_path: Path) -> None:
    new = write(tmp_path / "n.sql", LIMIT_50)
    report = diff_schemas(str(V1), new)
    line = line_of(LIMIT_50, "recent_executions")
    assert line is not None and "recent_executions" in LIMIT_50.splitlines()[line - 1]
    first = render_github(report, LIMIT_50, new).splitlines()[0]
    assert first.startswith(f"::error file={new},line={line},title=ggen-db BR104 (breaking-readers)::recent_executions:")


def test_cli_writes_json_and_markdown_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = write(tmp_path / "n.sql", LIMIT_50)
    status = main(["diff", str(V1), new, "--json", str(tmp_path / "d.json"), "--markdown", str(tmp_path / "d.md")])
    assert status == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (f"diff {V1} -> {new}: FAIL (breaking-readers): 1 failing, 0 warning, 0 info, "
                                   "0 waived finding(s) from 1 change(s)")
    data = json.loads((tmp_path / "d.json").read_text())
    assert data["verdict"] == "FAIL" and data["findings"][0]["code"] == "BR104"
    assert (tmp_path / "d.md").read_text().startswith("## Schema change: FAIL")


def test_cli_reads_waivers_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = write(tmp_path / "n.sql", LIMIT_50)
    waivers = write(tmp_path / "w.json", json.dumps({"waivers": [
        {"code": "BR104", "object": "recent_executions", "reason": "r", "owner": "o", "expires": "2999-01-01"}]}))
    assert main(["diff", str(V1), new, "--waivers", waivers]) == 0
    assert "waived until 2999-01-01 by o: r" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.sql", "x.sql"], "Error: OLD missing.sql: no such file (a schema file, a database, or git:REV[:PATH])"),
        (["git:", "x.sql"], "Error: OLD git:: git:REV[:PATH] needs a revision"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *args]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_a_schema_that_does_not_load_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path / "b.sql", "CREATE TABLE t (x TEXT REFERENCES);\n")
    assert main(["diff", str(V1), broken]) == 2
    assert capsys.readouterr().err.startswith(f"Error: {broken}: statement does not load")


def test_every_rule_has_a_class_and_severity_and_the_readme_lists_them() -> None:
    for rule in RULES.values():
        assert rule.severity in ("fail", "warn", "info") and rule.title
    text = README.read_text(encoding="utf-8")
    marker = "<!-- section: diff-rules -->\n"
    start = text.index(marker) + len(marker)
    section = text[start : text.index("<!-- section:", start)].strip() + "\n"
    assert section == render_catalogue(), "README is stale: run python -m harness.changes.rules"
