-- Warehouse (PostgreSQL stand-in for Redshift): stg.active_change for every combination of filters.
-- Same tables and columns as the Redshift file next to this one; only physical design differs.
--
-- 0003 kept the active-window changes for no filter and for each single filter; answers under two
-- filters or more counted them from stg.active_device at request time, which grows with the devices in
-- the range. Now the changes are kept for each of the 16 combinations of filters (a scope), so every
-- DAU/WAU/MAU answer reads a few hundred stored rows. The next load rebuilds the rollups (this file
-- forgets how they were built), which fills the new table.

DROP TABLE stg.active_change_work;
DROP TABLE stg.active_change;

-- The combinations of filters: which dimensions a scope's changes are kept by.
CREATE TABLE stg.active_scope (
  scope      VARCHAR(32) NOT NULL PRIMARY KEY,
  by_app     BOOLEAN     NOT NULL,
  by_os      BOOLEAN     NOT NULL,
  by_country BOOLEAN     NOT NULL,
  by_channel BOOLEAN     NOT NULL
);
INSERT INTO stg.active_scope (scope, by_app, by_os, by_country, by_channel) VALUES
  ('all', FALSE, FALSE, FALSE, FALSE),
  ('app', TRUE, FALSE, FALSE, FALSE),
  ('os', FALSE, TRUE, FALSE, FALSE),
  ('country', FALSE, FALSE, TRUE, FALSE),
  ('channel', FALSE, FALSE, FALSE, TRUE),
  ('app+os', TRUE, TRUE, FALSE, FALSE),
  ('app+country', TRUE, FALSE, TRUE, FALSE),
  ('app+channel', TRUE, FALSE, FALSE, TRUE),
  ('os+country', FALSE, TRUE, TRUE, FALSE),
  ('os+channel', FALSE, TRUE, FALSE, TRUE),
  ('country+channel', FALSE, FALSE, TRUE, TRUE),
  ('app+os+country', TRUE, TRUE, TRUE, FALSE),
  ('app+os+channel', TRUE, TRUE, FALSE, TRUE),
  ('app+country+channel', TRUE, FALSE, TRUE, TRUE),
  ('os+country+channel', FALSE, TRUE, TRUE, TRUE),
  ('app+os+country+channel', TRUE, TRUE, TRUE, TRUE);

-- How many devices enter (+) and leave (-) the 1-, 7- and 30-day active windows on each day, per scope
-- and values of its dimensions (the others are ''): DAU, WAU and MAU of a day under those filters are
-- the running sums of these changes up to that day.
CREATE TABLE stg.active_change (
  day     DATE         NOT NULL,
  scope   VARCHAR(32)  NOT NULL,
  app     VARCHAR(256) NOT NULL,
  os      VARCHAR(32)  NOT NULL,
  country VARCHAR(16)  NOT NULL,
  channel VARCHAR(256) NOT NULL,
  dau     INTEGER      NOT NULL,
  wau     INTEGER      NOT NULL,
  mau     INTEGER      NOT NULL
);
CREATE INDEX active_change_scope_day ON stg.active_change (scope, app, os, country, channel, day);
-- the changes a refresh adds up before writing them back: stg.active_change's columns
CREATE TABLE stg.active_change_work (LIKE stg.active_change);

DELETE FROM stg.rollup_build;
