"""Ingest: JSON Lines files read, judged line by line and written through the store.

Imports: harness.contract, harness.store, harness.engine, harness.errors.
"""
