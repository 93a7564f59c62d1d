"""Released schema versions and the migrations between them.

Version 1 is harness/changes/versions/0001.sql, the exact text of schema.sql
at commit ce2e1bd (what deployed databases have). Version N > 1 is version 1
plus migrations 2..N from harness/migrations/. What each version's catalog
must be: for the newest, the catalog of the shipped schema.sql; for an older
one, versions/NNNN.sql when that snapshot is kept, else version 1 with the
migrations applied in a scratch database.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from harness.engine import db, sqltext
from harness.engine.catalog import Catalog, catalog_of_script, read_catalog
from harness.errors import InputError

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")
_RUNNER_OWNED = ("begin", "commit", "end", "rollback", "savepoint", "release")


class MigrationError(InputError):
    """A migration file is malformed, or applying it did not produce its version."""


@dataclass(frozen=True)
class Migration:
    version: int
    slug: str
    path: Path

    @property
    def kind(self) -> str:
        return self.path.suffix.lstrip(".")

    @property
    def name(self) -> str:
        return self.path.name

    def statements(self) -> list[str]:
        """A .sql migration's statements; refuses the ones the runner owns (transactions, foreign keys)."""
        found = db.split_statements(self.path.read_text(encoding="utf-8"))
        for statement in found:
            words = sqltext.tokens(statement)
            if words[:1] and (words[0] in _RUNNER_OWNED or words[:2] == ["pragma", "foreign_keys"]):
                raise MigrationError(
                    f"migration {self.name}: `{' '.join(words[:2] if words[0] == 'pragma' else words[:1]).upper()}` is the runner's job "
                    "(each migration runs in the runner's transaction with foreign keys off)"
                )
        return found

    def upgrade_function(self) -> Callable[[sqlite3.Connection], None]:
        """A .py migration's upgrade(conn)."""
        spec = importlib.util.spec_from_file_location(f"ggen_db_migration_{self.version:04d}", self.path)
        if spec is None or spec.loader is None:
            raise MigrationError(f"migration {self.name}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        upgrade = getattr(module, "upgrade", None)
        if not callable(upgrade):
            raise MigrationError(f"migration {self.name}: defines no upgrade(conn) function")
        return upgrade  # type: ignore[no-any-return]

    def run(self, conn: sqlite3.Connection) -> None:
        """Apply the migration's changes on conn (inside the caller's transaction)."""
        if self.kind == "sql":
            for statement in self.statements():
                try:
                    conn.execute(statement)
                except sqlite3.Error as e:
                    raise MigrationError(f"migration {self.name}: statement fails ({e}): "
                                         f"{' '.join(statement.split())[:120]}") from e
        else:
            self.upgrade_function()(conn)


def find_migrations(directory: str | os.PathLike[str] = MIGRATIONS_DIR, *, after: int = 1) -> tuple[Migration, ...]:
    """The migrations in directory producing versions above `after`, in order; numbers must run after+1,
    after+2, ... without gaps or repeats."""
    found = []
    for path in sorted(Path(directory).iterdir()) if Path(directory).is_dir() else []:
        match = _MIGRATION_NAME.match(path.name)
        if match:
            if int(match.group(1)) > after:
                found.append(Migration(int(match.group(1)), match.group(2), path))
        elif path.suffix in (".sql", ".py") and path.name != "__init__.py":
            raise MigrationError(f"migration {path.name}: name must be NNNN_slug.sql or NNNN_slug.py")
    for expected, migration in enumerate(found, start=after + 1):
        if migration.version != expected:
            raise MigrationError(
                f"migration {migration.name}: expected version {expected:04d} (versions run {after + 1}, "
                f"{after + 2}, ... in order)"
            )
    return tuple(found)


@dataclass(frozen=True)
class Versions:
    """A chain of schema versions: the first version's script, the migrations, and the newest version's schema.

    The chain starts at version 1 (what ggen-db ships) or, for `ggen-db gate`, at the base revision's version.
    """

    base_script: str
    migrations: tuple[Migration, ...]
    head_script: str
    snapshots: dict[int, str] = field(default_factory=dict)  # kept versions/NNNN.sql texts
    base_version: int = 1

    @classmethod
    def shipped(cls) -> Versions:
        snapshots = {
            int(p.stem): p.read_text(encoding="utf-8") for p in sorted(VERSIONS_DIR.glob("[0-9][0-9][0-9][0-9].sql"))
        }
        return cls(snapshots[1], find_migrations(), db.read_schema(), snapshots)

    @property
    def head(self) -> int:
        return self.migrations[-1].version if self.migrations else self.base_version

    def between(self, current: int, target: int) -> tuple[Migration, ...]:
        """The migrations that take a database from current to target."""
        return tuple(m for m in self.migrations if current < m.version <= target)

    def expected_catalog(self, version: int) -> Catalog:
        """What a database at version must look like (user_version included)."""
        if not self.base_version <= version <= self.head:
            raise InputError(f"schema version {version}: unknown (released: {self.base_version}..{self.head})")
        return self._expected[version]

    @cached_property
    def _expected(self) -> dict[int, Catalog]:
        found = {}
        for version in range(self.base_version, self.head + 1):
            script = self.head_script if version == self.head else self.snapshots.get(version)
            found[version] = (
                _with_version(catalog_of_script(script, source=f"version {version}"), version)
                if script is not None
                else self.built_catalog(version)
            )
        return found

    def built_catalog(self, version: int) -> Catalog:
        """The catalog of the first version with the migrations up to version applied in a scratch database."""
        conn = self.scratch(version)
        try:
            return read_catalog(conn)
        finally:
            conn.close()

    def scratch(self, version: int) -> sqlite3.Connection:
        """An in-memory database at version, built the way a deployed database gets there."""
        from harness.changes.migrate import apply_migration  # the runner builds on these versions

        conn = db.connect_memory()
        db.apply_schema(conn, self.base_script, source=f"version {self.base_version}")
        conn.execute(f"PRAGMA user_version = {int(self.base_version)}")
        for migration in self.between(self.base_version, version):
            apply_migration(conn, migration, expected=None)
        return conn


def _with_version(catalog: Catalog, version: int) -> Catalog:
    from dataclasses import replace

    return replace(catalog, user_version=version)
