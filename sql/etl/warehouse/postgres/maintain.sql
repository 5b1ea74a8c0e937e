-- Purpose: occasional maintenance after a load has committed (never inside the merge): refresh planner
--          statistics. VACUUM is left to PostgreSQL's autovacuum, which reclaims the rows merges delete
--          on its own cadence (and, since PostgreSQL 13, also visits insert-only tables).
ANALYZE stg.adjust
