"""Benchmarks: workloads, timed rounds, statistics, judging against budgets and baselines,
results in JSON, the machine's fingerprint, and the seeded data generator with its cache.

Imports: harness.store, harness.contract, harness.engine, harness.results, harness.errors.
"""
