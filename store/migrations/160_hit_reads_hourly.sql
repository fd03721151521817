-- The share of reads that raised an alert, over a year (issue 31, point 6). Alerts last 30
-- days and alerts_hourly counts alerts by the hour they were raised, so a list added today
-- that hits a week of old reads, a read on two lists, or an alert stored twice all inflated
-- "hits per read" past 100 %. This keeps, per hour of capture, the distinct ids of the reads
-- that raised an alert: a count that can never exceed the reads of that hour. Read ids only:
-- no plate, no place; the reads they name are purged on the tactical window.
CREATE TABLE IF NOT EXISTS hit_reads_hourly
(
    hour DateTime('UTC'),
    hit_reads AggregateFunction(uniqExact, UUID)
)
ENGINE = AggregatingMergeTree
ORDER BY hour
TTL hour + INTERVAL 366 DAY DELETE;

CREATE MATERIALIZED VIEW IF NOT EXISTS hit_reads_hourly_mv TO hit_reads_hourly AS
SELECT toStartOfHour(captured_at) AS hour, uniqExactState(read_id) AS hit_reads
FROM alerts
GROUP BY hour;

-- The alerts already stored (distinct ids: running this twice would count nothing twice).
INSERT INTO hit_reads_hourly
SELECT toStartOfHour(captured_at) AS hour, uniqExactState(read_id) AS hit_reads
FROM alerts
GROUP BY hour;
