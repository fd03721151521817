-- The plate index (reads_by_plate) as one sorted run instead of yearly partitions (figures in
-- README, "Store", measured at 100M reads on this 2-core VM with `.scratch`-style A/B runs,
-- the page cache warm):
--
--  * Every plate search starts here, and its cost is per part touched, not per row: a plate's
--    ~8 reads over 3 years sat in 4 yearly parts, each costing key analysis and a stream per
--    column. In one part the same lookup is one key range: exact 21/29 -> 18/24 ms (p50/p95),
--    single-character wildcard 41/51 -> 33/39, fuzzy 76/106 -> 71/87; the prefix and infix
--    wildcards, whose cost is the plate dictionary's scan, unchanged.
--  * The search's year walk (a broad wildcard read the newest year's part first) saved reading
--    the index in the other years' parts; with one part there are none, and it is gone.
--
-- Merges: ReplacingMergeTree still merges parts by size; the quiet-partition rule of 070
-- (min_age_to_force_merge_seconds) now merges the whole index into one part after ten minutes
-- without writes (a site's night), as it did a quiet year. Retention is unchanged: per-row TTL,
-- and the retention run materialises it in partition 'all'. Copied over and swapped as 090 did,
-- its view dropped first and re-created on the new table.
CREATE TABLE IF NOT EXISTS reads_by_plate_v2
(
    plate_norm String CODEC(ZSTD(1)),
    captured_at DateTime64(3, 'UTC') CODEC(T64, ZSTD(1)),
    camera_id LowCardinality(String) CODEC(ZSTD(3)),
    held_until DateTime('UTC') DEFAULT 0
)
ENGINE = ReplacingMergeTree
ORDER BY (plate_norm, captured_at, camera_id)
TTL greatest(toDateTime(captured_at) + INTERVAL 30 DAY, held_until) DELETE
SETTINGS index_granularity = 512, min_compress_block_size = 4096, max_compress_block_size = 65536,
         min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1, prewarm_mark_cache = 1;

DROP VIEW IF EXISTS reads_by_plate_mv;

INSERT INTO reads_by_plate_v2 SELECT plate_norm, captured_at, camera_id, held_until FROM reads_by_plate;

RENAME TABLE reads_by_plate TO reads_by_plate_retired, reads_by_plate_v2 TO reads_by_plate;

DROP TABLE IF EXISTS reads_by_plate_retired;

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_by_plate_mv TO reads_by_plate AS
SELECT plate_norm, captured_at, camera_id, held_until
FROM reads;
