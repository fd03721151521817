-- Reads in yearly partitions of compact parts (figures in README, "Store", measured at 100M
-- reads with `.scratch`-style A/B runs of the exact-plate fetch, page cache warm):
--
--  * An exact plate search finds its few (camera, time) pairs in reads_by_plate and then reads
--    those rows from reads. The cost of that second step is per part and column touched, not
--    per row: with monthly partitions a plate's ~8 reads sat in ~8 of 36 parts, and every part
--    costs key analysis and a stream per column. Yearly partitions (4 parts at 3 years, 070
--    merges a quiet one whole) took the fetch from 25/37 ms (p50/p95) to 20/27.
--  * Compact parts keep every column of a granule together in one file, so a row costs one
--    place to read instead of one per column: 20/27 -> 17/21 ms, and a camera-day 11/16 ->
--    10/15. They cost ~1.7 bytes a read (each column of each granule is its own compressed
--    block); reads_by_plate gives more than that back below.
--  * reads_by_plate: capture times with T64 before ZSTD (6.3 -> 4.9 bytes a read: the times of
--    one plate sit next to each other, but only T64's bit transpose finds what they share) and
--    the camera at ZSTD(3) (2.0 -> 1.4). These apply as parts are written or merged.
--
-- Retention is unchanged (per-row TTL; the retention run materialises it in the partitions that
-- hold expired reads, now a year at a time). The table is copied over and the old one dropped,
-- as 060 did, with its views dropped first and re-created on the new table.
CREATE TABLE IF NOT EXISTS reads_v3
(
    camera_id LowCardinality(String),
    captured_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    id UUID CODEC(ZSTD(1)),
    site_id LowCardinality(String),
    location_id UInt64 CODEC(ZSTD(1)),
    first_seen_ms UInt32 CODEC(T64, ZSTD(1)),
    last_seen_ms UInt32 CODEC(T64, ZSTD(1)),
    plate_norm String CODEC(ZSTD(1)),
    plate_text String DEFAULT '' CODEC(ZSTD(1)),
    confidence Decimal32(2) CODEC(T64, ZSTD(1)),
    candidate_texts Array(String) CODEC(ZSTD(1)),
    candidate_confidences Array(Decimal32(2)) CODEC(ZSTD(1)),
    state LowCardinality(String),
    state_confidence Decimal32(2) CODEC(T64, ZSTD(1)),
    frames_seen UInt16 CODEC(T64, ZSTD(1)),
    has_image Bool,
    held_until DateTime('UTC') DEFAULT 0
)
ENGINE = ReplacingMergeTree
PARTITION BY toYear(captured_at)
ORDER BY (camera_id, captured_at, id)
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE
SETTINGS index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 65536,
         min_bytes_for_wide_part = 1000000000000000, min_rows_for_wide_part = 1000000000000000,
         min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1, prewarm_mark_cache = 1;

DROP VIEW IF EXISTS reads_by_plate_mv;

DROP VIEW IF EXISTS plates_mv;

DROP VIEW IF EXISTS candidate_terms_mv;

DROP VIEW IF EXISTS reads_ingested_daily_mv;

DROP VIEW IF EXISTS reads_hourly_mv;

INSERT INTO reads_v3 SELECT camera_id, captured_at, id, site_id, location_id, first_seen_ms, last_seen_ms, plate_norm, plate_text, confidence,
                            candidate_texts, candidate_confidences, state, state_confidence, frames_seen, has_image, held_until
FROM reads;

RENAME TABLE reads TO reads_v2_retired, reads_v3 TO reads;

DROP TABLE IF EXISTS reads_v2_retired;

ALTER TABLE reads_by_plate MODIFY COLUMN captured_at DateTime64(3, 'UTC') CODEC(T64, ZSTD(1));

ALTER TABLE reads_by_plate MODIFY COLUMN camera_id LowCardinality(String) CODEC(ZSTD(3));

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_by_plate_mv TO reads_by_plate AS
SELECT plate_norm, captured_at, camera_id, held_until
FROM reads;

CREATE MATERIALIZED VIEW IF NOT EXISTS plates_mv TO plates AS
SELECT translate(plate_norm, 'OQDILZSBG', '000112586') AS confusion_key, plate_norm, max(toDateTime(captured_at)) AS last_capture
FROM reads
GROUP BY plate_norm;

CREATE MATERIALIZED VIEW IF NOT EXISTS candidate_terms_mv TO candidate_terms AS
SELECT translate(term, 'OQDILZSBG', '000112586') AS confusion_key, term, plate_norm, max(toDateTime(captured_at)) AS last_capture
FROM reads
ARRAY JOIN candidate_texts AS term
GROUP BY term, plate_norm;

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_ingested_daily_mv TO reads_ingested_daily AS
SELECT toDate(captured_at) AS day, camera_id, count() AS reads
FROM reads
GROUP BY day, camera_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_hourly_mv TO reads_hourly AS
SELECT
    toStartOfHour(captured_at) AS hour,
    camera_id,
    count() AS reads,
    countIf(confidence < 0.8) AS low_confidence,
    countIf(state = '') AS no_state
FROM reads
GROUP BY hour, camera_id;
