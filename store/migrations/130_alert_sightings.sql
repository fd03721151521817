-- One alert per vehicle encounter (issue 31, point 1). Each hit of an alert's plate and list
-- record within the suppression window is a sighting of that alert rather than a new alert:
-- one row per hit, the alert's own first read included, appended only (a redelivered hit
-- collapses on its hit id, the id it would have had as an alert). The alert's hit count, last
-- camera and last seen time are aggregates of its sightings, so nothing is updated in place.
-- A sighting quotes its read (plate, place, time), so it lives exactly as long as that read:
-- the tactical window (rewritten at start like the reads') or the read's case hold.
CREATE TABLE IF NOT EXISTS alert_sightings
(
    alert_id UUID,
    hit_id UUID,
    read_id UUID,
    camera_id LowCardinality(String),
    captured_at DateTime64(3, 'UTC'),
    raised_at DateTime64(3, 'UTC'),
    plate String,
    place String,
    held_until DateTime('UTC') DEFAULT 0
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, hit_id)
TTL greatest(toDateTime(captured_at) + toIntervalDay(30), held_until) DELETE;

-- The queue sorts by the record's priority (1 most urgent) before recency; alerts stored
-- before this migration read it from their payload (5, the schema's default, when absent).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS priority UInt8
    DEFAULT if(JSONHas(payload, 'record', 'priority'), toUInt8(JSONExtractUInt(payload, 'record', 'priority')), 5);
