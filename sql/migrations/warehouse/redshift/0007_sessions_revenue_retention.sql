-- Warehouse (Amazon Redshift): the rollups of the sessions, revenue and retention klips.
-- Same tables and columns as the PostgreSQL file next to this one; only physical design differs: day sort
-- keys for range reads, the device table distributed by device like stg.adjust.
-- Rollup tables only (mob.adjust is the source's; stg.adjust is not touched); an added column with a
-- constant default rewrites no rows.

-- Sessions (the activities that make a device active) and revenue in US dollars, on the activities' own
-- day (`created_day`). Revenue is counted to the micro-dollar, so that sums are exact and a load's
-- additions equal a recount.
ALTER TABLE stg.daily_counts ADD COLUMN activities BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE stg.daily_counts ADD COLUMN revenue_usd DECIMAL(24, 6) DEFAULT 0 NOT NULL;

-- Each device's cohort in each app: the day of its first install, that install's os, country and
-- dynamic channel, and whether it was active (in the same app) 1, 7 and 30 days later.
CREATE TABLE stg.cohort_device (
  app     VARCHAR(256) NOT NULL,
  adid    VARCHAR(64)  NOT NULL,
  day     DATE         NOT NULL,
  os      VARCHAR(32)  NOT NULL,
  country VARCHAR(16)  NOT NULL,
  channel VARCHAR(256) NOT NULL,
  d1      INTEGER      NOT NULL,
  d7      INTEGER      NOT NULL,
  d30     INTEGER      NOT NULL
)
DISTKEY (adid)
SORTKEY (adid);

-- Cohorts by install day and the install's values: their size and how many of them were retained.
CREATE TABLE stg.daily_retention (
  day      DATE         NOT NULL,
  app      VARCHAR(256) NOT NULL,
  os       VARCHAR(32)  NOT NULL,
  country  VARCHAR(16)  NOT NULL,
  channel  VARCHAR(256) NOT NULL,
  installs BIGINT       NOT NULL,
  d1       BIGINT       NOT NULL,
  d7       BIGINT       NOT NULL,
  d30      BIGINT       NOT NULL
)
DISTSTYLE EVEN
SORTKEY (day);

-- The rollups were built without these: the next load builds every rollup again from every activity.
DELETE FROM stg.rollup_build;
