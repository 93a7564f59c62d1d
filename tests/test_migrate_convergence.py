"""Upgrade convergence: a database populated at version N, migrated to the newest version, equals a
fresh install of the newest version holding the same rows.

For every released version (and a test chain whose migration rebuilds receipts, the parent of two
cascading tables): the rows are written by the real writers (datagen's bulk loader, the Store with
hypothesis-drawn rows, ingest) into a newest-version source database, then copied, column by column
where both versions have the column, into a database at version N and into a fresh newest-version
database. After `migrate`: the normalized catalogs are identical, every table holds the same rows
(generated columns and rollups included), integrity_check is ok, foreign_key_check is empty and the
rollups equal their recomputation. A migration that loses a row or leaves drift fails here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from _convergence import CONTRACT, converge, populate_source
from _versions import chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.bench.datagen import DataSpec
from harness.changes.versions import Versions
from harness.checks.runner import check_schema
from harness.testing.strategies import Bundle, valid_rows, with_parents

SHIPPED = Versions.shipped()
CHAIN_DIR = Path(tempfile.mkdtemp(prefix="ggen-db-chain-"))
CHAIN = chain(CHAIN_DIR)
CASES = [("shipped", SHIPPED, n) for n in range(1, SHIPPED.head + 1)] + [("chain", CHAIN, n) for n in (1, 2)]


bundles = st.lists(
    st.one_of(*(with_parents(CONTRACT, t, valid_rows(t)) for t in CONTRACT.tables.values() if not t.derived)),
    max_size=6,
)


@pytest.mark.parametrize(("chain_name", "versions", "version"), CASES, ids=[f"{c}-v{n}" for c, _, n in CASES])
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    receipts=st.integers(0, 30),
    seed=st.integers(0, 2**16),
    drawn=bundles,
    agent=st.sampled_from(["agent-01", "agent-new"]),
)
def test_a_populated_database_migrated_to_the_newest_version_equals_a_fresh_install(
    chain_name: str, versions: Versions, version: int, receipts: int, seed: int, drawn: list[Bundle], agent: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        spec = DataSpec(receipts=receipts, seed=seed, agents=3, sessions=2)
        source = populate_source(directory, spec, drawn, agent)
        converge(versions, version, directory, source)


@pytest.mark.parametrize("version", range(1, SHIPPED.head + 1))
def test_a_migrated_database_passes_the_conformance_checks(tmp_path: Path, version: int) -> None:
    source = populate_source(tmp_path, DataSpec(receipts=200, agents=5), [], "agent-01")
    migrated = converge(SHIPPED, version, tmp_path, source)
    report = check_schema(db=migrated)
    assert report.ok, [f"{f.code}: {f.message}" for f in report.failed]


def test_a_migration_that_loses_rows_fails_the_convergence_check(tmp_path: Path) -> None:
    """The check above can fail: a migration that rebuilds receipts and loses half the audit rows."""
    directory = tmp_path / "migrations"
    versions = chain(directory)
    migration = directory / "0002_receipts_status_skipped.py"
    migration.write_text(migration.read_text().replace(
        'rebuild_table(conn, "receipts", RECEIPTS)',
        'rebuild_table(conn, "receipts", RECEIPTS)\n    conn.execute("DELETE FROM audit_log WHERE id % 2 = 0")',
    ))
    source = populate_source(tmp_path, DataSpec(receipts=20, agents=3), [], "agent-01")
    with pytest.raises(AssertionError, match="rows of audit_log differ from a fresh install"):
        converge(versions, 1, tmp_path, source)
