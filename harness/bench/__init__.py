"""Benchmarks: the data scales and their one parser, workloads, timed rounds, statistics, judging
against budgets, the one comparison with a baseline, results in JSON, the machine's fingerprint, and
the seeded data generator with its cache; or, for `bench --db`, a verified copy of the user's own
database with parameters found in its rows (user_data).

Imports: harness.store, harness.checks (drift), harness.contract, harness.engine, harness.results,
harness.atomic, harness.errors.
"""
