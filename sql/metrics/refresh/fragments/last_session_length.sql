-- Fragment (an expression, not a statement): whether an activity's session length counts on the day of
-- its last_session_time rather than its own (metrics.md "Session duration"): a session, with
-- last_time_spent as the length field, a length > 0 and a last_session_time.
-- Reads $1, the session length field ('last_time_spent' or 'time_spent'), which every statement using it
-- takes as its first parameter. Used as {last_session_length:a}, a the alias of the stg.adjust (or
-- stage_adjust) row; SqlCatalog writes it in at start, with {alias} the statement's alias.
{alias}.activity_kind = 'session' AND $1 = 'last_time_spent' AND {alias}.last_time_spent > 0 AND {alias}.last_session_time IS NOT NULL
