"""Judging a reader's own SQL against the schema before it ships (`ggen-db lint-queries`).

    from harness.lint import lint_queries
    report = lint_queries(open("queries.sql").read(), scale="10k")   # or db="ggen.db"
    for statement in report.statements: print(statement.verdict, statement.findings)

Modules: rules (the rule codes, their severity and fix; the README catalogue),
statements (splitting a file, reading each statement with sqlglot, binding its
parameters from the data), analysis (rules read from the statement's syntax:
raw timestamp text, aggregates a view or rollup already holds), plans (rules
read from EXPLAIN QUERY PLAN: scans and sorts that grow with the data),
runner (lint_queries: the target database, the timing), render (text, JSON,
Markdown).

Imports: harness.bench (datagen, for --scale), harness.checks.plans,
harness.contract, harness.engine, harness.errors.
"""

from __future__ import annotations

from harness.lint.rules import FAIL, RULES, WARN, Finding, Rule
from harness.lint.runner import LintReport, StatementResult, lint_queries

__all__ = ["FAIL", "RULES", "WARN", "Finding", "LintReport", "Rule", "StatementResult", "lint_queries"]
