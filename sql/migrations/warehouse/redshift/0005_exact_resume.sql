-- Warehouse (Amazon Redshift): near-real-time loads. Same changes as the PostgreSQL file next to this one
-- (Redshift has no indexes: stg.load's sort key serves the freshness check).

-- Where the next arrival-mode extract resumes: with the highest id it saw, the extract's snapshot
-- (pg_snapshot text), whose in-flight transactions the next extract reads again. NULL for loads recorded
-- before: their resume point (an id minutes behind) is read again once, then replaced.
ALTER TABLE stg.load ADD COLUMN resume_snapshot VARCHAR(65535);
-- The first report day whose numbers the load changed (NULL: any day, a rebuild): answers cached for
-- ranges that end before it stay valid across the load (src/metrics/metrics.service.ts).
ALTER TABLE stg.load ADD COLUMN first_changed_day DATE;

-- The refresh's work tables are now temporary tables of the merge's session: no deleted rows accumulate
-- in them from one load to the next (see src/etl/rollups).
DROP TABLE stg.refresh_day;
DROP TABLE stg.refresh_device;
DROP TABLE stg.active_change_work;
