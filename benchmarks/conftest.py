"""pytest-benchmark wiring for the SLO targets: options and the databases they run on.

Options (group "ggen-db benchmarks"):
  --ggen-scale SCALE         data scale: 1k, 10k (default, for CI), 100k or 1m
  --ggen-durability MODE     normal (default) or full: synchronous in WAL mode
  --ggen-quick               each workload's quick round count

Real runs: pytest benchmarks --benchmark-enable --ggen-scale 100k
CI (`pytest`, benchmarks disabled): every target runs once at 10k as a smoke test.
Databases come from harness.bench.datagen's cache ($GGEN_DB_CACHE, else ~/.cache/ggen-db).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.bench.runner import DURABILITIES
from harness.bench.scales import SCALES, scale_name

SCALE_OPTION = "--ggen-scale"
DURABILITY_OPTION = "--ggen-durability"
QUICK_OPTION = "--ggen-quick"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ggen-db benchmarks")
    group.addoption(SCALE_OPTION, metavar="SCALE", default="10k", type=scale_name,
                    help=f"data scale of the SLO benchmarks: {', '.join(SCALES)}. Default: 10k")
    group.addoption(DURABILITY_OPTION, metavar="MODE", default="normal", choices=DURABILITIES,
                    help="synchronous=NORMAL or FULL (WAL either way). Default: normal")
    group.addoption(QUICK_OPTION, action="store_true", default=False,
                    help="use each workload's quick round count. Default: off")


@pytest.fixture(scope="session")
def scale(request: pytest.FixtureRequest) -> str:
    value: str = request.config.getoption(SCALE_OPTION)
    return value


@pytest.fixture(scope="session")
def durability(request: pytest.FixtureRequest) -> str:
    value: str = request.config.getoption(DURABILITY_OPTION)
    return value


@pytest.fixture(scope="session")
def quick(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption(QUICK_OPTION))


@pytest.fixture(scope="session")
def cached_db(scale: str) -> Path:
    from harness.bench import datagen

    return datagen.cached_database(datagen.DataSpec.for_scale(scale))


@pytest.fixture(scope="session")
def read_db(cached_db: Path, durability: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A working copy for the read targets (statistics removed), shared by all of them."""
    yield from _working_copy(cached_db, durability, tmp_path_factory.mktemp("read") / "bench.db")


@pytest.fixture
def write_db(cached_db: Path, durability: str, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A fresh working copy per write target: each starts at the scale. Its checkpoints run off the
    commits, as Store.open runs them (the read targets get no such thread: it would be timed with them)."""
    from harness.store.checkpoint import Checkpointer

    target = tmp_path / "bench.db"
    for conn in _working_copy(cached_db, durability, target):
        with Checkpointer(target):
            yield conn


def _working_copy(cached: Path, durability: str, target: Path) -> Iterator[sqlite3.Connection]:
    from harness.bench.runner import copy_database, drop_statistics
    from harness.engine import db

    copy_database(cached, target)
    conn = db.connect(target, durability=durability)
    drop_statistics(conn)
    yield conn
    conn.close()
