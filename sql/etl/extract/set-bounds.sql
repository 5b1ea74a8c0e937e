-- Purpose: open an extract: fix its bounds for extract/activities.sql (COPY takes no bind parameters,
--          so they travel as transaction-local settings) and note when its snapshot was taken.
--          Run first in the extract's REPEATABLE READ transaction: this statement takes the snapshot.
-- Parameters: $1 the id after which every row is read ('0' reads everything);
--             $2 the event time from which every row is read again (window mode), or 'infinity'.
--             The source pool's 30 s statement timeout (meant for the collector's inserts) is lifted for
--             this transaction: a full load's COPY streams for minutes.
-- Returns: snapshot_at, the source's clock when the snapshot was taken.
SELECT set_config('mob_etl.after_id', $1, true) AS after_id,
       set_config('mob_etl.window_start', $2, true) AS window_start,
       set_config('statement_timeout', '0', true) AS statement_timeout,
       statement_timestamp() AS snapshot_at
