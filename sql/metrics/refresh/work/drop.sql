-- Purpose: drop the refresh's work tables at the end of the merge (those a refresh did not create are
--          skipped), so the pooled connection starts the next load without them.
DROP TABLE IF EXISTS refresh_day, refresh_device, recount_rows, load_rows, load_active, active_change_work, installs_work, counts_work,
                     retention_device, retention_work
