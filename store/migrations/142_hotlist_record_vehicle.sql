-- A hotlist record's vehicle description (issue 31, point 3: NCIC VMA, VMO, VST, VCO, VYR), kept with
-- the stored records so that a historical hit (raised from the stored records when a plate is
-- listed) shows it like a live one. One field, as the compiled version carries it (make, model,
-- style, colour, year joined by the unit separator); empty for none and for records stored before.
ALTER TABLE hotlist_records ADD COLUMN IF NOT EXISTS vehicle String DEFAULT '' AFTER notes;
