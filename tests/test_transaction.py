"""harness.engine.db.transaction: the one BEGIN ... COMMIT / ROLLBACK block every writer uses."""

from __future__ import annotations

import sqlite3

import pytest

from harness.engine import db


@pytest.fixture
def conn() -> sqlite3.Connection:
    c = db.connect_memory()
    c.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    c.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
              "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    return c


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM parent").fetchone()[0])


def test_commits_a_block_that_ends_normally(conn: sqlite3.Connection) -> None:
    with db.transaction(conn):
        conn.execute("INSERT INTO parent VALUES (1)")
        assert conn.in_transaction
    assert not conn.in_transaction and _count(conn) == 1


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_rolls_back_on_any_exception_and_reraises(conn: sqlite3.Connection, error: type[BaseException]) -> None:
    with pytest.raises(error), db.transaction(conn):
        conn.execute("INSERT INTO parent VALUES (1)")
        raise error
    assert not conn.in_transaction and _count(conn) == 0


def test_a_block_may_end_the_transaction_itself(conn: sqlite3.Connection) -> None:
    with db.transaction(conn):
        conn.execute("INSERT INTO parent VALUES (1)")
        conn.execute("ROLLBACK")
    assert _count(conn) == 0


def test_a_failing_commit_rolls_back(conn: sqlite3.Connection) -> None:
    # a deferred foreign key is checked at COMMIT, which fails and leaves the transaction open
    with pytest.raises(sqlite3.IntegrityError), db.transaction(conn):
        conn.execute("INSERT INTO parent VALUES (1)")
        conn.execute("INSERT INTO child VALUES (1, 99)")
    assert not conn.in_transaction and _count(conn) == 0


@pytest.mark.parametrize("mode", ["DEFERRED", "IMMEDIATE", "EXCLUSIVE"])
def test_begins_in_the_mode_asked(conn: sqlite3.Connection, mode: str) -> None:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    with db.transaction(conn, mode):
        pass
    assert statements == [f"BEGIN {mode}", "COMMIT"]


def test_refuses_an_unknown_mode(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="DEFERRED, IMMEDIATE or EXCLUSIVE"):
        db.transaction(conn, "IMMEDIATE; DROP TABLE parent")
