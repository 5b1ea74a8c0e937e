-- Purpose: give the ETL lease back at the end of a run.
-- Parameters: $1 the lease's lock key.
SELECT pg_advisory_unlock($1) AS released
