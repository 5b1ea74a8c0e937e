-- Every Adjust callback the collector accepted, stored once (dedup_key is unique), durably, before
-- Adjust gets its 200. Typed columns hold what the klips and the ETL read; `extra` keeps every other
-- parameter (further placeholders, the app's own callback parameters).
CREATE TABLE mob.adjust (
  id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at            TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  -- first 16 bytes of SHA-256 over app, activity_kind, adid, created_at and event token (and, for an
  -- activity without adid, over all its parameters, so that only exact repeats collapse)
  dedup_key              BYTEA       NOT NULL,
  activity_kind          TEXT        NOT NULL,
  created_at             TIMESTAMPTZ NOT NULL,
  installed_at           TIMESTAMPTZ,
  click_time             TIMESTAMPTZ,
  reattributed_at        TIMESTAMPTZ,
  last_session_time      TIMESTAMPTZ,
  adid                   TEXT,
  gps_adid               TEXT,
  idfa                   TEXT,
  idfv                   TEXT,
  android_id             TEXT,
  app_token              TEXT,
  app_id                 TEXT,
  app_name               TEXT,
  app_version            TEXT,
  environment            TEXT,
  store                  TEXT,
  tracker                TEXT,
  tracker_name           TEXT,
  network_name           TEXT,
  campaign_name          TEXT,
  adgroup_name           TEXT,
  creative_name          TEXT,
  is_organic             BOOLEAN,
  country                TEXT,
  os_name                TEXT,
  os_version             TEXT,
  device_type            TEXT,
  device_name            TEXT,
  event                  TEXT,
  event_name             TEXT,
  revenue                DOUBLE PRECISION,
  revenue_float          DOUBLE PRECISION,
  revenue_usd            DOUBLE PRECISION,
  currency               TEXT,
  reporting_revenue      DOUBLE PRECISION,
  reporting_currency     TEXT,
  last_time_spent        INTEGER,
  time_spent             INTEGER,
  session_count          INTEGER,
  lifetime_session_count INTEGER,
  extra                  JSONB       NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX adjust_dedup_key ON mob.adjust (dedup_key);
-- window-mode extraction reads by event time
CREATE INDEX adjust_created_at ON mob.adjust (created_at);

-- Callbacks the klips cannot use, kept with the reason so they can be inspected and replayed
-- (Adjust does not retry a 4xx). `raw_query` is the URL's query string as received and `params` the
-- decoded parameters (with a POST's body fields) that a replay parses; neither keeps the callback token.
CREATE TABLE mob.rejected_callback (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  method         TEXT        NOT NULL,
  reason         TEXT        NOT NULL,
  raw_query      TEXT        NOT NULL,
  params         JSONB       NOT NULL,
  replayed_at    TIMESTAMPTZ,
  replay_outcome TEXT CHECK (replay_outcome IN ('stored', 'duplicate'))
);
CREATE INDEX rejected_callback_pending ON mob.rejected_callback (id) WHERE replayed_at IS NULL;
