-- Two things the store benchmark showed at 100M reads (README, "Measured"):
--
-- 1. Marks load on first touch. A search reads a granule of every column in every part that
--    holds one of its rows, and the first time a (part, column) is touched its marks file is
--    loaded: 50 loads and 10 ms of an exact search's ~30 ms until the cache is warm, and a merge
--    makes new parts whose marks are cold again. Prewarmed, the marks of every part are put in
--    the mark cache when the store opens and when a part is written or merged (a few bytes per
--    1024 rows and column: ~5 MB for 100M reads), so even the first search after a merge finds them.
--
-- 2. A partial plate with no known leading character (`*1234*`) scans every distinct plate.
--    Two things made that scan slow: ReplacingMergeTree keeps a plate once per part it was
--    inserted into until a merge meets both copies (25.6M rows for 12.5M plates), and ZSTD
--    decompression of the text was most of the scan's time. Parts nobody has written for 10
--    minutes are now merged into one (so each plate is there once, apart from the last minutes'
--    inserts: a merge of ~12.5M rows, about 4 s, when new parts age), and the scanned column
--    is LZ4, which decompresses ~3x faster for ~2 bytes more per plate. Measured on 12.5M
--    distinct plates: LIKE '%1234%' 170 ms with ZSTD, 77 ms with LZ4; 350 ms on the 25.6M-row
--    table before. A new codec applies as parts are merged; no data is rewritten here.
ALTER TABLE reads MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE reads_by_plate MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE plates MODIFY SETTING prewarm_mark_cache = 1, min_age_to_force_merge_seconds = 600;

ALTER TABLE candidate_terms MODIFY SETTING prewarm_mark_cache = 1, min_age_to_force_merge_seconds = 600;

ALTER TABLE plates MODIFY COLUMN plate_norm String CODEC(LZ4);

ALTER TABLE candidate_terms MODIFY COLUMN term String CODEC(LZ4);
