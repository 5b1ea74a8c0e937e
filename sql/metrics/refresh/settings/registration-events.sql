-- Purpose: the event tokens and names that count as registrations now (REGISTRATION_EVENTS as the last
--          refresh wrote them), so a refresh writes them again only when the setting changed.
-- Grain: one row per name.
SELECT name
FROM stg.registration_event
