"""The database engine layer: connections with the project's settings, loading a schema, and
reading the catalog (introspection) into frozen records. SQLite today; a second engine goes here.

Imports: harness.errors.
"""
