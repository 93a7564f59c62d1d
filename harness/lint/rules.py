"""The rules of `ggen-db lint-queries`: one code each, its severity, what it means and the fix.

    python -m harness.lint.rules > rules.md

The README's `lint-queries-rules` section is exactly `render_catalogue()`
(tests/test_lint.py fails when it is stale), so a rule cannot ship undocumented.
A FAIL finding makes the command exit 1; a WARN is reported only.
"""

from __future__ import annotations

from dataclasses import dataclass

FAIL, WARN = "FAIL", "WARN"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    meaning: str
    fix: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("does_not_prepare", FAIL,
             "SQLite cannot prepare the statement on the target database (a syntax error, an unknown table "
             "or column, a wrong number of arguments).",
             "Run it in `sqlite3` against a database made by `ggen-db init`; the message names the problem."),
        Rule("scans_growing_table", FAIL,
             "The plan walks a table that grows with the data (every table but agent_memory and the rollups) "
             "from one end: its cost grows with the table. An index walked in order and stopped by a LIMIT is "
             "not a scan.",
             "Constrain an indexed column (`contract.json` lists each index and the queries it serves), or "
             "read the view or rollup the finding names."),
        Rule("raw_timestamp", FAIL,
             "The statement orders, compares, takes a min/max of, or cuts a day or hour out of a writer's "
             "timestamp text (`timestamp`, `start_time`, `end_time`, `updated_at`) where the table has its "
             "`_utc` column. Writers send five forms ('2026-01-29T12:00:00Z', '+02:00' offsets, isoformat "
             "without a zone, '2026-01-29 12:00:00'), which do not sort chronologically as text: "
             "'2026-01-29T09:00:00Z' sorts after '2026-01-29 12:00:00'.",
             "Use the `_utc` column (`timestamp_utc`, `start_time_utc`, ...): one instant, one value, "
             "'YYYY-MM-DD HH:MM:SS.SSS' in UTC, and the indexes are on it."),
        Rule("sorts_growing_set", WARN,
             "The plan sorts or groups in a temporary b-tree rows read from a growing table by a range or a "
             "non-unique key: the sort grows with the rows that match (all of one agent's receipts, every "
             "receipt of a day).",
             "Order by the index's own columns (`agent_id = ? ORDER BY timestamp_utc DESC` uses "
             "idx_receipts_agent_time in order), or read the rollup the finding names."),
        Rule("answered_by_rollup", WARN,
             "The statement aggregates a base table into something a view or rollup table already holds, "
             "kept exact by triggers: reading it costs a handful of rows at any size.",
             "Read the view or rollup the finding names instead."),
        Rule("not_analysed", WARN,
             "sqlglot could not read the statement (SQLite could): only the plan rules ran.",
             "Nothing to fix in the statement if it does what you mean; the syntax rules did not run on it."),
    )
}


def finding(code: str, message: str) -> Finding:
    return Finding(code, RULES[code].severity, message)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_catalogue() -> str:
    """The README's table of rules."""
    lines = ["| code | verdict | what it means | what to do |", "|---|---|---|---|"]
    lines += [f"| `{r.code}` | {r.severity} | {_cell(r.meaning)} | {_cell(r.fix)} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_catalogue(), end="")
