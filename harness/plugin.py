"""pytest plugin of ggen-db (entry point pytest11): the --ggen-schema / --ggen-db / --ggen-contract options.

Wiring only; the checks live in harness.checks and are imported lazily, so
loading the plugin costs nothing in test runs that do not use it.

- Options (group "ggen-db"): which schema file or database the conformance
  suite checks, and against which contract.
- Fixtures: `ggen_db_target` (the options, validated), `ggen_db_report` (the
  CheckReport of one run per session), `ggen_db_check` (one Finding).
- A test that takes `ggen_db_check` is run once per check of the registry,
  with the check's code as its id, in checklist order:

      def test_conformance(ggen_db_check):
          ...
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.results import CheckReport, Finding

# One prefix for every option, as pytest's plugin convention asks: the plugin loads into
# every pytest session of an environment where ggen-db is installed.
SCHEMA_OPTION = "--ggen-schema"
DB_OPTION = "--ggen-db"
CONTRACT_OPTION = "--ggen-contract"
CHECK_FIXTURE = "ggen_db_check"


def existing_file(value: str) -> str:
    """argparse type: a path to an existing file."""
    if not Path(value).is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ggen-db", "ggen-db conformance suite")
    group.addoption(SCHEMA_OPTION, metavar="FILE", type=existing_file, default=None,
                    help="schema file the conformance suite checks (default: the shipped schema.sql)")
    group.addoption(DB_OPTION, metavar="FILE", type=existing_file, default=None,
                    help="database the conformance suite checks instead, opened read-only (default: none)")
    group.addoption(CONTRACT_OPTION, metavar="FILE", type=existing_file, default=None,
                    help="contract to check against (default: the shipped harness/contract/contract.json)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption(SCHEMA_OPTION) and config.getoption(DB_OPTION):
        raise pytest.UsageError(
            f"{SCHEMA_OPTION} and {DB_OPTION} are mutually exclusive; give one (a schema file or a database)")
    contract = config.getoption(CONTRACT_OPTION)
    if contract:  # validated now, so a bad contract is a usage error rather than a collection error
        from harness.contract.model import load_contract
        from harness.errors import GgenDbError

        try:
            load_contract(contract)
        except GgenDbError as e:
            raise pytest.UsageError(f"ggen-db: {e}") from e


@dataclass(frozen=True)
class CheckTarget:
    """What the conformance suite checks: a schema file, a database, or (neither) the shipped schema."""

    schema: str | None
    db: str | None
    contract: str | None

    def describe(self) -> str:
        if self.db:
            return f"{DB_OPTION} {self.db}"
        return f"{SCHEMA_OPTION} {self.schema or 'schema.sql (shipped)'}"


def _target(config: pytest.Config) -> CheckTarget:
    return CheckTarget(config.getoption(SCHEMA_OPTION), config.getoption(DB_OPTION),
                       config.getoption(CONTRACT_OPTION))


def pytest_report_header(config: pytest.Config) -> str:
    target = _target(config)
    return f"ggen-db: {target.describe()}, contract {target.contract or 'harness/contract/contract.json (shipped)'}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if CHECK_FIXTURE not in metafunc.fixturenames:
        return
    from harness.checks import plan
    from harness.contract.model import load_contract

    codes = [p.code for p in plan(load_contract(metafunc.config.getoption(CONTRACT_OPTION)))]
    metafunc.parametrize(CHECK_FIXTURE, codes, ids=codes, indirect=True)


@pytest.fixture(scope="session")
def ggen_db_target(pytestconfig: pytest.Config) -> CheckTarget:
    """The schema file or database given on the command line (both None: the shipped schema)."""
    return _target(pytestconfig)


@pytest.fixture(scope="session")
def ggen_db_report(ggen_db_target: CheckTarget) -> CheckReport:
    """The conformance report of the target: every check, run once per session."""
    from harness.checks import check_schema
    from harness.errors import GgenDbError

    try:
        return check_schema(schema=ggen_db_target.schema, db=ggen_db_target.db, contract=ggen_db_target.contract)
    except GgenDbError as e:
        pytest.fail(f"ggen-db: {e}", pytrace=False)


@pytest.fixture
def ggen_db_check(request: pytest.FixtureRequest, ggen_db_report: CheckReport) -> Finding:
    """The finding of the check whose code this test was parametrized with."""
    code = request.param
    for finding in ggen_db_report.findings:
        if finding.code == code:
            return finding
    pytest.fail(f"ggen-db: no finding for {code}", pytrace=False)
