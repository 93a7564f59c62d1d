"""The contract: every promise the schema makes, as data (contract.json), its loader and model,
the value rules, the rollup definitions in SQL and the JSON Schemas of the package's formats.

Imports: harness.errors only.
"""
