-- When each hotlist entry was added (issue 31, point 5): the management view shows who added an
-- entry and when, and an agency list edited by hand carries both from version to version (a new
-- version re-writes every record it keeps). Records stored before this column read 0, shown as
-- their version's import time.
ALTER TABLE hotlist_records ADD COLUMN IF NOT EXISTS created_at Int64 DEFAULT 0 AFTER created_by;
