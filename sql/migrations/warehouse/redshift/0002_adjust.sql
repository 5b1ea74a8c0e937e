-- Warehouse (Amazon Redshift): the activities the ETL loads, and its load record.
-- Same columns, types and byte limits as the PostgreSQL file next to this one; only physical design
-- differs: rows are distributed by device, so per-device rollups need no redistribution, and sorted by
-- event time, so day-range reads and window deletes skip blocks. Times are UTC, without time zone.
-- Primary keys are informational in Redshift (not enforced); the merge keeps ids unique.
CREATE TABLE stg.adjust (
  id                     BIGINT           NOT NULL PRIMARY KEY,
  received_at            TIMESTAMP        NOT NULL,
  activity_kind          VARCHAR(64)      NOT NULL,
  created_at             TIMESTAMP        NOT NULL,
  installed_at           TIMESTAMP,
  click_time             TIMESTAMP,
  reattributed_at        TIMESTAMP,
  last_session_time      TIMESTAMP,
  adid                   VARCHAR(64),
  gps_adid               VARCHAR(64),
  idfa                   VARCHAR(64),
  idfv                   VARCHAR(64),
  android_id             VARCHAR(64),
  app_token              VARCHAR(64),
  app_id                 VARCHAR(256),
  app_name               VARCHAR(256),
  app_version            VARCHAR(64),
  environment            VARCHAR(32),
  store                  VARCHAR(64),
  tracker                VARCHAR(64),
  tracker_name           VARCHAR(1024),
  network_name           VARCHAR(256),
  campaign_name          VARCHAR(1024),
  adgroup_name           VARCHAR(1024),
  creative_name          VARCHAR(1024),
  is_organic             BOOLEAN,
  country                VARCHAR(16),
  os_name                VARCHAR(32),
  os_version             VARCHAR(64),
  device_type            VARCHAR(64),
  device_name            VARCHAR(256),
  event                  VARCHAR(64),
  event_name             VARCHAR(256),
  revenue                DOUBLE PRECISION,
  revenue_float          DOUBLE PRECISION,
  revenue_usd            DOUBLE PRECISION,
  currency               VARCHAR(16),
  reporting_revenue      DOUBLE PRECISION,
  reporting_currency     VARCHAR(16),
  last_time_spent        INTEGER,
  time_spent             INTEGER,
  session_count          INTEGER,
  lifetime_session_count INTEGER,
  extra                  VARCHAR(65535)   NOT NULL
)
DISTKEY (adid)
SORTKEY (created_at);

-- One row per successful load, written in the merge transaction: where the next arrival-mode extract
-- resumes, and what the warehouse holds (freshness).
CREATE TABLE stg.load (
  run_id          BIGINT      NOT NULL,
  mode            VARCHAR(16) NOT NULL,
  loaded_at       TIMESTAMP   NOT NULL,
  resume_after_id BIGINT      NOT NULL,
  data_through    TIMESTAMP,
  rows_loaded     BIGINT      NOT NULL,
  maintained      BOOLEAN     NOT NULL
)
DISTSTYLE ALL
SORTKEY (loaded_at);
