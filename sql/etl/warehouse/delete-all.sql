-- Purpose: merge step 1 (a rebuild, or a load without a resume point) on Redshift: delete every
--          warehouse row; the staged rows are the whole source. DELETE, not TRUNCATE: TRUNCATE commits on
--          Redshift and would break the merge's atomicity (the stand-in truncates:
--          postgres/truncate-rows.sql).
DELETE FROM stg.adjust
