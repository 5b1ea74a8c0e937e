-- Purpose: load the staged parts into the session's staging table, in parallel across slices, from
--          exactly the files the run's manifest lists.
-- Parameters: none (COPY takes no bind parameters). RedshiftWarehouseSession fills in the names in
--             braces below, as checked literals: manifest_url, the manifest's s3:// URL; iam_role, the
--             role ARN or default (the cluster's default role); region, REGION '<bucket region>' when
--             AWS_REGION is set.
--             No access keys ever: Redshift assumes the role to read the bucket.
-- Format: gzip parts, '|' between fields, backslash escapes, \N for NULL (the default NULL AS), UTC
--         times; invalid UTF-8 would become '?' rather than fail the load.
COPY stage_adjust (
  id, received_at, activity_kind, created_at, installed_at, click_time, reattributed_at, last_session_time,
  adid, gps_adid, idfa, idfv, android_id, app_token, app_id, app_name, app_version, environment, store,
  tracker, tracker_name, network_name, campaign_name, adgroup_name, creative_name, is_organic, country,
  os_name, os_version, device_type, device_name, event, event_name, revenue, revenue_float, revenue_usd,
  currency, reporting_revenue, reporting_currency, last_time_spent, time_spent, session_count,
  lifetime_session_count, extra
)
FROM {manifest_url}
IAM_ROLE {iam_role}
MANIFEST
GZIP
DELIMITER '|'
ESCAPE
TIMEFORMAT 'auto'
ACCEPTINVCHARS '?'
COMPUPDATE OFF
STATUPDATE OFF
{region}
