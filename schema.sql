-- ggen-db schema, version 6 (see harness/contract.json for every promise it makes).
--
-- Loadable with a plain sqlite3 connection and executescript(); idempotent
-- (every statement is IF NOT EXISTS or OR IGNORE). Needs SQLite >= 3.38
-- (STRICT tables, JSON functions built in).
--
-- Conventions, so the rules below read quickly:
-- * Tables are STRICT: a duration or count that is not an integer is refused.
-- * Enumerations are chains of '=' joined by OR, not IN (...): SQLite 3.40
--   builds a temporary b-tree for IN lists of 3+ constants on every
--   statement run, which costs 3-5 us per row in executemany.
-- * Every writer timestamp has a STORED generated column <name>_utc holding
--   it normalized to UTC as 'YYYY-MM-DD HH:MM:SS.SSS' (NULL when it is not
--   a timestamp; STORED, not VIRTUAL, because SELECT * and the views would
--   otherwise recompute it for every row they read: a 10k-row scan took
--   64 ms VIRTUAL, 29 ms STORED). Indexes, views and range queries use it, so
--   ordering is chronological whatever form the writer sent. The column is
--   NULL unless the text has the shape of one of the accepted forms, the
--   date exists (2026-02-31 is refused), the hour is below 24 and there is
--   no NUL (GLOB and the date functions stop reading at a NUL); a CHECK
--   then refuses the NULL under a named constraint. The '+0 seconds'
--   modifier sends every form through the julian-day computation, so one
--   instant gets one value whatever its offset (milliseconds rounded half
--   up), the value contract.utc_text computes.
-- * Ids are 1..256 characters, not only whitespace, and contain no NUL
--   (length() stops counting at a NUL, so the limit could not hold).
--   For the same reason JSON and hash columns refuse a NUL (json_valid and
--   GLOB stop reading at it), and REAL columns refuse +-Infinity.
-- * Counts and durations are integers from 0 to 10^12 (about 31 years in
--   milliseconds), so the rollup sums cannot overflow 64 bits.
-- * Constraints are named <table>_<column>_<rule>, so a refused write says
--   which column broke which rule.

PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;

-- ---------------------------------------------------------------- receipts
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL
        CONSTRAINT receipts_execution_id_unique UNIQUE
        CONSTRAINT receipts_execution_id_nonempty
            CHECK (length(execution_id) <= 256 AND trim(execution_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(execution_id, char(0)) = 0),
    agent_id TEXT NOT NULL
        CONSTRAINT receipts_agent_id_nonempty
            CHECK (length(agent_id) <= 256 AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id, char(0)) = 0),
    operation TEXT NOT NULL
        CONSTRAINT receipts_operation_enum
            CHECK (operation = 'validation' OR operation = 'generation' OR operation = 'normalization'
                OR operation = 'extraction' OR operation = 'emission' OR operation = 'canonicalization'
                OR operation = 'receipt' OR operation = 'dry_run' OR operation = 'watch'),
    status TEXT NOT NULL
        CONSTRAINT receipts_status_enum
            CHECK (status = 'passed' OR status = 'failed' OR status = 'partial' OR status = 'cancelled'),
    timestamp TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    manifest_hash TEXT
        CONSTRAINT receipts_manifest_hash_sha256
            CHECK (manifest_hash IS NULL OR (length(manifest_hash) = 64 AND manifest_hash NOT GLOB '*[^0-9a-fA-F]*' AND instr(manifest_hash, char(0)) = 0)),
    ontology_hash TEXT
        CONSTRAINT receipts_ontology_hash_sha256
            CHECK (ontology_hash IS NULL OR (length(ontology_hash) = 64 AND ontology_hash NOT GLOB '*[^0-9a-fA-F]*' AND instr(ontology_hash, char(0)) = 0)),
    files_generated INTEGER NOT NULL DEFAULT 0
        CONSTRAINT receipts_files_generated_nonnegative CHECK (files_generated >= 0)
        CONSTRAINT receipts_files_generated_maximum CHECK (files_generated <= 1000000000000),
    files_modified INTEGER NOT NULL DEFAULT 0
        CONSTRAINT receipts_files_modified_nonnegative CHECK (files_modified >= 0)
        CONSTRAINT receipts_files_modified_maximum CHECK (files_modified <= 1000000000000),
    duration_ms INTEGER NOT NULL
        CONSTRAINT receipts_duration_ms_nonnegative CHECK (duration_ms >= 0)
        CONSTRAINT receipts_duration_ms_maximum CHECK (duration_ms <= 1000000000000),
    receipt_json TEXT
        CONSTRAINT receipts_receipt_json_valid CHECK (receipt_json IS NULL OR (json_valid(receipt_json) AND instr(receipt_json, char(0)) = 0)),
    error_message TEXT,
    environment TEXT
        CONSTRAINT receipts_environment_enum
            CHECK (environment IS NULL OR environment = 'dev' OR environment = 'staging' OR environment = 'production'),
    timestamp_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN timestamp GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(timestamp, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(timestamp, char(0)) = 0
              AND substr(timestamp, 12, 2) < '24'
              AND date(substr(timestamp, 1, 10), '+0 days') = substr(timestamp, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', timestamp, '+0 seconds') END) STORED,
    -- End of the execution's window: recent_executions counts the agent's
    -- audit rows between timestamp_utc and finished_utc.
    finished_utc TEXT GENERATED ALWAYS AS (
        strftime('%Y-%m-%d %H:%M:%f', timestamp_utc, (duration_ms / 1000.0) || ' seconds')) STORED,
    CONSTRAINT receipts_timestamp_format CHECK (timestamp_utc IS NOT NULL),
    CONSTRAINT receipts_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- ------------------------------------------------------------ agent_memory
CREATE TABLE IF NOT EXISTS agent_memory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL
        CONSTRAINT agent_memory_agent_id_unique UNIQUE
        CONSTRAINT agent_memory_agent_id_nonempty
            CHECK (length(agent_id) <= 256 AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id, char(0)) = 0),
    memory_json TEXT NOT NULL
        CONSTRAINT agent_memory_memory_json_valid CHECK ((json_valid(memory_json) AND instr(memory_json, char(0)) = 0)),
    collision_history TEXT
        CONSTRAINT agent_memory_collision_history_valid
            CHECK (collision_history IS NULL OR (json_valid(collision_history) AND instr(collision_history, char(0)) = 0)),
    retry_count INTEGER NOT NULL DEFAULT 0
        CONSTRAINT agent_memory_retry_count_nonnegative CHECK (retry_count >= 0)
        CONSTRAINT agent_memory_retry_count_maximum CHECK (retry_count <= 1000000000000),
    last_error TEXT,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN updated_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(updated_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(updated_at, char(0)) = 0
              AND substr(updated_at, 12, 2) < '24'
              AND date(substr(updated_at, 1, 10), '+0 days') = substr(updated_at, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', updated_at, '+0 seconds') END) STORED,
    CONSTRAINT agent_memory_updated_at_format CHECK (updated_at_utc IS NOT NULL),
    CONSTRAINT agent_memory_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- --------------------------------------------------------------- audit_log
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,
    agent_id TEXT NOT NULL
        CONSTRAINT audit_log_agent_id_nonempty
            CHECK (length(agent_id) <= 256 AND trim(agent_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id, char(0)) = 0),
    operation TEXT NOT NULL
        CONSTRAINT audit_log_operation_nonempty CHECK (trim(operation, char(32, 9, 10, 11, 12, 13)) <> ''),
    status TEXT NOT NULL
        CONSTRAINT audit_log_status_enum
            CHECK (status = 'started' OR status = 'completed' OR status = 'failed' OR status = 'skipped'),
    duration_ms INTEGER
        CONSTRAINT audit_log_duration_ms_nonnegative CHECK (duration_ms IS NULL OR duration_ms >= 0)
        CONSTRAINT audit_log_duration_ms_maximum CHECK (duration_ms <= 1000000000000),
    error_message TEXT,
    context_json TEXT
        CONSTRAINT audit_log_context_json_valid CHECK (context_json IS NULL OR (json_valid(context_json) AND instr(context_json, char(0)) = 0)),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    timestamp_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN timestamp GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(timestamp, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(timestamp, char(0)) = 0
              AND substr(timestamp, 12, 2) < '24'
              AND date(substr(timestamp, 1, 10), '+0 days') = substr(timestamp, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', timestamp, '+0 seconds') END) STORED,
    CONSTRAINT audit_log_timestamp_format CHECK (timestamp_utc IS NOT NULL),
    CONSTRAINT audit_log_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- ------------------------------------------------------- workflow_sessions
CREATE TABLE IF NOT EXISTS workflow_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL
        CONSTRAINT workflow_sessions_session_id_unique UNIQUE
        CONSTRAINT workflow_sessions_session_id_nonempty
            CHECK (length(session_id) <= 256 AND trim(session_id, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(session_id, char(0)) = 0),
    start_time TEXT NOT NULL,
    end_time TEXT,
    status TEXT NOT NULL
        CONSTRAINT workflow_sessions_status_enum
            CHECK (status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled'),
    agent_count INTEGER NOT NULL
        CONSTRAINT workflow_sessions_agent_count_nonnegative CHECK (agent_count >= 0)
        CONSTRAINT workflow_sessions_agent_count_maximum CHECK (agent_count <= 1000000000000),
    total_duration_ms INTEGER
        CONSTRAINT workflow_sessions_total_duration_ms_nonnegative
            CHECK (total_duration_ms IS NULL OR total_duration_ms >= 0)
        CONSTRAINT workflow_sessions_total_duration_ms_maximum CHECK (total_duration_ms <= 1000000000000),
    successful_operations INTEGER NOT NULL DEFAULT 0
        CONSTRAINT workflow_sessions_successful_operations_nonnegative CHECK (successful_operations >= 0)
        CONSTRAINT workflow_sessions_successful_operations_maximum CHECK (successful_operations <= 1000000000000),
    failed_operations INTEGER NOT NULL DEFAULT 0
        CONSTRAINT workflow_sessions_failed_operations_nonnegative CHECK (failed_operations >= 0)
        CONSTRAINT workflow_sessions_failed_operations_maximum CHECK (failed_operations <= 1000000000000),
    context_json TEXT
        CONSTRAINT workflow_sessions_context_json_valid CHECK (context_json IS NULL OR (json_valid(context_json) AND instr(context_json, char(0)) = 0)),
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    start_time_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN start_time GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(start_time, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(start_time, char(0)) = 0
              AND substr(start_time, 12, 2) < '24'
              AND date(substr(start_time, 1, 10), '+0 days') = substr(start_time, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', start_time, '+0 seconds') END) STORED,
    end_time_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN end_time GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(end_time, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(end_time, char(0)) = 0
              AND substr(end_time, 12, 2) < '24'
              AND date(substr(end_time, 1, 10), '+0 days') = substr(end_time, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', end_time, '+0 seconds') END) STORED,
    CONSTRAINT workflow_sessions_start_time_format CHECK (start_time_utc IS NOT NULL),
    CONSTRAINT workflow_sessions_end_time_format CHECK (end_time IS NULL OR end_time_utc IS NOT NULL),
    CONSTRAINT workflow_sessions_end_time_after_start CHECK (end_time IS NULL OR end_time_utc >= start_time_utc),
    CONSTRAINT workflow_sessions_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- ----------------------------------------------------- collision_detection
CREATE TABLE IF NOT EXISTS collision_detection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL
        CONSTRAINT collision_detection_session_id_fk
            REFERENCES workflow_sessions (session_id) ON DELETE CASCADE ON UPDATE CASCADE,
    agent_id_1 TEXT NOT NULL
        CONSTRAINT collision_detection_agent_id_1_nonempty
            CHECK (length(agent_id_1) <= 256 AND trim(agent_id_1, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id_1, char(0)) = 0),
    agent_id_2 TEXT NOT NULL
        CONSTRAINT collision_detection_agent_id_2_nonempty
            CHECK (length(agent_id_2) <= 256 AND trim(agent_id_2, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(agent_id_2, char(0)) = 0),
    collision_type TEXT NOT NULL
        CONSTRAINT collision_detection_collision_type_enum
            CHECK (collision_type = 'file_conflict' OR collision_type = 'memory_conflict'
                OR collision_type = 'semantic_overlap' OR collision_type = 'structural_overlap'),
    description TEXT NOT NULL,
    resolution TEXT,
    severity TEXT NOT NULL
        CONSTRAINT collision_detection_severity_enum
            CHECK (severity = 'info' OR severity = 'warning' OR severity = 'critical'),
    timestamp TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    timestamp_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN timestamp GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(timestamp, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(timestamp, char(0)) = 0
              AND substr(timestamp, 12, 2) < '24'
              AND date(substr(timestamp, 1, 10), '+0 days') = substr(timestamp, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', timestamp, '+0 seconds') END) STORED,
    CONSTRAINT collision_detection_agents_distinct CHECK (agent_id_1 <> agent_id_2),
    CONSTRAINT collision_detection_timestamp_format CHECK (timestamp_utc IS NOT NULL),
    CONSTRAINT collision_detection_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- -------------------------------------------------------- pipeline_metrics
CREATE TABLE IF NOT EXISTS pipeline_metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL
        CONSTRAINT pipeline_metrics_execution_id_fk
            REFERENCES receipts (execution_id) ON DELETE CASCADE ON UPDATE CASCADE,
    stage TEXT NOT NULL
        CONSTRAINT pipeline_metrics_stage_enum
            CHECK (stage = 'μ₁_normalize' OR stage = 'μ₂_extract' OR stage = 'μ₃_emit'
                OR stage = 'μ₄_canonicalize' OR stage = 'μ₅_receipt'),
    duration_ms INTEGER NOT NULL
        CONSTRAINT pipeline_metrics_duration_ms_nonnegative CHECK (duration_ms >= 0)
        CONSTRAINT pipeline_metrics_duration_ms_maximum CHECK (duration_ms <= 1000000000000),
    input_size_bytes INTEGER
        CONSTRAINT pipeline_metrics_input_size_bytes_nonnegative
            CHECK (input_size_bytes IS NULL OR input_size_bytes >= 0)
        CONSTRAINT pipeline_metrics_input_size_bytes_maximum CHECK (input_size_bytes <= 1000000000000),
    output_size_bytes INTEGER
        CONSTRAINT pipeline_metrics_output_size_bytes_nonnegative
            CHECK (output_size_bytes IS NULL OR output_size_bytes >= 0)
        CONSTRAINT pipeline_metrics_output_size_bytes_maximum CHECK (output_size_bytes <= 1000000000000),
    status TEXT NOT NULL
        CONSTRAINT pipeline_metrics_status_enum CHECK (status = 'passed' OR status = 'failed'),
    error_message TEXT,
    timestamp TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    timestamp_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN timestamp GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(timestamp, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(timestamp, char(0)) = 0
              AND substr(timestamp, 12, 2) < '24'
              AND date(substr(timestamp, 1, 10), '+0 days') = substr(timestamp, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', timestamp, '+0 seconds') END) STORED,
    CONSTRAINT pipeline_metrics_timestamp_format CHECK (timestamp_utc IS NOT NULL),
    CONSTRAINT pipeline_metrics_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- ---------------------------------------------------------- slo_violations
CREATE TABLE IF NOT EXISTS slo_violations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL
        CONSTRAINT slo_violations_execution_id_fk
            REFERENCES receipts (execution_id) ON DELETE CASCADE ON UPDATE CASCADE,
    metric TEXT NOT NULL
        CONSTRAINT slo_violations_metric_nonempty
            CHECK (length(metric) <= 256 AND trim(metric, char(32, 9, 10, 11, 12, 13)) <> '' AND instr(metric, char(0)) = 0),
    target_value REAL NOT NULL
        CONSTRAINT slo_violations_target_value_finite
            CHECK (target_value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
    actual_value REAL NOT NULL
        CONSTRAINT slo_violations_actual_value_finite
            CHECK (actual_value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
    severity TEXT NOT NULL
        CONSTRAINT slo_violations_severity_enum CHECK (severity = 'warning' OR severity = 'critical'),
    description TEXT,
    timestamp TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    timestamp_utc TEXT GENERATED ALWAYS AS (
        CASE WHEN timestamp GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
              AND substr(timestamp, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(timestamp, char(0)) = 0
              AND substr(timestamp, 12, 2) < '24'
              AND date(substr(timestamp, 1, 10), '+0 days') = substr(timestamp, 1, 10)
             THEN strftime('%Y-%m-%d %H:%M:%f', timestamp, '+0 seconds') END) STORED,
    CONSTRAINT slo_violations_timestamp_format CHECK (timestamp_utc IS NOT NULL),
    CONSTRAINT slo_violations_created_at_format CHECK (
        created_at GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*'
        AND substr(created_at, 20) NOT GLOB '*[^0-9.Z:+-]*' AND instr(created_at, char(0)) = 0
        AND substr(created_at, 12, 2) < '24'
        AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)
        AND strftime('%s', created_at) IS NOT NULL)
) STRICT;

-- ----------------------------------------------------------------- rollups
-- Counts, totals and duration extremes, kept exact by the triggers below on
-- insert, update and delete. An extreme is kept with the number of rows that
-- hold it: a delete only decrements that number, and the extreme is looked
-- up again (a scan of the key's rows) only when its last row goes. Stored
-- extremes spare an index on (key, duration_ms), which every insert would
-- write at a random position: a batch of 1000 receipts wrote 4.6x more WAL
-- pages with those two indexes (benchmarks/where_time_goes.py frames).
CREATE TABLE IF NOT EXISTS agent_execution_stats (
    agent_id TEXT PRIMARY KEY,
    total_executions INTEGER NOT NULL DEFAULT 0,
    successful_executions INTEGER NOT NULL DEFAULT 0,
    failed_executions INTEGER NOT NULL DEFAULT 0,
    total_duration_ms INTEGER NOT NULL DEFAULT 0,
    total_files_generated INTEGER NOT NULL DEFAULT 0,
    min_duration_ms INTEGER,
    rows_at_min_duration INTEGER NOT NULL DEFAULT 0,
    max_duration_ms INTEGER,
    rows_at_max_duration INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS stage_execution_stats (
    stage TEXT PRIMARY KEY,
    executions INTEGER NOT NULL DEFAULT 0,
    passed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    total_duration_ms INTEGER NOT NULL DEFAULT 0,
    min_duration_ms INTEGER,
    rows_at_min_duration INTEGER NOT NULL DEFAULT 0,
    max_duration_ms INTEGER,
    rows_at_max_duration INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Counts per hour (per day for sessions) and per key, for the window queries: the last 24 hours
-- by day, one status per hour, collisions and violations of a day. A window then reads at most
-- (hours x keys) rows whatever the table's size (receipts_last_24h_by_day read about 33,000
-- index entries at 1m). Kept exact by the triggers below; a key whose count drops to 0 is removed,
-- except in the two dense tables (collisions, violations: schema versions 4 and 6), where every hour
-- of a day that holds a row, up to the day's last hour that holds one, holds every key, zeros
-- included, so a window reads (hours x keys) entries at any scale, however many hours hold no row.
-- hour = the first 13 characters of the _utc column ('YYYY-MM-DD HH'), day = the first 10.
-- The key columns are NOT NULL as the primary key of a WITHOUT ROWID table.
CREATE TABLE IF NOT EXISTS receipt_hourly_counts (
    hour TEXT,
    status TEXT,
    receipts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, status)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_hourly_counts (
    hour TEXT,
    status TEXT,
    entries INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, status)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS session_daily_counts (
    day TEXT,
    status TEXT,
    sessions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, status)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS collision_hourly_counts (
    hour TEXT,
    collision_type TEXT,
    severity TEXT,
    collisions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, collision_type, severity)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS violation_hourly_counts (
    hour TEXT,
    metric TEXT,
    severity TEXT,
    violations INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, metric, severity)
) STRICT, WITHOUT ROWID;

-- ----------------------------------------------------------------- indexes
-- Each index serves the documented queries named in harness/contract.json.
-- The UNIQUE autoindexes already serve lookups by execution_id, agent_id
-- (agent_memory) and session_id: no explicit index repeats them.
-- The agent indexes carry id and status after the time (schema version 5), like idx_receipts_time:
-- id keeps ORDER BY timestamp_utc DESC, id DESC served in order; status lets an agent's window of one
-- status (query --agent --status) test each entry in the index and read only the matching rows.
CREATE INDEX IF NOT EXISTS idx_receipts_agent_time ON receipts (agent_id, timestamp_utc, id, status);
-- id (the rowid) before status keeps ORDER BY timestamp_utc, id served by the index
-- (LIMIT stops early); status lets the per-day pass/fail counts skip the table rows.
CREATE INDEX IF NOT EXISTS idx_receipts_time ON receipts (timestamp_utc, id, status);
CREATE INDEX IF NOT EXISTS idx_receipts_status_time ON receipts (status, timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_agent_memory_updated ON agent_memory (updated_at_utc);
CREATE INDEX IF NOT EXISTS idx_audit_log_agent_time ON audit_log (agent_id, timestamp_utc, id, status);
CREATE INDEX IF NOT EXISTS idx_audit_log_time ON audit_log (timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_audit_log_status_time ON audit_log (status, timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_status_start ON workflow_sessions (status, start_time_utc);
CREATE INDEX IF NOT EXISTS idx_collision_detection_session_time ON collision_detection (session_id, timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_collision_detection_severity_time ON collision_detection (severity, timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_collision_detection_agents ON collision_detection (agent_id_1, agent_id_2);
CREATE INDEX IF NOT EXISTS idx_collision_detection_time ON collision_detection (timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_pipeline_metrics_execution ON pipeline_metrics (execution_id);
CREATE INDEX IF NOT EXISTS idx_slo_violations_execution ON slo_violations (execution_id);
CREATE INDEX IF NOT EXISTS idx_slo_violations_time ON slo_violations (timestamp_utc);
CREATE INDEX IF NOT EXISTS idx_slo_violations_severity_time ON slo_violations (severity, timestamp_utc);

-- The original design's indexes on the writers' own columns, so readers who kept its queries
-- (`WHERE agent_id = ? ORDER BY timestamp DESC LIMIT 50`, `ORDER BY created_at DESC`, ...) are
-- still index-served, verbatim. Text order is not time order across the writers' forms: these
-- queries are fast, not right (README "Readers who kept their queries"); the _utc indexes above
-- serve the right answers. Not kept: (stage, duration_ms), which the stage rollup answers and
-- which every insert wrote at a random position, and pipeline_metrics (timestamp), which no
-- documented query used and which cost 8 us of CPU per receipt (its 5 stage rows; 10% of an insert).
CREATE INDEX IF NOT EXISTS idx_receipts_agent_timestamp ON receipts (agent_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_receipts_status_created ON receipts (status, created_at);
CREATE INDEX IF NOT EXISTS idx_receipts_created ON receipts (created_at);
CREATE INDEX IF NOT EXISTS idx_agent_memory_updated_text ON agent_memory (updated_at);
CREATE INDEX IF NOT EXISTS idx_audit_log_timestamp ON audit_log (timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_log_agent_timestamp ON audit_log (agent_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_log_status_created ON audit_log (status, created_at);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_status_start_text ON workflow_sessions (status, start_time);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_status_created ON workflow_sessions (status, created_at);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_created ON workflow_sessions (created_at);
CREATE INDEX IF NOT EXISTS idx_collision_detection_session_timestamp ON collision_detection (session_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_collision_detection_severity_timestamp ON collision_detection (severity, timestamp);
CREATE INDEX IF NOT EXISTS idx_collision_detection_severity_created ON collision_detection (severity, created_at);
CREATE INDEX IF NOT EXISTS idx_slo_violations_metric_created ON slo_violations (metric, created_at);
CREATE INDEX IF NOT EXISTS idx_slo_violations_severity_created ON slo_violations (severity, created_at);

-- ---------------------------------------------------------------- triggers
-- A receipt is recorded once. INSERT OR REPLACE would delete the old row
-- without firing delete triggers (double-counting the rollups) and cascade
-- away its stage metrics, so a second insert of an execution_id is refused.
CREATE TRIGGER IF NOT EXISTS receipts_execution_id_recorded_once
BEFORE INSERT ON receipts
WHEN EXISTS (SELECT 1 FROM receipts WHERE execution_id = NEW.execution_id)
BEGIN
    SELECT RAISE(ABORT, 'receipts.execution_id: must be unique (a receipt is recorded once; REPLACE and upsert are refused)');
END;

CREATE TRIGGER IF NOT EXISTS receipts_rollup_insert
AFTER INSERT ON receipts
BEGIN
    INSERT INTO agent_execution_stats (agent_id, total_executions, successful_executions, failed_executions, total_duration_ms, total_files_generated,
        min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
    VALUES (NEW.agent_id, 1, NEW.status = 'passed', NEW.status = 'failed', NEW.duration_ms, NEW.files_generated,
        NEW.duration_ms, 1, NEW.duration_ms, 1)
    ON CONFLICT (agent_id) DO UPDATE SET
        total_executions = total_executions + 1,
        successful_executions = successful_executions + excluded.successful_executions,
        failed_executions = failed_executions + excluded.failed_executions,
        total_duration_ms = total_duration_ms + excluded.total_duration_ms,
        total_files_generated = total_files_generated + excluded.total_files_generated,
        rows_at_min_duration = CASE
            WHEN min_duration_ms IS NULL OR excluded.min_duration_ms < min_duration_ms THEN 1
            WHEN excluded.min_duration_ms = min_duration_ms THEN rows_at_min_duration + 1
            ELSE rows_at_min_duration END,
        min_duration_ms = min(coalesce(min_duration_ms, excluded.min_duration_ms), excluded.min_duration_ms),
        rows_at_max_duration = CASE
            WHEN max_duration_ms IS NULL OR excluded.max_duration_ms > max_duration_ms THEN 1
            WHEN excluded.max_duration_ms = max_duration_ms THEN rows_at_max_duration + 1
            ELSE rows_at_max_duration END,
        max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), excluded.max_duration_ms);
END;

-- The last receipt at an agent's extreme is gone: look the extreme up again.
CREATE TRIGGER IF NOT EXISTS receipts_rollup_delete
AFTER DELETE ON receipts
BEGIN
    UPDATE agent_execution_stats SET
        total_executions = total_executions - 1,
        successful_executions = successful_executions - (OLD.status = 'passed'),
        failed_executions = failed_executions - (OLD.status = 'failed'),
        total_duration_ms = total_duration_ms - OLD.duration_ms,
        total_files_generated = total_files_generated - OLD.files_generated,
        rows_at_min_duration = rows_at_min_duration - (OLD.duration_ms IS min_duration_ms),
        rows_at_max_duration = rows_at_max_duration - (OLD.duration_ms IS max_duration_ms)
    WHERE agent_id = OLD.agent_id;
    UPDATE agent_execution_stats SET (min_duration_ms, rows_at_min_duration) = (
        SELECT x, (SELECT count(*) FROM receipts WHERE agent_id = OLD.agent_id AND duration_ms = x)
        FROM (SELECT min(duration_ms) AS x FROM receipts WHERE agent_id = OLD.agent_id))
    WHERE agent_id = OLD.agent_id AND rows_at_min_duration = 0 AND min_duration_ms IS NOT NULL;
    UPDATE agent_execution_stats SET (max_duration_ms, rows_at_max_duration) = (
        SELECT x, (SELECT count(*) FROM receipts WHERE agent_id = OLD.agent_id AND duration_ms = x)
        FROM (SELECT max(duration_ms) AS x FROM receipts WHERE agent_id = OLD.agent_id))
    WHERE agent_id = OLD.agent_id AND rows_at_max_duration = 0 AND max_duration_ms IS NOT NULL;
END;

-- Take OLD out, put NEW in, then look up any extreme whose last row was OLD
-- (after NEW is in: the table already holds it).
CREATE TRIGGER IF NOT EXISTS receipts_rollup_update
AFTER UPDATE OF agent_id, status, duration_ms, files_generated ON receipts
BEGIN
    UPDATE agent_execution_stats SET
        total_executions = total_executions - 1,
        successful_executions = successful_executions - (OLD.status = 'passed'),
        failed_executions = failed_executions - (OLD.status = 'failed'),
        total_duration_ms = total_duration_ms - OLD.duration_ms,
        total_files_generated = total_files_generated - OLD.files_generated,
        rows_at_min_duration = rows_at_min_duration - (OLD.duration_ms IS min_duration_ms),
        rows_at_max_duration = rows_at_max_duration - (OLD.duration_ms IS max_duration_ms)
    WHERE agent_id = OLD.agent_id;
    INSERT INTO agent_execution_stats (agent_id, total_executions, successful_executions, failed_executions, total_duration_ms, total_files_generated,
        min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
    VALUES (NEW.agent_id, 1, NEW.status = 'passed', NEW.status = 'failed', NEW.duration_ms, NEW.files_generated,
        NEW.duration_ms, 1, NEW.duration_ms, 1)
    ON CONFLICT (agent_id) DO UPDATE SET
        total_executions = total_executions + 1,
        successful_executions = successful_executions + excluded.successful_executions,
        failed_executions = failed_executions + excluded.failed_executions,
        total_duration_ms = total_duration_ms + excluded.total_duration_ms,
        total_files_generated = total_files_generated + excluded.total_files_generated,
        rows_at_min_duration = CASE
            WHEN min_duration_ms IS NULL OR excluded.min_duration_ms < min_duration_ms THEN 1
            WHEN excluded.min_duration_ms = min_duration_ms THEN rows_at_min_duration + 1
            ELSE rows_at_min_duration END,
        min_duration_ms = min(coalesce(min_duration_ms, excluded.min_duration_ms), excluded.min_duration_ms),
        rows_at_max_duration = CASE
            WHEN max_duration_ms IS NULL OR excluded.max_duration_ms > max_duration_ms THEN 1
            WHEN excluded.max_duration_ms = max_duration_ms THEN rows_at_max_duration + 1
            ELSE rows_at_max_duration END,
        max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), excluded.max_duration_ms);
    UPDATE agent_execution_stats SET (min_duration_ms, rows_at_min_duration) = (
        SELECT x, (SELECT count(*) FROM receipts WHERE agent_id = OLD.agent_id AND duration_ms = x)
        FROM (SELECT min(duration_ms) AS x FROM receipts WHERE agent_id = OLD.agent_id))
    WHERE agent_id = OLD.agent_id AND rows_at_min_duration = 0 AND min_duration_ms IS NOT NULL;
    UPDATE agent_execution_stats SET (max_duration_ms, rows_at_max_duration) = (
        SELECT x, (SELECT count(*) FROM receipts WHERE agent_id = OLD.agent_id AND duration_ms = x)
        FROM (SELECT max(duration_ms) AS x FROM receipts WHERE agent_id = OLD.agent_id))
    WHERE agent_id = OLD.agent_id AND rows_at_max_duration = 0 AND max_duration_ms IS NOT NULL;
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_rollup_insert
AFTER INSERT ON pipeline_metrics
BEGIN
    SELECT RAISE(ABORT, 'pipeline_metrics.execution_id: references a missing receipts.execution_id (foreign key pipeline_metrics_execution_id_fk)') WHERE NEW.execution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts WHERE execution_id = NEW.execution_id);
    INSERT INTO stage_execution_stats (stage, executions, passed, failed, total_duration_ms,
        min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
    VALUES (NEW.stage, 1, NEW.status = 'passed', NEW.status = 'failed', NEW.duration_ms,
        NEW.duration_ms, 1, NEW.duration_ms, 1)
    ON CONFLICT (stage) DO UPDATE SET
        executions = executions + 1,
        passed = passed + excluded.passed,
        failed = failed + excluded.failed,
        total_duration_ms = total_duration_ms + excluded.total_duration_ms,
        rows_at_min_duration = CASE
            WHEN min_duration_ms IS NULL OR excluded.min_duration_ms < min_duration_ms THEN 1
            WHEN excluded.min_duration_ms = min_duration_ms THEN rows_at_min_duration + 1
            ELSE rows_at_min_duration END,
        min_duration_ms = min(coalesce(min_duration_ms, excluded.min_duration_ms), excluded.min_duration_ms),
        rows_at_max_duration = CASE
            WHEN max_duration_ms IS NULL OR excluded.max_duration_ms > max_duration_ms THEN 1
            WHEN excluded.max_duration_ms = max_duration_ms THEN rows_at_max_duration + 1
            ELSE rows_at_max_duration END,
        max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), excluded.max_duration_ms);
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_rollup_delete
AFTER DELETE ON pipeline_metrics
BEGIN
    UPDATE stage_execution_stats SET
        executions = executions - 1,
        passed = passed - (OLD.status = 'passed'),
        failed = failed - (OLD.status = 'failed'),
        total_duration_ms = total_duration_ms - OLD.duration_ms,
        rows_at_min_duration = rows_at_min_duration - (OLD.duration_ms IS min_duration_ms),
        rows_at_max_duration = rows_at_max_duration - (OLD.duration_ms IS max_duration_ms)
    WHERE stage = OLD.stage;
    UPDATE stage_execution_stats SET (min_duration_ms, rows_at_min_duration) = (
        SELECT x, (SELECT count(*) FROM pipeline_metrics WHERE stage = OLD.stage AND duration_ms = x)
        FROM (SELECT min(duration_ms) AS x FROM pipeline_metrics WHERE stage = OLD.stage))
    WHERE stage = OLD.stage AND rows_at_min_duration = 0 AND min_duration_ms IS NOT NULL;
    UPDATE stage_execution_stats SET (max_duration_ms, rows_at_max_duration) = (
        SELECT x, (SELECT count(*) FROM pipeline_metrics WHERE stage = OLD.stage AND duration_ms = x)
        FROM (SELECT max(duration_ms) AS x FROM pipeline_metrics WHERE stage = OLD.stage))
    WHERE stage = OLD.stage AND rows_at_max_duration = 0 AND max_duration_ms IS NOT NULL;
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_rollup_update
AFTER UPDATE OF stage, status, duration_ms ON pipeline_metrics
BEGIN
    UPDATE stage_execution_stats SET
        executions = executions - 1,
        passed = passed - (OLD.status = 'passed'),
        failed = failed - (OLD.status = 'failed'),
        total_duration_ms = total_duration_ms - OLD.duration_ms,
        rows_at_min_duration = rows_at_min_duration - (OLD.duration_ms IS min_duration_ms),
        rows_at_max_duration = rows_at_max_duration - (OLD.duration_ms IS max_duration_ms)
    WHERE stage = OLD.stage;
    INSERT INTO stage_execution_stats (stage, executions, passed, failed, total_duration_ms,
        min_duration_ms, rows_at_min_duration, max_duration_ms, rows_at_max_duration)
    VALUES (NEW.stage, 1, NEW.status = 'passed', NEW.status = 'failed', NEW.duration_ms,
        NEW.duration_ms, 1, NEW.duration_ms, 1)
    ON CONFLICT (stage) DO UPDATE SET
        executions = executions + 1,
        passed = passed + excluded.passed,
        failed = failed + excluded.failed,
        total_duration_ms = total_duration_ms + excluded.total_duration_ms,
        rows_at_min_duration = CASE
            WHEN min_duration_ms IS NULL OR excluded.min_duration_ms < min_duration_ms THEN 1
            WHEN excluded.min_duration_ms = min_duration_ms THEN rows_at_min_duration + 1
            ELSE rows_at_min_duration END,
        min_duration_ms = min(coalesce(min_duration_ms, excluded.min_duration_ms), excluded.min_duration_ms),
        rows_at_max_duration = CASE
            WHEN max_duration_ms IS NULL OR excluded.max_duration_ms > max_duration_ms THEN 1
            WHEN excluded.max_duration_ms = max_duration_ms THEN rows_at_max_duration + 1
            ELSE rows_at_max_duration END,
        max_duration_ms = max(coalesce(max_duration_ms, excluded.max_duration_ms), excluded.max_duration_ms);
    UPDATE stage_execution_stats SET (min_duration_ms, rows_at_min_duration) = (
        SELECT x, (SELECT count(*) FROM pipeline_metrics WHERE stage = OLD.stage AND duration_ms = x)
        FROM (SELECT min(duration_ms) AS x FROM pipeline_metrics WHERE stage = OLD.stage))
    WHERE stage = OLD.stage AND rows_at_min_duration = 0 AND min_duration_ms IS NOT NULL;
    UPDATE stage_execution_stats SET (max_duration_ms, rows_at_max_duration) = (
        SELECT x, (SELECT count(*) FROM pipeline_metrics WHERE stage = OLD.stage AND duration_ms = x)
        FROM (SELECT max(duration_ms) AS x FROM pipeline_metrics WHERE stage = OLD.stage))
    WHERE stage = OLD.stage AND rows_at_max_duration = 0 AND max_duration_ms IS NOT NULL;
END;

-- The hourly and daily counts: +1 for a new row, -1 for a row gone (a key at 0 is removed),
-- both for an update of the time or a key column. The _utc column is never NULL (its CHECK
-- refuses the row); the WHEN keeps the counts from refusing such a row first, so the CHECK stays
-- the one rule that does, under its own name. Generated by harness.contract.rollup_sql.window_triggers()
-- (tests/test_headroom.py keeps them equal); audit_log is append-only: no update trigger.
-- The dense tables' triggers (collision_, violation_hourly_counts) also bring an hour's zeros with
-- its first row (and a new metric's zeros to every hour), and take the hour away with its last row
-- (and a metric with its last violation).
CREATE TRIGGER IF NOT EXISTS receipts_hourly_insert
AFTER INSERT ON receipts
WHEN NEW.timestamp_utc IS NOT NULL
BEGIN
    INSERT INTO receipt_hourly_counts (hour, status, receipts) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.status, 1)
    ON CONFLICT (hour, status) DO UPDATE SET receipts = receipts + 1;
END;

CREATE TRIGGER IF NOT EXISTS receipts_hourly_delete
AFTER DELETE ON receipts
WHEN OLD.timestamp_utc IS NOT NULL
BEGIN
    UPDATE receipt_hourly_counts SET receipts = receipts - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status;
    DELETE FROM receipt_hourly_counts
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status AND receipts = 0;
END;

CREATE TRIGGER IF NOT EXISTS receipts_hourly_update
AFTER UPDATE OF timestamp, status ON receipts
WHEN OLD.timestamp_utc IS NOT NULL AND NEW.timestamp_utc IS NOT NULL
BEGIN
    UPDATE receipt_hourly_counts SET receipts = receipts - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status;
    DELETE FROM receipt_hourly_counts
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status AND receipts = 0;
    INSERT INTO receipt_hourly_counts (hour, status, receipts) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.status, 1)
    ON CONFLICT (hour, status) DO UPDATE SET receipts = receipts + 1;
END;

CREATE TRIGGER IF NOT EXISTS audit_log_hourly_insert
AFTER INSERT ON audit_log
WHEN NEW.timestamp_utc IS NOT NULL
BEGIN
    INSERT INTO audit_hourly_counts (hour, status, entries) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.status, 1)
    ON CONFLICT (hour, status) DO UPDATE SET entries = entries + 1;
END;

CREATE TRIGGER IF NOT EXISTS audit_log_hourly_delete
AFTER DELETE ON audit_log
WHEN OLD.timestamp_utc IS NOT NULL
BEGIN
    UPDATE audit_hourly_counts SET entries = entries - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status;
    DELETE FROM audit_hourly_counts
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND status = OLD.status AND entries = 0;
END;

CREATE TRIGGER IF NOT EXISTS workflow_sessions_daily_insert
AFTER INSERT ON workflow_sessions
WHEN NEW.start_time_utc IS NOT NULL
BEGIN
    INSERT INTO session_daily_counts (day, status, sessions) VALUES (substr(NEW.start_time_utc, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER IF NOT EXISTS workflow_sessions_daily_delete
AFTER DELETE ON workflow_sessions
WHEN OLD.start_time_utc IS NOT NULL
BEGIN
    UPDATE session_daily_counts SET sessions = sessions - 1
    WHERE day = substr(OLD.start_time_utc, 1, 10) AND status = OLD.status;
    DELETE FROM session_daily_counts
    WHERE day = substr(OLD.start_time_utc, 1, 10) AND status = OLD.status AND sessions = 0;
END;

CREATE TRIGGER IF NOT EXISTS workflow_sessions_daily_update
AFTER UPDATE OF start_time, status ON workflow_sessions
WHEN OLD.start_time_utc IS NOT NULL AND NEW.start_time_utc IS NOT NULL
BEGIN
    UPDATE session_daily_counts SET sessions = sessions - 1
    WHERE day = substr(OLD.start_time_utc, 1, 10) AND status = OLD.status;
    DELETE FROM session_daily_counts
    WHERE day = substr(OLD.start_time_utc, 1, 10) AND status = OLD.status AND sessions = 0;
    INSERT INTO session_daily_counts (day, status, sessions) VALUES (substr(NEW.start_time_utc, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_hourly_insert
AFTER INSERT ON collision_detection
WHEN NEW.timestamp_utc IS NOT NULL
BEGIN
    INSERT INTO collision_hourly_counts (hour, collision_type, severity, collisions)
    SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1, d0.column1, d1.column1, 0 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM collision_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13))) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h CROSS JOIN (VALUES ('file_conflict'), ('memory_conflict'), ('semantic_overlap'), ('structural_overlap')) AS d0 CROSS JOIN (VALUES ('info'), ('warning'), ('critical')) AS d1
    WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2) AND substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 > coalesce((SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(NEW.timestamp_utc, 1, 10) || ' 00' AND substr(NEW.timestamp_utc, 1, 10) || ' 23'), '');
    INSERT INTO collision_hourly_counts (hour, collision_type, severity, collisions) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.collision_type, NEW.severity, 1)
    ON CONFLICT (hour, collision_type, severity) DO UPDATE SET collisions = collisions + 1;
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_hourly_delete
AFTER DELETE ON collision_detection
WHEN OLD.timestamp_utc IS NOT NULL
BEGIN
    UPDATE collision_hourly_counts SET collisions = collisions - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND collision_type = OLD.collision_type AND severity = OLD.severity;
    DELETE FROM collision_hourly_counts
    WHERE hour > (SELECT CASE WHEN (SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23') = substr(OLD.timestamp_utc, 1, 13) AND (SELECT max(collisions) FROM collision_hourly_counts WHERE hour = substr(OLD.timestamp_utc, 1, 13)) = 0 THEN coalesce((SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23' AND collisions > 0), substr(OLD.timestamp_utc, 1, 10)) ELSE '~' END) AND hour <= substr(OLD.timestamp_utc, 1, 10) || ' 23';
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_hourly_update
AFTER UPDATE OF timestamp, collision_type, severity ON collision_detection
WHEN OLD.timestamp_utc IS NOT NULL AND NEW.timestamp_utc IS NOT NULL
BEGIN
    UPDATE collision_hourly_counts SET collisions = collisions - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND collision_type = OLD.collision_type AND severity = OLD.severity;
    DELETE FROM collision_hourly_counts
    WHERE hour > (SELECT CASE WHEN (SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23') = substr(OLD.timestamp_utc, 1, 13) AND (SELECT max(collisions) FROM collision_hourly_counts WHERE hour = substr(OLD.timestamp_utc, 1, 13)) = 0 THEN coalesce((SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23' AND collisions > 0), substr(OLD.timestamp_utc, 1, 10)) ELSE '~' END) AND hour <= substr(OLD.timestamp_utc, 1, 10) || ' 23';
    INSERT INTO collision_hourly_counts (hour, collision_type, severity, collisions)
    SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1, d0.column1, d1.column1, 0 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM collision_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13))) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h CROSS JOIN (VALUES ('file_conflict'), ('memory_conflict'), ('semantic_overlap'), ('structural_overlap')) AS d0 CROSS JOIN (VALUES ('info'), ('warning'), ('critical')) AS d1
    WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2) AND substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 > coalesce((SELECT max(hour) FROM collision_hourly_counts WHERE hour BETWEEN substr(NEW.timestamp_utc, 1, 10) || ' 00' AND substr(NEW.timestamp_utc, 1, 10) || ' 23'), '');
    INSERT INTO collision_hourly_counts (hour, collision_type, severity, collisions) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.collision_type, NEW.severity, 1)
    ON CONFLICT (hour, collision_type, severity) DO UPDATE SET collisions = collisions + 1;
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_hourly_insert
AFTER INSERT ON slo_violations
WHEN NEW.timestamp_utc IS NOT NULL
BEGIN
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations)
    SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1, d0.column1, d1.column1, 0 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13))) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h CROSS JOIN (SELECT DISTINCT metric AS column1 FROM violation_hourly_counts WHERE hour = (SELECT max(hour) FROM violation_hourly_counts)) AS d0 CROSS JOIN (VALUES ('warning'), ('critical')) AS d1
    WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2) AND substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 > coalesce((SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(NEW.timestamp_utc, 1, 10) || ' 00' AND substr(NEW.timestamp_utc, 1, 10) || ' 23'), '');
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations)
    SELECT b.hour, NEW.metric, d1.column1, 0 FROM (SELECT DISTINCT hour FROM violation_hourly_counts WHERE hour >= (SELECT CASE WHEN EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13) AND metric = NEW.metric) THEN '~' ELSE '' END) UNION SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13) AND metric = NEW.metric)) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2)) AS b, (VALUES ('warning'), ('critical')) AS d1;
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.metric, NEW.severity, 1)
    ON CONFLICT (hour, metric, severity) DO UPDATE SET violations = violations + 1;
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_hourly_delete
AFTER DELETE ON slo_violations
WHEN OLD.timestamp_utc IS NOT NULL
BEGIN
    UPDATE violation_hourly_counts SET violations = violations - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND metric = OLD.metric AND severity = OLD.severity;
    DELETE FROM violation_hourly_counts
    WHERE hour > (SELECT CASE WHEN (SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23') = substr(OLD.timestamp_utc, 1, 13) AND (SELECT max(violations) FROM violation_hourly_counts WHERE hour = substr(OLD.timestamp_utc, 1, 13)) = 0 THEN coalesce((SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23' AND violations > 0), substr(OLD.timestamp_utc, 1, 10)) ELSE '~' END) AND hour <= substr(OLD.timestamp_utc, 1, 10) || ' 23';
    DELETE FROM violation_hourly_counts
    WHERE hour >= (SELECT CASE WHEN EXISTS (SELECT 1 FROM slo_violations WHERE metric = OLD.metric) THEN '~' ELSE '' END) AND metric = OLD.metric;
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_hourly_update
AFTER UPDATE OF timestamp, metric, severity ON slo_violations
WHEN OLD.timestamp_utc IS NOT NULL AND NEW.timestamp_utc IS NOT NULL
BEGIN
    UPDATE violation_hourly_counts SET violations = violations - 1
    WHERE hour = substr(OLD.timestamp_utc, 1, 13) AND metric = OLD.metric AND severity = OLD.severity;
    DELETE FROM violation_hourly_counts
    WHERE hour > (SELECT CASE WHEN (SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23') = substr(OLD.timestamp_utc, 1, 13) AND (SELECT max(violations) FROM violation_hourly_counts WHERE hour = substr(OLD.timestamp_utc, 1, 13)) = 0 THEN coalesce((SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(OLD.timestamp_utc, 1, 10) || ' 00' AND substr(OLD.timestamp_utc, 1, 10) || ' 23' AND violations > 0), substr(OLD.timestamp_utc, 1, 10)) ELSE '~' END) AND hour <= substr(OLD.timestamp_utc, 1, 10) || ' 23';
    DELETE FROM violation_hourly_counts
    WHERE hour >= (SELECT CASE WHEN EXISTS (SELECT 1 FROM slo_violations WHERE metric = OLD.metric) THEN '~' ELSE '' END) AND metric = OLD.metric;
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations)
    SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1, d0.column1, d1.column1, 0 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13))) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h CROSS JOIN (SELECT DISTINCT metric AS column1 FROM violation_hourly_counts WHERE hour = (SELECT max(hour) FROM violation_hourly_counts)) AS d0 CROSS JOIN (VALUES ('warning'), ('critical')) AS d1
    WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2) AND substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 > coalesce((SELECT max(hour) FROM violation_hourly_counts WHERE hour BETWEEN substr(NEW.timestamp_utc, 1, 10) || ' 00' AND substr(NEW.timestamp_utc, 1, 10) || ' 23'), '');
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations)
    SELECT b.hour, NEW.metric, d1.column1, 0 FROM (SELECT DISTINCT hour FROM violation_hourly_counts WHERE hour >= (SELECT CASE WHEN EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13) AND metric = NEW.metric) THEN '~' ELSE '' END) UNION SELECT substr(NEW.timestamp_utc, 1, 10) || ' ' || h.column1 FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM violation_hourly_counts WHERE hour = substr(NEW.timestamp_utc, 1, 13) AND metric = NEW.metric)) AS g CROSS JOIN (VALUES ('00'), ('01'), ('02'), ('03'), ('04'), ('05'), ('06'), ('07'), ('08'), ('09'), ('10'), ('11'), ('12'), ('13'), ('14'), ('15'), ('16'), ('17'), ('18'), ('19'), ('20'), ('21'), ('22'), ('23')) AS h WHERE h.column1 <= substr(NEW.timestamp_utc, 12, 2)) AS b, (VALUES ('warning'), ('critical')) AS d1;
    INSERT INTO violation_hourly_counts (hour, metric, severity, violations) VALUES (substr(NEW.timestamp_utc, 1, 13), NEW.metric, NEW.severity, 1)
    ON CONFLICT (hour, metric, severity) DO UPDATE SET violations = violations + 1;
END;

-- The audit trail is append-only: rows may be archived (deleted), never rewritten.
CREATE TRIGGER IF NOT EXISTS audit_log_append_only
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log: rows are append-only (UPDATE is refused)');
END;

-- ------------------------------------------------------ foreign key triggers
-- The foreign keys hold only on connections that run PRAGMA foreign_keys = ON;
-- the sqlite3 shell and other plain connections do not. These triggers keep
-- them for every connection: a child row whose parent is missing is refused
-- (naming the table, column and foreign key), and deleting or re-keying a
-- parent does to its children what ON DELETE / ON UPDATE declare. On
-- pipeline_metrics the refusal is the first statement of its rollup insert
-- trigger instead (a trigger of its own costs a trigger program per row). With
-- foreign keys on, SQLite has already done the same when they run, so they
-- find nothing to do (one index seek). Generated from the contract:
-- python -m harness.checks.implied_sql prints this section.
CREATE TRIGGER IF NOT EXISTS collision_detection_session_id_fk_insert
BEFORE INSERT ON collision_detection
WHEN NEW.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_sessions WHERE session_id = NEW.session_id)
BEGIN
    SELECT RAISE(ABORT, 'collision_detection.session_id: references a missing workflow_sessions.session_id (foreign key collision_detection_session_id_fk)');
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_session_id_fk_update
BEFORE UPDATE OF session_id ON collision_detection
WHEN NEW.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_sessions WHERE session_id = NEW.session_id)
BEGIN
    SELECT RAISE(ABORT, 'collision_detection.session_id: references a missing workflow_sessions.session_id (foreign key collision_detection_session_id_fk)');
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_session_id_fk_on_delete
AFTER DELETE ON workflow_sessions
BEGIN
    DELETE FROM collision_detection WHERE session_id = OLD.session_id;
END;

CREATE TRIGGER IF NOT EXISTS collision_detection_session_id_fk_on_update
AFTER UPDATE OF session_id ON workflow_sessions
WHEN OLD.session_id IS NOT NEW.session_id
BEGIN
    UPDATE collision_detection SET session_id = NEW.session_id WHERE session_id = OLD.session_id;
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_execution_id_fk_update
BEFORE UPDATE OF execution_id ON pipeline_metrics
WHEN NEW.execution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts WHERE execution_id = NEW.execution_id)
BEGIN
    SELECT RAISE(ABORT, 'pipeline_metrics.execution_id: references a missing receipts.execution_id (foreign key pipeline_metrics_execution_id_fk)');
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_execution_id_fk_on_delete
AFTER DELETE ON receipts
BEGIN
    DELETE FROM pipeline_metrics WHERE execution_id = OLD.execution_id;
END;

CREATE TRIGGER IF NOT EXISTS pipeline_metrics_execution_id_fk_on_update
AFTER UPDATE OF execution_id ON receipts
WHEN OLD.execution_id IS NOT NEW.execution_id
BEGIN
    UPDATE pipeline_metrics SET execution_id = NEW.execution_id WHERE execution_id = OLD.execution_id;
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_execution_id_fk_insert
BEFORE INSERT ON slo_violations
WHEN NEW.execution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts WHERE execution_id = NEW.execution_id)
BEGIN
    SELECT RAISE(ABORT, 'slo_violations.execution_id: references a missing receipts.execution_id (foreign key slo_violations_execution_id_fk)');
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_execution_id_fk_update
BEFORE UPDATE OF execution_id ON slo_violations
WHEN NEW.execution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM receipts WHERE execution_id = NEW.execution_id)
BEGIN
    SELECT RAISE(ABORT, 'slo_violations.execution_id: references a missing receipts.execution_id (foreign key slo_violations_execution_id_fk)');
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_execution_id_fk_on_delete
AFTER DELETE ON receipts
BEGIN
    DELETE FROM slo_violations WHERE execution_id = OLD.execution_id;
END;

CREATE TRIGGER IF NOT EXISTS slo_violations_execution_id_fk_on_update
AFTER UPDATE OF execution_id ON receipts
WHEN OLD.execution_id IS NOT NEW.execution_id
BEGIN
    UPDATE slo_violations SET execution_id = NEW.execution_id WHERE execution_id = OLD.execution_id;
END;

-- ------------------------------------------------------------------- views
-- The 100 most recent executions, newest first (ties broken by id). The
-- LIMIT is driven by idx_receipts_time; each row's two counts are index
-- range reads, so the cost does not grow with the table.
CREATE VIEW IF NOT EXISTS recent_executions AS
SELECT
    r.execution_id,
    r.agent_id,
    r.operation,
    r.status,
    r.timestamp,
    r.files_generated,
    r.files_modified,
    r.duration_ms,
    (SELECT count(*) FROM audit_log AS a
      WHERE a.agent_id = r.agent_id
        AND a.timestamp_utc >= r.timestamp_utc
        AND a.timestamp_utc <= r.finished_utc) AS audit_entries,
    (SELECT count(*) FROM slo_violations AS v
      WHERE v.execution_id = r.execution_id) AS slo_violations
FROM receipts AS r
ORDER BY r.timestamp_utc DESC, r.id DESC
LIMIT 100;

-- Per-agent totals and extremes from the rollup; the newest execution by an
-- index seek. Most executions first, ties by agent_id.
CREATE VIEW IF NOT EXISTS agent_performance_summary AS
SELECT
    s.agent_id,
    s.total_executions,
    s.successful_executions,
    s.failed_executions,
    round(CAST(s.total_duration_ms AS REAL) / s.total_executions, 2) AS avg_duration_ms,
    s.min_duration_ms,
    s.max_duration_ms,
    s.total_files_generated,
    (SELECT max(r.timestamp_utc) FROM receipts AS r WHERE r.agent_id = s.agent_id) AS last_execution
FROM agent_execution_stats AS s
WHERE s.total_executions > 0
ORDER BY s.total_executions DESC, s.agent_id;

-- Per-stage totals from the rollup; slowest stage (by average) first.
CREATE VIEW IF NOT EXISTS pipeline_stage_performance AS
SELECT
    s.stage,
    s.executions,
    round(CAST(s.total_duration_ms AS REAL) / s.executions, 2) AS avg_duration_ms,
    s.min_duration_ms,
    s.max_duration_ms,
    s.passed,
    s.failed
FROM stage_execution_stats AS s
WHERE s.executions > 0
ORDER BY avg_duration_ms DESC, s.stage;
