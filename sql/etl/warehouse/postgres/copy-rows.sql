-- Purpose: load the run's rows inside the merge transaction (after its deletes, before its load
--          record): the stand-in cannot read S3, so the ETL streams the staged text into this COPY
--          (pg-copy-streams) as it writes it into the gzip parts. {target} is stg.adjust itself for a first load, a window run or a
--          rebuild (PostgreSQL needs no staging table for an atomic merge, and skipping it saves writing
--          every row twice), and the session's stage_adjust for an arrival load, whose rollups move by
--          what exactly these rows add (src/etl/warehouse/postgres.warehouse.ts names it). {freeze} is
--          true when the merge truncated the target (a rebuild, a first load): its rows are written
--          frozen, so no reader after the commit rewrites every page to set hint bits, and no VACUUM has
--          to freeze them later.
-- Grain: one line per activity, in the column order below (extract/activities.sql writes it).
COPY {target} (
  id, received_at, activity_kind, created_at, installed_at, click_time, reattributed_at, last_session_time,
  adid, gps_adid, idfa, idfv, android_id, app_token, app_id, app_name, app_version, environment, store,
  tracker, tracker_name, network_name, campaign_name, adgroup_name, creative_name, is_organic, country,
  os_name, os_version, device_type, device_name, event, event_name, revenue, revenue_float, revenue_usd,
  currency, reporting_revenue, reporting_currency, last_time_spent, time_spent, session_count,
  lifetime_session_count, extra
)
FROM STDIN WITH (FORMAT text, DELIMITER '|', FREEZE {freeze})
