"""Migrations between released schema versions, applied in order by `ggen-db migrate`.

One file per version: `NNNN_slug.sql` or `NNNN_slug.py`, NNNN the version it
produces (0002 is the first: version 1 is harness/changes/versions/0001.sql,
the schema deployed databases have). Numbers are consecutive, and
`schema_version` in harness/contract/contract.json equals the newest one.

- A `.sql` file is a list of statements; the runner wraps it in its own
  transaction (no BEGIN/COMMIT/PRAGMA foreign_keys in the file).
- A `.py` file defines `def upgrade(conn: sqlite3.Connection) -> None`, run
  inside the runner's transaction. For a change SQLite cannot ALTER, call
  `harness.changes.rebuild.rebuild_table(conn, table, create_sql)`: SQLite's
  documented rebuild, with indexes, triggers, views and the AUTOINCREMENT
  counter kept.

The runner turns foreign keys off before the transaction opens, runs
`PRAGMA foreign_key_check` before committing, recomputes the rollups,
records `PRAGMA user_version`, and refuses to commit a result whose catalog
is not that version's (for the newest, the catalog of schema.sql).
tests/test_migrate_versions.py proves every migration converges.
"""
