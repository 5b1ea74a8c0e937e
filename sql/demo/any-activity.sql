-- Purpose: whether the source holds any activity yet: the demo back-fills its history into an empty
--          source only (a restart, or a database with real callbacks, gets the live traffic alone).
-- Grain: one row. Parameters: none.
SELECT EXISTS (SELECT 1 FROM mob.adjust) AS any_activity
