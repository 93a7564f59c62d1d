"""Benchmarks: the data scales and their one parser, workloads, timed rounds, statistics, judging
against budgets, the one comparison with a baseline, results in JSON, the machine's fingerprint, and
the seeded data generator with its cache.

Imports: harness.store, harness.contract, harness.engine, harness.results, harness.atomic, harness.errors.
"""
