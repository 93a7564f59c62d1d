"""Every command, every unusable input: exit status 2 and ONE line on stderr, never a traceback.

Inputs: missing, unreadable, read-only, corrupt and truncated database files,
directories where files belong, a malformed --schema, unknown options.

Tests may run as root, and root reads and writes any file whatever its mode:
- "unreadable" is chmod 000 for other users; for root it is a path that runs
  through a regular file (ENOTDIR), which no user can open;
- "read-only" is chmod 0444 for other users; for root it is an immutable file
  (chattr +i), and the case is skipped where chattr is not permitted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import workers

from harness.changes.install import init_database
from harness.cli import main
from harness.store.store import Store

IS_ROOT = os.geteuid() == 0


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
    size = damaged.stat().st_size
    with damaged.open("r+b") as f:  # pages in the middle of the data overwritten: the header is fine
        f.seek(size // 2)
        f.write(b"\xa5" * 12288)
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
CASES: list[tuple[str, Argv, str]] = [
    # (case id, argv, text the one line must contain)
    ("init: DB is a directory", lambda f: ["init", str(f.directory)], "a-directory"),
    ("init: DB under a regular file", lambda f: ["init", str(f.regular / "x.db")], "regular.txt"),
    ("init: DB is not a database", lambda f: ["init", str(f.garbage)], "garbage.db"),
    ("init: DB corrupt", lambda f: ["init", str(f.corrupt)], "corrupt.db"),
    ("init: DB truncated", lambda f: ["init", str(f.truncated)], "truncated.db"),
    ("init: DB read-only", lambda f: ["init", str(f.read_only)], "read-only.db"),
    ("init: malformed --schema", lambda f: ["init", "--schema", str(f.bad_schema), str(f.missing("n.db"))],
     "bad-schema.sql"),
    ("init: missing --schema", lambda f: ["init", "--schema", str(f.missing("no.sql")), str(f.missing("n.db"))],
     "no.sql"),
    ("init: unknown option", lambda f: ["init", "--frobnicate"], "--frobnicate"),
    ("check: missing --db", lambda f: ["check", "--db", str(f.missing("no.db"))], "no.db"),
    ("check: --db is a directory", lambda f: ["check", "--db", str(f.directory)], "is a directory"),
    ("check: --db is not a database", lambda f: ["check", "--db", str(f.garbage)], "garbage.db"),
    ("check: --db corrupt", lambda f: ["check", "--db", str(f.corrupt)], "corrupt.db"),
    ("check: --db truncated", lambda f: ["check", "--db", str(f.truncated)], "truncated.db"),
    ("check: --db unreadable", lambda f: ["check", "--db", str(f.unreadable_db)], "unreadable.db"),
    ("check: malformed --schema", lambda f: ["check", "--schema", str(f.bad_schema)], "bad-schema.sql"),
    ("check: missing --schema", lambda f: ["check", "--schema", str(f.missing("no.sql"))], "no.sql"),
    ("check: unknown option", lambda f: ["check", "--frobnicate"], "--frobnicate"),
    ("ingest: missing DB", lambda f: ["ingest", str(f.missing("no.db")), str(f.jsonl)], "no.db"),
    ("ingest: DB is a directory", lambda f: ["ingest", str(f.directory), str(f.jsonl)], "a-directory"),
    ("ingest: DB is not a database", lambda f: ["ingest", str(f.garbage), str(f.jsonl)], "garbage.db"),
    ("ingest: DB corrupt", lambda f: ["ingest", str(f.corrupt), str(f.jsonl)], "corrupt.db"),
    ("ingest: DB truncated", lambda f: ["ingest", str(f.truncated), str(f.jsonl)], "truncated.db"),
    ("ingest: DB empty, no schema", lambda f: ["ingest", str(f.empty), str(f.jsonl)], "empty.db"),
    ("ingest: DB read-only", lambda f: ["ingest", str(f.read_only), str(f.jsonl)], "read-only.db"),
    ("ingest: DB unreadable", lambda f: ["ingest", str(f.unreadable_db), str(f.jsonl)], "unreadable.db"),
    ("ingest: missing FILE", lambda f: ["ingest", str(f.good), str(f.missing("no.jsonl"))], "no.jsonl"),
    ("ingest: FILE is a directory", lambda f: ["ingest", str(f.good), str(f.directory)], "a-directory"),
    ("ingest: FILE unreadable", lambda f: ["ingest", str(f.good), str(f.unreadable_file)], "unreadable.jsonl"),
    ("ingest: FILE argument missing", lambda f: ["ingest", str(f.good)], "FILE"),
    ("ingest: unknown option", lambda f: ["ingest", "--frobnicate", str(f.good), str(f.jsonl)], "--frobnicate"),
    ("backup: missing DB", lambda f: ["backup", str(f.missing("no.db")), str(f.missing("c.db"))], "no.db"),
    ("backup: DB is a directory", lambda f: ["backup", str(f.directory), str(f.missing("c.db"))], "a-directory"),
    ("backup: DB is not a database", lambda f: ["backup", str(f.garbage), str(f.missing("c.db"))], "garbage.db"),
    ("backup: DB corrupt", lambda f: ["backup", str(f.corrupt), str(f.missing("c.db"))], "corrupt.db"),
    ("backup: DB truncated", lambda f: ["backup", str(f.truncated), str(f.missing("c.db"))], "truncated.db"),
    ("backup: DB with a damaged table", lambda f: ["backup", str(f.damaged_table), str(f.missing("c.db"))],
     "damaged.db"),
    ("backup: DB unreadable", lambda f: ["backup", str(f.unreadable_db), str(f.missing("c.db"))], "unreadable.db"),
    ("backup: DEST exists", lambda f: ["backup", str(f.good), str(f.regular)], "--force"),
    ("backup: DEST is a directory", lambda f: ["backup", str(f.good), str(f.directory)], "a-directory"),
    ("backup: DEST directory missing", lambda f: ["backup", str(f.good), str(f.missing("no/c.db"))], "no"),
    ("backup: DEST read-only, --force", lambda f: ["backup", "--force", str(f.good), str(f.read_only)],
     "read-only.db"),
    ("backup: unknown option", lambda f: ["backup", "--frobnicate", str(f.good), str(f.missing("c.db"))],
     "--frobnicate"),
    ("bench: malformed --schema", lambda f: ["bench", "--schema", str(f.bad_schema), "--scale", "1k", "--quick"],
     "bad-schema.sql"),
    ("bench: missing --schema", lambda f: ["bench", "--schema", str(f.missing("no.sql")), "--scale", "1k"], "no.sql"),
    ("bench: unknown scale", lambda f: ["bench", "--scale", "7x"], "7x"),
    ("bench: unknown option", lambda f: ["bench", "--frobnicate"], "--frobnicate"),
    ("signoff: --out is a file", lambda f: ["signoff", "--out", str(f.regular), "--scale", "1k", "--quick"],
     "regular.txt"),
    ("signoff: unknown option", lambda f: ["signoff", "--frobnicate"], "--frobnicate"),
]
KNOWN_DEFECTS: dict[str, str] = {}
CASES.append(("signoff: malformed --schema",
              lambda f: ["signoff", "--schema", str(f.bad_schema), "--out", str(f.missing("so")), "--scale", "1k",
                         "--quick"],
              "bad-schema.sql"))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in this process; any exception other than SystemExit is a traceback a user would see."""
    try:
        code = main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().err


def params() -> list[Any]:
    out: list[Any] = []
    for case_id, argv, expected in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[case_id])] if case_id in KNOWN_DEFECTS else []
        out.append(pytest.param(argv, expected, id=case_id, marks=marks))
    return out


@pytest.mark.parametrize("argv,expected", params())
def test_exit_2_and_one_clear_line(files: Files, capsys: pytest.CaptureFixture[str], argv: Argv, expected: str) -> None:
    args = argv(files)
    if any(a == "None" for a in args):
        pytest.skip("no way to make a read-only file here (root without chattr +i)")
    code, err = run(args, capsys)
    assert "Traceback" not in err
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    assert err.startswith("Error: ") and expected in err, err


def test_nothing_is_left_behind_by_failed_commands(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in files.root.iterdir())
    for _, argv, _ in CASES:
        args = argv(files)
        if "None" not in args and args[0] in ("init", "ingest", "backup"):
            run(args, capsys)
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
        assert "Traceback" not in done.stderr
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[-1].startswith("Error: "), done.stderr
