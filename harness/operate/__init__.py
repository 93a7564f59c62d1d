"""The operator's API: what `ggen-db query`, `get`, `export`, `stats`, `archive`, `maintain` and
`reset` do, one module per concern, each command a thin layer over one function here.

- database: opening a database given as `DB` (read-only unless the command writes).
- window: `--since`/`--until` values (24h, 7d, a date, a timestamp) as UTC bounds.
- reads: the documented reads (query, get); the SQL is the contract's `queries`, so the
  plan gates of `ggen-db check` cover every statement these commands run.
- export: receipts (with their stage metrics and violations) or audit rows as JSON Lines or CSV.
- stats: sizes and counts from the rollups and indexes.
- archive: move old rows into an archive database, batch by batch.
- maintain: integrity check, optimize, checkpoint, VACUUM.
- reset: empty a database after a verified backup.

Sits beside ingest and bench. Imports: harness.store, harness.engine, harness.contract,
harness.errors, harness.results. Never imports the CLI or the reports.
"""
