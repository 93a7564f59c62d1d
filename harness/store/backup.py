"""Online, verified backups: `ggen-db backup`.

The copy is made with SQLite's backup API while writers keep running. The
source connection holds one read transaction for the whole copy, so every
step reads the same snapshot (in WAL mode writers are not blocked and the
copy never restarts), and the row counts taken in that transaction are the
snapshot's. The copy goes to a private temporary file next to DEST, is
verified (integrity_check, foreign_key_check, row counts of every table
equal to the source's), and only then renamed onto DEST. A failed or
interrupted backup therefore never leaves a file at DEST.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from harness.atomic import SQLITE_COMPANIONS, publish, temporary_beside
from harness.engine.db import BUSY_TIMEOUT_MS, existing_file
from harness.engine.introspection import quote_identifier
from harness.errors import GgenDbError, InputError

PAGES_PER_STEP = 1024  # 4 MiB at the default page size: progress moves, each step stays short
SIDECARS = SQLITE_COMPANIONS

Progress = Callable[[int, int], None]  # (pages copied, total pages)


class BackupVerificationError(GgenDbError):
    """The copy does not match the source's snapshot; carries what differed. DEST is left untouched."""

    def __init__(self, source: str, dest: str, problems: tuple[str, ...]) -> None:
        self.source = source
        self.dest = dest
        self.problems = problems
        super().__init__(f"backup of {source} to {dest}: verification failed, DEST not written: {'; '.join(problems)}")


@dataclass(frozen=True)
class BackupResult:
    """A verified backup.

    source, dest: the paths. pages, page_size, size_bytes: what was copied.
    row_counts: rows of every table at the backup's snapshot (equal in source and copy).
    integrity: the copy's PRAGMA integrity_check ("ok"). replaced: an existing DEST was
    overwritten (--force). duration_s: wall time of copy and verification.
    """

    source: str
    dest: str
    pages: int
    page_size: int
    size_bytes: int
    row_counts: Mapping[str, int]
    integrity: str
    replaced: bool
    duration_s: float

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def backup(
    db_path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    force: bool = False,
    pages_per_step: int = PAGES_PER_STEP,
    progress: Progress | None = None,
    argument: str = "DB",
) -> BackupResult:
    """Copy the database at db_path to dest, verify the copy, then publish it (0600).

    Refuses an existing dest unless force; with force, refuses a dest that is
    in use (it has -wal/-shm/-journal files): replacing a live database under
    its writers would lose their writes. argument: how errors about the source
    name it (`bench --db` copies with this too).
    """
    started = time.perf_counter()
    source, target = Path(db_path), Path(dest)
    existing_file(source, argument=argument)
    replaced = _check_dest(source, target, force=force)
    tmp = _private_temp_file(target)
    try:
        with _open_snapshot(source, argument) as snapshot:
            counts = _source_row_counts(snapshot, source, argument)
            pages, page_size = _copy(snapshot, tmp, target, pages_per_step, progress)
        integrity = _verify(tmp, counts, os.fspath(source), os.fspath(target))
        _publish(tmp, target, replace=replaced)
    except BaseException:
        _remove_with_sidecars(tmp)
        raise
    return BackupResult(
        source=os.fspath(source),
        dest=os.fspath(target),
        pages=pages,
        page_size=page_size,
        size_bytes=target.stat().st_size,
        row_counts=MappingProxyType(counts),
        integrity=integrity,
        replaced=replaced,
        duration_s=time.perf_counter() - started,
    )


# ------------------------------------------------------------- preconditions
def _check_dest(source: Path, target: Path, *, force: bool) -> bool:
    """True when an existing dest will be replaced; InputError when it must not be."""
    if not target.parent.is_dir():
        raise InputError(f"DEST {target}: directory {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(f"DEST {target}: directory {target.parent} is not writable")
    if not target.exists():
        return False
    if target.is_dir():
        raise InputError(f"DEST {target}: is a directory; give the backup file's path")
    if target.resolve() == source.resolve():
        raise InputError(f"DEST {target}: is the database itself")
    if not force:
        raise InputError(f"DEST {target}: already exists; pass --force to replace it")
    _ensure_not_in_use(target)
    return True


def _sidecars(path: Path) -> list[str]:
    return [path.name + s for s in SIDECARS if Path(os.fspath(path) + s).exists()]


def _ensure_not_in_use(target: Path) -> None:
    """Refuse to replace a database that a connection still has open.

    Replacing the file under open connections would send their writes to the
    old, unlinked file. -wal/-shm files mean a connection is open, or one was
    not closed cleanly (or was read-only): opening and closing it once clears
    them unless another connection still holds the database.
    """
    if not _sidecars(target):
        return
    try:
        sqlite3.connect(target.resolve().as_uri() + "?mode=rw", uri=True).close()
    except sqlite3.DatabaseError:
        pass  # not a database: nothing can hold it open, --force replaces it
    busy = _sidecars(target)
    if busy:
        raise InputError(
            f"DEST {target}: in use ({', '.join(busy)} present after closing it); "
            "stop its writers and readers before replacing it"
        )


def _private_temp_file(target: Path) -> Path:
    """An empty owner-only (0600) file next to target, so the final rename stays on one filesystem."""
    try:
        return temporary_beside(target, suffix=".backup-tmp", mode=0o600)
    except OSError as e:
        raise InputError(f"DEST {target}: cannot create a file in {target.parent} ({e.strerror})") from e


# ------------------------------------------------------------------ copying
@contextmanager
def _open_snapshot(source: Path, argument: str) -> Iterator[sqlite3.Connection]:
    """A connection holding one read transaction: a fixed snapshot of the source, which it never writes."""
    # Without -wal/-shm beside the source, mode=rw, not ro: nothing is written, but only a read-write
    # connection removes the -wal/-shm files it creates when it is the last to close (mode=rw never
    # creates a missing file). With them (writers at work, or one that crashed with a log not yet
    # checkpointed), mode=ro: a read-only connection reads the log as it is and never checkpoints
    # it into the source, so the source's bytes do not change.
    mode = "ro" if any(Path(f"{source}{suffix}").exists() for suffix in ("-wal", "-shm")) else "rw"
    uri = source.resolve().as_uri() + f"?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read transaction
        except sqlite3.DatabaseError as e:
            raise InputError(f"{argument} {source}: not a readable SQLite database ({e})") from e
        yield conn
    finally:
        conn.close()  # ends the read transaction


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    # The one statement built from text: a table name read from the database's own catalogue,
    # quoted as an identifier (SQLite cannot bind identifiers). No value is ever interpolated.
    return {
        name: conn.execute("SELECT count(*) FROM " + quote_identifier(name)).fetchone()[0]  # noqa: S608
        for name in names
    }


def _source_row_counts(snapshot: sqlite3.Connection, source: Path, argument: str) -> dict[str, int]:
    try:
        return _row_counts(snapshot)
    except sqlite3.DatabaseError as e:  # a damaged table: there is nothing sound to copy
        raise InputError(f"{argument} {source}: cannot be read ({e}); no backup written") from e


def _copy(
    snapshot: sqlite3.Connection, tmp: Path, target: Path, pages_per_step: int, progress: Progress | None
) -> tuple[int, int]:
    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    try:
        copy = sqlite3.connect(os.fspath(tmp), isolation_level=None)
        try:
            snapshot.backup(copy, pages=max(1, pages_per_step), progress=report)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            page_size = copy.execute("PRAGMA page_size").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.Error as e:  # the destination's disk is full or failing
        raise InputError(f"DEST {target}: cannot write the copy ({e}); nothing written") from e
    return int(pages), int(page_size)


# -------------------------------------------------------------- verifying
def _verify(tmp: Path, expected: Mapping[str, int], source: str, dest: str) -> str:
    # Read-write on purpose: the copy is in WAL mode like its source, and only a
    # read-write connection removes the -wal/-shm files it creates when it closes.
    conn = sqlite3.connect(os.fspath(tmp), isolation_level=None)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        found = _row_counts(conn)
    except sqlite3.DatabaseError as e:  # damage the source's own reads did not reach
        raise BackupVerificationError(source, dest, (f"the copy is damaged ({e}), so the source is",)) from e
    finally:
        conn.close()
    problems = [f"{name} left behind" for name in _sidecars(tmp)]
    if integrity != [("ok",)]:
        problems.append("integrity_check: " + ", ".join(str(r[0]) for r in integrity[:5]))
    if orphans:
        problems.append(f"foreign_key_check: {len(orphans)} orphan rows")
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            problems.append(f"{table}: {found.get(table)} rows, source had {expected.get(table)}")
    if problems:
        raise BackupVerificationError(source, dest, tuple(problems))
    return "ok"


# -------------------------------------------------------------- publishing
def _publish(tmp: Path, target: Path, *, replace: bool) -> None:
    """Make the verified copy durable, then move it to target atomically; never clobber without replace."""
    try:
        publish(tmp, target, overwrite=replace, durable=True)
    except FileExistsError as e:
        raise InputError(f"DEST {target}: already exists; pass --force to replace it") from e
    except OSError as e:
        raise InputError(f"DEST {target}: cannot be written ({e.strerror}); nothing written") from e


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", *SIDECARS):
        Path(os.fspath(path) + suffix).unlink(missing_ok=True)
