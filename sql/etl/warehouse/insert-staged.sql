-- Purpose: merge step 2: insert every row COPY staged into the run's staging table (see create-stage.sql).
-- Grain: one row per activity.
INSERT INTO stg.adjust (
  id, received_at, activity_kind, created_at, installed_at, click_time, reattributed_at, last_session_time,
  adid, gps_adid, idfa, idfv, android_id, app_token, app_id, app_name, app_version, environment, store,
  tracker, tracker_name, network_name, campaign_name, adgroup_name, creative_name, is_organic, country,
  os_name, os_version, device_type, device_name, event, event_name, revenue, revenue_float, revenue_usd,
  currency, reporting_revenue, reporting_currency, last_time_spent, time_spent, session_count,
  lifetime_session_count, extra
)
SELECT
  id, received_at, activity_kind, created_at, installed_at, click_time, reattributed_at, last_session_time,
  adid, gps_adid, idfa, idfv, android_id, app_token, app_id, app_name, app_version, environment, store,
  tracker, tracker_name, network_name, campaign_name, adgroup_name, creative_name, is_organic, country,
  os_name, os_version, device_type, device_name, event, event_name, revenue, revenue_float, revenue_usd,
  currency, reporting_revenue, reporting_currency, last_time_spent, time_spent, session_count,
  lifetime_session_count, extra
FROM stage_adjust
