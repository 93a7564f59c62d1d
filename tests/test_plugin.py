"""The pytest plugin: options, validation, fixtures, and the conformance items it parametrizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks import plan
from harness.contract.model import load_contract
from harness.engine.db import schema_path

pytest_plugins = ["pytester"]

CONFORMANCE_TEST = """
import pytest
from harness.results import SKIPPED

def test_conformance(ggen_db_check):
    if ggen_db_check.status == SKIPPED:
        pytest.skip(ggen_db_check.message)
    if not ggen_db_check.ok:
        pytest.fail(f"{ggen_db_check.code}: {ggen_db_check.message}", pytrace=False)
"""
CODES = [p.code for p in plan(load_contract())]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_suite=CONFORMANCE_TEST)
    return pytester


def _schema_without(pytester: pytest.Pytester, statement: str) -> Path:
    text = schema_path().read_text(encoding="utf-8")
    assert statement in text
    path = pytester.path / "broken.sql"
    path.write_text(text.replace(statement, ""), encoding="utf-8")
    return path


def test_one_item_per_check_with_the_codes_as_ids_in_checklist_order(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "-q")
    ids = [line.split("[", 1)[1].rstrip("]") for line in result.outlines if line.startswith("test_suite.py::")]
    assert ids == CODES
    assert ids[0] == "check_01_table_receipts_exists" and ids[35] == "check_36_complete_execution_flow"


def test_the_shipped_schema_passes_by_default(suite: pytest.Pytester) -> None:
    result = suite.runpytest()
    result.assert_outcomes(passed=len(CODES))
    result.stdout.fnmatch_lines(["ggen-db: --ggen-schema schema.sql (shipped)*"])


def test_a_broken_schema_fails_naming_the_check_and_the_index(suite: pytest.Pytester) -> None:
    broken = _schema_without(suite, "CREATE INDEX IF NOT EXISTS idx_receipts_time ON receipts (timestamp_utc, id, status);")
    result = suite.runpytest("--ggen-schema", str(broken))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "check_23_receipts_indexes: idx_receipts_time on receipts (timestamp_utc, id, status): index is missing",
        "*short test summary info*",
        "FAILED test_suite.py::test_conformance[[]check_23_receipts_indexes[]]*",
    ])


def test_a_database_runs_read_only_and_skips_schema_file_checks(suite: pytest.Pytester, file_db: Path) -> None:
    before = file_db.read_bytes()
    result = suite.runpytest("--ggen-db", str(file_db))
    result.assert_outcomes(passed=len(CODES) - 2, skipped=2)
    assert file_db.read_bytes() == before


def test_schema_and_db_together_is_a_usage_error(suite: pytest.Pytester, file_db: Path) -> None:
    result = suite.runpytest("--ggen-schema", str(schema_path()), "--ggen-db", str(file_db))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--ggen-schema and --ggen-db are mutually exclusive; give one*"])


def test_a_missing_file_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--ggen-schema", "no-such.sql")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*argument --ggen-schema: no-such.sql: no such file*"])


def test_a_schema_that_does_not_load_errors_with_the_statement(suite: pytest.Pytester) -> None:
    bad = suite.path / "bad.sql"
    bad.write_text("CREATE TABLE receipts (id INTEGER PRIMARY KEY,);\n", encoding="utf-8")
    result = suite.runpytest("--ggen-schema", str(bad))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*ggen-db: *bad.sql: statement does not load (near \")\": syntax error)*"])


def test_an_invalid_contract_is_a_usage_error(suite: pytest.Pytester) -> None:
    contract = suite.path / "contract.json"
    contract.write_text("{}", encoding="utf-8")
    result = suite.runpytest("--ggen-contract", str(contract))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ggen-db: *contract.json: *"])


def test_help_lists_the_option_group_with_defaults(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([
        "ggen-db conformance suite:",
        "*--ggen-schema=FILE*schema file the conformance suite checks*",
        "*--ggen-db=FILE*",
        "*--ggen-contract=FILE*",
    ])


def test_target_fixture_reflects_the_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_target(ggen_db_target):
            assert ggen_db_target.schema.endswith("x.sql")
            assert ggen_db_target.db is None
            assert ggen_db_target.describe().startswith("--ggen-schema ")
    """)
    (pytester.path / "x.sql").write_text("", encoding="utf-8")
    pytester.runpytest("--ggen-schema", "x.sql").assert_outcomes(passed=1)


@pytest.mark.parametrize("unprefixed", ["--schema", "--db", "--contract"])
def test_the_plugin_claims_no_unprefixed_option(pytester: pytest.Pytester, unprefixed: str) -> None:
    (pytester.path / "x.sql").write_text("", encoding="utf-8")
    result = pytester.runpytest(unprefixed, "x.sql")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*unrecognized arguments: {unprefixed}*"])
