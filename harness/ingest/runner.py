"""Bulk loading of JSON Lines files: `ggen-db ingest`.

Each line is one object whose `kind` names the table (harness/ingest/format.py,
harness/contract/formats/ingest.schema.json). Two passes over the file:

1. Judge every line on its own, without the database (harness/ingest/lines.py):
   UTF-8, JSON, the ingest schema, the contract's row rules, children after
   their receipt. Every bad line is reported with its number.
2. Write the good lines in one transaction (BEGIN IMMEDIATE), receipts in
   batches. What only the database can judge (a duplicate execution_id, a
   collision's unknown session) is reported here, by line too.

By default a single rejected line means nothing is written (the write pass
still runs, then rolls back, so that the database's refusals are reported
too). With skip_invalid the good lines are committed and the rest reported.
Judging first keeps the write lock for the write phase only; other writers
wait for it, and ingest waits for its turn like any store writer (busy
timeout, then retries). Memory stays flat: lines are streamed, never kept
(stdin is spooled to a temporary file for the second pass).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.errors import InputError, Problem, ValidationError
from harness.ingest.format import default_format
from harness.ingest.lines import CHILD_KINDS, LineJudge, Rejected, is_blank, parse_line, read_lines
from harness.store.sqlite_errors import is_busy
from harness.store.store import ReceiptBundle, Store

BATCH_RECEIPTS = 500  # receipts per executemany batch: big enough to amortize, small enough to stay flat
MAX_REPORTED_ERRORS = 10_000  # every rejected line is counted; the first ones are kept with their reason
PROGRESS_EVERY_LINES = 2_000

Progress = Callable[[int, int], None]  # (bytes processed over both passes, total or 0 while unknown)


@dataclass(frozen=True)
class LineError:
    """One rejected line: its number (from 1) and the problem, in the contract's words."""

    line: int
    problem: Problem

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


@dataclass(frozen=True)
class IngestResult:
    """What ingest did.

    lines: lines read (blank lines included); blank: blank lines skipped.
    accepted: lines written (0 unless committed). rejected: lines refused.
    errors: the first MAX_REPORTED_ERRORS rejected lines, in line order, with the reason.
    committed: the write transaction was committed (False: nothing was written).
    written: rows committed per kind.
    judge_s: the first pass (no lock). lock_wait_s: waiting for the write lock.
    lock_held_s: the write pass, during which other writers wait (their busy timeout is 5 s).
    """

    source: str
    lines: int
    blank: int
    accepted: int
    rejected: int
    committed: bool
    skip_invalid: bool
    errors: tuple[LineError, ...]
    written: dict[str, int] = field(default_factory=dict)
    judge_s: float = 0.0
    lock_wait_s: float = 0.0
    lock_held_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Every line was written."""
        return self.rejected == 0 and self.committed

    @property
    def unreported(self) -> int:
        return self.rejected - len(self.errors)


def ingest(
    db_path: str | os.PathLike[str],
    source: str | os.PathLike[str] | IO[bytes],
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_receipts: int = BATCH_RECEIPTS,
) -> IngestResult:
    """Load a JSON Lines file (a path, or a binary stream such as stdin) into the existing database db_path."""
    path = _existing_database(db_path)
    report = _Report(progress, skip_invalid)
    with _seekable_source(source) as (stream, name, size, spool):
        report.total = 2 * size
        started = time.monotonic()
        bad = _judge(stream, spool, report)
        report.judge_s = time.monotonic() - started
        if report.rejected + report.blank == report.lines:  # nothing to write: leave the database alone
            return report.result(name, committed=not report.rejected)
        report.total = 2 * report.read_bytes
        _write_pass(path, stream if spool is None else spool, bad, report, batch_receipts)
    return report.result(name, committed=not (report.rejected and not skip_invalid))


# ------------------------------------------------------------------- inputs
def _existing_database(db_path: str | os.PathLike[str]) -> Path:
    path = Path(db_path)
    if not path.exists():
        raise InputError(f"DB {path}: no such file (create it with: ggen-db init {path})")
    if not path.is_file():
        raise InputError(f"DB {path}: not a regular file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise InputError(f"DB {path}: not writable")
    return path


@contextmanager
def _seekable_source(
    source: str | os.PathLike[str] | IO[bytes],
) -> Iterator[tuple[IO[bytes], str, int, IO[bytes] | None]]:
    """(stream, name, size or 0, spool): a pipe is copied to a temporary spool file while it is judged."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise InputError(f"FILE {path}: is a directory")
        try:
            stream = path.open("rb")
        except OSError as e:
            raise InputError(f"FILE {path}: cannot read ({e.strerror})") from e
        with stream:
            yield from _with_spool(stream, os.fspath(path))
        return
    yield from _with_spool(source, getattr(source, "name", "<stream>"))


def _with_spool(stream: IO[bytes], name: str) -> Iterator[tuple[IO[bytes], str, int, IO[bytes] | None]]:
    size = _regular_file_size(stream)
    if size is not None:
        yield stream, name, size, None
        return
    with tempfile.TemporaryFile(prefix="ggen-db-ingest-") as spool:  # 0600, deleted on close
        yield stream, name, 0, spool


def _regular_file_size(stream: IO[bytes]) -> int | None:
    """The size of a seekable regular file read from its start; None for pipes, terminals, BytesIO."""
    try:
        info = os.fstat(stream.fileno())
        at_start = stream.seekable() and stream.tell() == 0
    except (OSError, ValueError, AttributeError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) and at_start else None


# ------------------------------------------------------------------- pass 1
def _judge(stream: IO[bytes], spool: IO[bytes] | None, report: _Report) -> array[int]:
    """Judge every line; the numbers of the bad ones, ascending (4 bytes each)."""
    line_format = default_format()
    judge = LineJudge(line_format.contract, line_format)
    bad = array("I")
    for number, raw, size in read_lines(stream):
        if spool is not None:
            spool.write(raw if raw is not None else b"\n")  # a placeholder keeps the line numbers
        report.read(number, size)
        if raw is not None and is_blank(raw):
            report.blank += 1
            continue
        problem = judge.problem(number, raw)
        if problem is not None:
            bad.append(number)
            report.reject(number, problem)
    return bad


# ------------------------------------------------------------------- pass 2
def _write_pass(path: Path, stream: IO[bytes], bad: array[int], report: _Report, batch_receipts: int) -> None:
    """The write pass; the store waits for the write lock (busy timeout, then retries with backoff)."""
    stream.seek(0)
    tally = _WriteTally(report)
    started = time.monotonic()
    try:
        _write(path, stream, bad, tally, batch_receipts)
    except sqlite3.DatabaseError as e:
        raise _database_error(path, e, time.monotonic() - started) from e
    report.merge(tally, lock_wait_s=tally.locked_at - started)


def _database_error(path: Path, error: sqlite3.DatabaseError, waited: float) -> InputError:
    """The database itself failed (not a line): locked, not a database, no schema. Nothing was written."""
    text = str(error)
    if is_busy(error):
        return InputError(f"DB {path}: {text}: no write lock after {waited:.0f} s of waiting; nothing was written")
    if "no such table" in text:
        return InputError(f"DB {path}: has no ggen-db schema ({text}); create it with: ggen-db init {path}")
    return InputError(f"DB {path}: cannot be written ({text}); nothing was written")


class _RollBack(Exception):
    """Leave the write transaction without committing."""


def _write(path: Path, stream: IO[bytes], bad: array[int], tally: _WriteTally, batch_receipts: int) -> None:
    store = Store.open(path, validate=False)  # every line was validated in pass 1, with the store's own checks
    try:
        writer = _Writer(store, tally, batch_receipts)
        with store.transaction():
            tally.locked_at = time.monotonic()
            writer.write_all(stream, bad)
            if tally.all_or_nothing_failed():
                raise _RollBack
    except _RollBack:
        pass
    finally:
        tally.released_at = time.monotonic()
        store.close()


@dataclass
class _PendingReceipt:
    line: int
    row: dict[str, Any]
    stage_metrics: list[dict[str, Any]] = field(default_factory=list)
    slo_violations: list[dict[str, Any]] = field(default_factory=list)
    child_lines: list[int] = field(default_factory=list)

    def bundle(self) -> ReceiptBundle:
        return ReceiptBundle(self.row, tuple(self.stage_metrics), tuple(self.slo_violations))


class _Writer:
    """Writes the good lines: receipts with their children in batches, other kinds one statement each."""

    def __init__(self, store: Store, tally: _WriteTally, batch_receipts: int) -> None:
        self.store = store
        self.tally = tally
        self.batch_receipts = max(1, batch_receipts)
        self.pending: list[_PendingReceipt] = []

    def write_all(self, stream: IO[bytes], bad: array[int]) -> None:
        skip = iter(bad)
        next_bad = next(skip, None)
        for number, raw, size in read_lines(stream):
            if number > self.tally.lines:
                break  # the file grew after it was judged: only judged lines are written
            self.tally.read(number, size)
            if number == next_bad:
                next_bad = next(skip, None)
                continue
            if raw is None or is_blank(raw):
                continue
            try:
                line = parse_line(raw, number)
                self._line(number, line.pop("kind"), line)
            except (Rejected, LookupError, AttributeError, TypeError) as e:
                raise InputError(
                    f"line {number} changed after it was checked (was the file modified during ingest?); "
                    "nothing was written"
                ) from e
        self._flush()

    def _line(self, number: int, kind: str, row: dict[str, Any]) -> None:
        if kind == "receipt":
            if len(self.pending) >= self.batch_receipts:
                self._flush()  # only at a receipt line: the previous receipt's children are all in
            self.pending.append(_PendingReceipt(number, row))
        elif kind in CHILD_KINDS:
            current = self.pending[-1]  # pass 1 checked that it is this line's receipt
            (current.stage_metrics if kind == "stage_metric" else current.slo_violations).append(row)
            current.child_lines.append(number)
        else:
            self._write_now(number, kind, row)

    def _flush(self) -> None:
        """Write the pending receipts in one batch; if the database refuses it, one by one to find the culprits."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            with self.store.transaction():  # a savepoint: a refused batch leaves nothing behind
                self.store.record_receipts(p.bundle() for p in batch)
        except ValidationError:
            for pending in batch:
                self._write_one(pending)
            return
        for pending in batch:
            self._count(pending)

    def _write_one(self, pending: _PendingReceipt) -> None:
        try:
            with self.store.transaction():
                self.store.record_receipt(pending.bundle())
        except ValidationError as e:
            self.tally.reject(pending.line, e.problem)
            for child in pending.child_lines:
                self.tally.reject(
                    child, Problem("", "execution_id", "receipt_rejected", f"its receipt line {pending.line} was rejected")
                )
            return
        self._count(pending)

    def _count(self, pending: _PendingReceipt) -> None:
        self.tally.written("receipt", 1)
        self.tally.written("stage_metric", len(pending.stage_metrics))
        self.tally.written("slo_violation", len(pending.slo_violations))

    def _write_now(self, number: int, kind: str, row: dict[str, Any]) -> None:
        try:
            with self.store.transaction():  # a savepoint: a session is two statements
                _WRITERS[kind](self.store, row)
        except ValidationError as e:
            self.tally.reject(number, e.problem)
            return
        self.tally.written(kind, 1)


def _write_audit(store: Store, row: dict[str, Any]) -> None:
    store.record_audit(row)


def _write_memory(store: Store, row: dict[str, Any]) -> None:
    store.upsert_memory(
        row["agent_id"],
        row["memory_json"],
        collision_history=row.get("collision_history"),
        last_error=row.get("last_error"),
        updated_at=row.get("updated_at"),
    )


_FINISH_FIELDS = ("end_time", "total_duration_ms", "successful_operations", "failed_operations")


def _write_session(store: Store, row: dict[str, Any]) -> None:
    """Start the session; finish it in the same savepoint when the line says it is over."""
    store.start_session(
        row["session_id"], start_time=row["start_time"], agent_count=row["agent_count"], context_json=row.get("context_json")
    )
    status = row.get("status", "running")
    if status != "running" or any(row.get(name) is not None for name in _FINISH_FIELDS):
        store.finish_session(
            row["session_id"],
            status=status,
            end_time=row.get("end_time"),  # type: ignore[arg-type]  # the contract allows a session without end_time
            total_duration_ms=row.get("total_duration_ms"),
            successful_operations=row.get("successful_operations", 0),
            failed_operations=row.get("failed_operations", 0),
        )


def _write_collision(store: Store, row: dict[str, Any]) -> None:
    store.record_collision(row)


_WRITERS: dict[str, Callable[[Store, dict[str, Any]], None]] = {
    "audit": _write_audit,
    "memory": _write_memory,
    "session": _write_session,
    "collision": _write_collision,
}


# ------------------------------------------------------------------ tallies
class _Rejections:
    """Rejected lines: all counted, the first MAX_REPORTED_ERRORS kept with their problem."""

    def __init__(self) -> None:
        self.rejected = 0
        self.errors: list[LineError] = []

    def reject(self, number: int, problem: Problem) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(number, problem))


class _Report(_Rejections):
    """The tally of pass 1 (every line judged), merged with the write pass's."""

    def __init__(self, progress: Progress | None, skip_invalid: bool) -> None:
        super().__init__()
        self.progress = progress
        self.skip_invalid = skip_invalid
        self.total = 0
        self.lines = self.blank = 0
        self.read_bytes = 0
        self.kinds: dict[str, int] = {}
        self.judge_s = self.lock_wait_s = self.lock_held_s = 0.0

    def read(self, number: int, size: int) -> None:
        self.lines = number
        self.read_bytes += size
        if self.progress is not None and number % PROGRESS_EVERY_LINES == 0:
            self.progress(self.read_bytes, self.total)

    def merge(self, tally: _WriteTally, *, lock_wait_s: float) -> None:
        """Add what the write pass found (database refusals), wrote and took."""
        self.lock_wait_s = lock_wait_s
        self.lock_held_s = tally.released_at - tally.locked_at
        self.rejected += tally.rejected
        room = MAX_REPORTED_ERRORS - len(self.errors)
        self.errors.extend(tally.errors[: max(0, room)])
        self.kinds = tally.kinds

    def result(self, source: str, *, committed: bool) -> IngestResult:
        if self.progress is not None:
            self.progress(self.total or 2 * self.read_bytes, self.total or 2 * self.read_bytes)
        written = dict(self.kinds) if committed else {}
        return IngestResult(
            source=source,
            lines=self.lines,
            blank=self.blank,
            accepted=sum(written.values()),
            rejected=self.rejected,
            committed=committed,
            skip_invalid=self.skip_invalid,
            errors=tuple(sorted(self.errors, key=lambda e: e.line)),
            written=written,
            judge_s=self.judge_s,
            lock_wait_s=self.lock_wait_s,
            lock_held_s=self.lock_held_s,
        )


class _WriteTally(_Rejections):
    """What the write pass refused and wrote."""

    def __init__(self, report: _Report) -> None:
        super().__init__()
        self.report = report
        self.lines = report.lines
        self.skip_invalid = report.skip_invalid
        self.read_bytes = 0
        self.kinds: dict[str, int] = {}
        self.locked_at = self.released_at = 0.0

    def read(self, number: int, size: int) -> None:
        self.read_bytes += size
        progress = self.report.progress
        if progress is not None and number % PROGRESS_EVERY_LINES == 0:
            progress(self.report.read_bytes + self.read_bytes, self.report.total)

    def all_or_nothing_failed(self) -> bool:
        """Some line was rejected (in either pass) and skip_invalid is off: roll back."""
        return not self.skip_invalid and bool(self.rejected or self.report.rejected)

    def written(self, kind: str, count: int) -> None:
        if count:
            self.kinds[kind] = self.kinds.get(kind, 0) + count


__all__ = ["BATCH_RECEIPTS", "IngestResult", "LineError", "ingest"]
