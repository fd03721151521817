-- Reads: one row per vehicle pass. Sorted by normalised plate then time because the
-- question investigators ask most is "where was this plate", over a time range.
-- ReplacingMergeTree on the read id (which is in the sorting key) collapses a read that
-- JetStream redelivered after a crash; searches read it with FINAL.
-- expires_at is computed at insert from the agency's retention settings (store/retention.ts)
-- and is what a case hold moves: the TTL purges each row when its own window ends.
CREATE TABLE IF NOT EXISTS reads
(
    id UUID,
    site_id LowCardinality(String),
    camera_id LowCardinality(String),
    captured_at DateTime64(3, 'UTC'),
    first_seen_at DateTime64(3, 'UTC'),
    last_seen_at DateTime64(3, 'UTC'),
    plate String,
    plate_norm String,
    confidence Float32,
    candidate_texts Array(String),
    candidate_confidences Array(Float32),
    state LowCardinality(String),
    state_confidence Float32,
    lat Float64,
    lon Float64,
    location_desc LowCardinality(String),
    direction LowCardinality(String),
    frames_seen UInt32,
    box Array(Float32),
    has_image UInt8,
    expires_at DateTime('UTC'),
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(captured_at)
ORDER BY (plate_norm, captured_at, id)
TTL expires_at DELETE;

-- Plate crops live apart from reads so that scans over reads never touch image bytes.
-- They carry the read's expires_at so that an image is purged with its read.
CREATE TABLE IF NOT EXISTS plate_images
(
    read_id UUID,
    captured_at DateTime64(3, 'UTC'),
    jpeg String CODEC(NONE),
    expires_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(captured_at)
ORDER BY read_id
TTL expires_at DELETE;
