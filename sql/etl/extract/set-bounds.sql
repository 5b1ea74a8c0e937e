-- Purpose: open an extract: work out its bounds, which extract/summary.sql and extract/activities.sql
--          get as literals (COPY takes no bind parameters; a literal, unlike a setting read with
--          current_setting() on every row, costs a scan nothing and gives the planner the real value).
--          Run first in the extract's REPEATABLE READ transaction: this statement takes the snapshot.
-- Parameters: $1 the id after which every row is read ('0' reads everything): the highest id the
--             previous extract saw;
--             $2 the previous extract's snapshot (pg_snapshot text), or NULL: the rows it could not see
--             although their ids are lower than $1 (their transactions were still in flight, or had not
--             even begun) are read too: those of a transaction listed in flight (in_flight) or at or
--             after its xmax (in_flight_after).
--             The source pool's 30 s statement timeout (meant for the collector's inserts) is lifted for
--             this transaction: a full load's COPY streams for minutes.
-- Returns: after_id; in_flight_after, a transaction id or ''; in_flight, transaction ids joined by ','
--          or ''; statement_timeout.
SELECT CAST(CAST($1 AS BIGINT) AS TEXT) AS after_id,
       COALESCE(CAST(pg_snapshot_xmax(CAST($2 AS pg_snapshot)) AS TEXT), '') AS in_flight_after,
       COALESCE(array_to_string(ARRAY(SELECT pg_snapshot_xip(CAST($2 AS pg_snapshot))), ','), '') AS in_flight,
       set_config('statement_timeout', '0', true) AS statement_timeout
