-- Warehouse (Amazon Redshift): the table merges lock to queue up behind each other. Same table as the
-- PostgreSQL file next to this one.
--
-- Merges used to lock stg.load itself. Redshift's LOCK is always ACCESS EXCLUSIVE and held to COMMIT,
-- through the whole rollup refresh, so every reader of stg.load (the klips' freshness and version check)
-- waited for the load. Merges now lock this table, which nobody reads: loads still run one at a time,
-- readers of stg.load never wait. A new, empty table: the upgrade holds no existing table.
CREATE TABLE stg.load_lock (
  held BOOLEAN NOT NULL
)
DISTSTYLE ALL;
