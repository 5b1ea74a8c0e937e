-- Purpose: whether the live rollups have been built (a repair then builds beside them; before the first
--          build there is nothing live to keep fresh).
-- Returns: one row.
SELECT COUNT(*) AS builds
FROM stg.rollup_build
