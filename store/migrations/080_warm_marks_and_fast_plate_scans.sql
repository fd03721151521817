-- Two things the store benchmark showed at 100M reads (README, "Measured"):
--
-- 1. Marks load on first touch. A search reads a granule of every column in every part that
--    holds one of its rows, and the first time a (part, column) is touched its marks file is
--    loaded: 50 loads and 10 ms of an exact search's ~30 ms fetch until the cache is warm, and
--    a merge makes new parts whose marks are cold again. Prewarmed, the marks of every part are
--    put in the mark cache when the store opens and when a part is written or merged (a few
--    bytes per 1024 rows and column: ~5 MB for 100M reads), so the first search after a merge
--    finds them too.
--
-- 2. A partial plate with no known leading character (`*1234*`) scans every distinct plate,
--    and ZSTD decompression of the text was most of that scan. The scanned columns are now LZ4,
--    which decompresses ~2x faster for ~2 bytes more per plate (LIKE '%1234%' over 12.5M
--    distinct plates: 170 ms with ZSTD, 77 ms with LZ4). A new codec applies as parts are merged;
--    nothing is rewritten here. (ReplacingMergeTree also keeps a plate once per part it was
--    inserted into until a merge meets the copies: 25M rows for 12.5M plates at 100M reads.
--    Merging quiet parts by age, as 070 does for closed months, did not fold the largest part
--    in, and a whole-table merge would hold the embedded store's one connection; left as is.)
ALTER TABLE reads MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE reads_by_plate MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE plates MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE candidate_terms MODIFY SETTING prewarm_mark_cache = 1;

ALTER TABLE plates MODIFY COLUMN plate_norm String CODEC(LZ4);

ALTER TABLE candidate_terms MODIFY COLUMN term String CODEC(LZ4);
