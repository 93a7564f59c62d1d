"""Bulk loading of JSON Lines files: `ggen-db ingest`.

Each line is one object whose `kind` names the table (harness/ingest_format.py,
harness/schemas/ingest.schema.json). A line is judged on its own first
(UTF-8, JSON, the ingest schema, then the contract's row rules), so every bad
line is reported with its number; what only the database can judge (a
duplicate execution_id, a collision's unknown session) is found when the
line is written.

The whole file is one transaction. By default a single rejected line means
nothing is written; with skip_invalid the valid lines are committed and the
rejected ones reported. The file is read line by line and receipts are
written in batches, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.errors import InputError, ValidationError
from harness.ingest_format import KIND_TABLES, LineFormat, LineProblem, default_format
from harness.rowcheck import ProblemError, TableCheck
from harness.store import ReceiptBundle, Store

BATCH_RECEIPTS = 500  # receipts per executemany batch: big enough to amortize, small enough to stay flat
MAX_LINE_BYTES = 8 << 20  # a 1 MiB JSON document, escaped, plus the other columns, fits easily
MAX_REPORTED_ERRORS = 10_000  # every rejected line is counted; the first ones are kept with their reason
PROGRESS_EVERY_LINES = 2_000

Progress = Callable[[int, int], None]  # (bytes read, total bytes or 0 when unknown)


@dataclass(frozen=True)
class LineError:
    """One rejected line: its number (from 1) and the problem, in the contract's words."""

    line: int
    table: str
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.table else self.column
        return f"line {self.line}: {where}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class IngestResult:
    """What ingest did.

    lines: lines read (blank lines included); blank: blank lines skipped.
    accepted: lines that passed every check (written when committed).
    rejected: lines refused; errors: the first MAX_REPORTED_ERRORS of them, in line order.
    committed: the transaction was committed (False: nothing was written).
    written: rows per kind actually committed (empty when not committed).
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

    @property
    def ok(self) -> bool:
        """Every line was accepted and written."""
        return self.rejected == 0 and self.committed

    @property
    def unreported(self) -> int:
        return self.rejected - len(self.errors)


class _RollBack(Exception):
    """Internal: leave the ingest transaction without committing."""


def ingest(
    db_path: str | os.PathLike[str],
    source: str | os.PathLike[str] | IO[bytes],
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_receipts: int = BATCH_RECEIPTS,
) -> IngestResult:
    """Load a JSON Lines file (a path, or an open binary file such as stdin) into the database at db_path."""
    path = _existing_database(db_path)
    with _open_source(source) as (stream, name, total):
        try:
            store = Store.open(path, validate=False)  # every row is validated line by line, before the store
            try:
                session = _Session(store, default_format(), batch_receipts, progress, total)
                committed = session.run(stream, skip_invalid)
            finally:
                store.close()
        except sqlite3.DatabaseError as e:
            raise _database_error(path, e) from e
    return session.result(name, committed, skip_invalid)


def _existing_database(db_path: str | os.PathLike[str]) -> Path:
    path = Path(db_path)
    if not path.exists():
        raise InputError(f"DB {path}: no such file (create it with: ggen-db init {path})")
    if not path.is_file():
        raise InputError(f"DB {path}: not a regular file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise InputError(f"DB {path}: not writable")
    return path


def _database_error(path: Path, error: sqlite3.DatabaseError) -> InputError:
    """The database itself failed (not a line): locked, not a database, no schema. Nothing was written."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return InputError(f"DB {path}: {text} (another writer held it beyond the busy timeout); nothing was written")
    if "no such table" in text:
        return InputError(f"DB {path}: has no ggen-db schema ({text}); create it with: ggen-db init {path}")
    return InputError(f"DB {path}: cannot be written ({text}); nothing was written")


class _open_source:
    """A binary line source: the caller's stream as is, or a file opened (and closed) here."""

    def __init__(self, source: str | os.PathLike[str] | IO[bytes]) -> None:
        self.source = source
        self.opened: IO[bytes] | None = None

    def __enter__(self) -> tuple[IO[bytes], str, int]:
        if isinstance(self.source, (str, os.PathLike)):
            path = Path(self.source)
            if path.is_dir():
                raise InputError(f"FILE {path}: is a directory")
            try:
                self.opened = path.open("rb")
            except OSError as e:
                raise InputError(f"FILE {path}: cannot read ({e.strerror})") from e
            return self.opened, os.fspath(path), _size(self.opened)
        return self.source, getattr(self.source, "name", "<stream>"), _size(self.source)

    def __exit__(self, *exc: object) -> None:
        if self.opened is not None:
            self.opened.close()


def _size(stream: IO[bytes]) -> int:
    """The size of a regular file (for progress); 0 for a pipe or terminal."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


# ------------------------------------------------------------------ reading
def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, raw bytes or None when the line is too long, bytes consumed) for each line."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        consumed = len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            consumed += _skip_rest_of_line(stream)
            yield number, None, consumed
            continue
        yield number, raw, consumed


def _skip_rest_of_line(stream: IO[bytes]) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(1 << 20)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def parse_line(raw: bytes, number: int) -> Any:
    """The JSON value of one line; LineProblem (raised as _Rejected) for bad UTF-8 or bad JSON."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _Rejected(LineProblem("", "(line)", "utf8", f"invalid UTF-8 at byte {e.start + 1}")) from None
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is not part of the JSON
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise _Rejected(LineProblem("", "(line)", "json", f"not valid JSON ({e.msg} at column {e.colno})")) from None
    except (ValueError, RecursionError) as e:
        raise _Rejected(LineProblem("", "(line)", "json", f"not valid JSON ({e})")) from None
    if "\\u" in text:  # only an escape can produce a lone surrogate
        _check_surrogates(value)
    return value


def _peek_kind(raw: bytes) -> str | None:
    """The line's kind, read without parsing it, so a line that fails to parse still names its table."""
    start = raw.find(b'"kind"')
    if start < 0:
        return None
    rest = raw[start + 6 : start + 40].lstrip(b" \t:").split(b'"')
    kind = rest[1].decode("ascii", "replace") if len(rest) > 2 and rest[0] == b"" else None
    return kind if kind in KIND_TABLES else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_surrogates(value: Any, column: str = "(line)") -> None:
    """A \\ud800-style escape decodes to a lone surrogate, which no UTF-8 database can store."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Rejected(LineProblem("", column, "utf8", "contains a lone surrogate (\\ud800-\\udfff)")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_surrogates(key, column)
            _check_surrogates(item, key if column == "(line)" else column)
    elif isinstance(value, list):
        for item in value:
            _check_surrogates(item, column)


class _Rejected(Exception):
    """Internal: a line's problem, carried to where its number is known."""

    def __init__(self, problem: LineProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# ----------------------------------------------------------------- writing
@dataclass
class _PendingReceipt:
    line: int
    row: dict[str, Any]
    stage_metrics: list[dict[str, Any]] = field(default_factory=list)
    slo_violations: list[dict[str, Any]] = field(default_factory=list)
    child_lines: list[int] = field(default_factory=list)

    def bundle(self) -> ReceiptBundle:
        return ReceiptBundle(self.row, tuple(self.stage_metrics), tuple(self.slo_violations))


class _Session:
    """One ingest run: judges each line, writes the good ones, keeps the tally."""

    def __init__(
        self, store: Store, line_format: LineFormat, batch_receipts: int, progress: Progress | None, total: int
    ) -> None:
        self.store = store
        self.format = line_format
        self.batch_receipts = max(1, batch_receipts)
        self.progress = progress
        self.total_bytes = total
        self.row_checks = {kind: TableCheck(store.contract.tables[t]) for kind, t in KIND_TABLES.items()}
        self.pending: list[_PendingReceipt] = []
        self.current: _PendingReceipt | None = None  # the most recent receipt line, for its children
        self.current_rejected: int | None = None  # line of the most recent receipt line, when it was refused
        self.lines = self.blank = self.accepted = self.rejected = 0
        self.errors: list[LineError] = []
        self.written: dict[str, int] = {}

    # ---------------------------------------------------------------- run
    def run(self, stream: IO[bytes], skip_invalid: bool) -> bool:
        """Read, judge and write every line in one transaction; True when it was committed."""
        try:
            with self.store.transaction():
                self._read_all(stream)
                self._flush()
                if self.rejected and not skip_invalid:
                    raise _RollBack
        except _RollBack:
            return False
        return True

    def _read_all(self, stream: IO[bytes]) -> None:
        consumed = 0
        for number, raw, size in read_lines(stream):
            consumed += size
            self.lines = number
            self._line(number, raw)
            if self.progress is not None and number % PROGRESS_EVERY_LINES == 0:
                self.progress(consumed, self.total_bytes)
        if self.progress is not None:
            self.progress(consumed, self.total_bytes or consumed)

    def _line(self, number: int, raw: bytes | None) -> None:
        if raw is None:
            self._reject(number, LineProblem("", "(line)", "max_size", f"longer than {MAX_LINE_BYTES} bytes"))
            return
        if not raw.strip():
            self.blank += 1
            return
        kind = None
        try:
            kind = _peek_kind(raw)  # a guess, so that a line that does not parse still names its table
            line = parse_line(raw, number)
            kind = line.get("kind") if type(line) is dict else None
            problem = self.format.problem(line)
            if problem is not None:
                raise _Rejected(problem)
            del line["kind"]
            self._check_row(kind, line)
            self._dispatch(number, kind, line)
        except _Rejected as e:
            if kind == "receipt":  # its stage metrics and violations are refused with it
                self._receipt_refused(number)
            problem = e.problem
            if not problem.table and kind in KIND_TABLES and problem.column not in ("(line)", "kind"):
                problem = dataclasses.replace(problem, table=KIND_TABLES[kind])
            self._reject(number, problem)

    def _check_row(self, kind: str, row: dict[str, Any]) -> None:
        try:
            self.row_checks[kind].values(row)
        except ProblemError as e:
            p = e.problem
            raise _Rejected(LineProblem(KIND_TABLES[kind], p.column, p.rule, p.message)) from None

    def _dispatch(self, number: int, kind: str, row: dict[str, Any]) -> None:
        if kind == "receipt":
            self._receipt(number, row)
        elif kind in ("stage_metric", "slo_violation"):
            self._child(number, kind, row)
        else:
            self._write_now(number, kind, row)

    # ----------------------------------------------------------- receipts
    def _receipt(self, number: int, row: dict[str, Any]) -> None:
        if len(self.pending) >= self.batch_receipts:
            self._flush()  # only at a receipt line: the previous receipt's children are all in
        self.current = _PendingReceipt(number, row)
        self.current_rejected = None
        self.pending.append(self.current)

    def _receipt_refused(self, number: int) -> None:
        self.current = None
        self.current_rejected = number

    def _child(self, number: int, kind: str, row: dict[str, Any]) -> None:
        table = KIND_TABLES[kind]
        execution_id = row.get("execution_id")
        if self.current_rejected is not None:
            raise _Rejected(
                LineProblem(table, "execution_id", "receipt_rejected", f"its receipt line {self.current_rejected} was rejected")
            )
        if self.current is None or self.current.row.get("execution_id") != execution_id:
            raise _Rejected(
                LineProblem(
                    table,
                    "execution_id",
                    "follows_receipt",
                    f"{execution_id!r} is not the execution_id of the most recent receipt line "
                    "(a stage_metric or slo_violation line comes after its receipt line)",
                )
            )
        target = self.current.stage_metrics if kind == "stage_metric" else self.current.slo_violations
        target.append(row)
        self.current.child_lines.append(number)

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
            self._count_receipt(pending)

    def _write_one(self, pending: _PendingReceipt) -> None:
        try:
            with self.store.transaction():
                self.store.record_receipt(pending.bundle())
        except ValidationError as e:
            self._reject(pending.line, _problem_of(e))
            for child in pending.child_lines:
                self._reject(
                    child, LineProblem("", "execution_id", "receipt_rejected", f"its receipt line {pending.line} was rejected")
                )
            return
        self._count_receipt(pending)

    def _count_receipt(self, pending: _PendingReceipt) -> None:
        self.accepted += 1 + len(pending.child_lines)
        self._tally("receipt", 1)
        self._tally("stage_metric", len(pending.stage_metrics))
        self._tally("slo_violation", len(pending.slo_violations))

    # -------------------------------------------------------- other kinds
    def _write_now(self, number: int, kind: str, row: dict[str, Any]) -> None:
        try:
            with self.store.transaction():  # a savepoint: a session is two statements
                _WRITERS[kind](self.store, row)
        except ValidationError as e:
            raise _Rejected(_problem_of(e)) from None
        self.accepted += 1
        self._tally(kind, 1)

    def _tally(self, kind: str, count: int) -> None:
        if count:
            self.written[kind] = self.written.get(kind, 0) + count

    def _reject(self, number: int, problem: LineProblem) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(number, problem.table, problem.column, problem.rule, problem.message))

    def result(self, source: str, committed: bool, skip_invalid: bool) -> IngestResult:
        return IngestResult(
            source=source,
            lines=self.lines,
            blank=self.blank,
            accepted=self.accepted if committed else 0,
            rejected=self.rejected,
            committed=committed,
            skip_invalid=skip_invalid,
            errors=tuple(sorted(self.errors, key=lambda e: e.line)),
            written=dict(self.written) if committed else {},
        )


def _problem_of(error: ValidationError) -> LineProblem:
    return LineProblem(error.table, error.column, error.rule, error.detail)


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
    store.start_session(
        row["session_id"],
        start_time=row["start_time"],
        agent_count=row["agent_count"],
        context_json=row.get("context_json"),
    )
    status = row.get("status", "running")
    if status != "running" or any(row.get(name) is not None for name in _FINISH_FIELDS):
        store.finish_session(
            row["session_id"],
            status=status,
            end_time=row.get("end_time"),  # type: ignore[arg-type]  # the contract allows no end_time
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

__all__ = ["IngestResult", "LineError", "ingest"]
