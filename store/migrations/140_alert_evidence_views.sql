-- Evidence an operator was shown while working a live alert (issue 31, point 3): the plate image
-- enlarged to a readable size. "Characters match" is refused until that view was served to that
-- user for that alert (alerts/evidence.ts). Only ids, a user name and the time: no read data, so
-- it needs no hold; it lives as long as an unheld alert does.
CREATE TABLE IF NOT EXISTS alert_evidence_views
(
    alert_id UUID,
    username String,
    view LowCardinality(String),
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (alert_id, username, at)
TTL toDateTime(at) + INTERVAL 30 DAY DELETE;
