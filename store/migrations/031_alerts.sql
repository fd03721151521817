-- Alerts (issue 6): one row per hit, written by the core from the ALERTS stream, idempotent on
-- the alert id (derived from read and record, so a redelivered read collapses here). The
-- workflow is an append-only timeline in alert_events; an alert's state is the fold of its
-- events (alerts/workflow.ts). An alert quotes its read, so it lives no longer than reads do
-- on the tactical window (guidelines 6e).
CREATE TABLE IF NOT EXISTS alerts
(
    id UUID,
    raised_at DateTime64(3, 'UTC'),
    stored_at DateTime64(3, 'UTC'),
    camera_id LowCardinality(String),
    read_id UUID,
    plate String,
    source LowCardinality(String),
    record_id String,
    category LowCardinality(String),
    match_kind LowCardinality(String),
    score Float32,
    stale Bool,
    historical Bool,
    payload String CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
ORDER BY id
TTL toDateTime(raised_at) + INTERVAL 30 DAY DELETE;

CREATE TABLE IF NOT EXISTS alert_events
(
    alert_id UUID,
    seq UInt32,
    at DateTime64(3, 'UTC'),
    actor String,
    action LowCardinality(String),
    data String
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, seq)
TTL toDateTime(at) + INTERVAL 30 DAY DELETE;
