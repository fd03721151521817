-- A partition nobody has written to for 10 minutes (a past month of reads, a past year of the
-- plate index) is merged into one part by ClickHouse's background merges. A plate search reads
-- a granule of every column in each part that holds one of the plate's reads, and opening a
-- part costs more than reading its few rows: at 100M reads, merging the closed partitions (125
-- read parts to 36, 17 index parts to 4) took exact searches from 74 to 46 ms (p50) and
-- infix ones from 1.5 to 0.6 s (README, store benchmark). Left to the ordinary merge selector,
-- large partitions keep 3-4 parts for good. The open partition keeps receiving parts and is
-- merged the ordinary way; a late read reopens a closed partition for one more merge.
-- Background merges run beside queries; an OPTIMIZE would hold the embedded store's one
-- connection for as long as it ran (15 s for a year of the index at 100M).
ALTER TABLE reads MODIFY SETTING min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1;
ALTER TABLE reads_by_plate MODIFY SETTING min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1
