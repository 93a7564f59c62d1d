"""The store: the only code that writes rows (validated against the contract), its checkpoints,
the bulk loader and verified backups.

Imports: harness.contract, harness.engine, harness.errors.
"""
