"""The conformance suite: every promise of the contract as an executable check.

    from harness.checks import check_schema
    report = check_schema()                      # the shipped schema.sql
    report = check_schema(db="ggen.db")          # an existing database, read-only
    for finding in report.failed: print(finding.code, finding.message)

Modules: registry (codes, groups, order), context (what a check sees),
runner (check_schema), and one module per kind of check: checklist (the 36
original checks), structure, values, behaviour, rollups, views, queries,
flows, stored_data, environment, catalog (rules read from the catalogue), triggers, drift (a --db's
schema against the shipped one). Shared
helpers: table_sql (CHECK expressions as trees; harness.engine.sqltext cuts them from a CREATE TABLE), implied_sql (the SQL the contract implies), scratch_rows (rows for
scratch databases), known_rows (a small known data set and its oracles), plans. Importing this package registers them all.
"""

from __future__ import annotations

from harness.checks import (  # noqa: F401  (imported to register their checks, in report order)
    behaviour,
    catalog,
    checklist,
    drift,
    environment,
    flows,
    queries,
    rollups,
    stored_data,
    structure,
    triggers,
    values,
    views,
)
from harness.checks.context import CheckContext
from harness.checks.registry import REGISTRY, CheckSpec, PlannedCheck, ordered_specs, plan
from harness.checks.runner import check_schema, open_target, run_checks

__all__ = [
    "REGISTRY",
    "CheckContext",
    "CheckSpec",
    "PlannedCheck",
    "check_schema",
    "open_target",
    "ordered_specs",
    "plan",
    "run_checks",
]
