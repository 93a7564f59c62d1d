"""The contract: every promise the schema makes, loaded from contract.json.

The contract is data. This module loads it (validated against its own JSON
Schema), exposes it as frozen dataclasses, and holds the contract's own
predicates (what a valid timestamp, id or row is) written in Python,
independently of the SQL, so tests can compare the database's decisions
with the contract's.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from harness.contract.json_check import STRICT_JSON
from harness.errors import ContractError, Problem

DEFAULT_CONTRACT = "contract.json"
WHITESPACE = " \t\n\x0b\x0c\r"  # what the schema's trim(x, char(32, 9, 10, 11, 12, 13)) strips


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    kind: str
    not_null: bool
    default: str | None = None
    primary_key: bool = False
    autoincrement: bool = False
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    nonempty: bool = False
    json_schema: str | None = None
    generated: str | None = None
    normalizes: str | None = None
    doc: str = ""

    @property
    def writable(self) -> bool:
        """Writers can set it (generated columns and the rowid key are the database's)."""
        return self.kind not in ("generated", "key")

    @property
    def required(self) -> bool:
        """A writer that does not know the column must still be able to insert."""
        return self.not_null and self.default is None and self.writable


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    references: str
    on_delete: str
    on_update: str


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    doc: str
    column: str | None = None
    columns: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The column a broken rule is reported under: its own, or the first of those it relates."""
        return self.column or (self.columns[0] if self.columns else self.name)


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool
    serves: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[Rule, ...] = ()
    indexes: tuple[Index, ...] = ()
    derived: bool = False
    without_rowid: bool = False

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r} in the contract")

    @property
    def writable_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.writable)


@dataclass(frozen=True)
class View:
    name: str
    doc: str
    columns: tuple[str, ...]
    max_rows: int | None = None


@dataclass(frozen=True)
class Query:
    name: str
    doc: str
    sql: str
    index: str | None  # None: the query reads only derived tables (no index needed)
    params: Mapping[str, Any] = field(default_factory=dict)
    max_rows: int | None = None


@dataclass(frozen=True)
class Contract:
    contract_version: str
    schema_version: int
    sqlite_min_version: str
    pragmas: Mapping[str, Any]
    tables: Mapping[str, Table]
    views: Mapping[str, View]
    queries: Mapping[str, Query]
    source: str
    sha256: str
    timestamp_rule: Mapping[str, Any] = field(default_factory=dict)
    id_rule: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_tables(self) -> tuple[Table, ...]:
        """The tables writers write (rollups excluded)."""
        return tuple(t for t in self.tables.values() if not t.derived)

    @property
    def indexes(self) -> tuple[Index, ...]:
        return tuple(i for t in self.tables.values() for i in t.indexes)

    @property
    def foreign_keys(self) -> tuple[tuple[str, ForeignKey], ...]:
        return tuple((t.name, fk) for t in self.tables.values() for fk in t.foreign_keys)

    def index(self, name: str) -> Index:
        for index in self.indexes:
            if index.name == name:
                return index
        raise KeyError(f"no index {name!r} in the contract")


# ------------------------------------------------------------------ loading
def _schema_text(name: str) -> str:
    return (resources.files("harness.contract") / "formats" / name).read_text(encoding="utf-8")


@cache
def document_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in the package (harness/contract/formats/NAME)."""
    try:
        schema: dict[str, Any] = json.loads(_schema_text(name))
    except FileNotFoundError as e:
        raise ContractError(f"JSON Schema {name!r} is not in harness/contract/formats") from e
    return schema


def load_contract(path: str | Path | None = None) -> Contract:
    """Load and validate a contract file (default: the one shipped with the package)."""
    if path is None:
        text = resources.files("harness.contract").joinpath(DEFAULT_CONTRACT).read_text(encoding="utf-8")
        source = "harness/contract/contract.json"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise ContractError(f"--contract {path}: cannot read ({e.strerror})") from e
        source = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ContractError(f"{source}: not JSON (line {e.lineno}: {e.msg})") from e
    _validate_contract_data(data, source)
    return _build(data, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _validate_contract_data(data: Any, source: str) -> None:
    validator = jsonschema.Draft202012Validator(document_schema("contract.schema.json"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise ContractError(f"{source}: {where}: {error.message}")
    for table_name, table in data["tables"].items():
        for i, column in enumerate(table["columns"]):
            if "json_schema" not in column:
                continue
            try:
                document_schema(column["json_schema"])
            except ContractError as e:
                raise ContractError(f"{source}: tables/{table_name}/columns/{i}/json_schema: {e}") from e


def _build(data: dict[str, Any], source: str, sha: str) -> Contract:
    tables = {name: _table(name, t) for name, t in data["tables"].items()}
    views = {
        name: View(name, v["doc"], tuple(v["columns"]), v.get("max_rows"))
        for name, v in data["views"].items()
    }
    queries = {
        name: Query(name, q["doc"], q["sql"], q["index"], dict(q["params"]), q.get("max_rows"))
        for name, q in data["queries"].items()
    }
    return Contract(
        contract_version=data["contract_version"],
        schema_version=data["schema_version"],
        sqlite_min_version=data["sqlite_min_version"],
        pragmas=dict(data["pragmas"]),
        tables=tables,
        views=views,
        queries=queries,
        source=source,
        sha256=sha,
        timestamp_rule=dict(data.get("timestamp_rule", {})),
        id_rule=dict(data.get("id_rule", {})),
    )


def _table(name: str, t: dict[str, Any]) -> Table:
    columns = tuple(
        Column(**{**c, "values": tuple(c.get("values", ()))}) for c in t["columns"]
    )
    return Table(
        name=name,
        doc=t.get("doc", ""),
        columns=columns,
        unique=tuple(tuple(u) for u in t.get("unique", ())),
        foreign_keys=tuple(ForeignKey(**fk) for fk in t.get("foreign_keys", ())),
        rules=tuple(
            Rule(r["name"], r["kind"], r["doc"], r.get("column"), tuple(r.get("columns", ())))
            for r in t.get("rules", ())
        ),
        indexes=tuple(
            Index(i["name"], name, tuple(i["columns"]), i["unique"], tuple(i["serves"]))
            for i in t["indexes"]
        ),
        derived=t.get("derived", False),
        without_rowid=t.get("without_rowid", False),
    )


# --------------------------------------------------------------- predicates
# The contract's own definitions, written independently of the SQL. Where a
# definition follows a SQLite behaviour on purpose (how a STRICT column
# converts a bound value, how the _utc column rounds), the comment says so.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
JSON_MAX_DEPTH = 2000  # json_valid() in SQLite 3.40 refuses deeper nesting

_TIMESTAMP = re.compile(
    r"([12][0-9]{3})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|([+-])([0-9]{2}):([0-9]{2}))?",
    re.ASCII,
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]


def is_timestamp(value: object) -> bool:
    """True when value is a timestamp in one of the accepted forms (contract.timestamp_rule)."""
    if not isinstance(value, str):
        return False
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
        return False
    if hour > 23 or minute > 59 or second > 59:
        return False
    if m.group(9) is not None and (int(m.group(10)) > 14 or int(m.group(11)) > 59):
        return False
    return True


def is_id(value: object, max_length: int = 256) -> bool:
    """Ids: text of 1..max_length characters, not only whitespace, without NUL.

    NUL is refused because SQLite's length() stops counting at the first NUL:
    the database could not hold an id that contains one to the length rule.
    """
    return (
        isinstance(value, str)
        and 0 < len(value) <= max_length
        and value.strip(WHITESPACE) != ""
        and "\x00" not in value
    )


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{64}", value, re.ASCII) is not None


def is_json_text(value: object) -> bool:
    """Strict RFC 8259 JSON text (no NaN, Infinity, trailing commas or single quotes),
    nested at most JSON_MAX_DEPTH deep: what SQLite's json_valid() accepts."""
    if not isinstance(value, str):
        return False
    try:
        STRICT_JSON.decode(value)
    except RecursionError:
        return _is_deep_json_text(value)  # valid up to JSON_MAX_DEPTH; Python's parser stops near 1000
    except ValueError:
        return False
    return True


_JSON_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<open>[\[{]) | (?P<close>[\]}]) | (?P<comma>,) | (?P<colon>:)
      | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")
      | (?P<scalar>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)
    )""",
    re.VERBOSE,
)


def _is_deep_json_text(text: str) -> bool:
    """The JSON grammar checked with an explicit stack, for nesting too deep to recurse."""
    stack: list[str] = []
    state = "value"  # what may come next: value, first (value or ']'), key, first_key (key or '}'), colon, after
    pos = 0
    while pos < len(text):
        m = _JSON_TOKEN.match(text, pos)
        if m is None:
            return text[pos:].strip(" \t\n\r") == "" and state == "after" and not stack
        if state == "after" and not stack:
            return False  # a second value after the document
        pos, kind = m.end(), m.lastgroup or ""
        state = _json_step(stack, state, kind, m.group(kind))
        if state == "error" or len(stack) > JSON_MAX_DEPTH:
            return False
    return state == "after" and not stack


def _json_step(stack: list[str], state: str, kind: str, text: str) -> str:
    if kind == "open" and state in ("value", "first"):
        stack.append(text)
        return "first" if text == "[" else "first_key"
    if kind == "close" and stack and state in ("first", "first_key", "after"):
        return "after" if stack.pop() + text in ("[]", "{}") else "error"
    if kind == "string" and state in ("key", "first_key"):
        return "colon"
    if kind in ("string", "scalar") and state in ("value", "first"):
        return "after"
    if kind == "colon" and state == "colon":
        return "value"
    if kind == "comma" and state == "after" and stack:
        return "value" if stack[-1] == "[" else "key"
    return "error"


# How Python's sqlite3 and a STRICT column turn a bound value into the value
# stored: bool binds as an integer and NaN as NULL; INTEGER and REAL columns
# convert text that is a number literal (surrounding whitespace allowed);
# INTEGER keeps a real only when the conversion is lossless; TEXT stores
# numbers as their SQL text. The rules of a column apply to the stored value.


class _Refused:
    """What stored_value returns when a STRICT column refuses the value's type."""

    def __repr__(self) -> str:
        return "REFUSED"


REFUSED = _Refused()
_INT_TEXT = re.compile(r"[ \t\n\x0b\x0c\r]*[+-]?[0-9]+[ \t\n\x0b\x0c\r]*", re.ASCII)
_REAL_TEXT = re.compile(
    r"[ \t\n\x0b\x0c\r]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\x0b\x0c\r]*",
    re.ASCII,
)


def stored_value(column_type: str, value: Any) -> Any:
    """What a STRICT column of column_type stores for value, or REFUSED when it refuses the type."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return REFUSED  # sqlite3 cannot bind it at all
    convert = {"INTEGER": _as_integer, "REAL": _as_real, "TEXT": _as_text}.get(column_type)
    return convert(value) if convert else value


def _as_integer(value: Any) -> Any:
    if isinstance(value, str):
        value = _number_in_text(value)
    if isinstance(value, float):
        return _lossless_int(value)
    return value if isinstance(value, int) else REFUSED


def _as_real(value: Any) -> Any:
    if isinstance(value, str):
        value = _number_in_text(value)
    return float(value) if isinstance(value, (int, float)) else REFUSED


def _as_text(value: Any) -> Any:
    if isinstance(value, float):
        return _real_text(value)
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else REFUSED


def _number_in_text(text: str) -> int | float | None:
    if _INT_TEXT.fullmatch(text) and INT64_MIN <= int(text) <= INT64_MAX:
        return int(text)
    if _REAL_TEXT.fullmatch(text):
        return float(text.strip(WHITESPACE))
    return None


def _lossless_int(value: float) -> Any:
    # SQLite keeps a real as an integer only when the round trip is exact and
    # the integer is not one of the two int64 extremes.
    if math.isfinite(value) and value == int(value) and INT64_MIN < int(value) < INT64_MAX:
        return int(value)
    return REFUSED


def _real_text(value: float) -> str:
    # SQLite's "%!.15g": always a decimal point; -0.0 prints as 0.0.
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    mantissa, e, exponent = format(value if value else 0.0, ".15g").partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def row_violations(table: Table, row: Mapping[str, Any], *, documents: bool = False) -> list[Problem]:
    """Every rule of the contract that row (as bound by Python's sqlite3) breaks, as Problems of table.

    A rule between columns (distinct, not_before) is reported under its first column.

    documents=True also applies the JSON Schemas of JSON columns, which the
    harness enforces before writing (the database only checks json_valid).
    Foreign keys and uniqueness need other rows and are not judged here.
    """
    found = _unknown_columns(table, row)
    stored: dict[str, Any] = {}
    for column in table.writable_columns:
        if column.name not in row:
            if column.required:
                found.append(Problem(table.name, column.name, "not_null", "is required"))
            continue
        value = stored_value(column.type, row[column.name])
        if value is REFUSED:
            found.append(Problem(table.name, column.name, "type", f"must be {column.type}"))
            continue
        stored[column.name] = value
        broken = _column_problem(column, value, documents)
        if broken is not None:
            found.append(Problem(table.name, column.name, *broken))
    found.extend(_rule_violations(table, stored))
    return found


def _unknown_columns(table: Table, row: Mapping[str, Any]) -> list[Problem]:
    names = {c.name: c for c in table.columns}
    return [
        Problem(table.name, name, "column", "is generated by the database" if name in names else "is not a column")
        for name in row
        if name not in names or names[name].kind == "generated"
    ]


def _column_problem(column: Column, value: Any, documents: bool) -> tuple[str, str] | None:
    """(rule, message) of the rule a stored value breaks, or None."""
    if value is None:
        return ("not_null", "must not be NULL") if column.not_null else None
    check = _KIND_CHECKS.get(column.kind)
    problem = check(column, value) if check else None
    if problem is None and documents and column.kind == "json":
        problem = document_problem(column.json_schema or "", value)
    return problem


def _enum_problem(column: Column, value: Any) -> tuple[str, str] | None:
    if value in column.values:
        return None
    return "enum", f"must be one of {', '.join(column.values)}"


def _count_problem(column: Column, value: Any) -> tuple[str, str] | None:
    minimum = column.minimum if column.minimum is not None else 0
    if value < minimum:
        return "nonnegative", f"must be >= {minimum}"
    if column.maximum is not None and value > column.maximum:
        return "maximum", f"must be <= {column.maximum}"
    return None


def _real_problem(column: Column, value: Any) -> tuple[str, str] | None:
    return None if math.isfinite(value) else ("finite", "must be a finite number")


def _id_problem(column: Column, value: Any) -> tuple[str, str] | None:
    if is_id(value, column.max_length or 256):
        return None
    return "nonempty", f"must be 1..{column.max_length or 256} characters, not only whitespace, no NUL"


def _text_problem(column: Column, value: Any) -> tuple[str, str] | None:
    if column.nonempty and value.strip(WHITESPACE) == "":
        return "nonempty", "must not be empty or whitespace"
    return None


def _timestamp_problem(column: Column, value: Any) -> tuple[str, str] | None:
    if is_timestamp(value):
        return None
    return "timestamp", "must be an ISO 8601 timestamp such as 2026-01-29T12:00:00Z"


def _json_problem(column: Column, value: Any) -> tuple[str, str] | None:
    return None if is_json_text(value) else ("json_valid", "must be valid JSON text")


def _hash_problem(column: Column, value: Any) -> tuple[str, str] | None:
    return None if is_sha256(value) else ("sha256", "must be 64 hexadecimal characters")


_KIND_CHECKS = {
    "enum": _enum_problem,
    "count": _count_problem,
    "real": _real_problem,
    "id": _id_problem,
    "text": _text_problem,
    "timestamp": _timestamp_problem,
    "json": _json_problem,
    "hash": _hash_problem,
}


def _rule_violations(table: Table, stored: Mapping[str, Any]) -> list[Problem]:
    found = []
    for rule in table.rules:
        if rule.kind == "distinct":
            a, b = (stored.get(c) for c in rule.columns)
            if a is not None and a == b:
                found.append(Problem(table.name, rule.subject, "distinct", f"{rule.columns[0]} and {rule.columns[1]} must differ"))
        elif rule.kind == "not_before":
            later, earlier = (stored.get(c) for c in rule.columns)
            if _is_before(later, earlier):
                found.append(
                    Problem(table.name, rule.subject, "not_before", f"{rule.columns[0]} must not be before {rule.columns[1]}")
                )
    return found


def _is_before(later: Any, earlier: Any) -> bool:
    return is_timestamp(later) and is_timestamp(earlier) and utc_key(later) < utc_key(earlier)


def utc_key(value: str) -> int:
    """Milliseconds since 1970-01-01 UTC of an accepted timestamp: the instant <column>_utc holds.

    Seconds and fraction are rounded half up to the millisecond in binary64
    arithmetic ((seconds + fraction) * 1000 + 0.5, truncated), as SQLite
    computes a julian day, so every form of one instant gets one key.
    """
    m = _TIMESTAMP.fullmatch(value)
    if m is None:
        raise ValueError(f"not a timestamp: {value!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    millis = int((second + float(m.group(7) or 0)) * 1000.0 + 0.5)
    offset = 0
    if m.group(9):
        offset = (int(m.group(10)) * 60 + int(m.group(11))) * (1 if m.group(9) == "+" else -1)
    days = _days_from_civil(year, month, day)
    return ((days * 24 + hour) * 60 + minute - offset) * 60_000 + millis


def utc_text(value: str) -> str:
    """The text <column>_utc holds for an accepted timestamp: UTC as 'YYYY-MM-DD HH:MM:SS.SSS'."""
    days, millis = divmod(utc_key(value), 86_400_000)
    year, month, day = _civil_from_days(days)
    hour, millis = divmod(millis, 3_600_000)
    minute, millis = divmod(millis, 60_000)
    second, millis = divmod(millis, 1000)
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}.{millis:03d}"


def _days_from_civil(y: int, m: int, d: int) -> int:
    # Howard Hinnant's algorithm: days since 1970-01-01, proleptic Gregorian.
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    # The inverse of _days_from_civil (same source).
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


def document_problem(schema_name: str, value: Any) -> tuple[str, str] | None:
    """Why a JSON document (text) fails its JSON Schema, or None when it passes."""
    try:
        document = STRICT_JSON.decode(value)
    except (ValueError, TypeError, RecursionError):
        return "json_valid", "must be valid JSON text"
    error = jsonschema.exceptions.best_match(_validator(schema_name).iter_errors(document))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return "json_schema", f"{schema_name}: {('at ' + where + ': ') if where else ''}{error.message}"


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(document_schema(schema_name))
