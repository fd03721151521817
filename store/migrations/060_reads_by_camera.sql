-- Reads re-laid by camera and time, with a narrow plate index beside them (figures in README,
-- from `npm run bench -- store`). The first layout sorted reads by plate and answered
-- "what passed this camera" through a projection; at 10M reads it cost 92 bytes a read, and a
-- partial plate that names many plates read a granule of every column in every monthly part for
-- each of them (6.9 s for `*1234*` at 20M). This one:
--  * reads sorted by (camera, time, id): a camera-day is one key range, and every column
--    compresses against its neighbours from the same camera (times, ids and locations to a byte
--    or two). Read ids from the pipeline are time-ordered per camera (contracts/read-id.ts), so
--    the id costs a few bytes instead of 16;
--  * reads_by_plate (plate, time, camera) sorted by plate: a plate search finds its reads here
--    and fetches them from reads by primary key;
--  * plates and candidate_terms replace plate_terms: every plate read (one row each) and every
--    runner-up text, both sorted by their OCR-confusion key, so a fuzzy search is a set of key
--    lookups and a wildcard with known leading characters a key range. A search without
--    candidates never touches the runner-ups, which outnumber the plates;
--  * confidences as hundredths (Decimal32(2), all the precision they have) with T64: about
--    0.7 byte each instead of 1.1 as rounded Float32;
--  * small compressed blocks (4-64 KiB) on the two read tables: a lookup decompresses about a
--    granule per column, not a megabyte.
-- The old table is copied over and dropped; views are re-created on the new one.
CREATE TABLE IF NOT EXISTS reads_v2
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
PARTITION BY toYYYYMM(captured_at)
ORDER BY (camera_id, captured_at, id)
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE
SETTINGS index_granularity = 1024, min_compress_block_size = 4096, max_compress_block_size = 65536;

-- One row per read, sorted by plate: the way from a plate to its reads. It carries held_until
-- and the same TTL as reads, so the index never outlives what it points at.
CREATE TABLE IF NOT EXISTS reads_by_plate
(
    plate_norm String CODEC(ZSTD(1)),
    captured_at DateTime64(3, 'UTC') CODEC(ZSTD(1)),
    camera_id LowCardinality(String),
    held_until DateTime('UTC') DEFAULT 0
)
ENGINE = ReplacingMergeTree
PARTITION BY toYear(captured_at)
ORDER BY (plate_norm, captured_at, camera_id)
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE
SETTINGS index_granularity = 512, min_compress_block_size = 4096, max_compress_block_size = 65536;

-- Every plate read, once, under its OCR-confusion key (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G
-- folded). last_capture bounds it: a plate older than any read could be kept is purged.
CREATE TABLE IF NOT EXISTS plates
(
    confusion_key String CODEC(ZSTD(1)),
    plate_norm String CODEC(ZSTD(1)),
    last_capture DateTime('UTC') CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(last_capture)
ORDER BY (confusion_key, plate_norm)
TTL last_capture + INTERVAL 3 YEAR + INTERVAL 1 DAY DELETE
SETTINGS index_granularity = 1024;

-- Runner-up texts the pipeline kept with a read, with the plate of the read they lead to.
CREATE TABLE IF NOT EXISTS candidate_terms
(
    confusion_key String CODEC(ZSTD(1)),
    term String CODEC(ZSTD(1)),
    plate_norm String CODEC(ZSTD(1)),
    last_capture DateTime('UTC') CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(last_capture)
ORDER BY (confusion_key, term, plate_norm)
TTL last_capture + INTERVAL 3 YEAR + INTERVAL 1 DAY DELETE
SETTINGS index_granularity = 1024;

DROP VIEW IF EXISTS plate_terms_mv;

DROP VIEW IF EXISTS reads_ingested_daily_mv;

DROP VIEW IF EXISTS reads_hourly_mv;

INSERT INTO reads_v2 (camera_id, captured_at, id, site_id, location_id, first_seen_ms, last_seen_ms, plate_norm, plate_text, confidence,
                      candidate_texts, candidate_confidences, state, state_confidence, frames_seen, has_image, held_until)
SELECT camera_id, captured_at, id, site_id, location_id, first_seen_ms, last_seen_ms, plate_norm, plate_text,
       -- Via whole hundredths: a Float32 0.29 is 0.2899..., which a direct conversion truncates to 0.28.
       toDecimal32(round(confidence * 100), 2) / 100,
       candidate_texts, arrayMap(c -> toDecimal32(round(c * 100), 2) / 100, candidate_confidences),
       state, toDecimal32(round(state_confidence * 100), 2) / 100, frames_seen, has_image, held_until
FROM reads;

RENAME TABLE reads TO reads_v1_retired, reads_v2 TO reads;

DROP TABLE IF EXISTS reads_v1_retired;

DROP TABLE IF EXISTS plate_terms;

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

INSERT INTO reads_by_plate SELECT plate_norm, captured_at, camera_id, held_until FROM reads;

INSERT INTO plates SELECT translate(plate_norm, 'OQDILZSBG', '000112586'), plate_norm, max(toDateTime(captured_at)) FROM reads GROUP BY plate_norm;

INSERT INTO candidate_terms
SELECT translate(term, 'OQDILZSBG', '000112586'), term, plate_norm, max(toDateTime(captured_at))
FROM reads ARRAY JOIN candidate_texts AS term GROUP BY term, plate_norm;

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
