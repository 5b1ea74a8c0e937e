-- Fragment (an expression, not a statement): an activity's session length in seconds as the
-- session-duration klip adds it up (metrics.md "Session duration"): a session's length field when it is
-- > 0, else 0.
-- Reads $1, the session length field ('last_time_spent' or 'time_spent'), which every statement using it
-- takes as its first parameter. Used as {session_seconds:a}, a the alias of the stg.adjust (or
-- stage_adjust) row; SqlCatalog writes it in at start, with {alias} the statement's alias.
CASE WHEN {alias}.activity_kind <> 'session' THEN 0
     WHEN $1 = 'time_spent' THEN CASE WHEN {alias}.time_spent > 0 THEN {alias}.time_spent ELSE 0 END
     ELSE CASE WHEN {alias}.last_time_spent > 0 THEN {alias}.last_time_spent ELSE 0 END
END
