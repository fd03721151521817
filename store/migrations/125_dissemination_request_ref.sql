-- An owner's request for the reads of their vehicle is recorded by the agency's own record
-- number of the request (request_ref), never by the requester: the dissemination log kept
-- their name in recipient_person, and ALPR records keep no personal identifying information
-- (issue 30). The names already kept are cleared; the release itself (who, when, which case,
-- which reads, under which notice) stays on record.
ALTER TABLE disseminations ADD COLUMN IF NOT EXISTS request_ref String DEFAULT '' AFTER recipient_person;
ALTER TABLE disseminations UPDATE recipient_person = '' WHERE kind = 'owner' AND recipient_person != '';
