"""Every command, every unusable input: exit status 2 and ONE line on stderr, never a traceback.

Inputs: missing, unreadable, read-only, corrupt and truncated database files,
directories where files belong, a malformed --schema, unknown options.

Tests may run as root, and root reads and writes any file whatever its mode:
- "unreadable" is chmod 000 for other users; for root it is a path that runs
  through a regular file (ENOTDIR), which no user can open;
- "read-only" is chmod 0444 for other users; for root it is an immutable file
  (chattr +i), and the case is skipped where chattr is not permitted;
- a backup replacing a read-only DEST needs an immutable one (a user may rename
  over its own read-only file), so that case runs only as root.

Each case states the exact line: what the door says, naming the argument and the rule.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import workers

from harness.changes.install import init_database
from harness.cli import main
from harness.store.store import Store

IS_ROOT = os.geteuid() == 0
UNKNOWN_OPTION_LINE = "Error: ggen-db: unrecognized arguments: --frobnicate (see --help)"
BAD_SCHEMA_LINE = ('Error: {root}/bad-schema.sql: statement does not load (near ";": syntax error): '
                   "CREATE TABLE receipts (id INTEGER PRIMARY KEY;")


def _as_root_else(as_root: str, as_user: str) -> str:
    """What a door says about an unreadable input, which root and other users are given differently."""
    return as_root if IS_ROOT else as_user


class Unavailable(Exception):
    """This machine cannot make the input a case needs."""


@dataclass
class Files:
    """The bad inputs, built once per test in tmp_path."""

    root: Path
    good: Path
    garbage: Path
    corrupt: Path
    truncated: Path
    damaged_table: Path
    empty: Path
    directory: Path
    regular: Path
    bad_schema: Path
    jsonl: Path
    read_only: Path | None
    unreadable_db: Path
    unreadable_file: Path

    def missing(self, name: str) -> Path:
        return self.root / name

    def read_only_db(self) -> Path:
        if self.read_only is None:
            raise Unavailable("no way to make a read-only file here (root without chattr +i)")
        return self.read_only

    def immutable_db(self) -> Path:
        """A file that not even a rename replaces: a user may replace its own read-only file."""
        if not IS_ROOT:
            raise Unavailable("only root can make an immutable file (chattr +i)")
        return self.read_only_db()

    def expected(self, line: str) -> str:
        return line.format(root=self.root, unreadable_db=self.unreadable_db, unreadable_file=self.unreadable_file)


def _immutable(path: Path) -> bool:
    if not IS_ROOT:
        path.chmod(0o444)
        return True
    chattr = shutil.which("chattr")
    done = chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False).returncode == 0
    return bool(done)


def _unreadable(root: Path, source: Path, name: str) -> Path:
    if not IS_ROOT:
        target = root / name
        shutil.copy(source, target)
        target.chmod(0o000)
        return target
    return root / "regular.txt" / name  # ENOTDIR, for root too


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    """Built once: every command below must fail without changing any of them."""
    tmp_path = tmp_path_factory.mktemp("bad-inputs")
    good = tmp_path / "good.db"
    init_database(good)
    data = good.read_bytes()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database " * 400)
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(data[:100] + bytes(range(256)) * ((len(data) - 100) // 256))
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(data[: len(data) // 3])
    damaged = tmp_path / "damaged.db"
    init_database(damaged)
    with Store.open(damaged) as store:
        store.record_receipts(workers.bundle("d", i) for i in range(1500))
    reader = sqlite3.connect(damaged)
    roots = [r for (r,) in reader.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'receipts' AND rootpage > 0")]
    (page_size,) = reader.execute("PRAGMA page_size").fetchone()
    reader.close()
    with damaged.open("r+b") as f:  # the root pages of receipts and its indexes overwritten: the header is fine
        for root in roots:
            f.seek((root - 1) * page_size)
            f.write(b"\xa5" * page_size)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    directory = tmp_path / "a-directory"
    directory.mkdir()
    regular = tmp_path / "regular.txt"
    regular.write_text("a file, not a directory")
    bad_schema = tmp_path / "bad-schema.sql"
    bad_schema.write_text("CREATE TABLE receipts (id INTEGER PRIMARY KEY;\n")
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"kind": "audit", "timestamp": "2026-01-29T12:00:00Z", "agent_id": "a", "operation": "x", '
                     '"status": "completed"}\n')
    read_only = tmp_path / "read-only.db"
    shutil.copy(good, read_only)
    made_read_only = _immutable(read_only)
    files = Files(
        root=tmp_path, good=good, garbage=garbage, corrupt=corrupt, truncated=truncated, damaged_table=damaged,
        empty=empty, directory=directory, regular=regular, bad_schema=bad_schema, jsonl=jsonl,
        read_only=read_only if made_read_only else None,
        unreadable_db=_unreadable(tmp_path, good, "unreadable.db"),
        unreadable_file=_unreadable(tmp_path, jsonl, "unreadable.jsonl"),
    )
    yield files
    if IS_ROOT and made_read_only:
        subprocess.run(["chattr", "-i", str(read_only)], check=False)


Argv = Callable[[Files], list[str]]
# (case id, argv, the one line on stderr, exactly: {root} is the directory of the bad inputs,
# {unreadable_db} and {unreadable_file} the unreadable ones)
CASES: list[tuple[str, Argv, str]] = [
    ("init: DB is a directory", lambda f: ["init", str(f.directory)],
     "Error: DB {root}/a-directory: is a directory, not a database file"),
    ("init: DB under a regular file", lambda f: ["init", str(f.regular / "x.db")],
     "Error: DB {root}/regular.txt/x.db: cannot create its directory (File exists)"),
    ("init: DB is not a database", lambda f: ["init", str(f.garbage)],
     "Error: DB {root}/garbage.db: not a SQLite database (file is not a database)"),
    ("init: DB corrupt", lambda f: ["init", str(f.corrupt)],
     "Error: DB {root}/corrupt.db: not a SQLite database (database disk image is malformed)"),
    ("init: DB truncated", lambda f: ["init", str(f.truncated)],
     "Error: DB {root}/truncated.db: not a SQLite database (database disk image is malformed)"),
    ("init: DB read-only", lambda f: ["init", str(f.read_only_db())], "Error: DB {root}/read-only.db: not writable"),
    ("init: malformed --schema", lambda f: ["init", "--schema", str(f.bad_schema), str(f.missing("n.db"))],
     BAD_SCHEMA_LINE),
    ("init: missing --schema", lambda f: ["init", "--schema", str(f.missing("no.sql")), str(f.missing("n.db"))],
     "Error: --schema {root}/no.sql: no such file"),
    ("init: unknown option", lambda f: ["init", "--frobnicate"], UNKNOWN_OPTION_LINE),
    ("check: missing --db", lambda f: ["check", "--db", str(f.missing("no.db"))],
     "Error: --db {root}/no.db: no such file"),
    ("check: --db is a directory", lambda f: ["check", "--db", str(f.directory)],
     "Error: --db {root}/a-directory: is a directory, not a database file"),
    ("check: --db is not a database", lambda f: ["check", "--db", str(f.garbage)],
     "Error: --db {root}/garbage.db: not a SQLite database (file is not a database)"),
    ("check: --db corrupt", lambda f: ["check", "--db", str(f.corrupt)],
     "Error: --db {root}/corrupt.db: not a SQLite database (database disk image is malformed)"),
    ("check: --db truncated", lambda f: ["check", "--db", str(f.truncated)],
     "Error: --db {root}/truncated.db: not a SQLite database (database disk image is malformed)"),
    ("check: --db unreadable", lambda f: ["check", "--db", str(f.unreadable_db)],
     "Error: --db {unreadable_db}: " + _as_root_else("no such file", "not readable")),
    ("check: malformed --schema", lambda f: ["check", "--schema", str(f.bad_schema)], BAD_SCHEMA_LINE),
    ("check: missing --schema", lambda f: ["check", "--schema", str(f.missing("no.sql"))],
     "Error: --schema {root}/no.sql: no such file"),
    ("check: unknown option", lambda f: ["check", "--frobnicate"], UNKNOWN_OPTION_LINE),
    ("ingest: missing DB", lambda f: ["ingest", str(f.missing("no.db")), str(f.jsonl)],
     "Error: DB {root}/no.db: no such file (create it with: ggen-db init {root}/no.db)"),
    ("ingest: DB is a directory", lambda f: ["ingest", str(f.directory), str(f.jsonl)],
     "Error: DB {root}/a-directory: not a regular file"),
    ("ingest: DB is not a database", lambda f: ["ingest", str(f.garbage), str(f.jsonl)],
     "Error: DB {root}/garbage.db: cannot be written (file is not a database); nothing was written"),
    ("ingest: DB corrupt", lambda f: ["ingest", str(f.corrupt), str(f.jsonl)],
     "Error: DB {root}/corrupt.db: cannot be written (database disk image is malformed); nothing was written"),
    ("ingest: DB truncated", lambda f: ["ingest", str(f.truncated), str(f.jsonl)],
     "Error: DB {root}/truncated.db: cannot be written (database disk image is malformed); nothing was written"),
    ("ingest: DB empty, no schema", lambda f: ["ingest", str(f.empty), str(f.jsonl)],
     "Error: DB {root}/empty.db: has no ggen-db schema (no such table: audit_log); "
     "create it with: ggen-db init {root}/empty.db"),
    ("ingest: DB read-only", lambda f: ["ingest", str(f.read_only_db()), str(f.jsonl)],
     "Error: DB {root}/read-only.db: not writable"),
    ("ingest: DB unreadable", lambda f: ["ingest", str(f.unreadable_db), str(f.jsonl)],
     "Error: DB {unreadable_db}: "
     + _as_root_else("no such file (create it with: ggen-db init {unreadable_db})", "not writable")),
    ("ingest: missing FILE", lambda f: ["ingest", str(f.good), str(f.missing("no.jsonl"))],
     "Error: FILE {root}/no.jsonl: cannot read (No such file or directory)"),
    ("ingest: FILE is a directory", lambda f: ["ingest", str(f.good), str(f.directory)],
     "Error: FILE {root}/a-directory: is a directory"),
    ("ingest: FILE unreadable", lambda f: ["ingest", str(f.good), str(f.unreadable_file)],
     "Error: FILE {unreadable_file}: cannot read (" + _as_root_else("Not a directory", "Permission denied") + ")"),
    ("ingest: FILE argument missing", lambda f: ["ingest", str(f.good)],
     "Error: ggen-db ingest: the following arguments are required: FILE (see --help)"),
    ("ingest: unknown option", lambda f: ["ingest", "--frobnicate", str(f.good), str(f.jsonl)], UNKNOWN_OPTION_LINE),
    ("backup: missing DB", lambda f: ["backup", str(f.missing("no.db")), str(f.missing("c.db"))],
     "Error: DB {root}/no.db: no such file"),
    ("backup: DB is a directory", lambda f: ["backup", str(f.directory), str(f.missing("c.db"))],
     "Error: DB {root}/a-directory: not a regular file"),
    ("backup: DB is not a database", lambda f: ["backup", str(f.garbage), str(f.missing("c.db"))],
     "Error: DB {root}/garbage.db: not a readable SQLite database (file is not a database)"),
    ("backup: DB corrupt", lambda f: ["backup", str(f.corrupt), str(f.missing("c.db"))],
     "Error: DB {root}/corrupt.db: not a readable SQLite database (database disk image is malformed)"),
    ("backup: DB truncated", lambda f: ["backup", str(f.truncated), str(f.missing("c.db"))],
     "Error: DB {root}/truncated.db: not a readable SQLite database (database disk image is malformed)"),
    ("backup: DB with a damaged table", lambda f: ["backup", str(f.damaged_table), str(f.missing("c.db"))],
     "Error: DB {root}/damaged.db: cannot be read (database disk image is malformed); no backup written"),
    ("backup: DB unreadable", lambda f: ["backup", str(f.unreadable_db), str(f.missing("c.db"))],
     "Error: DB {unreadable_db}: " + _as_root_else("no such file", "not readable")),
    ("backup: DEST exists", lambda f: ["backup", str(f.good), str(f.regular)],
     "Error: DEST {root}/regular.txt: already exists; pass --force to replace it"),
    ("backup: DEST is a directory", lambda f: ["backup", str(f.good), str(f.directory)],
     "Error: DEST {root}/a-directory: is a directory; give the backup file's path"),
    ("backup: DEST directory missing", lambda f: ["backup", str(f.good), str(f.missing("no/c.db"))],
     "Error: DEST {root}/no/c.db: directory {root}/no does not exist"),
    ("backup: DEST immutable, --force", lambda f: ["backup", "--force", str(f.good), str(f.immutable_db())],
     "Error: DEST {root}/read-only.db: cannot be written (Operation not permitted); nothing written"),
    ("backup: unknown option", lambda f: ["backup", "--frobnicate", str(f.good), str(f.missing("c.db"))],
     UNKNOWN_OPTION_LINE),
    ("bench: malformed --schema", lambda f: ["bench", "--schema", str(f.bad_schema), "--scale", "1k", "--quick"],
     BAD_SCHEMA_LINE),
    ("bench: missing --schema", lambda f: ["bench", "--schema", str(f.missing("no.sql")), "--scale", "1k"],
     "Error: --schema {root}/no.sql: no such file"),
    ("bench: unknown scale", lambda f: ["bench", "--scale", "7x"],
     "Error: ggen-db bench: argument --scale: 7x: must be one of 1k, 10k, 100k, 1m (see --help)"),
    ("bench: unknown option", lambda f: ["bench", "--frobnicate"], UNKNOWN_OPTION_LINE),
    ("signoff: --out is a file", lambda f: ["signoff", "--out", str(f.regular), "--scale", "1k", "--quick"],
     "Error: --out {root}/regular.txt: is a file; give a directory"),
    ("signoff: unknown option", lambda f: ["signoff", "--frobnicate"], UNKNOWN_OPTION_LINE),
    ("signoff: malformed --schema",
     lambda f: ["signoff", "--schema", str(f.bad_schema), "--out", str(f.missing("so")), "--scale", "1k", "--quick"],
     BAD_SCHEMA_LINE),
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in this process; any exception other than SystemExit is a traceback a user would see."""
    try:
        code = main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("argv,line", [pytest.param(argv, line, id=case_id) for case_id, argv, line in CASES])
def test_exit_2_and_one_exact_error_line(files: Files, capsys: pytest.CaptureFixture[str], argv: Argv,
                                         line: str) -> None:
    try:
        args = argv(files)
    except Unavailable as e:
        pytest.skip(str(e))
    code, err = run(args, capsys)
    assert (code, err) == (2, files.expected(line) + "\n")


def test_nothing_is_left_behind_by_failed_commands(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in files.root.iterdir())
    ran = 0
    for _, argv, _ in CASES:
        with contextlib.suppress(Unavailable):
            args = argv(files)
            if args[0] in ("init", "ingest", "backup"):
                assert run(args, capsys)[0] == 2
                ran += 1
    assert ran >= 30
    assert sorted(p.name for p in files.root.iterdir()) == before


@pytest.mark.parametrize("command", ["init", "check", "ingest", "backup", "bench", "signoff"])
def test_the_console_script_never_shows_a_traceback(tmp_path: Path, command: str) -> None:
    """The real process: an unknown option, then a path that is a directory, through `python -m harness`."""
    directory = tmp_path / "dir"
    directory.mkdir()
    positional = {"init": [str(directory)], "check": ["--db", str(directory)], "ingest": [str(directory), "x"],
                  "backup": [str(directory), str(tmp_path / "c.db")], "bench": ["--schema", str(directory)],
                  "signoff": ["--schema", str(directory), "--out", str(tmp_path / "so")]}[command]
    for args in (["--frobnicate"], positional):
        done = subprocess.run([sys.executable, "-m", "harness", command, *args], capture_output=True, text=True,
                              check=False, timeout=300)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
