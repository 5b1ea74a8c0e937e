-- Purpose: the session's staging table for one run: same columns as stg.adjust (on Redshift also its
--          DISTKEY and SORTKEY, so the merge's insert stays on each slice), dropped with the session or
--          by drop-stage.sql. Redshift creates it outside the merge transaction, as AWS's merge recipe
--          does, and COPY loads it from the manifest; the PostgreSQL stand-in creates it inside the merge
--          of an arrival load. Either way the rollups read a load's own rows from it.
CREATE TEMP TABLE stage_adjust (LIKE stg.adjust)
