-- Fragment (an expression, not a statement): 1 when an activity's session length counts (metrics.md
-- "Session duration": a session whose length field is a whole number > 0; the average's denominator),
-- else 0.
-- Reads $1, the session length field ('last_time_spent' or 'time_spent'), which every statement using it
-- takes as its first parameter. Used as {has_session_length:a}, a the alias of the stg.adjust (or
-- stage_adjust) row; SqlCatalog writes it in at start, with {alias} the statement's alias.
CASE WHEN {alias}.activity_kind <> 'session' THEN 0
     WHEN $1 = 'time_spent' THEN CASE WHEN {alias}.time_spent > 0 THEN 1 ELSE 0 END
     ELSE CASE WHEN {alias}.last_time_spent > 0 THEN 1 ELSE 0 END
END
