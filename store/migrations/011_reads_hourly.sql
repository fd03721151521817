-- Hourly read counts per camera for the annual evaluation (guidelines 7b). Filled by a
-- materialized view at insert, so the counts outlive the 30-day purge of the reads
-- themselves (they hold no plate, only numbers). A read redelivered after a crash is counted
-- twice here; the report says so.
CREATE TABLE IF NOT EXISTS reads_hourly
(
    hour DateTime('UTC'),
    camera_id LowCardinality(String),
    reads UInt64,
    low_confidence UInt64,
    no_state UInt64
)
ENGINE = SummingMergeTree
ORDER BY (camera_id, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_hourly_mv TO reads_hourly AS
SELECT
    toStartOfHour(captured_at) AS hour,
    camera_id,
    count() AS reads,
    countIf(confidence < 0.8) AS low_confidence,
    countIf(state = '') AS no_state
FROM reads
GROUP BY hour, camera_id;
