-- The audit log is read a page at a time, most often for a time range (issue 31, point 8). It is
-- ordered by seq alone, so a time filter read the whole log; seq grows with time, so a minmax
-- index on at lets a query skip every stretch outside the range. (Bloom filters on actor and
-- case cost more than they saved: ClickHouse scans those two columns of the log quickly.) Parts
-- written before this migration gain the index as they merge; the log itself is not rewritten.
ALTER TABLE audit_log ADD INDEX IF NOT EXISTS audit_at_minmax at TYPE minmax GRANULARITY 1;
