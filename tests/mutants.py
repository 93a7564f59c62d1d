"""Mutants of schema.sql: text edits that each break one promise of the contract.

Each Mutant names the check code that must catch it and words its message
must contain (the table, column or index concerned). An edit that no longer
matches schema.sql raises StaleMutant, so a schema change cannot silently
turn a mutant into the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from harness.checks.checklist import CHECKLIST_RECEIPT_COLUMNS, CHECKLIST_TABLES
from harness.engine.db import split_statements


class StaleMutant(Exception):
    """A mutant's edit did not change the schema: schema.sql moved on; update the mutant."""


@dataclass(frozen=True)
class Mutant:
    name: str
    edit: Callable[[str], str]
    code: str  # a check that must fail
    mentions: tuple[str, ...]  # words its message must contain

    def apply(self, schema: str) -> str:
        mutated = self.edit(schema)
        if mutated == schema:
            raise StaleMutant(f"mutant {self.name}: its edit no longer matches schema.sql")
        return mutated


def replace(old: str, new: str, *, nth: int = 1) -> Callable[[str], str]:
    """Replace the nth occurrence of old (1-based); unchanged text when there is none."""

    def edit(text: str) -> str:
        start = -1
        for _ in range(nth):
            start = text.find(old, start + 1)
            if start < 0:
                return text
        return text[:start] + new + text[start + len(old):]

    return edit


def _starts(statement: str, head: str) -> bool:
    """Whether the statement, past its leading comment lines, starts with head."""
    lines = statement.splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "\n".join(lines).startswith(head)


def in_statement(head: str, old: str, new: str) -> Callable[[str], str]:
    """Replace old by new (every occurrence) inside the one statement that starts with head."""

    def edit(text: str) -> str:
        for statement in split_statements(text):
            if _starts(statement, head):
                return text.replace(statement, statement.replace(old, new))
        return text

    return edit


def regex_in_statement(head: str, pattern: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for statement in split_statements(text):
            if _starts(statement, head):
                return text.replace(statement, re.sub(pattern, new, statement, count=1, flags=re.MULTILINE))
        return text

    return edit


def drop_table(table: str) -> Callable[[str], str]:
    """Remove a table with its indexes and triggers (what would not load without it)."""
    owned = re.compile(
        rf"CREATE (?:TABLE IF NOT EXISTS {table} \(|INDEX IF NOT EXISTS \w+ ON {table} \(|TRIGGER IF NOT EXISTS \w+\s+"
        rf"(?:BEFORE|AFTER) (?:INSERT|UPDATE|DELETE)(?: OF [\w, ]+)? ON {table}\b)"
    )

    def edit(text: str) -> str:
        kept = [s for s in split_statements(text) if not owned.search(s)]
        return "\n\n".join(kept) + "\n"

    return edit


def remove(old: str) -> Callable[[str], str]:
    return replace(old, "")


def without_statement(word: str) -> Callable[[str], str]:
    """Remove the statements that contain word (a trigger's name, say)."""
    return lambda text: "\n\n".join(s for s in split_statements(text) if word not in s) + "\n"


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + "\n" + extra + "\n"


BAD_ROWS = """
PRAGMA foreign_keys = OFF;
PRAGMA ignore_check_constraints = ON;
DROP TRIGGER slo_violations_execution_id_fk_insert;  -- as a version-1 writer without foreign keys could
INSERT INTO slo_violations (execution_id, metric, target_value, actual_value, severity, timestamp)
    VALUES ('no-such-execution', 'duration_ms', 1, 2, 'warning', '2026-01-29T12:00:00Z');
INSERT INTO audit_log (timestamp, agent_id, operation, status, context_json)
    VALUES ('2026-01-29T12:00:00Z', 'agent-01', 'seed', 'started', '{not json');
INSERT OR IGNORE INTO agent_execution_stats (agent_id, total_executions) VALUES ('ghost', 3);
PRAGMA ignore_check_constraints = OFF;
"""


def _generated() -> list[Mutant]:
    found = [
        Mutant(f"drop table {t}", drop_table(t), f"check_{n:02d}_table_{t}_exists", (t,))
        for n, t in enumerate(CHECKLIST_TABLES, start=1)
    ]
    head = "CREATE TABLE IF NOT EXISTS receipts"
    for n, column in enumerate(CHECKLIST_RECEIPT_COLUMNS, start=8):
        if column == "id":
            edit = in_statement(head, "id INTEGER PRIMARY KEY AUTOINCREMENT", "id INTEGER PRIMARY KEY")
        else:
            edit = regex_in_statement(head, rf"^(\s+{column}) (?:TEXT|INTEGER)\b", r"\1 ANY")
        found.append(Mutant(f"type of receipts.{column} changed", edit, f"check_{n:02d}_column_receipts_{column}",
                            (f"receipts.{column}",)))
    return found


HAND_WRITTEN = [
    Mutant("index dropped", remove("CREATE INDEX IF NOT EXISTS idx_receipts_time ON receipts (timestamp_utc, id, status);"),
           "check_23_receipts_indexes", ("idx_receipts_time", "missing")),
    Mutant("enumeration widened", replace("OR status = 'partial'", "OR status = 'partial' OR status = 'completed'"),
           "enum_receipts_status", ("receipts.status", "'completed'")),
    Mutant("enumeration narrowed", replace("CHECK (severity = 'info' OR ", "CHECK ("),
           "enum_collision_detection_severity", ("collision_detection.severity", "'info'")),
    Mutant("NOT NULL dropped", in_statement("CREATE TABLE IF NOT EXISTS audit_log", "agent_id TEXT NOT NULL", "agent_id TEXT"),
           "table_audit_log_columns", ("audit_log.agent_id", "NOT NULL")),
    Mutant("foreign key and its orphan trigger removed",
           lambda t: without_statement("collision_detection_session_id_fk_insert")(remove(
               "CONSTRAINT collision_detection_session_id_fk\n"
               "            REFERENCES workflow_sessions (session_id) ON DELETE CASCADE ON UPDATE CASCADE")(t)),
           "check_32_fk_refuses_orphan", ("collision_detection.session_id", "orphan")),
    Mutant("ON DELETE rule changed",
           in_statement("CREATE TABLE IF NOT EXISTS pipeline_metrics", "ON DELETE CASCADE", "ON DELETE RESTRICT"),
           "fk_pipeline_metrics_execution_id", ("pipeline_metrics.execution_id", "ON DELETE")),
    Mutant("ON DELETE of collisions changed, its trigger removed",
           lambda t: without_statement("collision_detection_session_id_fk_on_delete")(in_statement(
               "CREATE TABLE IF NOT EXISTS collision_detection", "ON DELETE CASCADE", "ON DELETE NO ACTION")(t)),
           "flow_session_collisions", ("collision_detection.session_id", "ON DELETE CASCADE")),
    Mutant("json_valid removed", replace("CHECK (receipt_json IS NULL OR (json_valid(receipt_json) AND instr(receipt_json, char(0)) = 0))", "CHECK (1)"),
           "json_receipts_receipt_json", ("receipts.receipt_json", "JSON")),
    Mutant("view: audit join ignores agent_id", remove("a.agent_id = r.agent_id\n        AND "),
           "view_recent_executions_audit_window", ("recent_executions.audit_entries",)),
    Mutant("view: avg without round",
           replace("round(CAST(s.total_duration_ms AS REAL) / s.total_executions, 2)",
                   "CAST(s.total_duration_ms AS REAL) / s.total_executions"),
           "check_34_view_agent_performance_summary", ("agent_performance_summary", "avg_duration_ms")),
    Mutant("view: LIMIT changed", replace("LIMIT 100;", "LIMIT 50;"),
           "view_recent_executions_limit", ("recent_executions", "max_rows")),
    Mutant("view: min computed as max",
           in_statement("CREATE VIEW IF NOT EXISTS pipeline_stage_performance", "    s.min_duration_ms,",
                        "    s.max_duration_ms AS min_duration_ms,"),
           "check_35_view_pipeline_stage_performance", ("pipeline_stage_performance", "min_duration_ms")),
    Mutant("view: per-agent newest execution scans receipts",
           replace("(SELECT max(r.timestamp_utc) FROM receipts AS r WHERE r.agent_id = s.agent_id)",
                   "(SELECT max(r.timestamp_utc) FROM receipts AS r WHERE r.agent_id || '' = s.agent_id)"),
           "view_agent_performance_summary_no_full_scan", ("agent_performance_summary", "full scan of index")),
    Mutant("view: per-stage extremes read from pipeline_metrics",
           in_statement("CREATE VIEW IF NOT EXISTS pipeline_stage_performance", "    s.min_duration_ms,",
                        "    (SELECT min(m.duration_ms) FROM pipeline_metrics AS m WHERE m.stage = s.stage) "
                        "AS min_duration_ms,"),
           "index_serves_pipeline_stage_performance", ("pipeline_stage_performance", "pipeline_metrics")),
    Mutant("view column renamed", replace(") AS slo_violations\nFROM receipts AS r", ") AS violations\nFROM receipts AS r"),
           "view_recent_executions_columns", ("recent_executions", "slo_violations")),
    Mutant("rollup update trigger removed",
           lambda t: "\n\n".join(s for s in split_statements(t) if "receipts_rollup_update" not in s) + "\n",
           "rollup_agent_execution_stats_exact", ("agent_execution_stats",)),
    Mutant("rollup delete trigger does not look the extreme up again",
           in_statement("CREATE TRIGGER IF NOT EXISTS receipts_rollup_delete",
                        "AND rows_at_min_duration = 0 AND", "AND 0 AND"),
           "rollup_agent_execution_stats_exact", ("agent_execution_stats",)),
    Mutant("rollup update trigger does not count ties at the minimum",
           in_statement("CREATE TRIGGER IF NOT EXISTS pipeline_metrics_rollup_update",
                        "THEN rows_at_min_duration + 1", "THEN rows_at_min_duration"),
           "rollup_stage_execution_stats_exact", ("stage_execution_stats",)),
    Mutant("rollup insert trigger removed",
           lambda t: "\n\n".join(s for s in split_statements(t) if "pipeline_metrics_rollup_insert" not in s) + "\n",
           "rollup_rollback", ("stage_execution_stats",)),
    Mutant("column renamed", in_statement("CREATE TABLE IF NOT EXISTS receipts", "receipt_json", "receipt_doc"),
           "table_receipts_columns", ("receipts.receipt_json", "missing")),
    Mutant("generated _utc column computes the wrong thing",
           in_statement("CREATE TABLE IF NOT EXISTS receipts", "THEN strftime('%Y-%m-%d %H:%M:%f', timestamp",
                        "THEN strftime('%Y-%m-%d %H:%M:%f', substr(timestamp, 1, 19)"),  # drops zone and fraction
           "timestamp_receipts_timestamp_utc", ("receipts.timestamp_utc",)),
    Mutant("timestamp CHECK removed", remove("CONSTRAINT audit_log_timestamp_format CHECK (timestamp_utc IS NOT NULL),"),
           "timestamp_audit_log_timestamp", ("audit_log.timestamp", "yesterday-ish")),
    Mutant("STRICT removed", in_statement("CREATE TABLE IF NOT EXISTS receipts", ") STRICT", ")"),
           "table_receipts_storage", ("receipts", "STRICT")),
    Mutant("WITHOUT ROWID removed", replace(") STRICT, WITHOUT ROWID;", ") STRICT;"),
           "table_agent_execution_stats_storage", ("agent_execution_stats", "WITHOUT ROWID")),
    Mutant("duplicate index added", append("CREATE INDEX IF NOT EXISTS idx_receipts_execution ON receipts (execution_id);"),
           "check_24_all_indexes", ("idx_receipts_execution", "duplicates")),
    Mutant("insert_once trigger removed",
           lambda t: "\n\n".join(s for s in split_statements(t) if "receipts_execution_id_recorded_once" not in s) + "\n",
           "rule_receipts_execution_id_recorded_once", ("receipts.execution_id", "INSERT OR REPLACE")),
    Mutant("append_only trigger removed",
           lambda t: "\n\n".join(s for s in split_statements(t) if "audit_log_append_only" not in s) + "\n",
           "rule_audit_log_append_only", ("audit_log", "UPDATE")),
    Mutant("UNIQUE on execution_id removed", remove("CONSTRAINT receipts_execution_id_unique UNIQUE"),
           "check_25_unique_execution_id", ("receipts.execution_id", "UNIQUE")),
    Mutant("undeclared trigger added",
           append("CREATE TRIGGER IF NOT EXISTS audit_log_echo AFTER INSERT ON audit_log BEGIN SELECT 1; END;"),
           "triggers_declared", ("audit_log_echo", "not in the contract")),
    Mutant("undeclared table added", append("CREATE TABLE IF NOT EXISTS receipts_archive (id INTEGER PRIMARY KEY) STRICT;"),
           "tables_declared", ("receipts_archive",)),
    Mutant("id may be whitespace", remove(" AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> ''"),
           "id_receipts_agent_id", ("receipts.agent_id", "whitespace")),
    Mutant("non-empty text rule removed",
           remove("CONSTRAINT audit_log_operation_nonempty CHECK (trim(operation, char(32, 9, 10, 11, 12, 13)) <> '')"),
           "text_audit_log_operation_nonempty", ("audit_log.operation",)),
    Mutant("negative duration allowed",
           remove("CONSTRAINT receipts_duration_ms_nonnegative CHECK (duration_ms >= 0)"),
           "check_27_integer_handling", ("receipts.duration_ms", "minimum")),
    Mutant("hash rule removed",
           remove("CONSTRAINT receipts_ontology_hash_sha256\n            CHECK (ontology_hash IS NULL OR "
                  "(length(ontology_hash) = 64 AND ontology_hash NOT GLOB '*[^0-9a-fA-F]*' AND instr(ontology_hash, char(0)) = 0))"),
           "hash_receipts_ontology_hash", ("receipts.ontology_hash",)),
    Mutant("count maximum removed",
           remove("\n        CONSTRAINT pipeline_metrics_duration_ms_maximum CHECK (duration_ms <= 1000000000000)"),
           "count_pipeline_metrics_duration_ms", ("pipeline_metrics.duration_ms",)),
    Mutant("json NUL guard removed",
           replace("(json_valid(memory_json) AND instr(memory_json, char(0)) = 0)", "json_valid(memory_json)"),
           "json_agent_memory_memory_json", ("agent_memory.memory_json",)),
    Mutant("hash NUL guard removed",
           replace("manifest_hash NOT GLOB '*[^0-9a-fA-F]*' AND instr(manifest_hash, char(0)) = 0",
                   "manifest_hash NOT GLOB '*[^0-9a-fA-F]*'"),
           "hash_receipts_manifest_hash", ("receipts.manifest_hash",)),
    Mutant("REAL finite rule removed",
           replace("CHECK (actual_value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308)", "CHECK (1)"),
           "real_slo_violations_actual_value", ("slo_violations.actual_value",)),
    Mutant("REAL column declared TEXT", replace("target_value REAL NOT NULL", "target_value TEXT NOT NULL"),
           "real_slo_violations_target_value", ("slo_violations.target_value",)),
    Mutant("not_before rule removed",
           remove("CONSTRAINT workflow_sessions_end_time_after_start CHECK (end_time IS NULL OR end_time_utc >= start_time_utc),"),
           "rule_workflow_sessions_end_time_after_start", ("workflow_sessions", "end_time")),
    Mutant("distinct rule removed", remove("CONSTRAINT collision_detection_agents_distinct CHECK (agent_id_1 <> agent_id_2),"),
           "rule_collision_detection_agents_distinct", ("collision_detection", "agent_id_1")),
    Mutant("schema ships bad rows", append(BAD_ROWS),
           "data_foreign_key_check", ("slo_violations",)),
    Mutant("PRAGMA foreign_keys removed", remove("PRAGMA foreign_keys = ON;"),
           "schema_plain_load", ("PRAGMA foreign_keys",)),
    Mutant("PRAGMA journal_mode removed", remove("PRAGMA journal_mode = WAL;"),
           "journal_mode_wal", ("journal_mode delete",)),
    Mutant("schema not idempotent",
           replace("CREATE INDEX IF NOT EXISTS idx_audit_log_time", "CREATE INDEX idx_audit_log_time"),
           "schema_idempotent", ("second time", "idx_audit_log_time")),
]

MUTANTS: tuple[Mutant, ...] = tuple(_generated() + HAND_WRITTEN)

# Checks no text edit of a schema can fail, and why. Each is failed by a
# targeted test in tests/test_checks.py instead.
NOT_MUTABLE = {
    "data_schema_drift": "judges a database (--db) against the shipped schema; a schema file is judged by the "
    "contract (tests/test_drift.py fails it with databases built from other schemas)",
    "sqlite_version": "depends on the SQLite library Python links, not on schema text "
    "(tests/test_checks.py fails it with a contract that requires a newer SQLite)",
}
