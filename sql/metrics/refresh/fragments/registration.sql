-- Fragment (an expression, not a statement): 1 when an activity is a registration (metrics.md: an event
-- whose token or name is in REGISTRATION_EVENTS), else 0. The statement joins stg.registration_event
-- twice, as by_token (on the event token) and by_name (on the event name), both LEFT JOINs.
-- Used as {registration:a}, a the alias of the stg.adjust (or stage_adjust) row; SqlCatalog writes it in
-- at start, with {alias} the statement's alias.
CASE WHEN {alias}.activity_kind = 'event' AND (by_token.name IS NOT NULL OR by_name.name IS NOT NULL) THEN 1 ELSE 0 END
