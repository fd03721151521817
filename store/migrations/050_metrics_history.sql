-- The dashboard's charts reach back a year (issue 8), past the core's in-memory day of pipeline
-- gauges and past the 30-day life of alerts. These keep numbers only: no plate, no location.

-- One row per camera per minute: the minute's mean rates, worst p99 and deepest queue.
CREATE TABLE IF NOT EXISTS camera_metrics_minutely
(
    minute DateTime('UTC'),
    camera_id LowCardinality(String),
    decoded_fps Float32,
    inferred_fps Nullable(Float32),
    inference_ms_p50 Nullable(Float32),
    inference_ms_p99 Nullable(Float32),
    queue_depth UInt32
)
ENGINE = ReplacingMergeTree
ORDER BY (camera_id, minute)
TTL minute + INTERVAL 366 DAY DELETE;

-- Hits per hour, kept for a year while the alerts themselves go after 30 days. A redelivered
-- alert counted twice here is rare; the chart is a trend, the alerts table is the record.
CREATE TABLE IF NOT EXISTS alerts_hourly
(
    hour DateTime('UTC'),
    hits UInt64
)
ENGINE = SummingMergeTree
ORDER BY hour
TTL hour + INTERVAL 366 DAY DELETE;

CREATE MATERIALIZED VIEW IF NOT EXISTS alerts_hourly_mv TO alerts_hourly AS
SELECT toStartOfHour(raised_at) AS hour, count() AS hits
FROM alerts
GROUP BY hour;
