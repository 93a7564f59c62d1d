"""A corpus of realistic schema changes, each with the verdict `ggen-db diff` must give it.

Every case edits version 1's schema.sql (harness/changes/versions/0001.sql) the way a pull
request would, and states: the rule codes the diff must report (no more, no fewer), its exit
status, a text one finding's message must contain, and, where a migration applies, the
migration that takes a populated version-1 database there (SQL text, or the tables a Python
migration rebuilds from the new schema's CREATE TABLE). tests/test_diff_corpus.py runs them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from harness.changes.rules import (
    BREAKING_READERS,
    BREAKING_WRITERS,
    DESTRUCTIVE,
    REBUILD,
    SAFE,
)

Edit = tuple[str, str] | Callable[[str], str]


def without(*names: str) -> Callable[[str], str]:
    """An edit removing the statements that create the named objects."""
    def edit(script: str) -> str:
        from harness.engine.db import split_statements

        kept = [s for s in split_statements(script) if not any(_creates(s, n) for n in names)]
        assert len(kept) == len(split_statements(script)) - len(names), names
        return "\n\n".join(kept) + "\n"
    return edit


def first(old: str, new: str) -> Callable[[str], str]:
    """An edit replacing the first of several occurrences (the same lines in two triggers)."""
    def edit(script: str) -> str:
        assert old in script, old
        return script.replace(old, new, 1)
    return edit


_CREATE = re.compile(r"\bCREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)")


def _creates(statement: str, name: str) -> bool:
    """The statement creates the object called name."""
    found = _CREATE.search(statement)
    return bool(found and found.group(1) == name)


@dataclass(frozen=True)
class Case:
    name: str
    story: str
    edits: tuple[Edit, ...]  # (text in version 1, its replacement: must occur exactly once) or a function
    cls: str  # the class the change is in the corpus for
    codes: tuple[str, ...]  # the distinct rule codes of its findings, sorted (BR107 fires once per documented
    # query affected, and the contract gains queries)
    exit_status: int
    message: str
    migration_sql: str | None = None
    rebuild: tuple[str, ...] = ()  # tables a .py migration rebuilds from the new schema
    recreate: tuple[str, ...] = ()  # views, triggers, indexes the migration drops and creates from the new schema
    data_codes: tuple[str, ...] | None = None  # the codes with --data (a generated version-1 database)
    why_no_migration: str = ""


VIEW_TAIL = "ORDER BY avg_duration_ms DESC, s.stage;"
FAILED_RECEIPTS_VIEW = "\nCREATE VIEW IF NOT EXISTS failed_receipts AS SELECT execution_id, agent_id FROM receipts WHERE status = 'failed';"

CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- destructive
    Case("drop_table_collisions", "collision detection moves to another service",
         (without("collision_detection", "idx_collision_detection_session_time", "idx_collision_detection_severity_time",
                  "idx_collision_detection_agents", "idx_collision_detection_time"),),
         DESTRUCTIVE, ("BR107", "DS101"), 1, "table collision_detection dropped with its rows",
         migration_sql="DROP TABLE collision_detection;"),
    Case("drop_column_error_message", "receipts stop keeping the error text",
         (("    error_message TEXT,\n    environment TEXT", "    environment TEXT"),),
         DESTRUCTIVE, ("DS102",), 1, "column receipts.error_message dropped",
         migration_sql="ALTER TABLE receipts DROP COLUMN error_message;"),
    Case("drop_view_stage_performance", "the per-stage view is replaced by a dashboard",
         (("CREATE VIEW IF NOT EXISTS pipeline_stage_performance AS", "CREATE VIEW IF NOT EXISTS stage_dashboard AS"),),
         DESTRUCTIVE, ("BR107", "DS103", "SF104"), 1, "view pipeline_stage_performance dropped",
         recreate=("pipeline_stage_performance", "stage_dashboard")),
    Case("drop_index_agent_time", "an index looks unused and is dropped",
         (("CREATE INDEX IF NOT EXISTS idx_receipts_agent_time ON receipts (agent_id, timestamp_utc);\n", ""),),
         DESTRUCTIVE, ("BR107", "DS104"), 1, "no longer uses idx_receipts_agent_time",
         migration_sql="DROP INDEX idx_receipts_agent_time;"),
    Case("drop_trigger_append_only", "audit rows may be corrected in place",
         (("CREATE TRIGGER IF NOT EXISTS audit_log_append_only\nBEFORE UPDATE ON audit_log\nBEGIN\n"
           "    SELECT RAISE(ABORT, 'audit_log: rows are append-only (UPDATE is refused)');\nEND;\n", ""),),
         DESTRUCTIVE, ("DS105",), 1, "trigger audit_log_append_only on audit_log dropped",
         migration_sql="DROP TRIGGER audit_log_append_only;"),
    Case("drop_foreign_key_stage_metrics", "stage metrics may arrive before their receipt",
         (("        CONSTRAINT pipeline_metrics_execution_id_fk\n"
           "            REFERENCES receipts (execution_id) ON DELETE CASCADE ON UPDATE CASCADE,\n"
           "    stage TEXT NOT NULL", ",\n    stage TEXT NOT NULL"),),
         DESTRUCTIVE, ("DS106", "RB101"), 1, "orphans become possible", rebuild=("pipeline_metrics",)),
    # ---------------------------------------------------------------- breaking for writers
    Case("add_not_null_column_without_default", "every receipt must name its tenant",
         (("    error_message TEXT,\n    environment TEXT", "    error_message TEXT,\n    tenant TEXT NOT NULL,\n    environment TEXT"),),
         BREAKING_WRITERS, ("BW101", "DD101", "RB101"), 1, "NOT NULL without a default",
         data_codes=("BW101", "DD102", "RB101"),
         why_no_migration="existing rows have no tenant: a human must choose the backfill"),
    Case("narrow_operation_enum", "the 'watch' operation is retired",
         ((" OR operation = 'dry_run' OR operation = 'watch'),", " OR operation = 'dry_run'),"),),
         BREAKING_WRITERS, ("BW102", "DD101", "RB101"), 1, "no longer accepts 'watch'",
         data_codes=("BW102", "DD102", "RB101"),
         why_no_migration="rows with operation 'watch' exist: a human must decide what they become"),
    Case("tighten_agent_id_length", "agent ids limited to 128 characters",
         (("CHECK (length(agent_id) <= 256 AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id, char(0)) = 0),\n"
           "    operation TEXT NOT NULL\n        CONSTRAINT receipts_operation_enum",
           "CHECK (length(agent_id) <= 128 AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id, char(0)) = 0),\n"
           "    operation TEXT NOT NULL\n        CONSTRAINT receipts_operation_enum"),),
         BREAKING_WRITERS, ("BW103", "DD101", "RB101"), 1, "limits 256 -> 128",
         data_codes=("BW103", "DD103", "RB101"), rebuild=("receipts",)),
    Case("unique_manifest_per_agent_memory", "one memory row per agent and creation time",
         ((VIEW_TAIL, VIEW_TAIL + "\nCREATE UNIQUE INDEX IF NOT EXISTS idx_agent_memory_agent_created "
                                   "ON agent_memory (agent_id, created_at);"),),
         BREAKING_WRITERS, ("BW104", "DD101"), 1, "unique index idx_agent_memory_agent_created",
         data_codes=("BW104", "DD103"),
         migration_sql="CREATE UNIQUE INDEX idx_agent_memory_agent_created ON agent_memory (agent_id, created_at);"),
    Case("change_input_size_type", "input sizes become fractional kilobytes",
         (("    input_size_bytes INTEGER\n", "    input_size_bytes REAL\n"),),
         BREAKING_WRITERS, ("BW105", "DD101", "RB101"), 1, "type 'INTEGER' -> 'REAL'",
         data_codes=("BW105", "DD103", "RB101"), rebuild=("pipeline_metrics",)),
    Case("environment_not_null", "every receipt must say its environment",
         (("    environment TEXT\n        CONSTRAINT receipts_environment_enum\n            CHECK (environment IS NULL OR ",
           "    environment TEXT NOT NULL\n        CONSTRAINT receipts_environment_enum\n            CHECK (environment IS NULL OR "),),
         BREAKING_WRITERS, ("BW106", "DD101", "RB101"), 1, "made NOT NULL",
         data_codes=("BW106", "DD103", "RB101"),
         why_no_migration="receipts written without an environment exist (ingest sends none): a human must choose "
                          "the backfill"),
    Case("foreign_key_action_restrict", "deleting a session must not delete its collisions",
         (("REFERENCES workflow_sessions (session_id) ON DELETE CASCADE ON UPDATE CASCADE",
           "REFERENCES workflow_sessions (session_id) ON DELETE RESTRICT ON UPDATE CASCADE"),),
         BREAKING_WRITERS, ("BW108", "RB101"), 1, "ON DELETE CASCADE -> RESTRICT", rebuild=("collision_detection",)),
    Case("refuse_memory_deletes", "agent memory may no longer be deleted",
         ((VIEW_TAIL, VIEW_TAIL + "\nCREATE TRIGGER IF NOT EXISTS agent_memory_kept BEFORE DELETE ON agent_memory\n"
                                   "BEGIN\n    SELECT RAISE(ABORT, 'agent_memory: rows are kept');\nEND;"),),
         BREAKING_WRITERS, ("BW112",), 1, "it can refuse writes to agent_memory",
         migration_sql="CREATE TRIGGER agent_memory_kept BEFORE DELETE ON agent_memory\n"
                       "BEGIN\n    SELECT RAISE(ABORT, 'agent_memory: rows are kept');\nEND;"),
    Case("tighter_duration_maximum", "a receipt longer than a day is a bug",
         (("        CONSTRAINT receipts_duration_ms_maximum CHECK (duration_ms <= 1000000000000),",
           "        CONSTRAINT receipts_duration_ms_maximum CHECK (duration_ms <= 86400000),"),),
         BREAKING_WRITERS, ("BW103", "DD101", "RB101"), 1, "limits 1000000000000 -> 86400000",
         data_codes=("BW103", "DD103", "RB101"), rebuild=("receipts",)),
    # ---------------------------------------------------------------- breaking for readers
    Case("view_column_dropped", "recent executions stop counting SLO violations",
         (("        AND a.timestamp_utc <= r.finished_utc) AS audit_entries,\n"
           "    (SELECT count(*) FROM slo_violations AS v\n      WHERE v.execution_id = r.execution_id) AS slo_violations\n",
           "        AND a.timestamp_utc <= r.finished_utc) AS audit_entries\n"),),
         BREAKING_READERS, ("BR101",), 1, "columns dropped slo_violations", recreate=("recent_executions",)),
    Case("view_column_renamed", "avg_duration_ms is called mean_duration_ms",
         (("s.total_executions, 2) AS avg_duration_ms", "s.total_executions, 2) AS mean_duration_ms"),),
         BREAKING_READERS, ("BR102",), 1, "avg_duration_ms -> mean_duration_ms",
         recreate=("agent_performance_summary",)),
    Case("view_columns_reordered", "failures before passes in the stage view",
         (("    s.passed,\n    s.failed\n", "    s.failed,\n    s.passed\n"),),
         BREAKING_READERS, ("BR103",), 1, "columns reordered", recreate=("pipeline_stage_performance",)),
    Case("view_order_changed", "agents listed by name",
         (("ORDER BY s.total_executions DESC, s.agent_id;", "ORDER BY s.agent_id;"),),
         BREAKING_READERS, ("BR104",), 1, "total_executions desc , s . agent_id` -> `... . agent_id`",
         recreate=("agent_performance_summary",)),
    Case("view_numbers_change", "stage averages rounded to whole milliseconds",
         (("s.executions, 2) AS avg_duration_ms", "s.executions, 0) AS avg_duration_ms"),),
         BREAKING_READERS, ("BR104",), 1, "rows, values or order may change",
         recreate=("pipeline_stage_performance",)),
    Case("index_column_order", "the agent/time index is turned round",
         (("idx_receipts_agent_time ON receipts (agent_id, timestamp_utc);",
           "idx_receipts_agent_time ON receipts (timestamp_utc, agent_id);"),),
         BREAKING_READERS, ("BR107", "SF103"), 1, "now makes a full scan of",
         recreate=("idx_receipts_agent_time",)),
    Case("rollup_trigger_edited", "the insert rollup's sums written the other way round",
         (first("        successful_executions = successful_executions + excluded.successful_executions,\n"
                "        failed_executions = failed_executions + excluded.failed_executions,\n",
                "        successful_executions = excluded.successful_executions + successful_executions,\n"
                "        failed_executions = excluded.failed_executions + failed_executions,\n"),),
         BREAKING_READERS, ("BR108",), 1, "trigger receipts_rollup_insert changed",
         recreate=("receipts_rollup_insert",)),
    Case("table_renamed", "slo_violations is called slo_breaches",
         (("CREATE TABLE IF NOT EXISTS slo_violations (", "CREATE TABLE IF NOT EXISTS slo_breaches ("),
          ("FROM slo_violations AS v", "FROM slo_breaches AS v"),
          ("idx_slo_violations_execution ON slo_violations", "idx_slo_violations_execution ON slo_breaches"),
          ("idx_slo_violations_time ON slo_violations", "idx_slo_violations_time ON slo_breaches"),
          ("idx_slo_violations_severity_time ON slo_violations", "idx_slo_violations_severity_time ON slo_breaches")),
         BREAKING_READERS, ("BR104", "BR105", "BR107"), 1, "table slo_violations renamed to slo_breaches",
         why_no_migration="the contract, the store and ingest name slo_violations"),
    Case("strict_made_loose", "the stage rollup accepts any type",
         ((") STRICT, WITHOUT ROWID;\n\n-- ----------------------------------------------------------------- indexes",
           ") WITHOUT ROWID;\n\n-- ----------------------------------------------------------------- indexes"),),
         REBUILD, ("BR110", "RB101"), 0, "no longer STRICT", rebuild=("stage_execution_stats",)),
    Case("timestamp_rule_relaxed", "audit created_at no longer needs to be a parseable time",
         (("        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)\n"
           "        AND strftime('%s', created_at) IS NOT NULL)\n) STRICT;\n\n-- ------------------------------------------------------- workflow_sessions",
           "        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10))\n) STRICT;\n\n"
           "-- ------------------------------------------------------- workflow_sessions"),),
         REBUILD, ("RB101", "SF105"), 0, "no longer requires strftime", rebuild=("audit_log",)),
    # ---------------------------------------------------------------- safe
    Case("add_nullable_column", "receipts may carry a free-text note",
         (("        strftime('%Y-%m-%d %H:%M:%f', timestamp_utc, (duration_ms / 1000.0) || ' seconds')) STORED,\n",
           "        strftime('%Y-%m-%d %H:%M:%f', timestamp_utc, (duration_ms / 1000.0) || ' seconds')) STORED,\n"
           "    note TEXT,\n"),),
         SAFE, ("SF102",), 0, "column receipts.note added",
         migration_sql="ALTER TABLE receipts ADD COLUMN note TEXT;"),
    Case("add_column_with_default", "receipts get a priority, 0 unless said",
         (("        strftime('%Y-%m-%d %H:%M:%f', timestamp_utc, (duration_ms / 1000.0) || ' seconds')) STORED,\n",
           "        strftime('%Y-%m-%d %H:%M:%f', timestamp_utc, (duration_ms / 1000.0) || ' seconds')) STORED,\n"
           "    priority INTEGER NOT NULL DEFAULT 0,\n"),),
         SAFE, ("SF102",), 0, "column receipts.priority added (INTEGER, default 0)",
         migration_sql="ALTER TABLE receipts ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"),
    Case("add_index", "failed audit rows by agent",
         ((VIEW_TAIL, VIEW_TAIL + "\nCREATE INDEX IF NOT EXISTS idx_audit_log_agent_status ON audit_log (agent_id, status);"),),
         SAFE, ("SF103",), 0, "index idx_audit_log_agent_status added",
         migration_sql="CREATE INDEX idx_audit_log_agent_status ON audit_log (agent_id, status);"),
    Case("add_view", "a view of failed receipts",
         ((VIEW_TAIL, VIEW_TAIL + FAILED_RECEIPTS_VIEW),),
         SAFE, ("SF104",), 0, "view failed_receipts added",
         migration_sql="CREATE VIEW failed_receipts AS\nSELECT execution_id, agent_id FROM receipts WHERE status = 'failed';"),
    Case("widen_severity_enum", "SLO violations may be informational",
         (("CHECK (severity = 'warning' OR severity = 'critical'),\n    description TEXT,",
           "CHECK (severity = 'info' OR severity = 'warning' OR severity = 'critical'),\n    description TEXT,"),),
         SAFE, ("RB101", "SF105"), 0, "now accepts 'info'", rebuild=("slo_violations",)),
    Case("add_table", "agents get a registry",
         ((VIEW_TAIL, VIEW_TAIL + "\nCREATE TABLE IF NOT EXISTS agent_registry (\n    agent_id TEXT PRIMARY KEY,\n"
                                   "    owner TEXT NOT NULL\n) STRICT;"),),
         SAFE, ("SF101",), 0, "table agent_registry added",
         migration_sql="CREATE TABLE agent_registry (\n    agent_id TEXT PRIMARY KEY,\n    owner TEXT NOT NULL\n) STRICT;"),
)
