-- Warehouse (PostgreSQL stand-in for Redshift): near-real-time loads. Same changes as the Redshift file
-- next to this one.

-- Where the next arrival-mode extract resumes: with the highest id it saw, the extract's snapshot
-- (pg_snapshot text), whose in-flight transactions the next extract reads again. NULL for loads recorded
-- before: their resume point (an id minutes behind) is read again once, then replaced.
ALTER TABLE stg.load ADD COLUMN resume_snapshot VARCHAR(65535);
-- The first report day whose numbers the load changed (NULL: any day, a rebuild): answers cached for
-- ranges that end before it stay valid across the load (src/metrics/metrics.service.ts).
ALTER TABLE stg.load ADD COLUMN first_changed_day DATE;
-- the freshness check looks for the latest load that changed the data, every few seconds
CREATE INDEX load_run_id ON stg.load (run_id);

-- The refresh's work tables are now temporary tables of the merge's session: nothing accumulates in
-- them from one load to the next (see src/etl/rollups).
DROP TABLE stg.refresh_day;
DROP TABLE stg.refresh_device;
DROP TABLE stg.active_change_work;
