-- Hotlists (the extract, issue 6). Each import is a version with its provenance; the records
-- of the active version (and of one being imported) are kept here for viewing, for the diff
-- that finds newly listed plates, and as the base of agency lists edited by hand. Superseded
-- versions lose their records (purged) but keep their provenance row: who imported what, when.
-- The extract is CJI (guidelines 3b, 6d): only the API's guarded, audited routes read these.
CREATE TABLE IF NOT EXISTS hotlist_versions
(
    version_id String,
    source LowCardinality(String),
    rev UInt64,
    status LowCardinality(String),
    origin LowCardinality(String),
    filename String,
    checksum String,
    bytes UInt64,
    record_count UInt64,
    lines UInt64,
    bad_lines UInt64,
    problems String,
    imported_by String,
    imported_at DateTime64(3, 'UTC'),
    extracted_at DateTime64(3, 'UTC'),
    changed_at DateTime64(3, 'UTC'),
    detail String
)
ENGINE = ReplacingMergeTree(rev)
ORDER BY (source, version_id);

CREATE TABLE IF NOT EXISTS hotlist_records
(
    version_id String,
    source LowCardinality(String),
    record_id String,
    plate String,
    wildcard Bool,
    state LowCardinality(String),
    plate_type LowCardinality(String),
    category LowCardinality(String),
    ori LowCardinality(String),
    entered_at Int64,
    expires_at Int64,
    priority UInt8,
    notes String,
    line UInt32,
    created_by String,
    reason String
)
ENGINE = MergeTree
ORDER BY (version_id, plate, record_id);
