-- Purpose: forget the settings of the previous build (inside the merge transaction of a full build).
-- Parameters: none.
DELETE FROM stg.rollup_build
