-- Purpose: take the ETL lease without waiting: a session-level advisory lock on the source database,
--          held by the run's dedicated connection. A process that dies closes that connection and so
--          releases the lease. (Redshift has no advisory locks; the source is always PostgreSQL.)
-- Parameters: $1 the lease's lock key.
SELECT pg_try_advisory_lock($1) AS acquired
