-- How far the store writer has stored the READS stream, kept beside the reads it describes.
--
-- The writer's JetStream consumer keeps its state in nats-server's memory (store/writer.ts,
-- mem_storage): a file-backed consumer re-encodes and rewrites every unacknowledged delivery
-- ~10 ms after each change, ~2.3 µs of nats-server CPU per stored read while a backlog drains
-- (README, store ingest). What that state gave after a nats-server restart, the last stored
-- stream sequence, is recorded here after each insert and before its acknowledgement, so a
-- writer that finds its consumer gone or reset resumes after it. A row names the stream by its
-- creation time: a stream created anew numbers its messages from 1 again, and a sequence of the
-- old one must not make the writer skip the new one's reads.
CREATE TABLE IF NOT EXISTS store_writer_progress
(
    stream LowCardinality(String),
    stream_created String,
    stream_seq UInt64,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(stream_seq)
ORDER BY (stream, stream_created);
