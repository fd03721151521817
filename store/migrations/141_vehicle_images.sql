-- Vehicle images (issue 31, point 3): the frame's region around the plate's vehicle, stored with
-- a read only where the agency's policy defines it (recognition.vehicleImage, off by default,
-- guidelines 6a). Apart from reads and plate crops like plate_images, with the read's capture
-- time, hold and TTL, so an image goes with its read (store/retention-job.ts and store/holds.ts
-- move both together).
CREATE TABLE IF NOT EXISTS vehicle_images
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
