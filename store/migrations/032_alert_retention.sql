-- Alerts follow the retention of the read they quote (guidelines 6e). An alert carries the
-- read's plate, place and time, so it may live no longer than the read: the tactical window
-- (the agency's period, rewritten into the TTL at start like the reads'), or the read's case
-- hold, whose held_until the holds code moves on the alert and its timeline together with the
-- read. Alerts stored before this migration keep their raise time as the capture time.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS captured_at DateTime64(3, 'UTC') DEFAULT raised_at;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS held_until DateTime('UTC') DEFAULT 0;
ALTER TABLE alerts MODIFY TTL greatest(toDateTime(captured_at) + toIntervalDay(30), held_until) DELETE;
ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS captured_at DateTime64(3, 'UTC') DEFAULT at;
ALTER TABLE alert_events ADD COLUMN IF NOT EXISTS held_until DateTime('UTC') DEFAULT 0;
ALTER TABLE alert_events MODIFY TTL greatest(toDateTime(captured_at) + toIntervalDay(30), held_until) DELETE;
