-- The query patterns the original ggen Tier 2 documentation told readers to run, written
-- as its readers wrote them: on the writers' own columns (timestamp, start_time, updated_at),
-- with positional parameters. tests/test_lint.py judges each with `ggen-db lint-queries`;
-- README "Readers who kept their queries" lists the verdicts and what to write instead.

-- recent executions: the view, newest first
SELECT * FROM recent_executions LIMIT 10;
-- recent failures
SELECT * FROM receipts WHERE status = 'failed' ORDER BY timestamp DESC LIMIT 10;
-- agent statistics from the view
SELECT * FROM agent_performance_summary ORDER BY successful_executions DESC;
-- duration statistics per agent
SELECT agent_id, AVG(duration_ms) AS avg_ms, MIN(duration_ms) AS min_ms, MAX(duration_ms) AS max_ms
FROM receipts GROUP BY agent_id;
-- success rate per agent
SELECT agent_id, COUNT(*) AS total,
       SUM(CASE WHEN status = 'passed' THEN 1 ELSE 0 END) * 100.0 / COUNT(*) AS success_rate
FROM receipts GROUP BY agent_id;
-- files generated per agent, passed receipts
SELECT agent_id, SUM(files_generated) AS files FROM receipts WHERE status = 'passed' GROUP BY agent_id;
-- pipeline bottlenecks
SELECT * FROM pipeline_stage_performance ORDER BY avg_duration_ms DESC;
-- a receipt by execution_id, with its first file
SELECT *, json_extract(receipt_json, '$.files[0]') AS first_file FROM receipts WHERE execution_id = ?;
-- newest receipts of one agent
SELECT * FROM receipts WHERE agent_id = ? ORDER BY timestamp DESC LIMIT 50;
-- receipts of the last 24 hours by day, passed and failed
SELECT DATE(timestamp) AS day,
       SUM(CASE WHEN status = 'passed' THEN 1 ELSE 0 END) AS passed,
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
FROM receipts WHERE timestamp >= datetime('now', '-1 day') GROUP BY DATE(timestamp);
-- receipts per day (dashboard)
SELECT DATE(timestamp) AS day, COUNT(*) AS receipts FROM receipts GROUP BY day ORDER BY day;
-- monitoring dashboard: status over time
SELECT status, strftime('%Y-%m-%d %H:00', timestamp) AS hour, COUNT(*) AS n
FROM receipts WHERE timestamp >= datetime('now', '-1 day') GROUP BY status, hour ORDER BY hour;
-- SLO violations of the last 24 hours by metric
SELECT metric, COUNT(*) AS n FROM slo_violations WHERE timestamp >= datetime('now', '-1 day') GROUP BY metric;
-- violations by severity over time (alerting)
SELECT severity, strftime('%Y-%m-%d %H:00', timestamp) AS hour, COUNT(*) AS n
FROM slo_violations GROUP BY severity, hour ORDER BY hour;
-- violations of one execution
SELECT * FROM slo_violations WHERE execution_id = ?;
-- collisions of one session, newest first
SELECT * FROM collision_detection WHERE session_id = ? ORDER BY timestamp DESC;
-- critical collisions, newest first
SELECT * FROM collision_detection WHERE severity = 'critical' ORDER BY timestamp DESC LIMIT 20;
-- collisions between two agents
SELECT * FROM collision_detection WHERE agent_id_1 = ? AND agent_id_2 = ?;
-- collisions of the last 24 hours by type and severity
SELECT collision_type, severity, COUNT(*) AS n FROM collision_detection
WHERE timestamp >= datetime('now', '-1 day') GROUP BY collision_type, severity;
-- running sessions, newest first
SELECT * FROM workflow_sessions WHERE status = 'running' ORDER BY start_time DESC LIMIT 20;
-- sessions by status over time
SELECT status, DATE(start_time) AS day, COUNT(*) AS n FROM workflow_sessions GROUP BY status, day ORDER BY day;
-- agent memory by agent_id
SELECT agent_id, json_extract(memory_json, '$.state') AS state FROM agent_memory WHERE agent_id = ?;
-- memory not updated recently
SELECT agent_id, updated_at FROM agent_memory WHERE updated_at < datetime('now', '-7 days') ORDER BY updated_at;
-- audit trail of one agent, newest first
SELECT * FROM audit_log WHERE agent_id = ? ORDER BY timestamp DESC LIMIT 100;
-- audit rows in a time range
SELECT * FROM audit_log WHERE timestamp BETWEEN ? AND ? ORDER BY timestamp LIMIT 100;
-- failed audit rows over time
SELECT strftime('%Y-%m-%d %H:00', timestamp) AS hour, COUNT(*) AS n FROM audit_log
WHERE status = 'failed' GROUP BY hour ORDER BY hour;
