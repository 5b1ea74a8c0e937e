-- Purpose: occasional maintenance after a load has committed, for the tables loads change by DELETE
--          besides stg.adjust (vacuum.sql): the rollups, which every load moves by deleting and
--          re-inserting the rows of the keys it touches, and the load records, pruned every load. Redshift
--          keeps deleted rows until a VACUUM reclaims them (its background VACUUM DELETE waits for a quiet
--          cluster); these tables are small, so each VACUUM is short.
-- Placeholders: {table} one of the tables RedshiftWarehouseSession lists (constants, never input).
VACUUM {table}
