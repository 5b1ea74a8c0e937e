-- Purpose: where the next arrival-mode extract may resume. Ids follow insert order, not commit order:
--          a row invisible to this snapshot may still commit with a lower id than rows already read,
--          but only within one transaction's lifetime of its arrival. Every row that arrived more than
--          that overlap before the snapshot is committed and visible now, so everything up to the
--          newest such id is read by this run or an earlier one.
-- Parameters: $1 the snapshot time (set-bounds.sql); $2 the overlap in seconds.
-- Returns: resume_after_id (NULL when no row is that old). Scans the primary key backwards over the
--          overlap's rows only.
SELECT max(id) AS resume_after_id
FROM mob.adjust
WHERE received_at < $1::timestamptz - make_interval(secs => $2)
