-- Schema version 2: the foreign keys hold for every connection (issue 11).
--
-- Version 1 kept its foreign keys only on connections that run
-- PRAGMA foreign_keys = ON; the sqlite3 shell and plain connections could
-- insert orphans and delete parents without their children. These triggers
-- refuse orphans and carry out ON DELETE / ON UPDATE CASCADE whatever the
-- connection; pipeline_metrics' refusal is the first statement of its rollup
-- insert trigger, which is therefore replaced. Rows already orphaned by such
-- writers stay: `ggen-db check --db` lists them (data_foreign_key_check). Same text as schema.sql's
-- "foreign key triggers" section (python -m harness.checks.implied_sql).

DROP TRIGGER IF EXISTS pipeline_metrics_rollup_insert;

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
