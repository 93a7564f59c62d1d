"""`ggen-db bench --db FILE`: the user's own database as the benchmark's data.

The database is never measured in place: `copy_user_database()` checks the
file, copies it with the verified online backup (harness.store.backup: one
snapshot, integrity and row counts checked, the source opened read-write
only so that SQLite removes the -wal/-shm files it creates) into the run's
scratch directory, and checks the copy is a ggen-db database.

`bind_to_database()` then gives each read workload parameters found in the
copy instead of the generator's. A parameter's value follows from the column
it binds to in the workload's SQL (`column = :name`, `column >= :name`,
`column GLOB :name`, `alias.column < :name`) and from its example value,
through one table of rules (VALUE_RULES):

* a timestamp (since, until, before, start, finish): the window moves so it
  ends just after the newest value of its column, its width kept (the last
  24 hours, the last hour of the data; a lone lower bound keeps its distance
  from the generator's DATA_END);
* an equality (agent_id, status, severity, metric, execution_id, ...): the
  example when the column holds it, else the column's most frequent value
  (the busiest agent); the ids harness.bench.rounds draws per round
  (SAMPLED_PARAMS) are drawn from the copy's rows as before;
* a GLOB pattern: the most frequent value with its last character as `*`;
* any other comparison (`id > :after`): the example, once the column has a value.

A parameter the data cannot supply (an empty table, a column without
values, a table this database does not have) skips its workload with the
reason; the run measures the rest. Writes are never run on the copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from harness.bench.datagen import DATA_END
from harness.bench.workloads import ORIGINAL_COLUMNS, READ, Workload
from harness.checks.drift import drift_problems
from harness.engine.db import existing_file, require_ggen_db
from harness.engine.introspection import quote_identifier
from harness.results import SkippedWorkload
from harness.store.backup import backup

#: The scale label of results measured on a user's database.
DB_SCALE = "db"
OPTION = "--db"
WRITES_SKIPPED = "writes skipped: --db measures reads only"

# `column <op> :name` or `column <op> substr(:name, ...)`, the column optionally alias-qualified.
_BINDING = re.compile(r"(?:(\w+)\.)?(\w+)\s*(=|>=|<=|<|>|\bGLOB\b)\s*(?:substr\(\s*)?:(\w+)\b", re.IGNORECASE)
# `FROM table [AS] alias` and `JOIN table [AS] alias`: the first FROM is the subject table.
_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!WHERE\b|ORDER\b|GROUP\b|LIMIT\b|JOIN\b|ON\b)(\w+))?",
                    re.IGNORECASE)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}(:\d{2}(:\d{2})?)?")
_UPPER_BOUNDS = ("<", "<=")
#: The writers' text timestamp columns and the normalized column of each (ORIGINAL_COLUMNS reversed).
NORMALIZED_COLUMNS = {original: utc for utc, original in ORIGINAL_COLUMNS.items()}


@dataclass(frozen=True)
class UserDatabase:
    """The user's database and its verified working copy.

    source: the file given to --db (never opened by the benchmark itself). copy: the verified
    copy in the scratch directory. size_bytes: the source file's size. drift: how its schema
    differs from the shipped schema.sql (harness.checks.drift).
    """

    source: Path
    copy: Path
    size_bytes: int
    page_size: int
    pages: int
    user_version: int
    row_counts: Mapping[str, int]
    schema_sha256: str
    drift: tuple[str, ...]

    @property
    def receipts(self) -> int:
        return int(self.row_counts.get("receipts", 0))

    def drift_notes(self, shown: int = 3) -> list[str]:
        """One note on how the schema differs from the shipped one (the JSON lists every difference)."""
        if not self.drift:
            return []
        more = f"; {len(self.drift) - shown} more in the JSON" if len(self.drift) > shown else ""
        objects = f"{len(self.drift)} object{'s differ' if len(self.drift) != 1 else ' differs'}"
        return [f"schema version {self.user_version}: {objects} from the shipped schema.sql "
                f"(ggen-db check --db shows them; ggen-db migrate upgrades an older database): "
                f"{'; '.join(self.drift[:shown])}{more}"]

    def describe(self) -> dict[str, Any]:
        """The database's part of the run's fingerprint (JSON-ready)."""
        return {
            "path": os.fspath(self.source),
            "size_bytes": self.size_bytes,
            "page_size": self.page_size,
            "pages": self.pages,
            "user_version": self.user_version,
            "schema_sha256": self.schema_sha256,
            "row_counts": dict(self.row_counts),
            "drift": list(self.drift),
        }


def copy_user_database(db_path: str | os.PathLike[str], copy: Path) -> UserDatabase:
    """A verified copy of the database at db_path, made at copy; InputError naming --db when the
    file is missing, not SQLite, or not a ggen-db database."""
    source = existing_file(db_path, argument=OPTION)
    size = source.stat().st_size
    result = backup(source, copy, argument=OPTION)
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        require_ggen_db(conn, f"{OPTION} {source}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        schema_sha256 = _schema_sha256(conn)
        drift = tuple(drift_problems(conn))
    finally:
        conn.close()
    counts = {name: n for name, n in result.row_counts.items() if not name.startswith("sqlite_")}
    return UserDatabase(source=source, copy=copy, size_bytes=size, page_size=result.page_size, pages=result.pages,
                        user_version=version, row_counts=counts, schema_sha256=schema_sha256, drift=drift)


def _schema_sha256(conn: sqlite3.Connection) -> str:
    """A hash of the database's own CREATE statements (what its results were measured with)."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
    return hashlib.sha256("\n".join(f"{t} {n}\n{s}" for t, n, s in rows).encode("utf-8")).hexdigest()


# ------------------------------------------------------------ parameters
@dataclass(frozen=True)
class Binding:
    """Where a parameter goes in a workload's SQL: `table.column <op> :name`."""

    name: str
    table: str
    column: str
    op: str


class Unsupplied(Exception):
    """The data cannot supply a parameter: the workload is skipped with this reason."""


def bindings(sql: str) -> dict[str, Binding]:
    """Each named parameter's first binding in sql, the table resolved through the statement's aliases."""
    tables = _TABLE.findall(sql)
    if not tables:
        return {}
    subject = tables[0][0]
    aliases = {alias.lower(): table for table, alias in tables if alias}
    aliases.update({table.lower(): table for table, _ in tables})
    found: dict[str, Binding] = {}
    for qualifier, column, op, name in _BINDING.findall(sql):
        table = aliases.get(qualifier.lower(), subject) if qualifier else subject
        found.setdefault(name, Binding(name, table, column, op.upper()))
    return found


class _Finder:
    """The queries that find parameter values in one database, each asked once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._cache: dict[tuple[str, ...], Any] = {}
        self.newest_seen: dict[str, object] = {}  # "table.column" -> its newest value, for the notes

    def _ask(self, key: tuple[str, ...], sql: str, params: Sequence[object] = ()) -> Any:
        if key not in self._cache:
            row = self.conn.execute(sql, params).fetchone()
            self._cache[key] = row[0] if row else None
        return self._cache[key]

    def columns(self, table: str) -> set[str]:
        """The table's columns, generated ones included (empty: no such table)."""
        return {row[1] for row in self.conn.execute("SELECT * FROM pragma_table_xinfo(?)", (table,))}

    def check_column(self, b: Binding) -> None:
        """Unsupplied unless b's table and column exist and the column holds a value."""
        columns = self.columns(b.table)
        if not columns:
            raise Unsupplied(f"no {b.table} table in this database")
        if b.column not in columns:
            raise Unsupplied(f"no {b.table}.{b.column} column in this database")
        table, column = quote_identifier(b.table), quote_identifier(b.column)
        if self._ask(("any", b.table), f"SELECT 1 FROM {table} LIMIT 1") is None:  # noqa: S608 - catalog names
            raise Unsupplied(f"no rows in {b.table}")
        if self._ask(("value", b.table, b.column), f"SELECT 1 FROM {table} WHERE {column} IS NOT NULL LIMIT 1") is None:  # noqa: S608
            raise Unsupplied(f"no {b.column} values in {b.table}")

    def holds(self, b: Binding, value: object) -> bool:
        sql = f"SELECT 1 FROM {quote_identifier(b.table)} WHERE {quote_identifier(b.column)} = ? LIMIT 1"  # noqa: S608
        return self._ask(("holds", b.table, b.column, repr(value)), sql, (value,)) is not None

    def most_frequent(self, b: Binding) -> object:
        table, column = quote_identifier(b.table), quote_identifier(b.column)
        sql = (f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608 - catalog names
               f"GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT 1")
        return self._ask(("frequent", b.table, b.column), sql)

    def newest(self, b: Binding) -> datetime:
        """The newest moment in b's column; a writer's text column (in any form and offset) is read
        through its normalized _utc column, whose order is the moments' order."""
        normalized = NORMALIZED_COLUMNS.get(b.column)
        column = normalized if normalized in self.columns(b.table) else b.column
        sql = f"SELECT max({quote_identifier(column)}) FROM {quote_identifier(b.table)}"  # noqa: S608
        text = self._ask(("newest", b.table, column), sql)
        self.newest_seen[f"{b.table}.{column}"] = text
        moment = parse_moment(text)
        if moment is None:
            raise Unsupplied(f"the newest {b.table}.{column} ({text!r}) is not a timestamp")
        return moment


def parse_moment(value: object) -> datetime | None:
    """A timestamp's leading 'YYYY-MM-DD HH[:MM[:SS]]' (or a 'YYYY-MM-DD' day), to the second; else None."""
    if not isinstance(value, str):
        return None
    text = value[:19].replace("T", " ")
    if not (_TIMESTAMP.match(text) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)):
        return None
    try:
        return datetime.strptime(text + "0000-01-01 00:00:00"[len(text):], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _shifted(example: str, shift: timedelta) -> str:
    """The example moment moved by shift, written in the example's own form (its fraction kept)."""
    moment = parse_moment(example)
    assert moment is not None  # only called for timestamp examples
    return (moment + shift).strftime("%Y-%m-%d %H:%M:%S") + example[19:]


def _glob_escaped(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _equal_value(finder: _Finder, b: Binding, example: object) -> object:
    return example if finder.holds(b, example) else finder.most_frequent(b)


def _pattern_value(finder: _Finder, b: Binding, example: object) -> object:
    value = str(finder.most_frequent(b))
    return _glob_escaped(value[:-1]) + "*"


def _kept_value(finder: _Finder, b: Binding, example: object) -> object:
    return example


#: How a parameter's value is found, by the operator that binds it (timestamps aside: _time_params).
VALUE_RULES = {"=": _equal_value, "GLOB": _pattern_value}


def _derive_params(workload: Workload, finder: _Finder) -> dict[str, object]:
    """The workload's parameters with values found in the database; Unsupplied names what is missing."""
    found = bindings(workload.sql)
    params = dict(workload.params)
    times = [found[name] for name, value in params.items() if name in found and parse_moment(value) is not None]
    for name, example in workload.params.items():
        b = found.get(name)
        if b is None:  # LIMIT :limit and the like: no column to draw from
            continue
        finder.check_column(b)
        if b not in times:
            params[name] = VALUE_RULES.get(b.op, _kept_value)(finder, b, example)
    params.update(_time_params(workload.params, times, finder))
    return params


def _time_params(examples: Mapping[str, object], times: Sequence[Binding], finder: _Finder) -> dict[str, object]:
    """The time parameters moved so the workload's window ends just after the data's newest moment.

    The anchor is the example's upper bound (until, finish, before) or, with lower bounds only, the
    end of the generated data: each value keeps its distance from it.
    """
    if not times:
        return {}
    end = finder.newest(times[0]) + timedelta(seconds=1)
    uppers = [parse_moment(examples[b.name]) for b in times if b.op in _UPPER_BOUNDS]
    anchor = max((u for u in uppers if u is not None), default=datetime.fromisoformat(DATA_END))
    return {b.name: _shifted(str(examples[b.name]), end - anchor) for b in times}


@dataclass(frozen=True)
class BoundWorkloads:
    """The read workloads with parameters from the data (each with scales (DB_SCALE,): it runs on the
    database whatever scales it names), those skipped and why, and whether writes were left out."""

    reads: tuple[Workload, ...]
    skipped: tuple[SkippedWorkload, ...]
    writes_left_out: bool
    newest: Mapping[str, object]  # "table.column" -> the newest value the time windows end after

    def notes(self) -> list[str]:
        """What the run's notes say about the parameters and the workloads left out."""
        out = [WRITES_SKIPPED] if self.writes_left_out else []
        if self.newest:
            ends = ", ".join(f"{column} {value}" for column, value in sorted(self.newest.items()))
            out.append(f"time windows end 1 s after the newest value of their column: {ends}")
        out.append("ids, agents, statuses and severities come from the database's rows (each result's params in --json)")
        return out


def bind_to_database(workloads: Sequence[Workload], conn: sqlite3.Connection) -> BoundWorkloads:
    """The workloads as they run on conn's data: reads with its parameters, or skipped with the reason."""
    finder = _Finder(conn)
    kept: list[Workload] = []
    skipped: list[SkippedWorkload] = []
    for workload in (w for w in workloads if w.kind == READ):
        try:
            conn.execute("EXPLAIN " + workload.sql, dict(workload.params)).fetchall()
            params = _derive_params(workload, finder)
        except sqlite3.Error as e:
            skipped.append(SkippedWorkload(workload.name, DB_SCALE, f"its SQL fails on this database ({e})"))
            continue
        except Unsupplied as e:
            skipped.append(SkippedWorkload(workload.name, DB_SCALE, str(e)))
            continue
        kept.append(replace(workload, params=params, scales=(DB_SCALE,)))
    return BoundWorkloads(tuple(kept), tuple(skipped), any(w.kind != READ for w in workloads), finder.newest_seen)
