-- Purpose: how many rows the extract is about to stream (the progress bar's total), in its snapshot.
--          Only a count, so the COPY starts at once; extract/summary.sql describes the rows afterwards.
-- Parameters: none; the bounds come from extract/set-bounds.sql.
SELECT count(*) AS row_count
FROM mob.adjust
WHERE id > current_setting('mob_etl.after_id')::bigint
   OR xact_id >= NULLIF(current_setting('mob_etl.in_flight_after'), '')::xid8
   OR xact_id = ANY (string_to_array(current_setting('mob_etl.in_flight'), ',')::xid8[])
   OR created_at >= current_setting('mob_etl.window_start')::timestamptz
