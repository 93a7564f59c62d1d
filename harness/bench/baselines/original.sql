-- The ORIGINAL ggen Tier 2 design, reproduced as a benchmark baseline.
--
-- NOT a schema to use: this is a fixture that rebuilds the delivered design
-- from the facts in the reference (tables and columns, enumerations, the 21
-- indexes with their duplicates, the three views with their defects), so an
-- A/B run (`ggen-db bench --baseline-schema original`) shows what the ggen-db
-- design gains and what it costs. Written for this project, in its own words.
--
-- Faithful to the original where it changes timings:
-- * plain TEXT timestamps compared as text (no normalized _utc columns);
-- * enumerations as CHECK (... IN (...)) lists (a temporary b-tree per
--   statement run in SQLite 3.40);
-- * 21 explicit indexes, three of them duplicating UNIQUE autoindexes;
-- * recent_executions joins audit rows through a window that SQLite cannot
--   compute (there is no 'milliseconds' modifier), ignores agent_id, groups
--   every receipt and sorts before its LIMIT;
-- * the aggregate views GROUP BY over every row.
-- It accepts the inserts ggen-db's store makes: the column names are the same.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL UNIQUE,
    agent_id TEXT NOT NULL,
    operation TEXT NOT NULL CHECK (operation IN ('validation', 'generation', 'normalization', 'extraction',
        'emission', 'canonicalization', 'receipt', 'dry_run', 'watch')),
    status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'partial', 'cancelled')),
    timestamp TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    manifest_hash TEXT,
    ontology_hash TEXT,
    files_generated INTEGER DEFAULT 0,
    files_modified INTEGER DEFAULT 0,
    duration_ms INTEGER NOT NULL,
    receipt_json TEXT,
    error_message TEXT,
    environment TEXT
);

CREATE TABLE IF NOT EXISTS agent_memory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL UNIQUE,
    memory_json TEXT NOT NULL,
    collision_history TEXT,
    retry_count INTEGER DEFAULT 0,
    last_error TEXT,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'skipped')),
    duration_ms INTEGER,
    error_message TEXT,
    context_json TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS workflow_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL UNIQUE,
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    agent_count INTEGER NOT NULL,
    total_duration_ms INTEGER,
    successful_operations INTEGER DEFAULT 0,
    failed_operations INTEGER DEFAULT 0,
    context_json TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS collision_detection (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    agent_id_1 TEXT NOT NULL,
    agent_id_2 TEXT NOT NULL,
    collision_type TEXT NOT NULL CHECK (collision_type IN ('file_conflict', 'memory_conflict',
        'semantic_overlap', 'structural_overlap')),
    description TEXT NOT NULL,
    resolution TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    timestamp TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (session_id) REFERENCES workflow_sessions (session_id)
);

CREATE TABLE IF NOT EXISTS pipeline_metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('μ₁_normalize', 'μ₂_extract', 'μ₃_emit', 'μ₄_canonicalize',
        'μ₅_receipt')),
    duration_ms INTEGER NOT NULL,
    input_size_bytes INTEGER,
    output_size_bytes INTEGER,
    status TEXT NOT NULL CHECK (status IN ('passed', 'failed')),
    error_message TEXT,
    timestamp TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (execution_id) REFERENCES receipts (execution_id)
);

CREATE TABLE IF NOT EXISTS slo_violations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    target_value REAL NOT NULL,
    actual_value REAL NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
    description TEXT,
    timestamp TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (execution_id) REFERENCES receipts (execution_id)
);

-- The 21 indexes, as delivered (three duplicate the UNIQUE autoindexes).
CREATE INDEX IF NOT EXISTS idx_receipts_agent_timestamp ON receipts (agent_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_receipts_execution_id ON receipts (execution_id);
CREATE INDEX IF NOT EXISTS idx_receipts_status ON receipts (status, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_receipts_created_at ON receipts (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_agent_memory_agent_id ON agent_memory (agent_id);
CREATE INDEX IF NOT EXISTS idx_agent_memory_updated_at ON agent_memory (updated_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_timestamp ON audit_log (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_agent_id ON audit_log (agent_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_status ON audit_log (status, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_session_id ON workflow_sessions (session_id);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_status ON workflow_sessions (status, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_workflow_sessions_created_at ON workflow_sessions (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_collision_detection_session ON collision_detection (session_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_collision_detection_agents ON collision_detection (agent_id_1, agent_id_2);
CREATE INDEX IF NOT EXISTS idx_collision_detection_severity ON collision_detection (severity, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_pipeline_metrics_execution_id ON pipeline_metrics (execution_id);
CREATE INDEX IF NOT EXISTS idx_pipeline_metrics_stage ON pipeline_metrics (stage, duration_ms DESC);
CREATE INDEX IF NOT EXISTS idx_pipeline_metrics_timestamp ON pipeline_metrics (timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_slo_violations_execution_id ON slo_violations (execution_id);
CREATE INDEX IF NOT EXISTS idx_slo_violations_metric ON slo_violations (metric, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_slo_violations_severity ON slo_violations (severity, created_at DESC);

-- Defect 1: the window end uses a 'milliseconds' modifier SQLite does not
-- have (NULL, so no audit row ever matches), the join ignores agent_id, and
-- every receipt is grouped and sorted before the LIMIT.
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
    COUNT(DISTINCT a.id) AS audit_entries,
    COUNT(DISTINCT v.id) AS slo_violations
FROM receipts r
LEFT JOIN audit_log a
    ON a.timestamp >= r.timestamp
   AND a.timestamp <= datetime(r.timestamp, '+' || r.duration_ms || ' milliseconds')
LEFT JOIN slo_violations v ON v.execution_id = r.execution_id
GROUP BY r.id
ORDER BY r.timestamp DESC
LIMIT 100;

CREATE VIEW IF NOT EXISTS agent_performance_summary AS
SELECT
    agent_id,
    COUNT(*) AS total_executions,
    SUM(CASE WHEN status = 'passed' THEN 1 ELSE 0 END) AS successful_executions,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed_executions,
    ROUND(AVG(duration_ms), 2) AS avg_duration_ms,
    MIN(duration_ms) AS min_duration_ms,
    MAX(duration_ms) AS max_duration_ms,
    SUM(files_generated) AS total_files_generated,
    MAX(timestamp) AS last_execution
FROM receipts
GROUP BY agent_id
ORDER BY total_executions DESC;

CREATE VIEW IF NOT EXISTS pipeline_stage_performance AS
SELECT
    stage,
    COUNT(*) AS executions,
    ROUND(AVG(duration_ms), 2) AS avg_duration_ms,
    MIN(duration_ms) AS min_duration_ms,
    MAX(duration_ms) AS max_duration_ms,
    SUM(CASE WHEN status = 'passed' THEN 1 ELSE 0 END) AS passed,
    SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
FROM pipeline_metrics
GROUP BY stage
ORDER BY avg_duration_ms DESC;
