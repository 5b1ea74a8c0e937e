-- Purpose: one event token or name from REGISTRATION_EVENTS.
-- Parameters: $1 the token or name.
INSERT INTO stg.registration_event (name)
VALUES ($1)
