"""`ggen-db lint-queries`: each rule tripped by a statement built for it, the original docs' query
patterns judged, the CLI's exits and files, and the README's rule catalogue kept current."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import _bench_data as data
import pytest

from harness.cli import main
from harness.errors import InputError
from harness.lint import RULES, lint_queries
from harness.lint.rules import render_catalogue
from harness.lint.statements import named_parameters, read_statements

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ORIGINAL_QUERIES = Path(__file__).parent / "data" / "original_doc_queries.sql"


@pytest.fixture(scope="module")
def small_db() -> Path:
    return data.database("1k")


def codes(db: Path, sql: str) -> list[set[str]]:
    report = lint_queries(sql, db=db, measure=False)
    return [{f.code for f in s.findings} for s in report.statements]


# ------------------------------------------------------------ each rule
TRIPS = {
    "does_not_prepare": "SELECT * FROM receipts WHERE no_such_column = 1",
    "scans_growing_table": "SELECT * FROM audit_log WHERE error_message = 'x'",
    "raw_timestamp": "SELECT * FROM receipts WHERE timestamp_utc >= :since AND timestamp < :until LIMIT 10",
    "sorts_growing_set": "SELECT * FROM receipts WHERE agent_id = ? ORDER BY duration_ms DESC LIMIT 5",
    "answered_by_rollup": "SELECT stage, count(*), avg(duration_ms) FROM pipeline_metrics GROUP BY stage",
    "not_analysed": "SELECT CAST(duration_ms AS) FROM receipts WHERE id = 1",  # SQLite takes an empty type
}
#: The same questions asked the way the schema serves them: no finding.
CLEAN = {
    "does_not_prepare": "SELECT * FROM receipts WHERE execution_id = ?",
    "scans_growing_table": "SELECT * FROM audit_log WHERE agent_id = ? ORDER BY timestamp_utc DESC LIMIT 10",
    "raw_timestamp": "SELECT * FROM receipts WHERE timestamp_utc >= :since AND timestamp_utc < :until LIMIT 10",
    "sorts_growing_set": "SELECT * FROM receipts WHERE agent_id = ? ORDER BY timestamp_utc DESC LIMIT 5",
    "answered_by_rollup": "SELECT * FROM pipeline_stage_performance",
    "not_analysed": "SELECT CAST(duration_ms AS INTEGER) FROM receipts WHERE id = 1",
}


def test_every_rule_has_a_statement_that_trips_it() -> None:
    assert set(TRIPS) == set(RULES) == set(CLEAN)


@pytest.mark.parametrize("code", sorted(TRIPS))
def test_a_statement_built_for_a_rule_trips_it(small_db: Path, code: str) -> None:
    assert code in codes(small_db, TRIPS[code])[0]


@pytest.mark.parametrize("code", sorted(CLEAN))
def test_the_same_question_asked_as_served_trips_nothing(small_db: Path, code: str) -> None:
    assert codes(small_db, CLEAN[code]) == [set()]


def test_an_ordered_index_walk_stopped_by_a_limit_is_not_a_scan(small_db: Path) -> None:
    assert codes(small_db, "SELECT * FROM receipts ORDER BY timestamp_utc DESC, id DESC LIMIT 10") == [set()]
    assert "scans_growing_table" in codes(small_db, "SELECT * FROM receipts ORDER BY timestamp_utc DESC, id DESC")[0]


def test_a_sort_of_a_few_rollup_rows_is_not_a_sort_of_a_growing_set(small_db: Path) -> None:
    # The view reads receipts in a correlated subquery; the ORDER BY sorts its 24 rollup rows.
    assert codes(small_db, "SELECT * FROM agent_performance_summary ORDER BY successful_executions DESC") == [set()]


def test_a_raw_timestamp_is_found_through_an_alias_and_in_each_use(small_db: Path) -> None:
    found = lint_queries("SELECT r.agent_id FROM receipts AS r WHERE r.timestamp > ? ORDER BY r.timestamp, "
                         "substr(r.timestamp, 1, 10)", db=small_db, measure=False).statements[0].findings
    messages = sorted(f.message.split(" receipts.")[0] for f in found if f.code == "raw_timestamp")
    assert messages == ["compares", "cuts a day or hour out of", "orders by"]
    # Showing the text, or reading a date out of it with SQLite's date functions (which normalize), is fine.
    assert codes(small_db, "SELECT timestamp, date(timestamp) FROM receipts WHERE execution_id = ?") == [set()]


# ------------------------------------------------------------ statements
def test_parameters_become_names_outside_strings_and_comments() -> None:
    sql, names = named_parameters("SELECT '?', \"a?\" FROM t WHERE a = ? AND b = ?2 AND c = @c -- ?\n AND d = ?")
    assert names == ("p1", "p2", "c", "p3")
    assert sql == "SELECT '?', \"a?\" FROM t WHERE a = :p1 AND b = :p2 AND c = :c -- ?\n AND d = :p3"


def test_statements_are_numbered_with_the_line_they_start_on() -> None:
    statements = read_statements("-- head\nSELECT 1;\n\n-- second\nSELECT\n 2;\n")
    assert [(s.number, s.line, s.text) for s in statements] == [(1, 2, "SELECT 1;"), (2, 5, "SELECT\n 2;")]


def test_parameters_are_drawn_from_the_data(small_db: Path) -> None:
    report = lint_queries("SELECT * FROM receipts WHERE agent_id = ? ORDER BY timestamp_utc DESC LIMIT ?;\n"
                          "SELECT * FROM audit_log WHERE timestamp_utc BETWEEN ? AND ? LIMIT 100;\n"
                          "SELECT * FROM receipts WHERE length(error_message) = :nothing_like_it", db=small_db)
    by_agent, window, unbound = report.statements
    assert by_agent.rows == 100 and not by_agent.notes
    assert window.rows == 100 and not window.notes
    assert unbound.notes == (":nothing_like_it bound to NULL (no column or time bound it could be drawn from)",)


def test_writes_are_planned_never_run(small_db: Path) -> None:
    before = hashlib.sha256(small_db.read_bytes()).hexdigest()
    result = lint_queries("DELETE FROM receipts", db=small_db).statements[0]
    assert result.time_ms is None and result.notes == ("not run: it writes (linting never writes)",)
    assert hashlib.sha256(small_db.read_bytes()).hexdigest() == before


def test_an_empty_file_is_an_input_error(small_db: Path) -> None:
    with pytest.raises(InputError, match="no SQL statements"):
        lint_queries("-- nothing\n", source="empty.sql", db=small_db)


# ------------------------------------------------- the original docs' patterns
#: Verdict and codes of each statement of tests/data/original_doc_queries.sql on schema.sql.
ORIGINAL_VERDICTS = [
    ("PASS", set()),  # recent_executions view
    ("FAIL", {"raw_timestamp", "sorts_growing_set"}),  # recent failures by timestamp
    ("PASS", set()),  # agent_performance_summary
    ("FAIL", {"scans_growing_table", "answered_by_rollup"}),  # avg/min/max per agent
    ("FAIL", {"scans_growing_table", "answered_by_rollup"}),  # success rate per agent
    ("WARN", {"sorts_growing_set"}),  # files per agent, passed only (the rollup counts every status)
    ("PASS", set()),  # pipeline_stage_performance
    ("PASS", set()),  # receipt by execution_id
    ("FAIL", {"raw_timestamp"}),  # newest of one agent by timestamp: index-served, text order
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "raw_timestamp", "answered_by_rollup"}),  # 24 h by day
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "answered_by_rollup"}),  # receipts per day
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "raw_timestamp", "answered_by_rollup"}),  # status/hour
    ("FAIL", {"scans_growing_table", "raw_timestamp", "answered_by_rollup"}),  # violations 24 h by metric
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "answered_by_rollup"}),  # violations by severity/hour
    ("PASS", set()),  # violations of one execution
    ("FAIL", {"raw_timestamp"}),  # collisions of a session by timestamp
    ("FAIL", {"raw_timestamp"}),  # critical collisions by timestamp
    ("PASS", set()),  # collisions between two agents
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "raw_timestamp", "answered_by_rollup"}),  # collisions 24 h
    ("FAIL", {"raw_timestamp"}),  # running sessions by start_time
    ("FAIL", {"scans_growing_table", "sorts_growing_set", "answered_by_rollup"}),  # sessions by status per day
    ("PASS", set()),  # memory by agent
    ("FAIL", {"raw_timestamp"}),  # stale memory by updated_at
    ("FAIL", {"raw_timestamp"}),  # audit trail of an agent by timestamp
    ("FAIL", {"raw_timestamp"}),  # audit rows in a range of timestamp text
    ("WARN", {"sorts_growing_set", "answered_by_rollup"}),  # failed audit rows per hour
]


def test_the_original_docs_query_patterns_get_their_verdicts(small_db: Path) -> None:
    report = lint_queries(ORIGINAL_QUERIES.read_text(encoding="utf-8"), db=small_db, measure=False)
    got = [(s.verdict, {f.code for f in s.findings}) for s in report.statements]
    assert got == ORIGINAL_VERDICTS
    assert not report.ok


# ------------------------------------------------------------------ CLI
def test_cli_exit_1_with_files_written(small_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT * FROM receipts WHERE execution_id = ?;\nSELECT * FROM audit_log;\n", encoding="utf-8")
    status = main(["lint-queries", str(sql), "--db", str(small_db), "--json", str(tmp_path / "l.json"),
                   "--markdown", str(tmp_path / "l.md")])
    out = capsys.readouterr().out
    assert status == 1
    assert "PASS  #1 (line 1)" in out and "FAIL  #2 (line 2)" in out and "scans_growing_table" in out
    assert out.rstrip().endswith("FAILED: 2 statements: 1 pass, 0 warn, 1 fail")
    document = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    assert [s["verdict"] for s in document["statements"]] == ["PASS", "FAIL"] and document["ok"] is False
    assert "| 2 | 2 | `SELECT * FROM audit_log;` | FAIL |" in (tmp_path / "l.md").read_text(encoding="utf-8")


def test_cli_reads_stdin_and_exits_0_when_nothing_fails(small_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT * FROM pipeline_stage_performance"))
    assert main(["lint-queries", "-", "--db", str(small_db)]) == 0
    assert "lint-queries stdin on" in capsys.readouterr().out


def test_cli_scale_uses_the_generated_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GGEN_DB_CACHE", str(data.CACHE))
    data.database("1k")
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT count(*) FROM agent_execution_stats", encoding="utf-8")
    assert main(["lint-queries", "--scale", "1k", str(sql)]) == 0
    assert "on generated data, 1k receipts" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "expected"), [
    (["lint-queries", "/no/such.sql"], "Error: FILE /no/such.sql: no such file\n"),
    (["lint-queries", "--db", "/no/such.db", str(ORIGINAL_QUERIES)], "Error: --db /no/such.db: no such file\n"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv: list[str], expected: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == expected


@pytest.mark.parametrize(("argv", "expected"), [
    (["--db", "x.db", "--scale", "1k", "-"], "argument --scale: not allowed with argument --db"),
    (["--scale", "5k", "q.sql"], "argument --scale: 5k: must be one of 1k, 10k, 100k, 1m"),
])
def test_cli_usage_errors_exit_2(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint-queries", *argv])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"Error: ggen-db lint-queries: {expected} (see --help)\n"


def test_help_ends_with_an_example_and_the_readme_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["lint-queries", "--help"])
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].strip().startswith("echo ")
    section = _readme_section("lint-queries")
    for option in ("--db DB", "--scale S", "--json FILE", "--markdown FILE"):
        assert option in out and f"`{option}`" in section


def test_the_readme_catalogues_every_rule() -> None:
    assert _readme_section("lint-queries-rules").strip() + "\n" == render_catalogue(), (
        "README is stale: run python -m harness.lint.rules")


def _readme_section(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    marker = f"<!-- section: {name} -->\n"
    start = text.index(marker) + len(marker)
    return text[start:text.index("<!-- section:", start)]
