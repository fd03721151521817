-- Reads: one row per vehicle pass. The layout is chosen for the questions investigators ask
-- and for the bytes a read costs on disk (docs in README, figures from `npm run bench -- store`):
--  * sorted by normalised plate then time: "where was this plate" is a primary-key range;
--  * a _part_offset projection sorted by (camera, time) answers "what passed this camera that
--    day" without a second copy of the columns;
--  * partial and fuzzy plates are resolved first in plate_terms (one row per distinct text, far
--    fewer than reads) and then looked up here by primary key;
--  * where a camera stood is a location_id into camera_locations (a few hundred rows), not
--    three columns repeated on every read;
--  * confidences are rounded to hundredths, so that they compress to about a byte.
-- ReplacingMergeTree on the read id (in the sorting key) collapses a read that JetStream
-- redelivered after a crash; searches read with FINAL.
-- Retention: the TTL is the later of the tactical window (capture + retention.tacticalDays,
-- rewritten by the core at start when the agency changes it) and held_until, which a case hold
-- sets to at most 3 anniversary years after capture. An unheld read has held_until = 0.
CREATE TABLE IF NOT EXISTS reads
(
    id UUID CODEC(ZSTD(1)),
    site_id LowCardinality(String),
    camera_id LowCardinality(String),
    location_id UInt64 CODEC(ZSTD(1)),
    captured_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    first_seen_ms UInt32 CODEC(T64, ZSTD(1)),
    last_seen_ms UInt32 CODEC(T64, ZSTD(1)),
    plate_norm String CODEC(ZSTD(1)),
    plate_text String DEFAULT '' CODEC(ZSTD(1)),
    confidence Float32 CODEC(ZSTD(1)),
    candidate_texts Array(String) CODEC(ZSTD(1)),
    candidate_confidences Array(Float32) CODEC(ZSTD(1)),
    state LowCardinality(String),
    state_confidence Float32 CODEC(ZSTD(1)),
    frames_seen UInt16 CODEC(T64, ZSTD(1)),
    has_image Bool,
    held_until DateTime('UTC') DEFAULT 0,
    PROJECTION by_camera (SELECT _part_offset ORDER BY camera_id, captured_at)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(captured_at)
ORDER BY (plate_norm, captured_at, id)
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE
-- Granules of 2048 rows: an exact-plate search reads one granule per part, so smaller ones
-- mean fewer rows decompressed per search, for a few more marks in memory.
SETTINGS deduplicate_merge_projection_mode = 'rebuild', index_granularity = 2048;

-- Plate crops live apart from reads so that scans over reads never touch image bytes. They
-- carry the read's capture time and hold, and the same TTL, so an image goes with its read.
CREATE TABLE IF NOT EXISTS plate_images
(
    read_id UUID,
    captured_at DateTime64(3, 'UTC'),
    held_until DateTime('UTC') DEFAULT 0,
    jpeg String CODEC(NONE)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(captured_at)
ORDER BY read_id
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE;

-- Where each camera stood when it made a read (fixed cameras: one row each; a camera that is
-- moved gets a new row). location_id is a hash of the row's content, computed by the writer.
CREATE TABLE IF NOT EXISTS camera_locations
(
    location_id UInt64,
    camera_id LowCardinality(String),
    lat Float64,
    lon Float64,
    description String,
    direction LowCardinality(String),
    first_seen DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY location_id;

-- Every text a plate search may hit (the read plate and its runner-up candidates) with the
-- plate of the reads it leads to, and its OCR-confusion key (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B,
-- 6/G folded) for fuzzy search. Much smaller than reads: one row per distinct (term, plate).
-- last_capture bounds it: an entry older than any read could be kept is purged.
CREATE TABLE IF NOT EXISTS plate_terms
(
    term String,
    plate_norm String,
    confusion_key String,
    is_candidate Bool,
    last_capture DateTime('UTC'),
    INDEX term_ngrams term TYPE ngrambf_v1(3, 1024, 2, 0) GRANULARITY 1,
    PROJECTION by_key (SELECT _part_offset ORDER BY confusion_key)
)
ENGINE = ReplacingMergeTree(last_capture)
ORDER BY (term, plate_norm)
TTL last_capture + INTERVAL 3 YEAR + INTERVAL 1 DAY DELETE
SETTINGS deduplicate_merge_projection_mode = 'rebuild';

CREATE MATERIALIZED VIEW IF NOT EXISTS plate_terms_mv TO plate_terms AS
SELECT
    t.1 AS term,
    plate_norm,
    translate(t.1, 'OQDILZSBG', '000112586') AS confusion_key,
    t.2 AS is_candidate,
    max(toDateTime(captured_at)) AS last_capture
FROM reads
ARRAY JOIN arrayConcat([(plate_norm, false)], arrayMap(c -> (c, true), candidate_texts)) AS t
GROUP BY term, plate_norm, is_candidate;

-- Reads ingested per capture day and camera, kept when the reads themselves are purged: the
-- retention report compares it with what is still stored, so it accounts for every purge
-- whether a retention run or a background TTL merge removed the rows. (A read redelivered
-- after a crash is counted twice; that is rare and errs towards reporting more purged.)
CREATE TABLE IF NOT EXISTS reads_ingested_daily
(
    day Date,
    camera_id LowCardinality(String),
    reads UInt64
)
ENGINE = SummingMergeTree
ORDER BY (day, camera_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_ingested_daily_mv TO reads_ingested_daily AS
SELECT toDate(captured_at) AS day, camera_id, count() AS reads
FROM reads
GROUP BY day, camera_id;

-- Each retention run: what it found expired and purged, and what was left (should be 0).
CREATE TABLE IF NOT EXISTS retention_runs
(
    run_at DateTime64(3, 'UTC'),
    table LowCardinality(String),
    purged_rows UInt64,
    oldest_capture Nullable(DateTime64(3, 'UTC')),
    newest_capture Nullable(DateTime64(3, 'UTC')),
    remaining_expired UInt64,
    tactical_days UInt16,
    hold_max_years UInt8
)
ENGINE = MergeTree
ORDER BY run_at;

-- Case holds on reads: which case holds which read, until when (guidelines 6e).
-- Each row is a version; the latest per (case, read) is the hold's state, older ones its history.
CREATE TABLE IF NOT EXISTS read_holds
(
    case_key String,
    read_id UUID,
    version UInt64,
    captured_at DateTime64(3, 'UTC'),
    held_until DateTime('UTC'),
    held_by String,
    held_at DateTime64(3, 'UTC'),
    released Bool,
    released_by String DEFAULT '',
    released_at Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (case_key, read_id);
