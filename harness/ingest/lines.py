"""Reading and judging the lines of an ingest file, without touching any database.

read_lines() yields raw lines with bounded memory (an oversized line is
skipped, not loaded). LineJudge decides whether one line can be written: valid
UTF-8, JSON, the ingest schema (harness.ingest.format), the contract's row
rules (harness.store.validation, the store's own checks), and, for stage_metric and
slo_violation lines, that they follow their receipt line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import IO, Any, cast

from harness.contract.json_check import reject_constant
from harness.contract.model import Contract
from harness.errors import Problem, ValidationError
from harness.ingest.format import KIND_TABLES, LineFormat
from harness.store.validation import TableCheck

MAX_LINE_BYTES = 8 << 20  # a 1 MiB JSON document, escaped, plus the other columns, fits easily
CHILD_KINDS = ("stage_metric", "slo_violation")


def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number from 1, raw bytes or None when the line is too long, bytes consumed) per line."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            yield number, None, len(raw) + _skip_rest_of_line(stream)
        else:
            yield number, raw, len(raw)


def _skip_rest_of_line(stream: IO[bytes]) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(1 << 20)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def is_blank(raw: bytes) -> bool:
    return not raw.strip()


class Rejected(Exception):
    """A line's problem, carried to where its number is known."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse_line(raw: bytes, number: int) -> Any:
    """The JSON value of one line; Rejected for bad UTF-8, bad JSON or a lone surrogate."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Rejected(Problem("", "(line)", "utf8", f"invalid UTF-8 at byte {e.start + 1}")) from None
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is not part of the JSON
    try:
        value = json.loads(text, parse_constant=reject_constant)  # json.loads: it also names a stray BOM
    except json.JSONDecodeError as e:
        raise Rejected(Problem("", "(line)", "json", f"not valid JSON ({e.msg} at column {e.colno})")) from None
    except (ValueError, RecursionError) as e:
        raise Rejected(Problem("", "(line)", "json", f"not valid JSON ({e})")) from None
    if "\\u" in text:  # only an escape can produce a lone surrogate
        _check_surrogates(value)
    return value


def _check_surrogates(value: Any, column: str = "(line)") -> None:
    """A \\ud800-style escape decodes to a lone surrogate, which no UTF-8 database can store."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Rejected(Problem("", column, "utf8", "contains a lone surrogate (\\ud800-\\udfff)")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_surrogates(key, column)
            _check_surrogates(item, key if column == "(line)" else column)
    elif isinstance(value, list):
        for item in value:
            _check_surrogates(item, column)


def peek_kind(raw: bytes) -> str | None:
    """A line's kind read without parsing it, so a line that does not parse still names its table."""
    start = raw.find(b'"kind"')
    if start < 0:
        return None
    rest = raw[start + 6 : start + 40].lstrip(b" \t:").split(b'"')
    kind = rest[1].decode("ascii", "replace") if len(rest) > 2 and rest[0] == b"" else None
    return kind if kind in KIND_TABLES else None


class LineJudge:
    """Judges lines one at a time, in file order (children need the receipt line before them)."""

    def __init__(self, contract: Contract, line_format: LineFormat) -> None:
        self.format = line_format
        self.row_checks = {kind: TableCheck(contract.tables[table]) for kind, table in KIND_TABLES.items()}
        self.receipt_id: Any = None  # execution_id of the most recent receipt line
        self.receipt_line = 0
        self.receipt_ok = False

    def problem(self, number: int, raw: bytes | None) -> Problem | None:
        """None when the line can be written; otherwise why not, in the contract's words."""
        if raw is None:
            return Problem("", "(line)", "max_size", f"longer than {MAX_LINE_BYTES} bytes")
        kind = peek_kind(raw)
        try:
            line = parse_line(raw, number)
            kind = line.get("kind") if type(line) is dict else None
            problem = self.format.problem(line)
            if problem is not None:
                raise Rejected(problem)
            kind = cast(str, kind)  # the format checked it
            row = {k: v for k, v in line.items() if k != "kind"}
            self._check_row(kind, row)
            self._check_order(number, kind, row)
        except Rejected as e:
            if kind == "receipt":  # its stage metrics and violations are refused with it
                self.receipt_id, self.receipt_line, self.receipt_ok = object(), number, False
            return _with_table(e.problem, kind)
        return None

    def _check_row(self, kind: str, row: dict[str, Any]) -> None:
        try:
            self.row_checks[kind].values(row)
        except ValidationError as e:
            raise Rejected(e.problem) from None

    def _check_order(self, number: int, kind: str, row: dict[str, Any]) -> None:
        if kind == "receipt":
            self.receipt_id, self.receipt_line, self.receipt_ok = row["execution_id"], number, True
            return
        if kind not in CHILD_KINDS:
            return
        table = KIND_TABLES[kind]
        if not self.receipt_ok and self.receipt_line:
            raise Rejected(
                Problem(table, "execution_id", "receipt_rejected", f"its receipt line {self.receipt_line} was rejected")
            )
        if row["execution_id"] != self.receipt_id:
            raise Rejected(
                Problem(
                    table,
                    "execution_id",
                    "follows_receipt",
                    f"{row['execution_id']!r} is not the execution_id of the most recent receipt line "
                    "(a stage_metric or slo_violation line comes after its receipt line)",
                )
            )


def _with_table(problem: Problem, kind: str | None) -> Problem:
    if problem.table or kind is None or kind not in KIND_TABLES or problem.column in ("(line)", "kind"):
        return problem
    return dataclasses.replace(problem, table=KIND_TABLES[kind])
