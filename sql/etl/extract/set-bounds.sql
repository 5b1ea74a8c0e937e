-- Purpose: open an extract: fix its bounds for extract/activities.sql (COPY takes no bind parameters,
--          so they travel as transaction-local settings).
--          Run first in the extract's REPEATABLE READ transaction: this statement takes the snapshot.
-- Parameters: $1 the id after which every row is read ('0' reads everything): the highest id the
--             previous extract saw;
--             $2 the previous extract's snapshot (pg_snapshot text), or NULL: the rows it could not see
--             although their ids are lower than $1 (their transactions were still in flight, or had not
--             even begun) are read too: those of a transaction listed in flight (mob_etl.in_flight) or
--             at or after its xmax (mob_etl.in_flight_after);
--             $3 the event time from which every row is read again (window mode), or 'infinity'.
--             The source pool's 30 s statement timeout (meant for the collector's inserts) is lifted for
--             this transaction: a full load's COPY streams for minutes.
SELECT set_config('mob_etl.after_id', $1, true) AS after_id,
       set_config('mob_etl.in_flight_after', COALESCE(CAST(pg_snapshot_xmax(CAST($2 AS pg_snapshot)) AS text), ''), true) AS in_flight_after,
       set_config('mob_etl.in_flight', COALESCE(array_to_string(ARRAY(SELECT pg_snapshot_xip(CAST($2 AS pg_snapshot))), ','), ''), true) AS in_flight,
       set_config('mob_etl.window_start', $3, true) AS window_start,
       set_config('statement_timeout', '0', true) AS statement_timeout
