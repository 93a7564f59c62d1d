"""The database engine layer: connections with the project's settings, loading a schema, reading the
catalog (introspection) into frozen records, SQL text as SQLite reads it (sqltext: tokens, the one
normalization, the CHECKs, generated expressions and collations cut from a CREATE TABLE), and the
normalized catalog (catalog) and its differences (compare). Both harness.changes (diff, migrate, init, the
gate) and harness.checks (drift, CHECK rules) read and compare schemas through these, so there is one
implementation of each. SQLite today; a second engine goes here.

Imports: harness.errors.
"""
