"""What a check sees: the contract, the target's schema, and scratch databases to write in.

The target is either a schema file loaded into an in-memory database or an
existing database opened read-only. Checks that only read (structure,
plans, stored data) use `ctx.target`; checks that must write get a fresh
empty database with the target's own schema from `ctx.scratch()` (the
CREATE statements of its sqlite_master), so a --db target is never written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from harness.checks.registry import Broken
from harness.contract.model import Contract, Table
from harness.engine import db as harness_db
from harness.engine.introspection import SchemaInfo, TableInfo


@dataclass
class CheckContext:
    contract: Contract
    info: SchemaInfo
    target: sqlite3.Connection
    target_kind: str  # "schema" or "db"
    target_path: str
    ddl: tuple[str, ...]
    schema_text: str | None = None  # the schema file's text (schema targets only)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # results shared by several checks
    _template: bytes | None = field(default=None, repr=False)
    _open: list[sqlite3.Connection] = field(default_factory=list, repr=False)

    # -------------------------------------------------------------- scratch
    def scratch(self) -> sqlite3.Connection:
        """A new in-memory database with the target's schema, no rows, foreign keys on."""
        if self._template is None:
            self._template = self._build_template()
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._open.append(conn)
        deserialize = getattr(conn, "deserialize", None)  # Python 3.11+
        if deserialize is not None and self._template:
            deserialize(self._template)
        else:
            self._create(conn)
        return harness_db.configure(conn)

    def _build_template(self) -> bytes:
        """The empty schema as bytes (Python 3.11+), copied into each scratch database at once."""
        conn = harness_db.connect_memory()
        try:
            self._create(conn)
            serialize = getattr(conn, "serialize", None)
            return bytes(serialize()) if serialize is not None else b""
        finally:
            conn.close()

    def _create(self, conn: sqlite3.Connection) -> None:
        for statement in self.ddl:
            try:
                conn.execute(statement)
            except sqlite3.Error as e:
                raise Broken(f"the target's schema does not recreate ({e}): {statement[:80]}") from e

    def close_scratches(self) -> None:
        while self._open:
            self._open.pop().close()

    # -------------------------------------------------------------- lookups
    def table(self, name: str) -> TableInfo:
        """The target's table, or Broken naming it when it is missing."""
        found = self.info.table(name)
        if found is None:
            raise Broken(f"{name}: table is missing")
        return found

    def contract_table(self, name: str) -> Table:
        return self.contract.tables[name]

    def require_tables(self, *names: str) -> None:
        missing = [n for n in names if self.info.table(n) is None]
        if missing:
            raise Broken(f"{', '.join(missing)}: table is missing")
