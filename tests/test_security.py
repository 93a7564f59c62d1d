"""Security hygiene: SQL is never built from data (ruff S608, shown to work), files are owner-only.

(Escaping in the reports is tested with the reports.)
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness.engine.db
from harness.changes.install import init_database
from harness.ingest.runner import ingest
from harness.store.backup import backup
from harness.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PLANTED = '''\
import sqlite3


def delete_agent(conn: sqlite3.Connection, agent_id: str) -> None:
    conn.execute(f"DELETE FROM audit_log WHERE agent_id = '{agent_id}'")


def by_status(conn: sqlite3.Connection, status: str) -> list:
    return conn.execute("SELECT * FROM receipts WHERE status = '%s'" % status).fetchall()


def by_agent(conn: sqlite3.Connection, agent: str) -> list:
    return conn.execute("SELECT * FROM receipts WHERE agent_id = '" + agent + "'").fetchall()


def by_id(conn: sqlite3.Connection, execution_id: str) -> list:
    return conn.execute("SELECT * FROM receipts WHERE execution_id = '{}'".format(execution_id)).fetchall()
'''


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False, timeout=120)


# ---------------------------------------------------------------- S608
def test_the_bandit_rules_are_enabled_for_the_package() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    lint = tomllib.loads(PYPROJECT.read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"] or "S608" in lint["select"]
    assert "S608" not in lint.get("ignore", []) and "S" not in lint.get("ignore", [])
    for pattern, ignored in lint.get("per-file-ignores", {}).items():
        assert "S608" not in ignored and "S" not in ignored, f"S608 switched off for {pattern}"


def test_the_package_passes_s608() -> None:
    done = ruff("check", "--no-cache", "--select", "S608", "harness")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_planted_string_built_query_is_flagged(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(PLANTED)
    done = ruff("check", "--no-cache", "--config", str(PYPROJECT), "--output-format", "concise", str(planted))
    assert done.returncode == 1
    flagged = sorted(int(m) for m in re.findall(r"planted\.py:(\d+):\d+: S608", done.stdout))
    assert flagged == [5, 9, 13, 17], done.stdout  # f-string, %, +, .format: all four


def test_no_blanket_noqa_hides_s608_in_the_package() -> None:
    """A bare `# noqa` silences every rule, S608 included; suppressions must name their code."""
    bare = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"#\s*noqa(?!:)", line, re.IGNORECASE):
                bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []


# ------------------------------------------------------------ file modes
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The worst case: a umask that lets every file be world-readable."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_init_creates_an_owner_only_database_and_sidecars(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "new" / "ggen.db"
    init_database(path)
    assert mode(path) == 0o600
    with Store.open(path) as store:  # an open connection keeps -wal and -shm
        store.record_audit({"timestamp": "2026-01-29T12:00:00Z", "agent_id": "a", "operation": "x",
                            "status": "started"})
        for sidecar in ("-wal", "-shm"):
            assert mode(Path(f"{path}{sidecar}")) == 0o600, sidecar


def test_backup_creates_an_owner_only_copy(tmp_path: Path, permissive_umask: None) -> None:
    source = tmp_path / "ggen.db"
    init_database(source)
    dest = tmp_path / "copy.db"
    dest.write_text("old, world-readable")
    dest.chmod(0o644)
    backup(source, dest, force=True)
    assert mode(dest) == 0o600
    with Store.open(dest) as store:
        store.record_audit({"timestamp": "2026-01-29T12:00:00Z", "agent_id": "a", "operation": "x",
                            "status": "started"})
        assert mode(Path(f"{dest}-wal")) == 0o600


def test_ingest_creates_no_readable_files(tmp_path: Path, permissive_umask: None) -> None:
    database = tmp_path / "ggen.db"
    init_database(database)
    before = {p.name for p in tmp_path.iterdir()}
    source = tmp_path / "in.jsonl"
    source.write_text('{"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a", "operation": "x", '
                      '"status": "started"}\n')
    with source.open("rb") as stream:
        read, write = os.pipe()  # a pipe is spooled to a temporary file: it must not be readable by others
        os.write(write, stream.read())
        os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert ingest(database, pipe).ok
    assert {p.name for p in tmp_path.iterdir()} == before | {"in.jsonl"}
    assert mode(database) == 0o600


def test_a_connection_to_a_new_path_creates_an_owner_only_file(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "created-by-connect.db"
    conn = harness.engine.db.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    try:
        assert mode(path) == 0o600 and mode(Path(f"{path}-wal")) == 0o600
    finally:
        conn.close()
