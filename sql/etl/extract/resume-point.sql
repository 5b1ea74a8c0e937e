-- Purpose: where the next arrival-mode extract resumes: the highest id this snapshot sees, and the
--          snapshot itself. Ids follow insert order, not commit order: a row this snapshot cannot see may
--          still commit with a lower id than rows already read, but only from a transaction in flight at
--          the snapshot (or one that took its id just before it began). The next extract reads the rows of
--          exactly those transactions again (set-bounds.sql), and nothing else below the id: an exact
--          resume point, whatever a writer's transaction lasts.
-- Parameters: none; run in the extract's transaction.
-- Returns: resume_after_id (NULL when the source is empty) and resume_snapshot (pg_snapshot text,
--          'xmin:xmax:xip,…'). Reads the primary key backwards for the maximum.
SELECT max(id) AS resume_after_id,
       CAST(pg_current_snapshot() AS text) AS resume_snapshot
FROM mob.adjust
