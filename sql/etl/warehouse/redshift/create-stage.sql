-- Purpose: the session's staging table for one run: same columns, DISTKEY and SORTKEY as stg.adjust
--          (so the merge's insert stays on each slice), dropped with the session. Created outside the
--          merge transaction, as AWS's merge recipe does; COPY loads it from the manifest.
CREATE TEMP TABLE stage_adjust (LIKE stg.adjust)
