"""Schema changes: installing a schema into a database (init), and upgrading it.

Imports: harness.contract, harness.engine, harness.store, harness.errors.
"""
