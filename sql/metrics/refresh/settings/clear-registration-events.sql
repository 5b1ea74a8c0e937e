-- Purpose: empty the list of event tokens and names that count as registrations, before refilling it
--          from REGISTRATION_EVENTS (inside the merge transaction).
-- Parameters: none.
DELETE FROM stg.registration_event
