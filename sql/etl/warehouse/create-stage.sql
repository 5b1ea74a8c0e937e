-- Purpose: the session's staging table for one run: same columns as stg.adjust (on Redshift also the
--          same DISTKEY and SORTKEY, so the merge's join stays on each slice), no indexes, dropped with
--          the session. Created outside the merge transaction, as AWS's merge recipe does.
CREATE TEMP TABLE stage_adjust (LIKE stg.adjust)
