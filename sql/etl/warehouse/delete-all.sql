-- Purpose: merge step 1 (rebuild): delete every warehouse row; the staged rows are the whole source.
--          DELETE, not TRUNCATE: TRUNCATE commits on Redshift and would break the merge's atomicity.
DELETE FROM stg.adjust
